/*
 * cases.h - deterministic operand streams for the RISC-V F/D differential
 * test, shared by the bare-metal guest (run on qemu-system-riscv64) and the
 * host unit test (tests/unit/test-rv-fpu.c). Case i of an operation is a pure
 * function of (op, i) computed with integer arithmetic only, so both sides
 * see the same operands and a digest of QEMU's results over a block of cases
 * can be checked on the host without storing the operands.
 */
#ifndef RVFV_CASES_H
#define RVFV_CASES_H

#include <stdint.h>

/* Operand kinds. */
enum { RVFV_K_F32, RVFV_K_F64, RVFV_K_F32I, RVFV_K_F64I, RVFV_K_INT, RVFV_K_F64N };

/* X(name, arity, kind, has_rm) */
#define RVFV_OPS(X)                                                                                \
    X(f32_add, 2, RVFV_K_F32, 1)                                                                   \
    X(f32_sub, 2, RVFV_K_F32, 1)                                                                   \
    X(f32_mul, 2, RVFV_K_F32, 1)                                                                   \
    X(f32_div, 2, RVFV_K_F32, 1)                                                                   \
    X(f32_sqrt, 1, RVFV_K_F32, 1)                                                                  \
    X(f32_madd, 3, RVFV_K_F32, 1)                                                                  \
    X(f32_msub, 3, RVFV_K_F32, 1)                                                                  \
    X(f32_nmsub, 3, RVFV_K_F32, 1)                                                                 \
    X(f32_nmadd, 3, RVFV_K_F32, 1)                                                                 \
    X(f32_min, 2, RVFV_K_F32, 0)                                                                   \
    X(f32_max, 2, RVFV_K_F32, 0)                                                                   \
    X(f32_eq, 2, RVFV_K_F32, 0)                                                                    \
    X(f32_lt, 2, RVFV_K_F32, 0)                                                                    \
    X(f32_le, 2, RVFV_K_F32, 0)                                                                    \
    X(f32_class, 1, RVFV_K_F32, 0)                                                                 \
    X(f64_add, 2, RVFV_K_F64, 1)                                                                   \
    X(f64_sub, 2, RVFV_K_F64, 1)                                                                   \
    X(f64_mul, 2, RVFV_K_F64, 1)                                                                   \
    X(f64_div, 2, RVFV_K_F64, 1)                                                                   \
    X(f64_sqrt, 1, RVFV_K_F64, 1)                                                                  \
    X(f64_madd, 3, RVFV_K_F64, 1)                                                                  \
    X(f64_msub, 3, RVFV_K_F64, 1)                                                                  \
    X(f64_nmsub, 3, RVFV_K_F64, 1)                                                                 \
    X(f64_nmadd, 3, RVFV_K_F64, 1)                                                                 \
    X(f64_min, 2, RVFV_K_F64, 0)                                                                   \
    X(f64_max, 2, RVFV_K_F64, 0)                                                                   \
    X(f64_eq, 2, RVFV_K_F64, 0)                                                                    \
    X(f64_lt, 2, RVFV_K_F64, 0)                                                                    \
    X(f64_le, 2, RVFV_K_F64, 0)                                                                    \
    X(f64_class, 1, RVFV_K_F64, 0)                                                                 \
    X(f32_to_f64, 1, RVFV_K_F32, 0)                                                                \
    X(f64_to_f32, 1, RVFV_K_F64N, 1)                                                               \
    X(f32_to_i32, 1, RVFV_K_F32I, 1)                                                               \
    X(f32_to_u32, 1, RVFV_K_F32I, 1)                                                               \
    X(f32_to_i64, 1, RVFV_K_F32I, 1)                                                               \
    X(f32_to_u64, 1, RVFV_K_F32I, 1)                                                               \
    X(f64_to_i32, 1, RVFV_K_F64I, 1)                                                               \
    X(f64_to_u32, 1, RVFV_K_F64I, 1)                                                               \
    X(f64_to_i64, 1, RVFV_K_F64I, 1)                                                               \
    X(f64_to_u64, 1, RVFV_K_F64I, 1)                                                               \
    X(i32_to_f32, 1, RVFV_K_INT, 1)                                                                \
    X(u32_to_f32, 1, RVFV_K_INT, 1)                                                                \
    X(i64_to_f32, 1, RVFV_K_INT, 1)                                                                \
    X(u64_to_f32, 1, RVFV_K_INT, 1)                                                                \
    X(i32_to_f64, 1, RVFV_K_INT, 1)                                                                \
    X(u32_to_f64, 1, RVFV_K_INT, 1)                                                                \
    X(i64_to_f64, 1, RVFV_K_INT, 1)                                                                \
    X(u64_to_f64, 1, RVFV_K_INT, 1)

#define RVFV_ENUM(n, ar, k, rm) RVFV_##n,
enum { RVFV_OPS(RVFV_ENUM) RVFV_NOPS };
#undef RVFV_ENUM

struct rvfv_opinfo {
    const char *name;
    int arity, kind, has_rm;
};

#define RVFV_INFO(n, ar, k, rm) {#n, ar, k, rm},
static const struct rvfv_opinfo rvfv_ops[RVFV_NOPS] = {RVFV_OPS(RVFV_INFO)};
#undef RVFV_INFO

/* Cases per (op, rounding mode) and cases per digest line. */
#ifndef RVFV_CASES
#define RVFV_CASES 16384
#endif
#define RVFV_BLOCK 1024

static inline uint64_t rvfv_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static const uint64_t rvfv_sp64[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff0000000000001ull, 0xfff8000000000123ull, 0x7ff4000000000000ull,
    0x0000000000000001ull, 0x800fffffffffffffull, 0x0010000000000000ull, 0x8010000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x3fe0000000000000ull, 0x4008000000000000ull, 0x3ff0000000000001ull,
    0x3fefffffffffffffull, 0x0018000000000000ull, 0x7fe0000000000000ull, 0x8000000000000003ull,
    0x000fffffffffffffull, 0x3ca0000000000000ull, 0x0008000000000000ull, 0x4340000000000001ull,
};
static const uint32_t rvfv_sp32[] = {
    0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffc00123u,
    0x7fa00000u, 0x00000001u, 0x807fffffu, 0x00800000u, 0x80800000u, 0x7f7fffffu, 0xff7fffffu,
    0x3f800000u, 0xbf800000u, 0x3fc00000u, 0x3f000000u, 0x40400000u, 0x3f800001u, 0x3f7fffffu,
    0x00c00000u, 0x7f000000u, 0x80000003u, 0x007fffffu, 0x33800000u, 0x00400000u, 0x4b800001u,
};
#define RVFV_NSP 28

/* Generic float operand: mb mantissa bits, eb exponent bits; prev is the
 * previous operand of the case (for cancellation / boundary targeting). */
static inline uint64_t rvfv_float(uint64_t h, int d, uint64_t prev, int op_hint, int idx)
{
    int mb = d ? 52 : 23, bias = d ? 1023 : 127;
    uint64_t mmask = (1ull << mb) - 1, emax_b = 2ull * bias + 1;
    uint64_t sign = (h >> 63) << (d ? 63 : 31);
    uint64_t r = rvfv_mix(h), m;
    int64_t e;
    unsigned sel = (unsigned)(h % 16);

    /* mantissa pattern */
    switch ((r >> 8) % 6) {
    case 0:
        m = r >> 12;
        break;
    case 1: /* short mantissa: exact products/sums, ties */
        m = (r >> 20) << (mb - (int)((r >> 4) % 12));
        break;
    case 2:
        m = ~0ull;
        break;
    case 3:
        m = 1ull << ((r >> 14) % (unsigned)mb);
        break;
    case 4: /* runs of ones at the bottom */
        m = ~0ull >> (63 - (int)((r >> 14) % 30));
        break;
    default:
        m = rvfv_mix(r);
        break;
    }
    m &= mmask;

    if (sel < 3) {
        return d ? rvfv_sp64[r % RVFV_NSP] : rvfv_sp32[r % RVFV_NSP];
    }
    if (sel < 5) {
        return d ? r : (uint32_t)r;
    }
    if (sel < 8) { /* near one */
        e = bias + (int64_t)((r >> 40) % 9) - 4;
    } else if (sel < 9) { /* subnormal */
        e = 0;
    } else if (sel < 10) { /* anywhere */
        e = (int64_t)((r >> 40) % emax_b);
    } else if (idx > 0 && sel < 13) {
        /* relative to the previous operand */
        int64_t pe = (int64_t)((prev >> mb) & emax_b);
        int64_t t;
        unsigned how = (unsigned)((r >> 40) % 8);
        if (op_hint == 0 || how < 2) { /* add-like: cancellation */
            e = pe + (int64_t)((r >> 44) % 5) - 2;
            if (how & 1) {
                m = (prev ^ (r >> 50)) & mmask;
            }
            if (pe == 0 && how >= 4) {
                e = 0;
            }
        } else {
            /* mul/div-like: aim the result exponent near the boundaries */
            static const int tgt[8] = {0, 1, -1, 2, -2, 3, -20, 1000};
            int which = (int)((r >> 44) % 8);
            t = which == 7 ? bias + (int64_t)((r >> 48) % 3) : 1 - bias + tgt[which];
            if (which == 6) {
                t = 1 - bias - (int64_t)((r >> 48) % (unsigned)(mb + 3));
            }
            int64_t pu = pe - bias;
            int64_t eu = op_hint == 1 ? t - pu : pu - t;
            e = eu + bias;
        }
        if (e < 0) {
            e = 0;
        }
        if (e > (int64_t)emax_b - 1) {
            e = (int64_t)emax_b - 1;
        }
    } else { /* small and large magnitudes */
        e = (r >> 41) & 1 ? (int64_t)((r >> 42) % 40)
                          : (int64_t)emax_b - 1 - (int64_t)((r >> 42) % 40);
    }
    return sign | ((uint64_t)e << mb) | m;
}

/* Values around integers and the saturation edges, for float-to-int. */
static inline uint64_t rvfv_near_int(uint64_t h, int d)
{
    int mb = d ? 52 : 23, bias = d ? 1023 : 127;
    uint64_t r = rvfv_mix(h);
    uint64_t sign = (h >> 63) << (d ? 63 : 31);
    unsigned sel = (unsigned)(h % 8);
    int64_t eu;
    uint64_t m;

    if (sel == 0) {
        return d ? rvfv_sp64[r % RVFV_NSP] : rvfv_sp32[r % RVFV_NSP];
    }
    if (sel == 1) {
        static const int edges[] = {30, 31, 32, 62, 63, 64};
        eu = edges[r % 6] - (int)((r >> 8) % 2);
    } else if (sel == 2) {
        eu = -3 + (int64_t)((r >> 8) % 4); /* -0.x .. 1.x */
    } else {
        eu = (int64_t)((r >> 8) % 68) - 2;
    }
    m = rvfv_mix(r) & ((1ull << mb) - 1);
    int fracbits = mb - (int)eu;
    if (fracbits > 0 && fracbits < 64) {
        uint64_t fm = (1ull << (fracbits > mb ? mb : fracbits)) - 1;
        switch ((r >> 16) % 5) {
        case 0:
            m &= ~fm;
            break;
        case 1: /* exact half */
            m &= ~fm;
            if (fracbits <= mb) {
                m |= 1ull << (fracbits - 1);
            }
            break;
        case 2: /* all ones below the integer */
            m |= fm;
            break;
        default:
            break;
        }
    }
    if ((r >> 20) % 4 == 0) { /* integer max edges: all ones */
        m = (1ull << mb) - 1;
    }
    return sign | ((uint64_t)(eu + bias) << mb) | m;
}

static inline uint64_t rvfv_int(uint64_t h)
{
    static const uint64_t sp[] = {0,
                                  1,
                                  ~0ull,
                                  0x7fffffffull,
                                  0x80000000ull,
                                  0xffffffffull,
                                  0xffffffff80000000ull,
                                  0x7fffffffffffffffull,
                                  0x8000000000000000ull,
                                  0x1000001ull,
                                  0x20000000000001ull,
                                  0x100000003ull};
    uint64_t r = rvfv_mix(h);
    int len = 1 + (int)((h >> 8) % 64);
    uint64_t x = r >> (64 - len);

    switch (h % 8) {
    case 0:
        return sp[r % 12];
    case 1: /* tie below 24 or 53 bits */
        x |= 1ull << (len - 1);
        if (len > 26) {
            x &= ~((1ull << (len - 25)) - 1);
            x |= 1ull << (len - 26);
        }
        return (r >> 7) & 1 ? (uint64_t)0 - x : x;
    case 2:
        x |= 1ull << (len - 1);
        if (len > 55) {
            x &= ~((1ull << (len - 54)) - 1);
            x |= 1ull << (len - 55);
        }
        return (r >> 7) & 1 ? (uint64_t)0 - x : x;
    case 3:
        return (r >> 7) & 1 ? (uint64_t)0 - x : x;
    case 4: /* upper 32 bits as noise, low word interesting */
        return (rvfv_mix(r) & 0xffffffff00000000ull) | (uint32_t)(x | (r & 0x80000000u));
    default:
        return x;
    }
}

/* Doubles around the single-precision range and its ties. */
static inline uint64_t rvfv_narrow(uint64_t h)
{
    uint64_t r = rvfv_mix(h);
    uint64_t sign = (h >> 63) << 63;
    unsigned sel = (unsigned)(h % 8);
    int64_t eu;
    uint64_t m = rvfv_mix(r) & ((1ull << 52) - 1);

    if (sel == 0) {
        return rvfv_sp64[r % RVFV_NSP];
    }
    if (sel == 1) {
        return r;
    }
    if (sel == 2) {
        eu = 127 - (int64_t)((r >> 8) % 4);
    } else if (sel == 3) {
        eu = -126 - (int64_t)((r >> 8) % 28) + 2;
    } else {
        eu = (int64_t)((r >> 8) % 300) - 150;
    }
    switch ((r >> 16) % 4) {
    case 0: /* tie at single precision */
        m = (m & ~((1ull << 29) - 1)) | (1ull << 28);
        break;
    case 1:
        m |= (1ull << 29) - 1;
        break;
    case 2:
        m &= ~((1ull << 29) - 1);
        break;
    default:
        break;
    }
    if (eu < -126 && (r >> 20) % 2) { /* tie at the subnormal precision */
        int sh = 29 + (int)(-126 - eu);
        if (sh < 52) {
            m = (m & ~((1ull << sh) - 1)) | (1ull << (sh - 1));
        }
    }
    return sign | ((uint64_t)(eu + 1023) << 52) | m;
}

static inline void rvfv_case(int op, int rm, uint32_t i, uint64_t v[3])
{
    const struct rvfv_opinfo *oi = &rvfv_ops[op];
    uint64_t seed = rvfv_mix(((uint64_t)op << 40) ^ ((uint64_t)rm << 32) ^ i);
    int d = oi->kind == RVFV_K_F64 || oi->kind == RVFV_K_F64I;
    int hint = 0;

    if (op == RVFV_f32_mul || op == RVFV_f64_mul || (oi->arity == 3)) {
        hint = 1;
    } else if (op == RVFV_f32_div || op == RVFV_f64_div) {
        hint = 2;
    }
    v[0] = v[1] = v[2] = 0;
    if (oi->kind == RVFV_K_F32 || oi->kind == RVFV_K_F64) {
        uint32_t nsq = RVFV_NSP * RVFV_NSP;
        if (oi->arity == 2 && i < nsq) { /* all pairs of specials first */
            v[0] = d ? rvfv_sp64[i / RVFV_NSP] : rvfv_sp32[i / RVFV_NSP];
            v[1] = d ? rvfv_sp64[i % RVFV_NSP] : rvfv_sp32[i % RVFV_NSP];
            return;
        }
        if (oi->arity == 1 && i < RVFV_NSP) {
            v[0] = d ? rvfv_sp64[i] : rvfv_sp32[i];
            return;
        }
        v[0] = rvfv_float(seed, d, 0, hint, 0);
        v[1] = rvfv_float(rvfv_mix(seed + 1), d, v[0], hint, 1);
        /* the addend of an FMA relates to the product: cancellation */
        v[2] = rvfv_float(rvfv_mix(seed + 2), d, (seed >> 7) & 1 ? v[1] : v[0], 0, 2);
        if (oi->arity == 3 && (seed >> 9) % 4 == 0) {
            /* c near -(a*b): exponent of a plus that of b */
            int mb = d ? 52 : 23, bias = d ? 1023 : 127;
            int64_t emask = d ? 0x7ff : 0xff;
            int64_t ea = (int64_t)((v[0] >> mb) & emask), eb = (int64_t)((v[1] >> mb) & emask);
            int64_t ec = ea + eb - bias + (int64_t)((seed >> 11) % 3) - 1;
            if (ec > 0 && ec < emask) {
                v[2] = (v[2] & ~((uint64_t)emask << mb)) | ((uint64_t)ec << mb);
            }
        }
    } else if (oi->kind == RVFV_K_F32I || oi->kind == RVFV_K_F64I) {
        v[0] = rvfv_near_int(seed, d);
    } else if (oi->kind == RVFV_K_INT) {
        v[0] = rvfv_int(seed);
    } else {
        v[0] = rvfv_narrow(seed);
    }
}

/* FNV-1a over (result, flags) of consecutive cases. */
static inline uint64_t rvfv_hash(uint64_t hash, uint64_t res, uint32_t flags)
{
    for (int k = 0; k < 8; k++) {
        hash = (hash ^ ((res >> (8 * k)) & 0xff)) * 0x100000001b3ull;
    }
    return (hash ^ flags) * 0x100000001b3ull;
}
#define RVFV_HASH_INIT 0xcbf29ce484222325ull

#endif

/*
 * test-rv-fpu.c - RISC-V F/D arithmetic (targets/riscv/rv-fpu.c).
 *
 * 1. Hand-picked vectors for every special case.
 * 2. Differential replay of QEMU 7.2 results: tests/guests/riscv-fpu-vectors/
 *    vectors.txt (regenerate with gen.sh there) holds "V" lines with operands
 *    and QEMU's result and flags, and "D" lines with a digest of QEMU's
 *    results over a block of the deterministic case stream of cases.h, which
 *    this test regenerates. Extra vector files may be given as arguments.
 *    Every vector is replayed three ways: the x86 SSE paths with clear
 *    fflags, the same with NX already set (the MXCSR-free hot path), and the
 *    portable software implementation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/riscv/rv-fpu.h"
#include "tests/guests/riscv-fpu-vectors/cases.h"
#include "tests/unit/check.h"

void rv_fpu_test_force_soft(int on);

enum { NX = RV_FFLAG_NX, UF = RV_FFLAG_UF, OF = RV_FFLAG_OF, DZ = RV_FFLAG_DZ, NV = RV_FFLAG_NV };
enum { RNE = RV_RM_RNE, RTZ = RV_RM_RTZ, RDN = RV_RM_RDN, RUP = RV_RM_RUP, RMM = RV_RM_RMM };

/* ---------------------------------------------------------------------- */
/* Dispatcher over cases.h's operation list.                              */

static uint64_t run_op(int op, int rm, const uint64_t v[3], uint32_t *fl)
{
    uint32_t a32 = (uint32_t)v[0], b32 = (uint32_t)v[1], c32 = (uint32_t)v[2];
    uint64_t a = v[0], b = v[1], c = v[2];

    switch (op) {
    case RVFV_f32_add:
        return rv_f32_add(a32, b32, rm, fl);
    case RVFV_f32_sub:
        return rv_f32_sub(a32, b32, rm, fl);
    case RVFV_f32_mul:
        return rv_f32_mul(a32, b32, rm, fl);
    case RVFV_f32_div:
        return rv_f32_div(a32, b32, rm, fl);
    case RVFV_f32_sqrt:
        return rv_f32_sqrt(a32, rm, fl);
    case RVFV_f32_madd:
        return rv_f32_madd(a32, b32, c32, rm, fl);
    case RVFV_f32_msub:
        return rv_f32_msub(a32, b32, c32, rm, fl);
    case RVFV_f32_nmsub:
        return rv_f32_nmsub(a32, b32, c32, rm, fl);
    case RVFV_f32_nmadd:
        return rv_f32_nmadd(a32, b32, c32, rm, fl);
    case RVFV_f32_min:
        return rv_f32_min(a32, b32, fl);
    case RVFV_f32_max:
        return rv_f32_max(a32, b32, fl);
    case RVFV_f32_eq:
        return rv_f32_eq(a32, b32, fl);
    case RVFV_f32_lt:
        return rv_f32_lt(a32, b32, fl);
    case RVFV_f32_le:
        return rv_f32_le(a32, b32, fl);
    case RVFV_f32_class:
        return rv_f32_class(a32);
    case RVFV_f64_add:
        return rv_f64_add(a, b, rm, fl);
    case RVFV_f64_sub:
        return rv_f64_sub(a, b, rm, fl);
    case RVFV_f64_mul:
        return rv_f64_mul(a, b, rm, fl);
    case RVFV_f64_div:
        return rv_f64_div(a, b, rm, fl);
    case RVFV_f64_sqrt:
        return rv_f64_sqrt(a, rm, fl);
    case RVFV_f64_madd:
        return rv_f64_madd(a, b, c, rm, fl);
    case RVFV_f64_msub:
        return rv_f64_msub(a, b, c, rm, fl);
    case RVFV_f64_nmsub:
        return rv_f64_nmsub(a, b, c, rm, fl);
    case RVFV_f64_nmadd:
        return rv_f64_nmadd(a, b, c, rm, fl);
    case RVFV_f64_min:
        return rv_f64_min(a, b, fl);
    case RVFV_f64_max:
        return rv_f64_max(a, b, fl);
    case RVFV_f64_eq:
        return rv_f64_eq(a, b, fl);
    case RVFV_f64_lt:
        return rv_f64_lt(a, b, fl);
    case RVFV_f64_le:
        return rv_f64_le(a, b, fl);
    case RVFV_f64_class:
        return rv_f64_class(a);
    case RVFV_f32_to_f64:
        return rv_f32_to_f64(a32, fl);
    case RVFV_f64_to_f32:
        return rv_f64_to_f32(a, rm, fl);
    case RVFV_f32_to_i32:
        return rv_f32_to_i32(a32, rm, fl);
    case RVFV_f32_to_u32:
        return rv_f32_to_u32(a32, rm, fl);
    case RVFV_f32_to_i64:
        return rv_f32_to_i64(a32, rm, fl);
    case RVFV_f32_to_u64:
        return rv_f32_to_u64(a32, rm, fl);
    case RVFV_f64_to_i32:
        return rv_f64_to_i32(a, rm, fl);
    case RVFV_f64_to_u32:
        return rv_f64_to_u32(a, rm, fl);
    case RVFV_f64_to_i64:
        return rv_f64_to_i64(a, rm, fl);
    case RVFV_f64_to_u64:
        return rv_f64_to_u64(a, rm, fl);
    case RVFV_i32_to_f32:
        return rv_i32_to_f32(a, rm, fl);
    case RVFV_u32_to_f32:
        return rv_u32_to_f32(a, rm, fl);
    case RVFV_i64_to_f32:
        return rv_i64_to_f32(a, rm, fl);
    case RVFV_u64_to_f32:
        return rv_u64_to_f32(a, rm, fl);
    case RVFV_i32_to_f64:
        return rv_i32_to_f64(a, rm, fl);
    case RVFV_u32_to_f64:
        return rv_u32_to_f64(a, rm, fl);
    case RVFV_i64_to_f64:
        return rv_i64_to_f64(a, rm, fl);
    case RVFV_u64_to_f64:
        return rv_u64_to_f64(a, rm, fl);
    default:
        return 0;
    }
}

static int op_by_name(const char *name)
{
    for (int op = 0; op < RVFV_NOPS; op++) {
        if (!strcmp(rvfv_ops[op].name, name)) {
            return op;
        }
    }
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Hand-picked vectors.                                                   */

/* One case: op, rm, operands, expected result and flags, run every way. */
static void vec(int line, int op, int rm, uint64_t a, uint64_t b, uint64_t c, uint64_t want,
                uint32_t want_fl)
{
    uint64_t v[3] = {a, b, c};
    for (int mode = 0; mode < 3; mode++) {
        uint32_t pre = mode == 1 ? NX : 0, fl = pre;
        rv_fpu_test_force_soft(mode == 2);
        uint64_t got = run_op(op, rm, v, &fl);
        if (got == want && fl == (want_fl | pre)) {
            check_passed++;
        } else {
            check_failed++;
            fprintf(stderr,
                    "line %d: %s rm=%d %" PRIx64 " %" PRIx64 " %" PRIx64 " (mode %d): got %" PRIx64
                    "/%x want %" PRIx64 "/%x\n",
                    line, rvfv_ops[op].name, rm, a, b, c, mode, got, fl, want, want_fl | pre);
        }
    }
    rv_fpu_test_force_soft(0);
}
#define V(op, rm, a, b, c, want, fl) vec(__LINE__, RVFV_##op, rm, a, b, c, want, fl)

#define D_ONE 0x3ff0000000000000ull
#define D_TWO 0x4000000000000000ull
#define D_INF 0x7ff0000000000000ull
#define D_NINF 0xfff0000000000000ull
#define D_QNAN 0x7ff8000000000000ull
#define D_SNAN 0x7ff0000000000001ull
#define D_NZ 0x8000000000000000ull
#define D_MAX 0x7fefffffffffffffull
#define D_MINN 0x0010000000000000ull
#define S_ONE 0x3f800000u
#define S_INF 0x7f800000u
#define S_NINF 0xff800000u
#define S_QNAN 0x7fc00000u
#define S_SNAN 0x7f800001u
#define S_NZ 0x80000000u
#define S_MAX 0x7f7fffffu
#define S_MINN 0x00800000u

static void test_special(void)
{
    /* Canonical NaN for every NaN result, NV for sNaN operands only. */
    V(f64_add, RNE, 0xfff8000000000123ull, D_ONE, 0, D_QNAN, 0);
    V(f64_add, RNE, D_SNAN, D_ONE, 0, D_QNAN, NV);
    V(f64_mul, RTZ, D_ONE, 0x7ff4000000000000ull, 0, D_QNAN, NV);
    V(f32_add, RNE, 0xffc00123u, S_ONE, 0, S_QNAN, 0);
    V(f32_div, RUP, S_SNAN, S_QNAN, 0, S_QNAN, NV);
    V(f64_add, RNE, D_INF, D_NINF, 0, D_QNAN, NV);
    V(f64_sub, RNE, D_INF, D_INF, 0, D_QNAN, NV);
    V(f64_mul, RNE, D_INF, 0, 0, D_QNAN, NV);
    V(f64_div, RNE, 0, 0, 0, D_QNAN, NV);
    V(f64_div, RNE, D_INF, D_NINF, 0, D_QNAN, NV);
    V(f64_div, RNE, D_ONE, D_NZ, 0, D_NINF, DZ);
    V(f32_div, RMM, S_NZ | S_ONE, 0, 0, S_NINF, DZ);
    V(f64_sqrt, RNE, 0xbff0000000000000ull, 0, 0, D_QNAN, NV);
    V(f64_sqrt, RNE, D_NZ, 0, 0, D_NZ, 0);
    V(f32_sqrt, RMM, S_NINF, 0, 0, S_QNAN, NV);
    V(f64_sqrt, RMM, D_TWO, 0, 0, 0x3ff6a09e667f3bcdull, NX);
    V(f64_sqrt, RNE, D_INF, 0, 0, D_INF, 0);

    /* Signed zeros. */
    V(f64_add, RNE, D_ONE, D_ONE | D_NZ, 0, 0, 0);
    V(f64_add, RDN, D_ONE, D_ONE | D_NZ, 0, D_NZ, 0);
    V(f64_add, RDN, 0, D_NZ, 0, D_NZ, 0);
    V(f64_add, RUP, 0, D_NZ, 0, 0, 0);
    V(f64_add, RNE, D_NZ, D_NZ, 0, D_NZ, 0);
    V(f32_sub, RDN, S_ONE, S_ONE, 0, S_NZ, 0);
    V(f32_sub, RMM, S_ONE, S_ONE, 0, 0, 0);
    V(f64_mul, RNE, D_NZ, D_ONE, 0, D_NZ, 0);
    V(f64_madd, RNE, D_NZ, D_ONE, 0, 0, 0);
    V(f64_madd, RDN, D_NZ, D_ONE, 0, D_NZ, 0);
    V(f64_nmadd, RNE, 0, D_ONE, 0, D_NZ, 0);
    V(f64_msub, RNE, D_ONE, D_ONE, D_ONE, 0, 0);
    V(f64_msub, RDN, D_ONE, D_ONE, D_ONE, D_NZ, 0);

    /* Overflow per rounding mode. */
    V(f64_mul, RNE, D_MAX, D_TWO, 0, D_INF, OF | NX);
    V(f64_mul, RTZ, D_MAX, D_TWO, 0, D_MAX, OF | NX);
    V(f64_mul, RDN, D_MAX, D_TWO, 0, D_MAX, OF | NX);
    V(f64_mul, RUP, D_MAX, D_TWO, 0, D_INF, OF | NX);
    V(f64_mul, RMM, D_MAX, D_TWO, 0, D_INF, OF | NX);
    V(f64_mul, RDN, D_MAX | D_NZ, D_TWO, 0, D_NINF, OF | NX);
    V(f64_mul, RUP, D_MAX | D_NZ, D_TWO, 0, D_MAX | D_NZ, OF | NX);
    V(f32_add, RTZ, S_MAX, S_MAX, 0, S_MAX, OF | NX);
    V(f32_add, RMM, S_MAX, S_MAX, 0, S_INF, OF | NX);
    /* MAX + half an ulp: a tie that RNE rounds to even (inf), RTZ keeps. */
    V(f64_add, RNE, D_MAX, 0x7c90000000000000ull, 0, D_INF, OF | NX);
    V(f64_add, RMM, D_MAX, 0x7c90000000000000ull, 0, D_INF, OF | NX);
    V(f64_add, RTZ, D_MAX, 0x7c90000000000000ull, 0, D_MAX, NX);
    /* Just below half an ulp: no overflow in RNE and RMM. */
    V(f64_add, RMM, D_MAX, 0x7c8fffffffffffffull, 0, D_MAX, NX);

    /* RMM ties: 1 + 2^-53 is halfway between 1 and 1+2^-52. */
    V(f64_add, RNE, D_ONE, 0x3ca0000000000000ull, 0, D_ONE, NX);
    V(f64_add, RMM, D_ONE, 0x3ca0000000000000ull, 0, 0x3ff0000000000001ull, NX);
    V(f64_add, RMM, D_ONE | D_NZ, 0xbca0000000000000ull, 0, 0xbff0000000000001ull, NX);
    V(f64_add, RMM, 0x3ff0000000000001ull, 0x3ca0000000000000ull, 0, 0x3ff0000000000002ull, NX);
    V(f64_add, RNE, 0x3ff0000000000001ull, 0x3ca0000000000000ull, 0, 0x3ff0000000000002ull, NX);
    V(f32_add, RMM, S_ONE, 0x33800000u, 0, 0x3f800001u, NX);
    V(f32_add, RNE, S_ONE, 0x33800000u, 0, S_ONE, NX);
    /* (1+2^-52)^2 = 1 + 2^-51 + 2^-104: above the tie, all nearest modes agree. */
    V(f64_mul, RMM, 0x3ff0000000000001ull, 0x3ff0000000000001ull, 0, 0x3ff0000000000002ull, NX);
    /* 3 * (1 + 2^-52) = 3 + 3*2^-52: exact tie at 2^-51 spacing above 2. */
    V(f64_mul, RNE, 0x4008000000000000ull, 0x3ff0000000000001ull, 0, 0x4008000000000002ull, NX);
    V(f64_mul, RMM, 0x4008000000000000ull, 0x3ff0000000000001ull, 0, 0x4008000000000002ull, NX);
    V(f64_mul, RTZ, 0x4008000000000000ull, 0x3ff0000000000001ull, 0, 0x4008000000000001ull, NX);
    V(f64_mul, RMM, 0x4008000000000000ull, 0x3ff0000000000003ull, 0, 0x4008000000000005ull, NX);
    V(f64_mul, RNE, 0x4008000000000000ull, 0x3ff0000000000003ull, 0, 0x4008000000000004ull, NX);

    /* Subnormals and tininess after rounding. */
    V(f64_mul, RNE, 0x0000000000000001ull, 0x3fe0000000000000ull, 0, 0, UF | NX);
    V(f64_mul, RUP, 0x0000000000000001ull, 0x3fe0000000000000ull, 0, 1, UF | NX);
    V(f64_mul, RMM, 0x0000000000000001ull, 0x3fe0000000000000ull, 0, 1, UF | NX);
    V(f64_mul, RNE, 0x0000000000000003ull, 0x3fe0000000000000ull, 0, 2, UF | NX);
    V(f64_mul, RMM, 0x0000000000000003ull, 0x3fe0000000000000ull, 0, 2, UF | NX);
    V(f64_div, RMM, 0x0000000000000003ull, D_TWO, 0, 2, UF | NX);
    V(f64_div, RNE, 0x0000000000000003ull, D_TWO, 0, 2, UF | NX);
    V(f64_div, RNE, 0x0000000000000004ull, D_TWO, 0, 2, 0); /* exact subnormal: no UF */
    V(f64_mul, RNE, D_MINN, 0x3fe0000000000000ull, 0, 0x0008000000000000ull, 0);
    /* 2^-1022 - 2^-1075 has 53 significant bits: tiny even after rounding,
     * so UF although the nearest-mode results are 2^-1022. */
    V(f64_mul, RNE, 0x001fffffffffffffull, 0x3fe0000000000000ull, 0, D_MINN, UF | NX);
    V(f64_mul, RTZ, 0x001fffffffffffffull, 0x3fe0000000000000ull, 0, 0x000fffffffffffffull,
      UF | NX);
    V(f64_mul, RUP, 0x001fffffffffffffull, 0x3fe0000000000000ull, 0, D_MINN, UF | NX);
    V(f64_mul, RMM, 0x001fffffffffffffull, 0x3fe0000000000000ull, 0, D_MINN, UF | NX);
    /* 2^-1022 - 2^-1076 is a 53-bit tie: RNE/RMM/RUP round it to 2^-1022,
     * so it is not tiny after rounding (NX only); RTZ/RDN results are tiny. */
    V(f64_madd, RNE, 1, 0xbfd0000000000000ull, D_MINN, D_MINN, NX);
    V(f64_madd, RMM, 1, 0xbfd0000000000000ull, D_MINN, D_MINN, NX);
    V(f64_madd, RUP, 1, 0xbfd0000000000000ull, D_MINN, D_MINN, NX);
    V(f64_madd, RTZ, 1, 0xbfd0000000000000ull, D_MINN, 0x000fffffffffffffull, UF | NX);
    V(f64_madd, RDN, 1, 0xbfd0000000000000ull, D_MINN, 0x000fffffffffffffull, UF | NX);
    V(f64_nmsub, RNE, 1, 0x3fd0000000000000ull, D_MINN, D_MINN, NX);
    V(f32_madd, RNE, 1, 0xbe800000u, S_MINN, S_MINN, NX);
    V(f32_madd, RTZ, 1, 0xbe800000u, S_MINN, 0x007fffffu, UF | NX);
    /* Same boundary from a division: (2^-1021 - 2^-1074) / 2 is exact in
     * 53 bits below 2^-1022 -> tiny. */
    V(f64_div, RNE, 0x001fffffffffffffull, D_TWO, 0, D_MINN, UF | NX);
    V(f64_mul, RNE, 0x3fefffffffffffffull, 0x001fffffffffffffull, 0, 0x001ffffffffffffeull, NX);
    V(f64_mul, RNE, 0x3fefffffffffffffull, 0x0010000000000001ull, 0, D_MINN, NX);
    V(f64_mul, RNE, 0x3fe0000000000001ull, 0x001ffffffffffffdull, 0, 0x000fffffffffffffull,
      UF | NX);
    V(f32_mul, RNE, 0x00ffffffu, 0x3f000000u, 0, S_MINN, UF | NX);
    V(f32_mul, RTZ, 0x00ffffffu, 0x3f000000u, 0, 0x007fffffu, UF | NX);
    V(f32_mul, RMM, 0x00000001u, 0x3f000000u, 0, 1, UF | NX);
    V(f64_add, RNE, 0x0000000000000001ull, 0x0000000000000001ull, 0, 2, 0);
    V(f64_sub, RNE, D_MINN, 0x0000000000000001ull, 0, 0x000fffffffffffffull, 0);

    /* fmin/fmax (2.2): one NaN -> the other; both -> canonical; NV on sNaN. */
    V(f64_min, RNE, D_QNAN, D_ONE, 0, D_ONE, 0);
    V(f64_min, RNE, D_ONE, D_SNAN, 0, D_ONE, NV);
    V(f64_max, RNE, 0xfff8000000000123ull, D_QNAN, 0, D_QNAN, 0);
    V(f64_max, RNE, D_SNAN, D_SNAN, 0, D_QNAN, NV);
    V(f64_min, RNE, 0, D_NZ, 0, D_NZ, 0);
    V(f64_min, RNE, D_NZ, 0, 0, D_NZ, 0);
    V(f64_max, RNE, D_NZ, 0, 0, 0, 0);
    V(f64_max, RNE, D_NINF, D_MAX | D_NZ, 0, D_MAX | D_NZ, 0);
    V(f32_min, RNE, S_SNAN, S_NINF, 0, S_NINF, NV);
    V(f32_max, RNE, 0xbf800000u, 0xc0000000u, 0, 0xbf800000u, 0);
    V(f32_min, RNE, 0xbf800000u, 0xc0000000u, 0, 0xc0000000u, 0);
    V(f32_max, RNE, S_NZ, 0, 0, 0, 0);

    /* Compares: feq quiet, flt/fle signaling. */
    V(f64_eq, RNE, D_QNAN, D_ONE, 0, 0, 0);
    V(f64_eq, RNE, D_SNAN, D_ONE, 0, 0, NV);
    V(f64_lt, RNE, D_QNAN, D_ONE, 0, 0, NV);
    V(f64_le, RNE, D_ONE, D_QNAN, 0, 0, NV);
    V(f64_eq, RNE, 0, D_NZ, 0, 1, 0);
    V(f64_le, RNE, D_NZ, 0, 0, 1, 0);
    V(f64_lt, RNE, D_NZ, 0, 0, 0, 0);
    V(f64_lt, RNE, D_NINF, D_MAX | D_NZ, 0, 1, 0);
    V(f64_lt, RNE, 0xbff0000000000000ull, 0xbfe0000000000000ull, 0, 1, 0);
    V(f32_le, RNE, S_INF, S_INF, 0, 1, 0);
    V(f32_lt, RNE, S_INF, S_INF, 0, 0, 0);
    V(f32_eq, RNE, S_SNAN, S_SNAN, 0, 0, NV);

    /* fclass. */
    V(f64_class, RNE, D_NINF, 0, 0, 1 << 0, 0);
    V(f64_class, RNE, 0xbff0000000000000ull, 0, 0, 1 << 1, 0);
    V(f64_class, RNE, 0x800fffffffffffffull, 0, 0, 1 << 2, 0);
    V(f64_class, RNE, D_NZ, 0, 0, 1 << 3, 0);
    V(f64_class, RNE, 0, 0, 0, 1 << 4, 0);
    V(f64_class, RNE, 1, 0, 0, 1 << 5, 0);
    V(f64_class, RNE, D_MINN, 0, 0, 1 << 6, 0);
    V(f64_class, RNE, D_INF, 0, 0, 1 << 7, 0);
    V(f64_class, RNE, D_SNAN, 0, 0, 1 << 8, 0);
    V(f64_class, RNE, 0xfff8000000000000ull, 0, 0, 1 << 9, 0);
    V(f32_class, RNE, 0xff800001u, 0, 0, 1 << 8, 0);
    V(f32_class, RNE, 0x007fffffu, 0, 0, 1 << 5, 0);

    /* FMA: one rounding; inf*0 + qNaN is NV; NaN addend alone is quiet. */
    V(f64_madd, RNE, D_INF, 0, D_QNAN, D_QNAN, NV);
    V(f64_madd, RNE, D_ONE, D_ONE, D_QNAN, D_QNAN, 0);
    V(f64_madd, RNE, D_ONE, D_ONE, D_SNAN, D_QNAN, NV);
    V(f64_madd, RNE, D_INF, D_ONE, D_NINF, D_QNAN, NV);
    V(f64_msub, RNE, D_INF, D_ONE, D_INF, D_QNAN, NV);
    V(f64_nmadd, RNE, D_INF, D_ONE, D_NINF, D_QNAN, NV);
    V(f64_nmsub, RNE, D_INF, D_ONE, D_NINF, D_NINF, 0);
    /* (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105 exactly (needs the fused product). */
    V(f64_msub, RNE, 0x3ff0000000000001ull, 0x3fefffffffffffffull, D_ONE, 0x3c9ffffffffffffeull, 0);
    V(f32_msub, RNE, 0x3f800001u, 0x3f7fffffu, S_ONE, 0x337ffffeu, 0);
    /* (1+2^-52)(1-2^-52) - 1 = -2^-104 exactly. */
    V(f64_msub, RNE, 0x3ff0000000000001ull, 0x3feffffffffffffeull, D_ONE, 0xb970000000000000ull, 0);
    V(f64_madd, RMM, D_ONE, D_ONE, 0x3ca0000000000000ull, 0x3ff0000000000001ull, NX);
    V(f64_madd, RNE, D_ONE, D_ONE, 0x3ca0000000000000ull, D_ONE, NX);
    V(f64_madd, RNE, D_MAX, D_TWO, D_MAX | D_NZ, D_MAX, 0);
    V(f64_madd, RTZ, D_MAX, D_TWO, 0, D_MAX, OF | NX);

    /* f64 <-> f32. */
    V(f32_to_f64, RNE, S_SNAN, 0, 0, D_QNAN, NV);
    V(f32_to_f64, RNE, 0xffc00001u, 0, 0, D_QNAN, 0);
    V(f32_to_f64, RNE, 0x00000001u, 0, 0, 0x36a0000000000000ull, 0);
    V(f32_to_f64, RNE, S_NINF, 0, 0, D_NINF, 0);
    V(f64_to_f32, RNE, D_SNAN, 0, 0, S_QNAN, NV);
    V(f64_to_f32, RNE, 0xfff8000000000000ull, 0, 0, S_QNAN, 0);
    V(f64_to_f32, RNE, D_MAX, 0, 0, S_INF, OF | NX);
    V(f64_to_f32, RTZ, D_MAX, 0, 0, S_MAX, OF | NX);
    V(f64_to_f32, RNE, 0x3ff0000010000000ull, 0, 0, S_ONE, NX); /* tie -> even */
    V(f64_to_f32, RMM, 0x3ff0000010000000ull, 0, 0, 0x3f800001u, NX);
    V(f64_to_f32, RNE, 0x36a0000000000000ull, 0, 0, 1, 0);
    V(f64_to_f32, RNE, 0x3690000000000000ull, 0, 0, 0, UF | NX);
    V(f64_to_f32, RMM, 0x3690000000000000ull, 0, 0, 1, UF | NX);
    V(f64_to_f32, RNE, D_NZ, 0, 0, S_NZ, 0);

    /* Float to int: saturation, NaN -> max, unsigned negatives. */
    V(f64_to_i32, RNE, D_QNAN, 0, 0, 0x7fffffff, NV);
    V(f64_to_i32, RNE, 0xfff8000000000000ull, 0, 0, 0x7fffffff, NV);
    V(f64_to_u32, RNE, D_QNAN, 0, 0, ~0ull, NV);
    V(f64_to_i64, RNE, D_QNAN, 0, 0, 0x7fffffffffffffffull, NV);
    V(f64_to_u64, RNE, D_NINF, 0, 0, 0, NV);
    V(f64_to_i64, RNE, D_NINF, 0, 0, 0x8000000000000000ull, NV);
    V(f64_to_i32, RNE, 0x41dfffffffc00000ull, 0, 0, 0x7fffffff, 0);  /* 2^31-1 */
    V(f64_to_i32, RNE, 0x41dfffffffe00000ull, 0, 0, 0x7fffffff, NV); /* 2^31-0.5 */
    V(f64_to_i32, RTZ, 0x41dfffffffe00000ull, 0, 0, 0x7fffffff, NX);
    V(f64_to_i32, RNE, 0xc1e0000000000000ull, 0, 0, 0xffffffff80000000ull, 0);
    V(f64_to_i32, RNE, 0xc1e0000000100000ull, 0, 0, 0xffffffff80000000ull, NX);
    V(f64_to_i32, RUP, 0xc1e0000000180000ull, 0, 0, 0xffffffff80000000ull, NX); /* -2^31-0.75 */
    V(f64_to_i32, RNE, 0xc1e0000000180000ull, 0, 0, 0xffffffff80000000ull, NV);
    V(f64_to_i32, RNE, 0xc1e0000000200000ull, 0, 0, 0xffffffff80000000ull, NV);
    V(f64_to_u32, RNE, 0x41efffffffe00000ull, 0, 0, ~0ull, 0); /* 2^32-1 */
    V(f64_to_u32, RNE, 0x41f0000000000000ull, 0, 0, ~0ull, NV);
    V(f64_to_u32, RTZ, 0xbfd3333333333333ull, 0, 0, 0, NX); /* -0.3 */
    V(f64_to_u32, RNE, 0xbfe0000000000000ull, 0, 0, 0, NX); /* -0.5 -> -0 */
    V(f64_to_u32, RMM, 0xbfe0000000000000ull, 0, 0, 0, NV); /* -0.5 -> -1 */
    V(f64_to_u32, RDN, 0xbfd3333333333333ull, 0, 0, 0, NV);
    V(f64_to_u64, RNE, 0xbff0000000000000ull, 0, 0, 0, NV);
    V(f64_to_u64, RNE, D_NZ, 0, 0, 0, 0);
    V(f64_to_u64, RNE, 0x43efffffffffffffull, 0, 0, 0xfffffffffffff800ull, 0);
    V(f64_to_u64, RNE, 0x43f0000000000000ull, 0, 0, ~0ull, NV);
    V(f64_to_i64, RNE, 0x43e0000000000000ull, 0, 0, 0x7fffffffffffffffull, NV);
    V(f64_to_i64, RNE, 0xc3e0000000000000ull, 0, 0, 0x8000000000000000ull, 0);
    V(f64_to_i64, RNE, 1, 0, 0, 0, NX);
    V(f64_to_i64, RUP, 1, 0, 0, 1, NX);
    V(f64_to_i64, RDN, 1 | D_NZ, 0, 0, ~0ull, NX);
    V(f64_to_i64, RNE, 0x4004000000000000ull, 0, 0, 2, NX); /* 2.5 */
    V(f64_to_i64, RMM, 0x4004000000000000ull, 0, 0, 3, NX);
    V(f64_to_i64, RMM, 0xc004000000000000ull, 0, 0, (uint64_t)-3, NX);
    V(f32_to_u32, RNE, 0x4f800000u, 0, 0, ~0ull, NV);                /* 2^32 */
    V(f32_to_u32, RNE, 0x4f7fffffu, 0, 0, 0xffffffffffffff00ull, 0); /* sign-extended */
    V(f32_to_i32, RNE, 0xcf000000u, 0, 0, 0xffffffff80000000ull, 0);
    V(f32_to_i32, RNE, S_QNAN | S_NZ, 0, 0, 0x7fffffff, NV);
    V(f32_to_u64, RNE, S_INF, 0, 0, ~0ull, NV);
    V(f32_to_i64, RTZ, 0xbf7fffffu, 0, 0, 0, NX);

    /* Int to float. */
    V(i32_to_f32, RNE, 0xffffffff80000000ull, 0, 0, 0xcf000000u, 0);
    V(i32_to_f32, RNE, 0x1234567800000001ull, 0, 0, S_ONE, 0); /* low 32 bits only */
    V(u32_to_f32, RNE, 0xffffffffull, 0, 0, 0x4f800000u, NX);
    V(u32_to_f32, RTZ, 0xffffffffull, 0, 0, 0x4f7fffffu, NX);
    V(i64_to_f32, RMM, 0x1000001ull, 0, 0, 0x4b800001u, NX);
    V(i64_to_f32, RNE, 0x1000001ull, 0, 0, 0x4b800000u, NX);
    V(u64_to_f64, RNE, ~0ull, 0, 0, 0x43f0000000000000ull, NX);
    V(u64_to_f64, RDN, ~0ull, 0, 0, 0x43efffffffffffffull, NX);
    V(i64_to_f64, RNE, 0x8000000000000000ull, 0, 0, 0xc3e0000000000000ull, 0);
    V(i64_to_f64, RUP, 0x20000000000001ull, 0, 0, 0x4340000000000001ull, NX);
    V(i64_to_f64, RMM, 0x20000000000001ull, 0, 0, 0x4340000000000001ull, NX);
    V(i64_to_f64, RNE, 0x20000000000001ull, 0, 0, 0x4340000000000000ull, NX);
    V(i32_to_f64, RNE, 0xffffffffull, 0, 0, 0xbff0000000000000ull, 0);
    V(u32_to_f64, RNE, 0xffffffffffffffffull, 0, 0, 0x41efffffffe00000ull, 0);
    V(i64_to_f64, RNE, 0, 0, 0, 0, 0);
}

#if defined(__x86_64__)
#include <xmmintrin.h>
/*
 * MXCSR: the control bits are left as found (RNE, masked) after every mode,
 * and flags left in MXCSR by other code do not leak into the guest flags.
 */
static void test_mxcsr(void)
{
    unsigned before = _mm_getcsr() & ~0x3fu;
    volatile double third = 1.0;
    uint32_t fl;

    for (int rm = 0; rm < 5; rm++) {
        fl = 0;
        rv_f64_div(D_ONE, 0x4008000000000000ull, rm, &fl);
        rv_f32_madd(S_ONE, S_ONE, 0x33800000u, rm, &fl);
        CHECK_EQ(_mm_getcsr() & ~0x3fu, before);
        CHECK_EQ(fl, NX);
    }
    third /= 3.0; /* leaves PE set in MXCSR */
    fl = 0;
    CHECK_EQ(rv_f64_add(D_ONE, D_ONE, RNE, &fl), D_TWO);
    CHECK_EQ(fl, 0);
    third /= 3.0;
    fl = 0;
    CHECK_EQ(rv_f32_mul(S_ONE, S_ONE, RNE, &fl), S_ONE);
    CHECK_EQ(fl, 0);
    third = third * 1e308 * 1e308; /* OE */
    fl = 0;
    CHECK_EQ(rv_f64_madd(D_ONE, D_ONE, D_ONE, RNE, &fl), D_TWO);
    CHECK_EQ(fl, 0);
    CHECK_EQ(rv_f64_sqrt(0x4010000000000000ull, RNE, &fl), D_TWO);
    CHECK_EQ(fl, 0);
}
#else
static void test_mxcsr(void) {}
#endif

/* fflags are only ever OR-ed in. */
static void test_flags_accumulate(void)
{
    uint32_t fl = NV | DZ;
    rv_f64_add(D_ONE, D_ONE, RNE, &fl);
    CHECK_EQ(fl, NV | DZ);
    rv_f64_div(D_ONE, 0x4008000000000000ull, RTZ, &fl);
    CHECK_EQ(fl, NV | DZ | NX);
}

/* ---------------------------------------------------------------------- */
/* QEMU vector replay.                                                    */

static long replay_v, replay_d, replay_fail;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int lineno = 0;

    if (!f) {
        fprintf(stderr, "test-rv-fpu: cannot open %s\n", path);
        check_failed++;
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char name[32];
        int rm;
        uint64_t v[3], want, start, count, hash;
        unsigned wfl;
        lineno++;
        if (line[0] == 'V' &&
            sscanf(line, "V %31s %d %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %x", name, &rm,
                   &v[0], &v[1], &v[2], &want, &wfl) == 7) {
            int op = op_by_name(name);
            replay_v++;
            for (int mode = 0; mode < 3 && op >= 0; mode++) {
                uint32_t pre = mode == 1 ? NX : 0, fl = pre;
                rv_fpu_test_force_soft(mode == 2);
                uint64_t got = run_op(op, rm, v, &fl);
                if (got != want || fl != (wfl | pre)) {
                    if (replay_fail++ < 30) {
                        fprintf(stderr,
                                "%s:%d: %s rm=%d %" PRIx64 " %" PRIx64 " %" PRIx64
                                " mode %d: got %" PRIx64 "/%x, QEMU %" PRIx64 "/%x\n",
                                path, lineno, name, rm, v[0], v[1], v[2], mode, got, fl, want,
                                wfl | pre);
                    }
                }
            }
            if (op < 0) {
                replay_fail++;
            }
        } else if (line[0] == 'D' && sscanf(line, "D %31s %d %" SCNu64 " %" SCNu64 " %" SCNx64,
                                            name, &rm, &start, &count, &hash) == 5) {
            int op = op_by_name(name);
            replay_d += (long)count;
            /* Digest of the SSE paths (mode 0) and the software (mode 2);
             * the NX-preset hot path (mode 1) must match mode 0 per case,
             * since with NX preset a digest cannot see NX. */
            for (int mode = 0; mode < 3 && op >= 0; mode += 2) {
                uint64_t h = RVFV_HASH_INIT;
                long hot_bad = 0;
                rv_fpu_test_force_soft(mode == 2);
                for (uint64_t i = start; i < start + count; i++) {
                    uint32_t fl = 0, fl1 = NX;
                    rvfv_case(op, rm, (uint32_t)i, v);
                    uint64_t r = run_op(op, rm, v, &fl);
                    h = rvfv_hash(h, r, fl);
                    if (mode == 0 && (run_op(op, rm, v, &fl1) != r || fl1 != (fl | NX))) {
                        if (hot_bad++ == 0 && replay_fail++ < 30) {
                            fprintf(stderr,
                                    "%s: %s rm=%d %" PRIx64 " %" PRIx64 " %" PRIx64
                                    ": NX-preset path differs\n",
                                    path, name, rm, v[0], v[1], v[2]);
                        }
                    }
                }
                if (h != hash && replay_fail++ < 30) {
                    fprintf(stderr,
                            "%s:%d: %s rm=%d cases %" PRIu64 "+%" PRIu64
                            " mode %d: digest differs (gen.sh -DRVFV_FULL=-1 -DRVFV_ONLY_OP=%d)\n",
                            path, lineno, name, rm, start, count, mode, op);
                }
            }
            if (op < 0) {
                replay_fail++;
            }
        }
    }
    rv_fpu_test_force_soft(0);
    fclose(f);
    printf("test-rv-fpu: %s: %ld listed + %ld digested cases x 3 paths, %ld mismatches\n", path,
           replay_v, replay_d, replay_fail);
    CHECK(replay_v + replay_d > 0);
    CHECK_EQ(replay_fail, 0);
    replay_v = replay_d = replay_fail = 0;
}

int main(int argc, char **argv)
{
    const char *def = "tests/guests/riscv-fpu-vectors/vectors.txt";

    test_special();
    test_flags_accumulate();
    test_mxcsr();
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            replay_file(argv[i]);
        }
    } else {
        const char *env = getenv("RV_FPU_VECTORS");
        replay_file(env ? env : def);
    }
    return check_summary("test-rv-fpu");
}

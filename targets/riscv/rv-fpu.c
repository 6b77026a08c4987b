/*
 * rv-fpu.c - RISC-V F/D arithmetic, bit-exact with a RISC-V hart (QEMU 7.2).
 *
 * Two implementations of every operation live here:
 *
 *  - A portable software one (rv_soft_*) on raw bit patterns with integer
 *    arithmetic: one rounding routine (rv_soft_round_pack) handles all five
 *    rounding modes, overflow per mode and RISC-V's tininess-after-rounding.
 *    It is the reference, the only path for RMM (x86 has no ties-to-away),
 *    the FMA path on hosts without FMA3, and the whole FPU on non-x86 hosts.
 *
 *  - An x86_64 SSE one for the four IEEE rounding modes. SSE detects
 *    tininess after rounding ("rounded result with unbounded exponent",
 *    Intel SDM vol. 1 4.9.1.5) and, with underflow masked, raises UE only
 *    when the result is also inexact: exactly RISC-V's UF rule.
 *
 * MXCSR policy: rv-fpu assumes, and always leaves, MXCSR in its default
 * state (round-to-nearest-even, all exceptions masked, FTZ and DAZ off),
 * which is also what the rest of the emulator's C code expects. Two SSE
 * paths follow from that:
 *
 *  - The hot path (RNE, guest NX already set, operands/result away from the
 *    special cases) does the native operation and touches MXCSR not at all:
 *    with NX already accumulated the only flags the operation could still
 *    raise are NV, DZ, OF and UF, and those can only come from operands or
 *    results the path rejects (NaN/inf inputs, zero divisor, infinite or
 *    tiny results). The guest benchmark loops live here.
 *  - The flagged path saves MXCSR, loads the guest rounding mode with clear
 *    flags, runs the instruction (inline asm, so the compiler cannot move it
 *    across the MXCSR accesses), reads the flags and restores the saved
 *    MXCSR. Caching a non-default rounding mode between calls would save
 *    one ldmxcsr but leave the emulator's own floating point (timers,
 *    statistics) running in a guest rounding mode; not worth it.
 *
 * NaN results are always the canonical NaN; NaN operands only matter for NV
 * (signaling NaN operands, and inf * 0 in fused multiply-add even with a
 * quiet NaN addend, as QEMU and Berkeley softfloat do for RISC-V).
 */
#include "targets/riscv/rv-fpu.h"

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && defined(__SSE2__)
#define RV_FPU_X86 1
#include <cpuid.h>
#else
#define RV_FPU_X86 0
#endif

#define RV_LIKELY(x) __builtin_expect(!!(x), 1)
#define RV_UNLIKELY(x) __builtin_expect(!!(x), 0)

#define F32_SIGN 0x80000000u
#define F32_INF 0x7f800000u
#define F32_QNAN 0x7fc00000u
#define F32_MIN_NORMAL 0x00800000u
#define F64_SIGN 0x8000000000000000ull
#define F64_INF 0x7ff0000000000000ull
#define F64_QNAN 0x7ff8000000000000ull
#define F64_MIN_NORMAL 0x0010000000000000ull

/*
 * Test hook (declared by tests/unit/test-rv-fpu.c, not part of the
 * contract): non-zero forces the software implementation everywhere so the
 * unit test can check both implementations against the same vectors.
 */
int rv_fpu_soft_only;
void rv_fpu_test_force_soft(int on);
void rv_fpu_test_force_soft(int on)
{
    rv_fpu_soft_only = on;
}

/* ---------------------------------------------------------------------- */
/* Format helpers. Values are uint64_t; singles live in the low 32 bits.  */

static inline int fmt_mbits(bool d)
{
    return d ? 52 : 23;
}
static inline int fmt_bias(bool d)
{
    return d ? 1023 : 127;
}
static inline uint64_t fmt_sign(bool d)
{
    return d ? F64_SIGN : F32_SIGN;
}
static inline uint64_t fmt_inf(bool d)
{
    return d ? F64_INF : F32_INF;
}
static inline uint64_t fmt_qnan(bool d)
{
    return d ? F64_QNAN : F32_QNAN;
}
static inline uint64_t fmt_abs(uint64_t x, bool d)
{
    return x & (fmt_sign(d) - 1);
}
static inline bool fmt_is_nan(uint64_t x, bool d)
{
    return fmt_abs(x, d) > fmt_inf(d);
}
static inline bool fmt_is_snan(uint64_t x, bool d)
{
    return fmt_is_nan(x, d) && !(x & (fmt_qnan(d) & ~fmt_inf(d)));
}
static inline bool fmt_is_inf(uint64_t x, bool d)
{
    return fmt_abs(x, d) == fmt_inf(d);
}
static inline bool fmt_is_zero(uint64_t x, bool d)
{
    return fmt_abs(x, d) == 0;
}
static inline int fmt_signof(uint64_t x, bool d)
{
    return (x & fmt_sign(d)) != 0;
}

/* Finite non-zero x as sig * 2^exp (sig not normalised for subnormals). */
static inline void fmt_unpack(uint64_t x, bool d, int *sign, int *exp, uint64_t *sig)
{
    int mb = fmt_mbits(d);
    int e = (int)((fmt_abs(x, d)) >> mb);
    uint64_t m = x & ((1ull << mb) - 1);

    *sign = fmt_signof(x, d);
    if (e == 0) {
        *sig = m;
        *exp = 1 - fmt_bias(d) - mb;
    } else {
        *sig = m | (1ull << mb);
        *exp = e - fmt_bias(d) - mb;
    }
}

static inline int clz64(uint64_t x)
{
    return __builtin_clzll(x);
}

static inline int clz128(unsigned __int128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)x);
}

static inline uint64_t shr_jam64(uint64_t x, int n)
{
    if (n <= 0) {
        return x;
    }
    if (n >= 64) {
        return x != 0;
    }
    return (x >> n) | ((x << (64 - n)) != 0);
}

static inline unsigned __int128 shr_jam128(unsigned __int128 x, int n)
{
    if (n <= 0) {
        return x;
    }
    if (n >= 128) {
        return x != 0;
    }
    return (x >> n) | ((x << (128 - n)) != 0);
}

/* Reduce a non-zero 128-bit significand to 64 bits, sticky-jammed. */
static inline uint64_t narrow128(unsigned __int128 x, int *exp)
{
    int top = 127 - clz128(x);

    if (top > 63) {
        x = shr_jam128(x, top - 63);
        *exp += top - 63;
    }
    return (uint64_t)x;
}

/* ---------------------------------------------------------------------- */
/* Software rounding.                                                     */

/* Does rounding away the low `drop` bits `rb` (non-zero) increment `lsb`? */
static inline uint64_t round_inc(int rm, int sign, uint64_t lsb, uint64_t rb, int drop)
{
    uint64_t half = 1ull << (drop - 1);

    switch (rm) {
    case RV_RM_RNE:
        return rb > half || (rb == half && (lsb & 1));
    case RV_RM_RMM:
        return rb >= half;
    case RV_RM_RDN:
        return sign;
    case RV_RM_RUP:
        return !sign;
    default:
        return 0;
    }
}

static uint64_t overflow_result(int sign, bool d, int rm, uint32_t *fl)
{
    uint64_t s = sign ? fmt_sign(d) : 0;
    bool to_inf = rm == RV_RM_RNE || rm == RV_RM_RMM || (rm == RV_RM_RDN && sign) ||
                  (rm == RV_RM_RUP && !sign);

    *fl |= RV_FFLAG_OF | RV_FFLAG_NX;
    return s | (to_inf ? fmt_inf(d) : fmt_inf(d) - 1);
}

/*
 * Round sign * sig * 2^exp (sig != 0, any bits below the precision jammed
 * into bit 0 by the caller) to the format, RISC-V style: tininess is judged
 * after rounding with unbounded exponent, UF needs tiny and inexact.
 */
static uint64_t rv_soft_round_pack(int sign, int exp, uint64_t sig, bool d, int rm, uint32_t *fl)
{
    int mb = fmt_mbits(d), bias = fmt_bias(d);
    int emin = 1 - bias, emax = bias;
    int drop = 63 - mb; /* bits below the precision once bit 63 is the leading one */
    uint64_t dmask = (1ull << drop) - 1;
    uint64_t s = sign ? fmt_sign(d) : 0;
    int sh = clz64(sig);
    int e;
    uint64_t kept, rb;

    sig <<= sh;
    e = exp - sh + 63; /* exponent of the leading bit */

    if (e >= emin) {
        kept = sig >> drop;
        rb = sig & dmask;
        if (rb) {
            *fl |= RV_FFLAG_NX;
            kept += round_inc(rm, sign, kept, rb, drop);
            if (kept >> (mb + 1)) {
                kept >>= 1;
                e++;
            }
        }
        if (e > emax) {
            return overflow_result(sign, d, rm, fl);
        }
        return s | ((uint64_t)(e + bias) << mb) | (kept & ((1ull << mb) - 1));
    }

    /* Below the normal range. Not tiny only if rounding at full precision
     * carries up to 2^emin. */
    bool tiny = true;
    if (e == emin - 1) {
        kept = sig >> drop;
        rb = sig & dmask;
        if (rb && ((kept + round_inc(rm, sign, kept, rb, drop)) >> (mb + 1))) {
            tiny = false;
        }
    }
    sig = shr_jam64(sig, emin - e);
    kept = sig >> drop;
    rb = sig & dmask;
    if (rb) {
        *fl |= RV_FFLAG_NX | (tiny ? RV_FFLAG_UF : 0);
        kept += round_inc(rm, sign, kept, rb, drop);
    }
    /* kept may have reached 1 << mb: that is the encoding of 2^emin. */
    return s | kept;
}

/* NaN operands: NV if any is signaling; the result is the canonical NaN. */
static inline uint64_t nan_result(uint64_t a, uint64_t b, bool d, uint32_t *fl)
{
    if (fmt_is_snan(a, d) || fmt_is_snan(b, d)) {
        *fl |= RV_FFLAG_NV;
    }
    return fmt_qnan(d);
}

static inline uint64_t invalid_result(bool d, uint32_t *fl)
{
    *fl |= RV_FFLAG_NV;
    return fmt_qnan(d);
}

/* ---------------------------------------------------------------------- */
/* Software arithmetic.                                                   */

static uint64_t rv_soft_add(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl)
{
    int sa = fmt_signof(a, d), sb = fmt_signof(b, d);
    int ea, eb, sign;
    uint64_t ma, mb_, r;

    if (fmt_is_nan(a, d) || fmt_is_nan(b, d)) {
        return nan_result(a, b, d, fl);
    }
    if (fmt_is_inf(a, d)) {
        if (fmt_is_inf(b, d) && sa != sb) {
            return invalid_result(d, fl);
        }
        return a;
    }
    if (fmt_is_inf(b, d)) {
        return b;
    }
    if (fmt_is_zero(a, d)) {
        if (fmt_is_zero(b, d)) {
            int zs = rm == RV_RM_RDN ? (sa | sb) : (sa & sb);
            return zs ? fmt_sign(d) : 0;
        }
        return b;
    }
    if (fmt_is_zero(b, d)) {
        return a;
    }

    fmt_unpack(a, d, &sa, &ea, &ma);
    fmt_unpack(b, d, &sb, &eb, &mb_);
    /* Leading bit (of a normal) at bit 61: room for the carry. */
    ma <<= 61 - fmt_mbits(d);
    mb_ <<= 61 - fmt_mbits(d);
    ea -= 61 - fmt_mbits(d);
    eb -= 61 - fmt_mbits(d);
    if (ea < eb || (ea == eb && ma < mb_)) {
        uint64_t tm = ma;
        int te = ea, ts = sa;
        ma = mb_, ea = eb, sa = sb;
        mb_ = tm, eb = te, sb = ts;
    }
    /* |a| >= |b| now (up to the jam). With a shift of 2 or more the result
     * keeps its leading bit within one place, so jamming is exact enough. */
    mb_ = shr_jam64(mb_, ea - eb);
    sign = sa;
    if (sa == sb) {
        r = ma + mb_;
    } else {
        r = ma - mb_;
        if (r == 0) {
            return rm == RV_RM_RDN ? fmt_sign(d) : 0;
        }
    }
    return rv_soft_round_pack(sign, ea, r, d, rm, fl);
}

static uint64_t rv_soft_mul(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl)
{
    int sa, sb, ea, eb, sign = fmt_signof(a, d) ^ fmt_signof(b, d);
    uint64_t ma, mb_;

    if (fmt_is_nan(a, d) || fmt_is_nan(b, d)) {
        return nan_result(a, b, d, fl);
    }
    if (fmt_is_inf(a, d) || fmt_is_inf(b, d)) {
        if (fmt_is_zero(a, d) || fmt_is_zero(b, d)) {
            return invalid_result(d, fl);
        }
        return (sign ? fmt_sign(d) : 0) | fmt_inf(d);
    }
    if (fmt_is_zero(a, d) || fmt_is_zero(b, d)) {
        return sign ? fmt_sign(d) : 0;
    }
    fmt_unpack(a, d, &sa, &ea, &ma);
    fmt_unpack(b, d, &sb, &eb, &mb_);
    int e = ea + eb;
    uint64_t p = narrow128((unsigned __int128)ma * mb_, &e);
    return rv_soft_round_pack(sign, e, p, d, rm, fl);
}

static uint64_t rv_soft_div(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl)
{
    int sa, sb, ea, eb, sign = fmt_signof(a, d) ^ fmt_signof(b, d);
    uint64_t ma, mb_, s = sign ? fmt_sign(d) : 0;

    if (fmt_is_nan(a, d) || fmt_is_nan(b, d)) {
        return nan_result(a, b, d, fl);
    }
    if (fmt_is_inf(a, d)) {
        if (fmt_is_inf(b, d)) {
            return invalid_result(d, fl);
        }
        return s | fmt_inf(d);
    }
    if (fmt_is_inf(b, d)) {
        return s;
    }
    if (fmt_is_zero(b, d)) {
        if (fmt_is_zero(a, d)) {
            return invalid_result(d, fl);
        }
        *fl |= RV_FFLAG_DZ;
        return s | fmt_inf(d);
    }
    if (fmt_is_zero(a, d)) {
        return s;
    }
    fmt_unpack(a, d, &sa, &ea, &ma);
    fmt_unpack(b, d, &sb, &eb, &mb_);
    /* Normalise both to a leading bit at 52 (any format), then the 115-bit
     * dividend over a 53-bit divisor gives a quotient of 62 or 63 bits. */
    int na = clz64(ma) - 11, nb = clz64(mb_) - 11;
    ma <<= na, ea -= na;
    mb_ <<= nb, eb -= nb;
    unsigned __int128 num = (unsigned __int128)ma << 62;
    uint64_t q = (uint64_t)(num / mb_);
    uint64_t rem = (uint64_t)(num - (unsigned __int128)q * mb_);
    return rv_soft_round_pack(sign, ea - 62 - eb, q | (rem != 0), d, rm, fl);
}

static uint64_t isqrt128(unsigned __int128 r)
{
    /* Newton from above: x_{k+1} = (x_k + r / x_k) / 2 decreases to floor(sqrt(r)). */
    int bits = 128 - clz128(r);
    unsigned __int128 x = (unsigned __int128)1 << ((bits + 1) / 2);

    for (;;) {
        unsigned __int128 y = (x + r / x) >> 1;
        if (y >= x) {
            return (uint64_t)x;
        }
        x = y;
    }
}

static uint64_t rv_soft_sqrt(uint64_t a, bool d, int rm, uint32_t *fl)
{
    int sa, ea;
    uint64_t ma;

    if (fmt_is_nan(a, d)) {
        return nan_result(a, a, d, fl);
    }
    if (fmt_is_zero(a, d)) {
        return a;
    }
    if (fmt_signof(a, d)) {
        return invalid_result(d, fl);
    }
    if (fmt_is_inf(a, d)) {
        return a;
    }
    fmt_unpack(a, d, &sa, &ea, &ma);
    int n = clz64(ma) - 11; /* leading bit at 52 */
    ma <<= n, ea -= n;
    if (ea & 1) {
        ma <<= 1, ea--;
    }
    /* radicand < 2^126, root < 2^63 with at least 62 significant bits. */
    unsigned __int128 rad = (unsigned __int128)ma << 72;
    uint64_t root = isqrt128(rad);
    bool exact = (unsigned __int128)root * root == rad;
    return rv_soft_round_pack(0, ea / 2 - 36, root | !exact, d, rm, fl);
}

/* a * b + c with the signs already adjusted for msub/nmsub/nmadd. */
static uint64_t rv_soft_fma(uint64_t a, uint64_t b, uint64_t c, bool d, int rm, uint32_t *fl)
{
    int sa, sb, sc, ea, eb, ec;
    uint64_t ma, mb_, mc;
    int sp = fmt_signof(a, d) ^ fmt_signof(b, d);
    bool inf_zero = (fmt_is_inf(a, d) && fmt_is_zero(b, d)) ||
                    (fmt_is_zero(a, d) && fmt_is_inf(b, d));

    if (fmt_is_nan(a, d) || fmt_is_nan(b, d) || fmt_is_nan(c, d)) {
        if (inf_zero) {
            *fl |= RV_FFLAG_NV;
        }
        if (fmt_is_snan(c, d)) {
            *fl |= RV_FFLAG_NV;
        }
        return nan_result(a, b, d, fl);
    }
    if (inf_zero) {
        return invalid_result(d, fl);
    }
    sc = fmt_signof(c, d);
    if (fmt_is_inf(a, d) || fmt_is_inf(b, d)) {
        if (fmt_is_inf(c, d) && sc != sp) {
            return invalid_result(d, fl);
        }
        return (sp ? fmt_sign(d) : 0) | fmt_inf(d);
    }
    if (fmt_is_inf(c, d)) {
        return c;
    }
    if (fmt_is_zero(a, d) || fmt_is_zero(b, d)) {
        if (fmt_is_zero(c, d)) {
            int zs = sp == sc ? sp : rm == RV_RM_RDN;
            return zs ? fmt_sign(d) : 0;
        }
        return c;
    }
    fmt_unpack(a, d, &sa, &ea, &ma);
    fmt_unpack(b, d, &sb, &eb, &mb_);
    unsigned __int128 p = (unsigned __int128)ma * mb_;
    int ep = ea + eb;
    int sh = clz128(p) - 2; /* leading bit at 125 */
    p <<= sh, ep -= sh;
    if (fmt_is_zero(c, d)) {
        uint64_t p64 = narrow128(p, &ep);
        return rv_soft_round_pack(sp, ep, p64, d, rm, fl);
    }
    fmt_unpack(c, d, &sc, &ec, &mc);
    unsigned __int128 q = (unsigned __int128)mc << 64;
    ec -= 64;
    sh = clz128(q) - 2;
    q <<= sh, ec -= sh;

    /* Both leading bits at 125; shift the smaller exponent's one right. As
     * in add, a shift of 0 or 1 loses nothing and larger shifts leave the
     * result's leading bit within one place of bit 125. */
    int e, sign;
    unsigned __int128 r;
    if (ep >= ec) {
        q = shr_jam128(q, ep - ec);
        e = ep;
    } else {
        p = shr_jam128(p, ec - ep);
        e = ec;
    }
    if (sp == sc) {
        r = p + q;
        sign = sp;
    } else if (p >= q) {
        r = p - q;
        sign = sp;
    } else {
        r = q - p;
        sign = sc;
    }
    if (r == 0) {
        return rm == RV_RM_RDN ? fmt_sign(d) : 0;
    }
    uint64_t r64 = narrow128(r, &e);
    return rv_soft_round_pack(sign, e, r64, d, rm, fl);
}

/* ---------------------------------------------------------------------- */
/* x86 SSE paths.                                                         */

#if RV_FPU_X86
#define RV_MXCSR_DEFAULT 0x1f80u

/* RISC-V rm -> MXCSR.RC (bits 13-14): RNE 00, RDN 01, RUP 10, RTZ 11. */
static const unsigned rv_x86_rc[8] = {
    [RV_RM_RNE] = 0u << 13, [RV_RM_RTZ] = 3u << 13, [RV_RM_RDN] = 1u << 13,
    [RV_RM_RUP] = 2u << 13,
};

/* MXCSR flags (IE DE ZE OE UE PE = bits 0..5) -> fflags; DE is ignored. */
static inline uint32_t x86_flags(unsigned m)
{
    return ((m & 0x01) ? RV_FFLAG_NV : 0) | ((m & 0x04) ? RV_FFLAG_DZ : 0) |
           ((m & 0x08) ? RV_FFLAG_OF : 0) | ((m & 0x10) ? RV_FFLAG_UF : 0) |
           ((m & 0x20) ? RV_FFLAG_NX : 0);
}

static inline double d_of(uint64_t x)
{
    double v;
    memcpy(&v, &x, 8);
    return v;
}
static inline uint64_t d_bits(double v)
{
    uint64_t x;
    memcpy(&x, &v, 8);
    return x;
}
static inline float f_of(uint32_t x)
{
    float v;
    memcpy(&v, &x, 4);
    return v;
}
static inline uint32_t f_bits(float v)
{
    uint32_t x;
    memcpy(&x, &v, 4);
    return x;
}

/* Operations of the SSE paths. */
enum { X86_ADD, X86_MUL, X86_DIV, X86_SQRT, X86_FMA };

/* FMA3 needs the CPUID bit and the OS having enabled AVX state in XCR0. */
static bool x86_have_fma(void)
{
    static int have = -1;

    if (RV_UNLIKELY(have < 0)) {
        unsigned eax, ebx, ecx, edx;
        int ok = 0;
        if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_FMA) && (ecx & bit_OSXSAVE)) {
            unsigned lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            ok = (lo & 6) == 6;
        }
        have = ok;
    }
    return have;
}

static inline bool d_finite(uint64_t x)
{
    return (x & F64_INF) != F64_INF;
}
static inline bool f_finite(uint64_t x)
{
    return (x & F32_INF) != F32_INF;
}
/* Magnitude strictly between 2^emin and infinity: neither OF nor UF. */
static inline bool d_res_ok(uint64_t r)
{
    return ((r & ~F64_SIGN) - (F64_MIN_NORMAL + 1)) < (F64_INF - (F64_MIN_NORMAL + 1));
}
static inline bool f_res_ok(uint64_t r)
{
    return ((r & ~(uint64_t)F32_SIGN) - (F32_MIN_NORMAL + 1)) < (F32_INF - (F32_MIN_NORMAL + 1));
}

/*
 * One SSE instruction: x = x op y (sqrt: sqrt(y); fma: y * x + z). pre and
 * post are extra instructions inside the same asm statement (so the
 * compiler cannot move the operation across MXCSR accesses); they may use
 * %[m] (stored to) and %[ctl] (loaded from).
 */
#define X86_ASM1(insn, X_, Y_, Z_, M_, C_, pre, post)                                                 \
    __asm__ volatile(pre insn post                                                                 \
                     : [x] "+x"(X_), [m] "=m"(M_)                                                    \
                     : [y] "x"(Y_), [z] "x"(Z_), [ctl] "m"(C_))
#define X86_ASM(op, sfx, X_, Y_, Z_, M_, C_, pre, post)                                               \
    switch (op) {                                                                                  \
    case X86_ADD:                                                                                  \
        X86_ASM1("adds" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                            \
        break;                                                                                     \
    case X86_MUL:                                                                                  \
        X86_ASM1("muls" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                            \
        break;                                                                                     \
    case X86_DIV:                                                                                  \
        X86_ASM1("divs" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                            \
        break;                                                                                     \
    case X86_SQRT:                                                                                 \
        X86_ASM1("sqrts" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                           \
        break;                                                                                     \
    default:                                                                                       \
        X86_ASM1("vfmadd213s" sfx " %[z], %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                \
        break;                                                                                     \
    }
#define X86_PLAIN(op, sfx, X_, Y_, Z_, M_) X86_ASM(op, sfx, X_, Y_, Z_, M_, M_, "", "")
/* Runs the operation then stores MXCSR into m. */
#define X86_PROBE(op, sfx, X_, Y_, Z_, M_) X86_ASM(op, sfx, X_, Y_, Z_, M_, M_, "", "\n\tstmxcsr %[m]")

/*
 * Round-to-nearest-even without touching the MXCSR control bits. Returns
 * true when *out is the result and no flag beyond those already in fl can
 * have been raised:
 *  - NX already set: the rejected operands/results are the only sources of
 *    NV, DZ, OF and UF (finite sums never underflow inexactly, square roots
 *    of finite non-negative values are always in range);
 *  - NX clear: rv-fpu keeps the MXCSR flags clear between calls, so if the
 *    operation leaves them clear (DE aside) it was exact and raised nothing.
 *    Flags left over by other code only cause a needless trip to the slow
 *    path, which clears them again.
 */
static inline bool x86_fast(int op, bool d, uint64_t a, uint64_t b, uint64_t c, uint32_t fl,
                            uint64_t *out)
{
    unsigned m = 0, unused;
    uint64_t r;

    if (op == X86_FMA && !x86_have_fma()) {
        return false;
    }
    if (d) {
        double x = d_of(a), y = d_of(b), z = d_of(c);
        if (!d_finite(a) || !d_finite(b) || !d_finite(c) || (op == X86_SQRT && (b & F64_SIGN))) {
            return false;
        }
        if (fl & RV_FFLAG_NX) {
            X86_PLAIN(op, "d", x, y, z, unused);
            r = d_bits(x);
            if (!(op == X86_SQRT || (op == X86_ADD ? d_finite(r) : d_res_ok(r)))) {
                return false;
            }
        } else {
            X86_PROBE(op, "d", x, y, z, m);
            r = d_bits(x);
        }
    } else {
        float x = f_of((uint32_t)a), y = f_of((uint32_t)b), z = f_of((uint32_t)c);
        if (!f_finite(a) || !f_finite(b) || !f_finite(c) || (op == X86_SQRT && (b & F32_SIGN))) {
            return false;
        }
        if (fl & RV_FFLAG_NX) {
            X86_PLAIN(op, "s", x, y, z, unused);
            r = f_bits(x);
            if (!(op == X86_SQRT || (op == X86_ADD ? f_finite(r) : f_res_ok(r)))) {
                return false;
            }
        } else {
            X86_PROBE(op, "s", x, y, z, m);
            r = f_bits(x);
        }
    }
    *out = r;
    return !(m & 0x3d);
}

/*
 * Any IEEE rounding mode, any operands: load the mode with clear flags, run
 * the instruction, collect the flags, and put back the saved control bits
 * with clear flags. NaN results become the canonical NaN; NV from sNaN
 * operands and invalid operations comes from the hardware. FMA's NaN
 * operands never get here (x86 does not flag inf * 0 + qNaN).
 */
static uint64_t x86_flagged(int op, bool d, uint64_t a, uint64_t b, uint64_t c, int rm,
                            uint32_t *fl)
{
    unsigned saved, after, ctl = RV_MXCSR_DEFAULT | rv_x86_rc[rm];
    uint64_t r;

    __asm__ volatile("stmxcsr %0" : "=m"(saved));
    if (d) {
        double x = d_of(a), y = d_of(b), z = d_of(c);
        X86_ASM(op, "d", x, y, z, after, ctl, "ldmxcsr %[ctl]\n\t", "\n\tstmxcsr %[m]");
        r = d_bits(x);
    } else {
        float x = f_of((uint32_t)a), y = f_of((uint32_t)b), z = f_of((uint32_t)c);
        X86_ASM(op, "s", x, y, z, after, ctl, "ldmxcsr %[ctl]\n\t", "\n\tstmxcsr %[m]");
        r = f_bits(x);
    }
    saved &= ~0x3fu;
    __asm__ volatile("ldmxcsr %0" : : "m"(saved));
    *fl |= x86_flags(after);
    return fmt_is_nan(r, d) ? fmt_qnan(d) : r;
}
#endif

/*
 * The common dispatcher: SSE for RNE/RTZ/RDN/RUP, software for RMM (SSE
 * has no ties-to-away) and everywhere on other hosts. sqrt in RMM uses RNE:
 * a square root is never exactly halfway between two floats (and never
 * tiny), so the two modes agree.
 */
static inline uint64_t arith(int op, bool d, uint64_t a, uint64_t b, uint64_t c, int rm,
                             uint32_t *fl)
{
#if RV_FPU_X86
    uint64_t r;
    if (op == X86_SQRT && rm == RV_RM_RMM) {
        rm = RV_RM_RNE;
    }
    if (RV_LIKELY(rm == RV_RM_RNE && !rv_fpu_soft_only) && x86_fast(op, d, a, b, c, *fl, &r)) {
        return r;
    }
    if (rm != RV_RM_RMM && !rv_fpu_soft_only &&
        (op != X86_FMA || (x86_have_fma() && !fmt_is_nan(a, d) && !fmt_is_nan(b, d) &&
                           !fmt_is_nan(c, d)))) {
        return x86_flagged(op, d, a, b, c, rm, fl);
    }
#endif
    switch (op) {
    case 0:
        return rv_soft_add(a, b, d, rm, fl);
    case 1:
        return rv_soft_mul(a, b, d, rm, fl);
    case 2:
        return rv_soft_div(a, b, d, rm, fl);
    case 3:
        return rv_soft_sqrt(b, d, rm, fl);
    default:
        return rv_soft_fma(a, b, c, d, rm, fl);
    }
}

/* ---------------------------------------------------------------------- */
/* Arithmetic entry points. The x86 FMA computes b * a + c, hence the     */
/* operand order (c, a, b) -> "a * b + c" below.                          */

uint64_t rv_f64_add(uint64_t a, uint64_t b, int rm, uint32_t *fflags)
{
    return arith(0, true, a, b, 0, rm, fflags);
}
uint64_t rv_f64_sub(uint64_t a, uint64_t b, int rm, uint32_t *fflags)
{
    return arith(0, true, a, b ^ F64_SIGN, 0, rm, fflags);
}
uint64_t rv_f64_mul(uint64_t a, uint64_t b, int rm, uint32_t *fflags)
{
    return arith(1, true, a, b, 0, rm, fflags);
}
uint64_t rv_f64_div(uint64_t a, uint64_t b, int rm, uint32_t *fflags)
{
    return arith(2, true, a, b, 0, rm, fflags);
}
uint64_t rv_f64_sqrt(uint64_t a, int rm, uint32_t *fflags)
{
    return arith(3, true, 0, a, 0, rm, fflags);
}
uint64_t rv_f64_madd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags)
{
    return arith(4, true, b, a, c, rm, fflags);
}
uint64_t rv_f64_msub(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags)
{
    return arith(4, true, b, a, c ^ F64_SIGN, rm, fflags);
}
uint64_t rv_f64_nmsub(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags)
{
    return arith(4, true, b, a ^ F64_SIGN, c, rm, fflags);
}
uint64_t rv_f64_nmadd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags)
{
    return arith(4, true, b, a ^ F64_SIGN, c ^ F64_SIGN, rm, fflags);
}

uint32_t rv_f32_add(uint32_t a, uint32_t b, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(0, false, a, b, 0, rm, fflags);
}
uint32_t rv_f32_sub(uint32_t a, uint32_t b, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(0, false, a, b ^ F32_SIGN, 0, rm, fflags);
}
uint32_t rv_f32_mul(uint32_t a, uint32_t b, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(1, false, a, b, 0, rm, fflags);
}
uint32_t rv_f32_div(uint32_t a, uint32_t b, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(2, false, a, b, 0, rm, fflags);
}
uint32_t rv_f32_sqrt(uint32_t a, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(3, false, 0, a, 0, rm, fflags);
}
uint32_t rv_f32_madd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(4, false, b, a, c, rm, fflags);
}
uint32_t rv_f32_msub(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(4, false, b, a, c ^ F32_SIGN, rm, fflags);
}
uint32_t rv_f32_nmsub(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(4, false, b, a ^ F32_SIGN, c, rm, fflags);
}
uint32_t rv_f32_nmadd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags)
{
    return (uint32_t)arith(4, false, b, a ^ F32_SIGN, c ^ F32_SIGN, rm, fflags);
}

/* ---------------------------------------------------------------------- */
/* min/max, comparisons, classify (exact, integer only).                  */

/* Key whose unsigned order is the numeric order of non-NaNs, -0 < +0. */
static inline uint64_t order_key(uint64_t x, bool d)
{
    return fmt_signof(x, d) ? ~x & (fmt_sign(d) * 2 - 1) : x | fmt_sign(d);
}

static uint64_t minmax(uint64_t a, uint64_t b, bool d, bool max, uint32_t *fl)
{
    bool an = fmt_is_nan(a, d), bn = fmt_is_nan(b, d);

    if (RV_UNLIKELY(an || bn)) {
        if (fmt_is_snan(a, d) || fmt_is_snan(b, d)) {
            *fl |= RV_FFLAG_NV;
        }
        if (an && bn) {
            return fmt_qnan(d);
        }
        return an ? b : a;
    }
    bool a_lt = order_key(a, d) < order_key(b, d);
    return a_lt != max ? a : b;
}

uint32_t rv_f32_min(uint32_t a, uint32_t b, uint32_t *fflags)
{
    return (uint32_t)minmax(a, b, false, false, fflags);
}
uint32_t rv_f32_max(uint32_t a, uint32_t b, uint32_t *fflags)
{
    return (uint32_t)minmax(a, b, false, true, fflags);
}
uint64_t rv_f64_min(uint64_t a, uint64_t b, uint32_t *fflags)
{
    return minmax(a, b, true, false, fflags);
}
uint64_t rv_f64_max(uint64_t a, uint64_t b, uint32_t *fflags)
{
    return minmax(a, b, true, true, fflags);
}

/* kind: 0 eq, 1 lt, 2 le. */
static uint64_t compare(uint64_t a, uint64_t b, bool d, int kind, uint32_t *fl)
{
    if (RV_UNLIKELY(fmt_is_nan(a, d) || fmt_is_nan(b, d))) {
        if (kind != 0 || fmt_is_snan(a, d) || fmt_is_snan(b, d)) {
            *fl |= RV_FFLAG_NV;
        }
        return 0;
    }
    if (fmt_is_zero(a, d) && fmt_is_zero(b, d)) {
        return kind != 1;
    }
    uint64_t ka = order_key(a, d), kb = order_key(b, d);
    return kind == 0 ? ka == kb : kind == 1 ? ka < kb : ka <= kb;
}

uint64_t rv_f32_eq(uint32_t a, uint32_t b, uint32_t *fflags)
{
    return compare(a, b, false, 0, fflags);
}
uint64_t rv_f32_lt(uint32_t a, uint32_t b, uint32_t *fflags)
{
    return compare(a, b, false, 1, fflags);
}
uint64_t rv_f32_le(uint32_t a, uint32_t b, uint32_t *fflags)
{
    return compare(a, b, false, 2, fflags);
}
uint64_t rv_f64_eq(uint64_t a, uint64_t b, uint32_t *fflags)
{
    return compare(a, b, true, 0, fflags);
}
uint64_t rv_f64_lt(uint64_t a, uint64_t b, uint32_t *fflags)
{
    return compare(a, b, true, 1, fflags);
}
uint64_t rv_f64_le(uint64_t a, uint64_t b, uint32_t *fflags)
{
    return compare(a, b, true, 2, fflags);
}

static uint64_t classify(uint64_t x, bool d)
{
    int s = fmt_signof(x, d);
    uint64_t ab = fmt_abs(x, d);

    if (fmt_is_nan(x, d)) {
        return fmt_is_snan(x, d) ? 1u << 8 : 1u << 9;
    }
    if (ab == fmt_inf(d)) {
        return s ? 1u << 0 : 1u << 7;
    }
    if (ab == 0) {
        return s ? 1u << 3 : 1u << 4;
    }
    if ((ab >> fmt_mbits(d)) == 0) {
        return s ? 1u << 2 : 1u << 5;
    }
    return s ? 1u << 1 : 1u << 6;
}

uint64_t rv_f32_class(uint32_t a)
{
    return classify(a, false);
}
uint64_t rv_f64_class(uint64_t a)
{
    return classify(a, true);
}

/* ---------------------------------------------------------------------- */
/* Conversions (software: exact for every mode, cheap enough).            */

static uint64_t convert_fp(uint64_t a, bool from_d, int rm, uint32_t *fl)
{
    bool to_d = !from_d;
    int s, e;
    uint64_t m;

    if (fmt_is_nan(a, from_d)) {
        nan_result(a, a, from_d, fl);
        return fmt_qnan(to_d);
    }
    s = fmt_signof(a, from_d);
    if (fmt_is_inf(a, from_d)) {
        return (s ? fmt_sign(to_d) : 0) | fmt_inf(to_d);
    }
    if (fmt_is_zero(a, from_d)) {
        return s ? fmt_sign(to_d) : 0;
    }
    fmt_unpack(a, from_d, &s, &e, &m);
    return rv_soft_round_pack(s, e, m, to_d, rm, fl);
}

uint64_t rv_f32_to_f64(uint32_t a, uint32_t *fflags)
{
    return convert_fp(a, false, RV_RM_RNE, fflags);
}

uint32_t rv_f64_to_f32(uint64_t a, int rm, uint32_t *fflags)
{
    return (uint32_t)convert_fp(a, true, rm, fflags);
}

/*
 * Float to integer of `bits` (32/64) bits, signed or not, saturating. As in
 * QEMU, an invalid conversion reports NV alone (no NX); a negative value that
 * rounds to 0 is a valid unsigned conversion (NX only).
 */
static uint64_t to_int(uint64_t a, bool d, int rm, bool sgn, int bits, uint32_t *fl)
{
    uint64_t umax = bits == 64 ? ~0ull : 0xffffffffull;
    uint64_t smax = umax >> 1, smin_mag = smax + 1;
    uint64_t max = sgn ? smax : umax;
    uint64_t min = sgn ? (uint64_t)0 - smin_mag : 0;
    int s, e;
    uint64_t m, mag;
    bool big = false;

    if (fmt_is_nan(a, d)) {
        *fl |= RV_FFLAG_NV;
        return max;
    }
    if (fmt_is_inf(a, d)) {
        *fl |= RV_FFLAG_NV;
        return fmt_signof(a, d) ? min : max;
    }
    if (fmt_is_zero(a, d)) {
        return 0;
    }
    fmt_unpack(a, d, &s, &e, &m);
    uint32_t nx = 0;
    if (e >= 0) {
        if (e + 64 - clz64(m) > 64) {
            big = true;
            mag = 0;
        } else {
            mag = m << e;
        }
    } else {
        int k = -e;
        uint64_t ip, frac;
        if (k >= 64) {
            /* m < 2^53, so the value is below 1/2^11: below one half. */
            ip = 0;
            frac = 1;
            k = 2;
        } else {
            ip = m >> k;
            frac = m & ((1ull << k) - 1);
        }
        mag = ip;
        if (frac) {
            nx = RV_FFLAG_NX;
            mag += round_inc(rm, s, ip, frac, k);
        }
    }
    if (s) {
        if (!big && mag == 0) {
            *fl |= nx;
            return 0;
        }
        if (!big && sgn && mag <= smin_mag) {
            *fl |= nx;
            return 0 - mag;
        }
        *fl |= RV_FFLAG_NV;
        return min;
    }
    if (big || mag > max) {
        *fl |= RV_FFLAG_NV;
        return max;
    }
    *fl |= nx;
    return mag;
}

static inline uint64_t sext32(uint64_t x)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)x;
}

uint64_t rv_f32_to_i32(uint32_t a, int rm, uint32_t *fflags)
{
    return sext32(to_int(a, false, rm, true, 32, fflags));
}
uint64_t rv_f32_to_u32(uint32_t a, int rm, uint32_t *fflags)
{
    return sext32(to_int(a, false, rm, false, 32, fflags));
}
uint64_t rv_f32_to_i64(uint32_t a, int rm, uint32_t *fflags)
{
    return to_int(a, false, rm, true, 64, fflags);
}
uint64_t rv_f32_to_u64(uint32_t a, int rm, uint32_t *fflags)
{
    return to_int(a, false, rm, false, 64, fflags);
}
uint64_t rv_f64_to_i32(uint64_t a, int rm, uint32_t *fflags)
{
    return sext32(to_int(a, true, rm, true, 32, fflags));
}
uint64_t rv_f64_to_u32(uint64_t a, int rm, uint32_t *fflags)
{
    return sext32(to_int(a, true, rm, false, 32, fflags));
}
uint64_t rv_f64_to_i64(uint64_t a, int rm, uint32_t *fflags)
{
    return to_int(a, true, rm, true, 64, fflags);
}
uint64_t rv_f64_to_u64(uint64_t a, int rm, uint32_t *fflags)
{
    return to_int(a, true, rm, false, 64, fflags);
}

static uint64_t from_int(int sign, uint64_t mag, bool d, int rm, uint32_t *fl)
{
    if (mag == 0) {
        return 0;
    }
    return rv_soft_round_pack(sign, 0, mag, d, rm, fl);
}

static inline uint64_t abs_i64(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

uint32_t rv_i32_to_f32(uint64_t x, int rm, uint32_t *fflags)
{
    int32_t v = (int32_t)(uint32_t)x;
    return (uint32_t)from_int(v < 0, abs_i64(v), false, rm, fflags);
}
uint32_t rv_u32_to_f32(uint64_t x, int rm, uint32_t *fflags)
{
    return (uint32_t)from_int(0, (uint32_t)x, false, rm, fflags);
}
uint32_t rv_i64_to_f32(uint64_t x, int rm, uint32_t *fflags)
{
    return (uint32_t)from_int((int64_t)x < 0, abs_i64((int64_t)x), false, rm, fflags);
}
uint32_t rv_u64_to_f32(uint64_t x, int rm, uint32_t *fflags)
{
    return (uint32_t)from_int(0, x, false, rm, fflags);
}
uint64_t rv_i32_to_f64(uint64_t x, int rm, uint32_t *fflags)
{
    int32_t v = (int32_t)(uint32_t)x;
    return from_int(v < 0, abs_i64(v), true, rm, fflags);
}
uint64_t rv_u32_to_f64(uint64_t x, int rm, uint32_t *fflags)
{
    return from_int(0, (uint32_t)x, true, rm, fflags);
}
uint64_t rv_i64_to_f64(uint64_t x, int rm, uint32_t *fflags)
{
    return from_int((int64_t)x < 0, abs_i64((int64_t)x), true, rm, fflags);
}
uint64_t rv_u64_to_f64(uint64_t x, int rm, uint32_t *fflags)
{
    return from_int(0, x, true, rm, fflags);
}

/*
 * rv-fpu.c - RISC-V F/D arithmetic, bit-exact with a RISC-V hart (QEMU 7.2):
 * the entry points, the x86 SSE paths, min/max, compares and fclass.
 * Conversions are in rv-fpu-conv.c.
 *
 * Two implementations of every arithmetic operation:
 *
 *  - A portable software one (rv-fpu-soft.c) on raw bit patterns with
 *    integer arithmetic: one rounding routine handles all five rounding
 *    modes, overflow per mode and RISC-V's tininess-after-rounding. It is
 *    the reference, the only path for RMM (x86 has no ties-to-away), the FMA
 *    path on hosts without FMA3, and the whole FPU on non-x86 hosts.
 *
 *  - An x86_64 SSE one for the four IEEE rounding modes. SSE detects
 *    tininess after rounding ("rounded result with unbounded exponent",
 *    Intel SDM vol. 1 4.9.1.5) and, with underflow masked, raises UE only
 *    when the result is also inexact: exactly RISC-V's UF rule.
 *
 * MXCSR policy: rv-fpu assumes, and always leaves, MXCSR's control bits
 * in their default state (round-to-nearest-even, all exceptions masked, FTZ
 * and DAZ off), which is also what the rest of the emulator's C code
 * expects, and it leaves the MXCSR flags clear. Three SSE paths:
 *
 *  - Hot (RNE, guest NX already set, operands/result away from the special
 *    cases): the native operation, no MXCSR access at all. With NX already
 *    accumulated the only flags the operation could add are NV, DZ, OF and
 *    UF, and those only come from operands or results the path rejects
 *    (NaN/inf operands, infinite, tiny or NaN results). Guest loops live here.
 *  - Probe (RNE, NX clear): the operation followed by stmxcsr in one asm
 *    statement. Flags clear afterwards means exact and nothing to report;
 *    anything else (including stale flags from other code) goes on to:
 *  - Flagged (any IEEE mode): ldmxcsr with the guest rounding mode and clear
 *    flags, the operation and stmxcsr in one asm statement (the compiler
 *    cannot move the operation across MXCSR accesses), then ldmxcsr back to
 *    the saved control bits with clear flags. Caching a non-default rounding
 *    mode between calls would save one ldmxcsr but leave the emulator's own
 *    floating point running in a guest rounding mode; not worth the risk,
 *    since directed rounding modes are rare in guest code.
 *
 * NaN results are always the canonical NaN; NaN operands only matter for NV
 * (signaling NaN operands, and inf * 0 in fused multiply-add even with a
 * quiet NaN addend, as QEMU and Berkeley softfloat do for RISC-V).
 */
#include "targets/riscv/rv-fpu.h"
#include "targets/riscv/rv-fpu-soft.h"

#include <stdbool.h>

#if defined(__x86_64__) && defined(__SSE2__) && !defined(RV_FPU_NO_X86)
#define RV_FPU_X86 1
#include <cpuid.h>
#include <string.h>
#else
#define RV_FPU_X86 0
#endif

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
/* x86 SSE paths.                                                         */

#if RV_FPU_X86
#define RV_MXCSR_DEFAULT 0x1f80u

/* RISC-V rm -> MXCSR.RC (bits 13-14): RNE 00, RDN 01, RUP 10, RTZ 11. */
static const unsigned rv_x86_rc[8] = {
    [RV_RM_RNE] = 0u << 13,
    [RV_RM_RTZ] = 3u << 13,
    [RV_RM_RDN] = 1u << 13,
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
#define X86_ASM1(insn, X_, Y_, Z_, M_, C_, pre, post)                                              \
    __asm__ volatile(pre insn post                                                                 \
                     : [x] "+x"(X_), [m] "=m"(M_)                                                  \
                     : [y] "x"(Y_), [z] "x"(Z_), [ctl] "m"(C_))
#define X86_ASM(op, sfx, X_, Y_, Z_, M_, C_, pre, post)                                            \
    switch (op) {                                                                                  \
    case X86_ADD:                                                                                  \
        X86_ASM1("adds" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                         \
        break;                                                                                     \
    case X86_MUL:                                                                                  \
        X86_ASM1("muls" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                         \
        break;                                                                                     \
    case X86_DIV:                                                                                  \
        X86_ASM1("divs" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                         \
        break;                                                                                     \
    case X86_SQRT:                                                                                 \
        X86_ASM1("sqrts" sfx " %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);                        \
        break;                                                                                     \
    default:                                                                                       \
        X86_ASM1("vfmadd213s" sfx " %[z], %[y], %[x]", X_, Y_, Z_, M_, C_, pre, post);             \
        break;                                                                                     \
    }
#define X86_PLAIN(op, sfx, X_, Y_, Z_, M_) X86_ASM(op, sfx, X_, Y_, Z_, M_, M_, "", "")
/* Runs the operation then stores MXCSR into m. */
#define X86_PROBE(op, sfx, X_, Y_, Z_, M_)                                                         \
    X86_ASM(op, sfx, X_, Y_, Z_, M_, M_, "", "\n\tstmxcsr %[m]")

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
    unsigned m = 0, unused = 0;
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
        (op != X86_FMA ||
         (x86_have_fma() && !fmt_is_nan(a, d) && !fmt_is_nan(b, d) && !fmt_is_nan(c, d)))) {
        return x86_flagged(op, d, a, b, c, rm, fl);
    }
#endif
    switch (op) {
    case 0:
        return rv_fpu_soft_add(a, b, d, rm, fl);
    case 1:
        return rv_fpu_soft_mul(a, b, d, rm, fl);
    case 2:
        return rv_fpu_soft_div(a, b, d, rm, fl);
    case 3:
        return rv_fpu_soft_sqrt(b, d, rm, fl);
    default:
        return rv_fpu_soft_fma(a, b, c, d, rm, fl);
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

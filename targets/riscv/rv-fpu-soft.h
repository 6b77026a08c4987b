/*
 * rv-fpu-soft.h - internals shared by rv-fpu.c (entry points, x86 SSE
 * paths), rv-fpu-soft.c (software arithmetic) and rv-fpu-conv.c
 * (conversions). Not for use outside targets/riscv/rv-fpu*.c.
 */
#ifndef TARGET_RISCV_FPU_SOFT_H
#define TARGET_RISCV_FPU_SOFT_H

#include <stdbool.h>
#include <stdint.h>

#include "targets/riscv/rv-fpu.h"

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

/*
 * Software arithmetic on raw bit patterns (d: double, else single in the
 * low 32 bits), exact in every rounding mode with RISC-V flags.
 * rv_fpu_round_pack rounds sign * sig * 2^exp (sig != 0, bits below the
 * precision jammed into bit 0) with tininess detected after rounding.
 */
uint64_t rv_fpu_round_pack(int sign, int exp, uint64_t sig, bool d, int rm, uint32_t *fl);
uint64_t rv_fpu_soft_add(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl);
uint64_t rv_fpu_soft_mul(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl);
uint64_t rv_fpu_soft_div(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl);
uint64_t rv_fpu_soft_sqrt(uint64_t a, bool d, int rm, uint32_t *fl);
/* a * b + c, the msub/nmsub/nmadd negations already folded into the signs. */
uint64_t rv_fpu_soft_fma(uint64_t a, uint64_t b, uint64_t c, bool d, int rm, uint32_t *fl);

#endif

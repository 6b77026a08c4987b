/*
 * rv-fpu-conv.c - RISC-V F/D conversions: single <-> double, float <->
 * integer (saturating as RISC-V and QEMU do). All in software: exact for
 * every rounding mode, and cheap next to the rest of an instruction.
 */
#include "targets/riscv/rv-fpu-soft.h"

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
    return rv_fpu_round_pack(s, e, m, to_d, rm, fl);
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
    return rv_fpu_round_pack(sign, 0, mag, d, rm, fl);
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

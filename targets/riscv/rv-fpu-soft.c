/*
 * rv-fpu-soft.c - portable software IEEE arithmetic with RISC-V semantics:
 * the reference implementation, the RMM path (x86 has no ties-to-away), the
 * FMA path on hosts without FMA3 and the whole FPU on non-x86 hosts.
 *
 * Operands are unpacked to sig * 2^exp, combined exactly in 64/128-bit
 * integers (anything shifted out jammed into a sticky bit well below the
 * rounding position) and rounded once by rv_fpu_round_pack.
 */
#include "targets/riscv/rv-fpu-soft.h"

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
uint64_t rv_fpu_round_pack(int sign, int exp, uint64_t sig, bool d, int rm, uint32_t *fl)
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

/* ---------------------------------------------------------------------- */
/* Software arithmetic.                                                   */

uint64_t rv_fpu_soft_add(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl)
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
    return rv_fpu_round_pack(sign, ea, r, d, rm, fl);
}

uint64_t rv_fpu_soft_mul(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl)
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
    return rv_fpu_round_pack(sign, e, p, d, rm, fl);
}

uint64_t rv_fpu_soft_div(uint64_t a, uint64_t b, bool d, int rm, uint32_t *fl)
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
    return rv_fpu_round_pack(sign, ea - 62 - eb, q | (rem != 0), d, rm, fl);
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

uint64_t rv_fpu_soft_sqrt(uint64_t a, bool d, int rm, uint32_t *fl)
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
    return rv_fpu_round_pack(0, ea / 2 - 36, root | !exact, d, rm, fl);
}

/* a * b + c with the signs already adjusted for msub/nmsub/nmadd. */
uint64_t rv_fpu_soft_fma(uint64_t a, uint64_t b, uint64_t c, bool d, int rm, uint32_t *fl)
{
    int sa, sb, sc, ea, eb, ec;
    uint64_t ma, mb_, mc;
    int sp = fmt_signof(a, d) ^ fmt_signof(b, d);
    bool inf_zero =
        (fmt_is_inf(a, d) && fmt_is_zero(b, d)) || (fmt_is_zero(a, d) && fmt_is_inf(b, d));

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
        return rv_fpu_round_pack(sp, ep, p64, d, rm, fl);
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
    return rv_fpu_round_pack(sign, e, r64, d, rm, fl);
}

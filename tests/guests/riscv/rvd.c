/* D extension: as rvf for double precision, plus single<->double conversion. */
#define FS ".d"
#define FM "d"
#define FCVT_FROM_W_EXACT
static const unsigned long fvals[] = {
    0x0000000000000000UL, 0x8000000000000000UL, 0x3ff0000000000000UL, 0xbff0000000000000UL,
    0x3ff8000000000000UL, 0x0000000000000001UL, 0x800fffffffffffffUL, 0x0010000000000000UL,
    0x7fefffffffffffffUL, 0x7ff0000000000000UL, 0xfff0000000000000UL, 0x7ff8000000000000UL,
    0x7ff0000000000001UL, 0xfff8000000012345UL, 0x3fd5555555555555UL, 0x41e0000000000000UL,
    0xc3e0000000000000UL, 0x43f0000000000000UL, 0x47efffffe0000000UL, 0x3e9ffffff0000000UL,
};
static const unsigned long rvals[][3] = {
    {0x3ff0000000000000UL, 0x4008000000000000UL, 0x3fd5555555555555UL},
    {0xbff0000000000000UL, 0x4008000000000000UL, 0xbfd5555555555555UL},
    {0x3ff0000000000001UL, 0x3ff0000000000001UL, 0xbff0000000000000UL},
    {0x7fefffffffffffffUL, 0x7fefffffffffffffUL, 0x7fefffffffffffffUL},
    {0x0010000000000001UL, 0x3fdfffffffffffffUL, 0x0000000000000001UL},
    {0x4340000000000000UL, 0x3ff0000000000000UL, 0xc340000000000000UL},
    {0x4000000000000000UL, 0x3ff6a09e667f3bcdUL, 0xc000000000000000UL},
};
#define N_RV (sizeof(rvals) / sizeof(rvals[0]))
static const unsigned long cvals[] = {
    0x4004000000000000UL, 0xc004000000000000UL, 0x3fe0000000000000UL, 0xbfe0000000000000UL,
    0x3ff8000000000000UL, 0xbff8000000000000UL, 0x41dfffffffc00000UL, 0xc1e0000000000000UL,
    0xc1e0000000200000UL, 0x41efffffffe00000UL, 0x41f0000000000000UL, 0xbfeccccccccccccdUL,
    0x43e0000000000000UL, 0x43dfffffffffffffUL};
#define N_CV (sizeof(cvals) / sizeof(cvals[0]))
#include "fp.h"

static void single_double(void)
{
    pr("fcvt.s.d:");
    for (unsigned i = 0; i < N_FV; i++) {
        ulong r, f;
        asm volatile("csrwi fflags, 0\n fmv.d.x ft0, %2\n fcvt.s.d ft1, ft0\n fmv.x.d %0, ft1\n"
                     "csrr %1, fflags"
                     : "=&r"(r), "=&r"(f)
                     : "r"(fvals[i])
                     : "ft0", "ft1");
        pr(" %lx/%lx", r, f);
    }
    putch('\n');
    for (unsigned k = 0; k < N_RV; k++) {
        pr("fcvt.s.d rm %lx:", rvals[k][2]);
#define SD(rm)                                                                                 \
    ({                                                                                         \
        ulong r, f;                                                                            \
        asm volatile("csrwi fflags, 0\n fmv.d.x ft0, %2\n fcvt.s.d ft1, ft0" rm                \
                     "\n fmv.x.d %0, ft1\n csrr %1, fflags"                                    \
                     : "=&r"(r), "=&r"(f)                                                      \
                     : "r"(rvals[k][2])                                                        \
                     : "ft0", "ft1");                                                          \
        pr(" %lx/%lx", r, f);                                                                  \
    })
        SD(", rne");
        SD(", rtz");
        SD(", rdn");
        SD(", rup");
        SD(", rmm");
        putch('\n');
    }
    static const ulong sv[] = {0x00000000, 0x80000000, 0x3f800000, 0x00000001, 0x7f7fffff,
                               0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc12345,
                               0x3eaaaaab};
    pr("fcvt.d.s:");
    for (unsigned i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
        ulong r, f;
        asm volatile("csrwi fflags, 0\n fmv.w.x ft0, %2\n fcvt.d.s ft1, ft0\n fmv.x.d %0, ft1\n"
                     "csrr %1, fflags"
                     : "=&r"(r), "=&r"(f)
                     : "r"(sv[i])
                     : "ft0", "ft1");
        pr(" %lx/%lx", r, f);
    }
    putch('\n');
    /* fld/fsd move raw bits, no canonicalisation. */
    static uint64_t m[2] = {0x7ff0000000000001UL, 0};
    asm volatile("fld ft0, 0(%0)\n fsd ft0, 8(%0)" ::"r"(m) : "ft0", "memory");
    pr("fld/fsd sNaN: %lx\n", m[1]);
}

int main(void)
{
    fp_arith();
    fp_rounding();
    fp_fma_special();
    fp_convert();
    single_double();
    fp_csr();
    pr("DONE rvd\n");
    return 0;
}

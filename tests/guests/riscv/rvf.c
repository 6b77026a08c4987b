/* F extension: arithmetic, compare, classify, convert, FMA in every rounding mode
 * with fflags; NaN boxing; fcsr/frm/fflags aliasing; mstatus.FS. */
#define FS ".s"
#define FM "w"
static const unsigned long fvals[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x00000001,
    0x807fffff, 0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
    0x7f800001, 0xffc12345, 0x3eaaaaab, 0x4f000000, 0xdf000000, 0x5f800000,
};
static const unsigned long rvals[][3] = {
    {0x3f800000, 0x40400000, 0x3eaaaaab}, {0xbf800000, 0x40400000, 0xbeaaaaab},
    {0x3f800001, 0x3f800001, 0xbf800000}, {0x7f7fffff, 0x7f7fffff, 0x7f7fffff},
    {0x00800001, 0x3effffff, 0x00000001}, {0x4b800000, 0x3f800000, 0xcb800000},
    {0x40000000, 0x3fb504f3, 0xc0000000},
};
#define N_RV (sizeof(rvals) / sizeof(rvals[0]))
static const unsigned long cvals[] = {0x40200000, 0xc0200000, 0x3f000000, 0xbf000000,
                                      0x3fc00000, 0xbfc00000, 0x4effffff, 0xcf000000,
                                      0xcf000001, 0x4f800000, 0xbf666666};
#define N_CV (sizeof(cvals) / sizeof(cvals[0]))
#include "fp.h"

static uint64_t fmem[2];

static void nan_boxing(void)
{
    ulong r, f;
    fmem[0] = 0x123456783f800000UL;
    asm volatile("flw ft0, 0(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(fmem) : "ft0");
    pr("flw -> fmv.x.d = %lx\n", r);
    asm volatile("fmv.w.x ft0, %1\n fmv.x.d %0, ft0" : "=r"(r) : "r"(0x1234567840000000UL)
                 : "ft0");
    pr("fmv.w.x -> fmv.x.d = %lx\n", r);
    asm volatile("fmv.w.x ft0, %1\n fadd.s ft1, ft0, ft0\n fmv.x.d %0, ft1" : "=r"(r)
                 : "r"(0x3f800000UL)
                 : "ft0", "ft1");
    pr("fadd.s result boxed = %lx\n", r);
    static const ulong bad[] = {0x000000003f800000UL, 0xfffffffe3f800000UL, 0x7fffffff3f800000UL,
                                0x3ff0000000000000UL};
    for (unsigned i = 0; i < 4; i++) {
        ulong u = bad[i];
        pr("unboxed %lx:\n", u);
#define UB(name, insn)                                                                         \
    asm volatile("csrwi fflags, 0\n fmv.d.x ft0, %2\n fmv.w.x ft1, %3\n" insn                  \
                 "\n fmv.x.d %0, ft2\n csrr %1, fflags"                                        \
                 : "=&r"(r), "=&r"(f)                                                          \
                 : "r"(u), "r"(0x3f800000UL)                                                   \
                 : "ft0", "ft1", "ft2");                                                       \
    pr("  " name " = %lx/%lx\n", r, f)
#define UBI(name, insn)                                                                        \
    asm volatile("csrwi fflags, 0\n fmv.d.x ft0, %2\n fmv.w.x ft1, %3\n" insn                  \
                 "\n csrr %1, fflags"                                                          \
                 : "=&r"(r), "=&r"(f)                                                          \
                 : "r"(u), "r"(0x3f800000UL)                                                   \
                 : "ft0", "ft1", "ft2");                                                       \
    pr("  " name " = %lx/%lx\n", r, f)
        UB("fadd.s", "fadd.s ft2, ft0, ft1");
        UB("fsgnj.s", "fsgnj.s ft2, ft0, ft1");
        UB("fsgnj.s rs2", "fsgnj.s ft2, ft1, ft0");
        UB("fsgnjn.s", "fsgnjn.s ft2, ft0, ft0");
        UB("fmin.s", "fmin.s ft2, ft0, ft1");
        UB("fmax.s", "fmax.s ft2, ft1, ft0");
        UB("fmadd.s", "fmadd.s ft2, ft1, ft1, ft0");
        UB("fsqrt.s", "fsqrt.s ft2, ft0");
        UB("fcvt.d.s", "fcvt.d.s ft2, ft0");
        UBI("fmv.x.w", "fmv.x.w %0, ft0");
        UBI("fclass.s", "fclass.s %0, ft0");
        UBI("feq.s", "feq.s %0, ft0, ft0");
        UBI("fle.s", "fle.s %0, ft0, ft1");
        UBI("fcvt.w.s", "fcvt.w.s %0, ft0, rtz");
        asm volatile("fmv.d.x ft0, %1\n fsw ft0, 0(%0)" ::"r"(&fmem[1]), "r"(u) : "ft0", "memory");
        pr("  fsw stores %lx\n", fmem[1] & 0xffffffffUL);
    }
}

int main(void)
{
    fp_arith();
    fp_rounding();
    fp_fma_special();
    fp_convert();
    nan_boxing();
    fp_csr();
    pr("DONE rvf\n");
    return 0;
}

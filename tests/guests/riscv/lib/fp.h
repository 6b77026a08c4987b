/* Shared F/D test body. Before including, define:
 *   FS   ".s" or ".d"        operation suffix
 *   FM   "w" or "d"          fmv.x.FM / fmv.FM.x to move raw bits
 *   FNAME "rvf" / "rvd"
 * and a table fvals[] of raw bit patterns. */
#include "ops.h"

#define N_FV (sizeof(fvals) / sizeof(fvals[0]))

/* result/fflags of one binary op with rounding suffix rm ("" or ", rtz"...). */
#define FBIN(op, rm, a, b)                                                                     \
    ({                                                                                         \
        ulong r_, f_;                                                                          \
        asm volatile("csrwi fflags, 0\n fmv." FM ".x ft0, %2\n fmv." FM ".x ft1, %3\n" op      \
                     FS " ft2, ft0, ft1" rm "\n fmv.x." FM " %0, ft2\n csrr %1, fflags"        \
                     : "=&r"(r_), "=&r"(f_)                                                    \
                     : "r"((ulong)(a)), "r"((ulong)(b))                                        \
                     : "ft0", "ft1", "ft2");                                                   \
        pr(" %lx/%lx", r_, f_);                                                                \
    })
#define FCMP(op, a, b)                                                                         \
    ({                                                                                         \
        ulong r_, f_;                                                                          \
        asm volatile("csrwi fflags, 0\n fmv." FM ".x ft0, %2\n fmv." FM ".x ft1, %3\n" op      \
                     FS " %0, ft0, ft1\n csrr %1, fflags"                                      \
                     : "=&r"(r_), "=&r"(f_)                                                    \
                     : "r"((ulong)(a)), "r"((ulong)(b))                                        \
                     : "ft0", "ft1");                                                          \
        pr(" %lx/%lx", r_, f_);                                                                \
    })
#define FUN(op, rm, a)                                                                         \
    ({                                                                                         \
        ulong r_, f_;                                                                          \
        asm volatile("csrwi fflags, 0\n fmv." FM ".x ft0, %2\n" op " ft2, ft0" rm              \
                     "\n fmv.x." FM " %0, ft2\n csrr %1, fflags"                               \
                     : "=&r"(r_), "=&r"(f_)                                                    \
                     : "r"((ulong)(a))                                                         \
                     : "ft0", "ft2");                                                          \
        pr(" %lx/%lx", r_, f_);                                                                \
    })
/* float -> integer register (fcvt.w.s, fclass.s, fmv.x.w ...) */
#define FTOI(op, rm, a)                                                                        \
    ({                                                                                         \
        ulong r_, f_;                                                                          \
        asm volatile("csrwi fflags, 0\n fmv." FM ".x ft0, %2\n" op " %0, ft0" rm               \
                     "\n csrr %1, fflags"                                                      \
                     : "=&r"(r_), "=&r"(f_)                                                    \
                     : "r"((ulong)(a))                                                         \
                     : "ft0");                                                                 \
        pr(" %lx/%lx", r_, f_);                                                                \
    })
/* integer -> float (fcvt.s.w ...) */
#define ITOF(op, rm, a)                                                                        \
    ({                                                                                         \
        ulong r_, f_;                                                                          \
        asm volatile("csrwi fflags, 0\n" op " ft2, %2" rm "\n fmv.x." FM " %0, ft2\n"          \
                     "csrr %1, fflags"                                                         \
                     : "=&r"(r_), "=&r"(f_)                                                    \
                     : "r"((ulong)(a))                                                         \
                     : "ft2");                                                                 \
        pr(" %lx/%lx", r_, f_);                                                                \
    })
#define FTRI(op, rm, a, b, c)                                                                  \
    ({                                                                                         \
        ulong r_, f_;                                                                          \
        asm volatile("csrwi fflags, 0\n fmv." FM ".x ft0, %2\n fmv." FM ".x ft1, %3\n"         \
                     "fmv." FM ".x ft3, %4\n" op FS " ft2, ft0, ft1, ft3" rm                   \
                     "\n fmv.x." FM " %0, ft2\n csrr %1, fflags"                               \
                     : "=&r"(r_), "=&r"(f_)                                                    \
                     : "r"((ulong)(a)), "r"((ulong)(b)), "r"((ulong)(c))                       \
                     : "ft0", "ft1", "ft2", "ft3");                                            \
        pr(" %lx/%lx", r_, f_);                                                                \
    })

#define PAIRS(op, body)                                                                        \
    for (unsigned i = 0; i < N_FV; i++) {                                                      \
        pr("%s%s %lx:", op, FS, fvals[i]);                                                     \
        for (unsigned j = 0; j < N_FV; j++) {                                                  \
            ulong a = fvals[i], b = fvals[j];                                                  \
            (void)a;                                                                           \
            (void)b;                                                                           \
            body;                                                                              \
        }                                                                                      \
        putch('\n');                                                                           \
    }
#define SINGLES(label, body)                                                                   \
    pr("%s:", label);                                                                          \
    for (unsigned i = 0; i < N_FV; i++) {                                                      \
        ulong a = fvals[i];                                                                    \
        body;                                                                                  \
    }                                                                                          \
    putch('\n');

static void fp_arith(void)
{
    PAIRS("fadd", FBIN("fadd", "", a, b));
    PAIRS("fsub", FBIN("fsub", "", a, b));
    PAIRS("fmul", FBIN("fmul", "", a, b));
    PAIRS("fdiv", FBIN("fdiv", "", a, b));
    PAIRS("fmin", FBIN("fmin", "", a, b));
    PAIRS("fmax", FBIN("fmax", "", a, b));
    PAIRS("fsgnj", FBIN("fsgnj", "", a, b));
    PAIRS("fsgnjn", FBIN("fsgnjn", "", a, b));
    PAIRS("fsgnjx", FBIN("fsgnjx", "", a, b));
    PAIRS("feq", FCMP("feq", a, b));
    PAIRS("flt", FCMP("flt", a, b));
    PAIRS("fle", FCMP("fle", a, b));
    SINGLES("fsqrt", FUN("fsqrt" FS, "", a));
    SINGLES("fclass", FTOI("fclass" FS, "", a));
    SINGLES("fmv.x", FTOI("fmv.x." FM, "", a));
}

/* Every static rounding mode and dyn with each frm, on inexact operations. */
#define ALL_RM(label, M)                                                                       \
    pr("%s:", label);                                                                          \
    M(", rne");                                                                                \
    M(", rtz");                                                                                \
    M(", rdn");                                                                                \
    M(", rup");                                                                                \
    M(", rmm");                                                                                \
    for (int f = 0; f < 5; f++) {                                                              \
        csr_write(frm, f);                                                                     \
        M(", dyn");                                                                            \
        M("");                                                                                 \
    }                                                                                          \
    csr_write(frm, 0);                                                                         \
    putch('\n');

static void fp_rounding(void)
{
    for (unsigned k = 0; k < N_RV; k++) {
        ulong a = rvals[k][0], b = rvals[k][1], c = rvals[k][2];
        pr("rm case %u\n", k);
#define M_ADD(rm) FBIN("fadd", rm, a, b)
#define M_SUB(rm) FBIN("fsub", rm, a, b)
#define M_MUL(rm) FBIN("fmul", rm, a, b)
#define M_DIV(rm) FBIN("fdiv", rm, a, b)
#define M_SQRT(rm) FUN("fsqrt" FS, rm, a)
#define M_MADD(rm) FTRI("fmadd", rm, a, b, c)
#define M_MSUB(rm) FTRI("fmsub", rm, a, b, c)
#define M_NMADD(rm) FTRI("fnmadd", rm, a, b, c)
#define M_NMSUB(rm) FTRI("fnmsub", rm, a, b, c)
        ALL_RM(" add", M_ADD);
        ALL_RM(" sub", M_SUB);
        ALL_RM(" mul", M_MUL);
        ALL_RM(" div", M_DIV);
        ALL_RM(" sqrt", M_SQRT);
        ALL_RM(" fmadd", M_MADD);
        ALL_RM(" fmsub", M_MSUB);
        ALL_RM(" fnmadd", M_NMADD);
        ALL_RM(" fnmsub", M_NMSUB);
    }
}

static void fp_fma_special(void)
{
    for (unsigned i = 0; i < N_FV; i++) {
        pr("fmadd%s %lx:", FS, fvals[i]);
        for (unsigned j = 0; j < N_FV; j += 3)
            for (unsigned k = 0; k < N_FV; k += 4)
                FTRI("fmadd", "", fvals[i], fvals[j], fvals[k]);
        putch('\n');
    }
}

static const ulong ivals[] = {0,
                              1,
                              -1UL,
                              0x7fffffffUL,
                              0x80000000UL,
                              0xffffffff80000000UL,
                              0xffffffffUL,
                              0x7fffffffffffffffUL,
                              0x8000000000000000UL,
                              0x1000001UL,
                              0x20000000000001UL,
                              0xfffffffffffff801UL,
                              0x123456789abcdefUL};
#define N_IV (sizeof(ivals) / sizeof(ivals[0]))

static void fp_convert(void)
{
#define CVT_TO_INT(name)                                                                       \
    pr("%s rtz:", name);                                                                       \
    for (unsigned i = 0; i < N_FV; i++)                                                        \
        FTOI(name, ", rtz", fvals[i]);                                                         \
    putch('\n');                                                                               \
    pr("%s rne:", name);                                                                       \
    for (unsigned i = 0; i < N_FV; i++)                                                        \
        FTOI(name, ", rne", fvals[i]);                                                         \
    putch('\n');                                                                               \
    pr("%s rm cases:", name);                                                                  \
    for (unsigned i = 0; i < N_CV; i++) {                                                      \
        FTOI(name, ", rne", cvals[i]);                                                         \
        FTOI(name, ", rtz", cvals[i]);                                                         \
        FTOI(name, ", rdn", cvals[i]);                                                         \
        FTOI(name, ", rup", cvals[i]);                                                         \
        FTOI(name, ", rmm", cvals[i]);                                                         \
    }                                                                                          \
    putch('\n');
    CVT_TO_INT("fcvt.w" FS);
    CVT_TO_INT("fcvt.wu" FS);
    CVT_TO_INT("fcvt.l" FS);
    CVT_TO_INT("fcvt.lu" FS);
#define CVT_FROM_INT(name)                                                                     \
    pr("%s:", name);                                                                           \
    for (unsigned i = 0; i < N_IV; i++) {                                                      \
        ITOF(name, ", rne", ivals[i]);                                                         \
        ITOF(name, ", rtz", ivals[i]);                                                         \
        ITOF(name, ", rdn", ivals[i]);                                                         \
        ITOF(name, ", rup", ivals[i]);                                                         \
        ITOF(name, ", rmm", ivals[i]);                                                         \
    }                                                                                          \
    putch('\n');
#ifdef FCVT_FROM_W_EXACT
    /* Exact: the assembler accepts no rounding mode. */
    pr("fcvt" FS ".w/wu:");
    for (unsigned i = 0; i < N_IV; i++) {
        ITOF("fcvt" FS ".w", "", ivals[i]);
        ITOF("fcvt" FS ".wu", "", ivals[i]);
    }
    putch('\n');
#else
    CVT_FROM_INT("fcvt" FS ".w");
    CVT_FROM_INT("fcvt" FS ".wu");
#endif
    CVT_FROM_INT("fcvt" FS ".l");
    CVT_FROM_INT("fcvt" FS ".lu");
    pr("fmv." FM ".x/fmv.x." FM ":");
    for (unsigned i = 0; i < N_IV; i++) {
        ulong r;
        asm volatile("fmv." FM ".x ft0, %1\n fmv.x." FM " %0, ft0" : "=r"(r) : "r"(ivals[i])
                     : "ft0");
        pr(" %lx", r);
    }
    putch('\n');
}

static void fp_csr(void)
{
    ulong lab;
    /* Reserved rounding modes: static 5/6 and dyn with frm 5..7 are illegal. */
    for (int rm = 5; rm <= 7; rm++) {
        csr_write(frm, rm);
        trap_reset();
        asm volatile("la %0, 1f\n1: fadd" FS " ft2, ft0, ft1, dyn" : "=r"(lab)::"ft2");
        pr("frm=%d:", rm);
        pr_trap(" dyn", 0, lab);
    }
    csr_write(frm, 0);
    trap_reset();
    asm volatile("la %0, 1f\n1: .insn r 0x53, 5, 0, ft2, ft0, ft1" : "=r"(lab)::"ft2");
    pr_trap("static rm=5 (fadd.s)", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: .insn r 0x53, 6, 1, ft2, ft0, ft1" : "=r"(lab)::"ft2");
    pr_trap("static rm=6 (fadd.d)", 0, lab);
    /* fcsr = frm << 5 | fflags; the three views alias. */
    csr_write(fcsr, 0xff);
    pr("fcsr=ff: frm=%lx fflags=%lx fcsr=%lx\n", csr_read(frm), csr_read(fflags), csr_read(fcsr));
    csr_write(fcsr, 0xffffffff);
    pr("fcsr=ffffffff: fcsr=%lx\n", csr_read(fcsr));
    csr_write(frm, 0x2);
    csr_write(fflags, 0x15);
    pr("frm=2 fflags=15: fcsr=%lx\n", csr_read(fcsr));
    csr_write(fflags, 0xffff);
    csr_write(frm, 0xffff);
    pr("frm=ffff fflags=ffff: fcsr=%lx\n", csr_read(fcsr));
    ulong old;
    asm volatile("csrrwi %0, frm, 3" : "=r"(old));
    pr("csrrwi frm old=%lx new fcsr=%lx\n", old, csr_read(fcsr));
    asm volatile("csrrci %0, fflags, 0x1f" : "=r"(old));
    pr("csrrci fflags old=%lx new fcsr=%lx\n", old, csr_read(fcsr));
    asm volatile("fsflags %0, %1" : "=r"(old) : "r"(0x3UL));
    pr("fsflags old=%lx fcsr=%lx\n", old, csr_read(fcsr));
    asm volatile("fsrm %0, %1" : "=r"(old) : "r"(0x1UL));
    pr("fsrm old=%lx fcsr=%lx\n", old, csr_read(fcsr));
    /* Flags accumulate. */
    csr_write(fcsr, 0);
    FBIN("fdiv", "", 0x0, 0x0);
    FBIN("fdiv", "", fvals[2], 0x0);
    putch('\n');
    csr_write(fcsr, 0);
    ulong f;
    asm volatile("fmv." FM ".x ft0, zero\n fdiv" FS " ft1, ft0, ft0\n fmv." FM ".x ft2, %1\n"
                 "fdiv" FS " ft1, ft2, ft0\n fdiv" FS " ft1, ft2, ft0\n"
                 "csrr %0, fflags"
                 : "=r"(f)
                 : "r"(fvals[2])
                 : "ft0", "ft1", "ft2");
    pr("accumulated fflags=%lx\n", f);
    csr_write(fcsr, 0);

    /* mstatus.FS: an FP op makes it Dirty; Off makes FP instructions illegal. */
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 1UL << 13);
    pr("FS=initial: %lx\n", (csr_read(mstatus) >> 13) & 3);
    asm volatile("fadd" FS " ft0, ft0, ft0" ::: "ft0");
    pr("after fadd: FS=%lx SD=%lx\n", (csr_read(mstatus) >> 13) & 3, csr_read(mstatus) >> 63);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 2UL << 13);
    asm volatile("fmv.x." FM " %0, ft0" : "=r"(old));
    pr("FS=clean, fmv.x: FS=%lx\n", (csr_read(mstatus) >> 13) & 3);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 2UL << 13);
    csr_read(fcsr);
    pr("FS=clean, read fcsr: FS=%lx\n", (csr_read(mstatus) >> 13) & 3);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 2UL << 13);
    csr_write(fflags, 0);
    pr("FS=clean, write fflags: FS=%lx\n", (csr_read(mstatus) >> 13) & 3);
    csr_clear(mstatus, MSTATUS_FS);
    pr("FS=off: SD=%lx\n", csr_read(mstatus) >> 63);
    trap_reset();
    asm volatile("la %0, 1f\n1: fadd" FS " ft0, ft0, ft0" : "=r"(lab)::"ft0");
    pr_trap("FS=off fadd", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: csrr %1, fcsr" : "=r"(lab), "=r"(old));
    pr_trap("FS=off csrr fcsr", 0, lab);
    trap_reset();
    asm volatile(".option push\n.option norvc\nla %0, 1f\n1: fld ft0, 0(sp)\n.option pop"
                 : "=r"(lab)::"ft0");
    pr_trap("FS=off fld", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: c.fldsp ft0, 0(sp)" : "=r"(lab)::"ft0");
    pr_trap("FS=off c.fldsp", 0, lab);
    csr_set(mstatus, 3UL << 13);
}

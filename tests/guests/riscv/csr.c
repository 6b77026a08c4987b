/* Zicsr: csrrw/s/c and immediate forms, read-only and missing CSRs, WARL fields of
 * misa, mstatus, mtvec, medeleg/mideleg, mie/mip, satp, and the S-mode views. */
#include "rt.h"

/* Reads a CSR, printing its value or the trap it raised. */
#define TRY_READ_ANY(csr)                                                                      \
    do {                                                                                       \
        ulong v_ = 0, lab_;                                                                    \
        trap_reset();                                                                          \
        asm volatile("la %1, 1f\n1: csrr %0, " #csr : "+r"(v_), "=r"(lab_)::"memory");         \
        if (trap_count)                                                                        \
            pr_trap("read " #csr, 0, lab_);                                                    \
        else                                                                                   \
            pr("read " #csr " ok\n");                                                          \
    } while (0)

#define TRY_READ(csr)                                                                          \
    do {                                                                                       \
        ulong v_ = 0, lab_;                                                                    \
        trap_reset();                                                                          \
        asm volatile("la %1, 1f\n1: csrr %0, " #csr : "+r"(v_), "=r"(lab_)::"memory");         \
        if (trap_count)                                                                        \
            pr_trap("read " #csr, 0, lab_);                                                    \
        else                                                                                   \
            pr("read " #csr " = %lx\n", v_);                                                   \
    } while (0)
#define TRY_WRITE(csr, val)                                                                    \
    do {                                                                                       \
        ulong lab_;                                                                            \
        trap_reset();                                                                          \
        asm volatile("la %0, 1f\n1: csrw " #csr ", %1" : "=&r"(lab_) : "r"((ulong)(val))       \
                     : "memory");                                                              \
        pr_trap("write " #csr, 0, lab_);                                                       \
    } while (0)

static void test_rw(void)
{
    ulong o, n, save = csr_read(mscratch);
    csr_write(mscratch, 0x0f0f0f0f0f0f0f0fUL);
    asm volatile("csrrw %0, mscratch, %1" : "=r"(o) : "r"(0x123456789abcdef0UL));
    n = csr_read(mscratch);
    pr("csrrw old=%lx new=%lx\n", o, n);
    asm volatile("csrrs %0, mscratch, %1" : "=r"(o) : "r"(0xff00UL));
    pr("csrrs old=%lx new=%lx\n", o, csr_read(mscratch));
    asm volatile("csrrc %0, mscratch, %1" : "=r"(o) : "r"(0xf0000000000000f0UL));
    pr("csrrc old=%lx new=%lx\n", o, csr_read(mscratch));
    asm volatile("csrrwi %0, mscratch, 0x1f" : "=r"(o));
    pr("csrrwi old=%lx new=%lx\n", o, csr_read(mscratch));
    asm volatile("csrrsi %0, mscratch, 0x0c" : "=r"(o));
    pr("csrrsi old=%lx new=%lx\n", o, csr_read(mscratch));
    asm volatile("csrrci %0, mscratch, 0x11" : "=r"(o));
    pr("csrrci old=%lx new=%lx\n", o, csr_read(mscratch));
    asm volatile("csrrs %0, mscratch, x0" : "=r"(o));
    pr("csrrs x0 = %lx\n", o);
    /* rd = x0: write only. */
    asm volatile("csrrw x0, mscratch, %0" ::"r"(0x55UL));
    pr("csrrw rd=x0 new=%lx\n", csr_read(mscratch));
    /* rd == rs1: old value read before the write. */
    ulong t = 0x77;
    asm volatile("csrrw %0, mscratch, %0" : "+r"(t));
    pr("csrrw rd==rs1 old=%lx new=%lx\n", t, csr_read(mscratch));
    csr_write(mscratch, save);
}

static void test_readonly(void)
{
    TRY_READ(mvendorid);
    /* Identity values differ between implementations: only that they read. */
    TRY_READ_ANY(marchid);
    TRY_READ_ANY(mimpid);
    TRY_READ(mhartid);
    TRY_READ(mconfigptr);
    TRY_WRITE(mvendorid, 0);
    TRY_WRITE(mhartid, 0);
    TRY_WRITE(marchid, 0);
    TRY_WRITE(cycle, 0);
    TRY_WRITE(time, 0);
    TRY_WRITE(instret, 0);
    ulong lab, v;
    /* Set/clear with x0 / uimm 0 does not write, so it is legal on read-only CSRs. */
    trap_reset();
    asm volatile("la %0, 1f\n1: csrrs %1, mhartid, x0" : "=r"(lab), "=r"(v));
    pr_trap("csrrs mhartid, x0", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: csrrci %1, mhartid, 0" : "=r"(lab), "=r"(v));
    pr_trap("csrrci mhartid, 0", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: csrrs %1, mhartid, %2" : "=r"(lab), "=r"(v) : "r"(0UL));
    pr_trap("csrrs mhartid, reg=0", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: csrrsi %1, mvendorid, 1" : "=r"(lab), "=r"(v));
    pr_trap("csrrsi mvendorid, 1", 0, lab);
    /* CSRs that do not exist. */
    trap_reset();
    asm volatile("la %0, 1f\n1: csrr %1, 0x7c0" : "=r"(lab), "=r"(v));
    pr_trap("csrr 0x7c0", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: csrw 0x8ff, %1" : "=&r"(lab) : "r"(1UL));
    pr_trap("csrw 0x8ff", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: csrr %1, 0x5c0" : "=r"(lab), "=r"(v));
    pr_trap("csrr 0x5c0", 0, lab);
    TRY_READ(mhpmcounter3);
    TRY_READ(mhpmevent3);
    TRY_READ(mcountinhibit);
    TRY_READ(menvcfg);
    TRY_READ(senvcfg);
    TRY_READ(mseccfg);
    TRY_READ(tselect);
    TRY_READ(stimecmp);
}

static void test_misa(void)
{
    ulong misa = csr_read(misa), n1, n2;
    pr("misa = %lx\n", misa);
    /* Clear M, then put it back before anything divides. */
    asm volatile("csrw misa, %2\n csrr %0, misa\n csrw misa, %3\n csrr %1, misa"
                 : "=&r"(n1), "=&r"(n2)
                 : "r"(misa & ~(1UL << 12)), "r"(misa));
    pr("misa without M = %lx, restored = %lx\n", n1, n2);
    asm volatile("csrw misa, zero\n csrr %0, misa\n csrw misa, %1" : "=&r"(n1) : "r"(misa));
    pr("misa write 0 = %lx\n", n1);
}

static void test_mstatus(void)
{
    ulong save = csr_read(mstatus), mie = csr_swap(mie, 0), a, b, c, d, e, f;
    /* Interrupts stay off: mie is 0 and nothing in here traps. */
    asm volatile("csrw mstatus, %6\n csrr %0, mstatus\n csrw mstatus, zero\n csrr %1, mstatus\n"
                 "csrw mstatus, %7\n csrr %2, mstatus\n csrr %3, sstatus\n"
                 "csrw sstatus, %6\n csrr %4, mstatus\n csrr %5, sstatus\n csrw mstatus, %8"
                 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f)
                 : "r"(-1UL), "r"(2UL << 11), "r"(save));
    csr_write(mie, mie);
    pr("mstatus write ~0 = %lx\n", a);
    pr("mstatus write 0 = %lx\n", b);
    pr("mstatus MPP=2 = %lx sstatus = %lx\n", c, d);
    pr("sstatus write ~0: mstatus = %lx sstatus = %lx\n", e, f);
    pr("mstatus restored = %lx\n", csr_read(mstatus) == save);
    /* Individual fields. */
    ulong m;
#define FIELD(name, bits)                                                                      \
    csr_set(mstatus, bits);                                                                    \
    m = csr_read(mstatus);                                                                     \
    csr_write(mstatus, save);                                                                  \
    pr("set " name ": %lx\n", m & (bits))
    FIELD("SPP", MSTATUS_SPP);
    FIELD("MPRV", MSTATUS_MPRV);
    FIELD("SUM", MSTATUS_SUM);
    FIELD("MXR", MSTATUS_MXR);
    FIELD("TVM", MSTATUS_TVM);
    FIELD("TW", MSTATUS_TW);
    FIELD("TSR", MSTATUS_TSR);
    FIELD("XS", 3UL << 15);
    FIELD("UXL/SXL", 0xfUL << 32);
    FIELD("UBE/SBE/MBE", (1UL << 6) | (3UL << 36));
    csr_clear(mstatus, 3UL << 32);
    pr("clear UXL: %lx\n", (csr_read(mstatus) >> 32) & 3);
    csr_write(mstatus, save);
}

static void test_others(void)
{
    ulong save, v, w;
    save = csr_read(mtvec);
    static const ulong tv[] = {0x80001000, 0x80001001, 0x80001002, 0x80001003, 0x80001004,
                               0x80001005, 0x80001084};
    for (unsigned i = 0; i < sizeof(tv) / sizeof(tv[0]); i++) {
        asm volatile("csrw mtvec, %1\n csrr %0, mtvec\n csrw mtvec, %2"
                     : "=&r"(v)
                     : "r"(tv[i]), "r"(save));
        if (v == save)
            pr("mtvec %lx -> unchanged\n", tv[i]);
        else
            pr("mtvec %lx -> %lx\n", tv[i], v);
    }
    save = csr_read(stvec);
    csr_write(stvec, 0x80002003);
    v = csr_read(stvec);
    if (v == save)
        pr("stvec 80002003 -> unchanged\n");
    else
        pr("stvec 80002003 -> %lx\n", v);
    csr_write(stvec, 0x80002001);
    pr("stvec 80002001 -> %lx\n", csr_read(stvec));
    csr_write(stvec, save);

    csr_write(medeleg, -1UL);
    csr_write(mideleg, -1UL);
    pr("medeleg ~0 -> %lx mideleg ~0 -> %lx\n", csr_read(medeleg), csr_read(mideleg));
    csr_write(sie, -1UL);
    pr("sie ~0 with mideleg ~0 -> %lx mie = %lx\n", csr_read(sie), csr_read(mie));
    csr_write(mie, 0);
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);
    csr_write(sie, -1UL);
    pr("sie ~0 with mideleg 0 -> %lx mie = %lx\n", csr_read(sie), csr_read(mie));
    csr_write(mie, -1UL);
    v = csr_read(mie);
    csr_write(mie, 0);
    pr("mie ~0 -> %lx\n", v);
    csr_write(mip, -1UL);
    v = csr_read(mip);
    csr_write(mip, 0);
    w = csr_read(mip);
    pr("mip ~0 -> %lx, 0 -> %lx\n", v, w);
    csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
    csr_write(mip, MIP_SSIP | MIP_STIP);
    pr("mideleg S: sip = %lx\n", csr_read(sip));
    csr_write(sip, 0);
    pr("sip write 0: mip = %lx\n", csr_read(mip));
    csr_write(sip, -1UL);
    pr("sip write ~0: mip = %lx\n", csr_read(mip));
    csr_write(mip, 0);
    csr_write(mideleg, 0);
    csr_write(mcounteren, -1UL);
    csr_write(scounteren, -1UL);
    pr("mcounteren ~0 -> %lx scounteren ~0 -> %lx\n", csr_read(mcounteren),
       csr_read(scounteren));
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    csr_write(mcountinhibit, -1UL);
    v = csr_read(mcountinhibit);
    csr_write(mcountinhibit, 0);
    pr("mcountinhibit ~0 -> %lx\n", v);
    /* satp: unsupported modes are ignored, supported ones stick. */
    static const ulong sv[] = {8UL << 60 | 0x80123, 9UL << 60 | 0x80123, 10UL << 60 | 0x80123,
                               1UL << 60 | 0x80123, 0xffffffffffffUL, 8UL << 60 | 0xffffUL << 44};
    for (unsigned i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
        csr_write(satp, 0);
        csr_write(satp, sv[i]);
        pr("satp %lx -> %lx\n", sv[i], csr_read(satp));
    }
    csr_write(satp, 0);
    asm volatile("sfence.vma");
    csr_write(sscratch, 0x1234);
    pr("sscratch %lx\n", csr_read(sscratch));
    csr_write(sscratch, (ulong)__scratch_end);
    extern char __strap_stack_top[];
    csr_write(sscratch, (ulong)__strap_stack_top);
    save = csr_read(sepc);
    csr_write(sepc, -1UL);
    pr("sepc ~0 -> %lx\n", csr_read(sepc));
    csr_write(mepc, -1UL);
    pr("mepc ~0 -> %lx\n", csr_read(mepc));
    csr_write(scause, -1UL);
    pr("scause ~0 -> %lx\n", csr_read(scause));
    csr_write(mcause, -1UL);
    pr("mcause ~0 -> %lx\n", csr_read(mcause));
    csr_write(stval, -1UL);
    csr_write(mtval, -1UL);
    pr("stval/mtval ~0 -> %lx %lx\n", csr_read(stval), csr_read(mtval));
    csr_write(pmpaddr0, -1UL);
    pr("pmpaddr0 ~0 -> %lx\n", csr_read(pmpaddr0));
    csr_write(pmpaddr0, 0);
    csr_write(pmpcfg0, 0x1f1e1d1c1b1a1918UL);
    pr("pmpcfg0 1f1e1d1c1b1a1918 -> %lx\n", csr_read(pmpcfg0));
    csr_write(pmpcfg0, 0x0000000000006040UL);
    pr("pmpcfg0 6040 -> %lx\n", csr_read(pmpcfg0));
    csr_write(pmpcfg0, 0);
}

int main(void)
{
    test_rw();
    test_readonly();
    test_misa();
    test_mstatus();
    test_others();
    pr("DONE csr\n");
    return 0;
}

/* Privilege: mret/sret into S and U, CSR access by privilege, medeleg/mideleg
 * delegation to S, the sstatus view, TVM/TW/TSR, illegal xRET. */
#include "rt.h"

#define IN_MODE(label, mode, fn)                                                               \
    do {                                                                                       \
        trap_reset();                                                                          \
        ulong r_ = enter_mode(mode, fn, 0);                                                    \
        pr("%s: ret=%lx ", label, r_);                                                         \
        pr_trap("M trap", 0, (ulong)fn);                                                               \
    } while (0)

/* Each returns the value it wants printed; traps are logged by the handlers. */
static ulong read_mstatus(ulong a)
{
    (void)a;
    ulong v = 0x5a;
    asm volatile("csrr %0, mstatus" : "+r"(v));
    return v;
}
static ulong read_sstatus(ulong a)
{
    (void)a;
    ulong v = 0x5a;
    asm volatile("csrr %0, sstatus" : "+r"(v));
    return v;
}
static ulong read_satp(ulong a)
{
    (void)a;
    ulong v = 0x5a;
    asm volatile("csrr %0, satp" : "+r"(v));
    return v;
}
static ulong write_satp(ulong a)
{
    (void)a;
    asm volatile("csrw satp, zero");
    return 0;
}
static ulong do_sfence(ulong a)
{
    (void)a;
    asm volatile("sfence.vma");
    return 0;
}
static ulong do_sret(ulong a)
{
    (void)a;
    /* sepc points back at the next instruction so a legal sret just continues. */
    asm volatile("la t0, 1f\n csrw sepc, t0\n sret\n1:" ::: "t0");
    return 0;
}
static ulong do_sret_u(ulong a)
{
    (void)a;
    asm volatile("sret");
    return 0;
}
static ulong do_mret(ulong a)
{
    (void)a;
    asm volatile("mret");
    return 0;
}
static ulong do_wfi(ulong a)
{
    (void)a;
    asm volatile("wfi");
    return 0;
}
static ulong do_ebreak(ulong a)
{
    (void)a;
    asm volatile("ebreak");
    return 1;
}
static ulong do_ecall(ulong a)
{
    (void)a;
    register ulong a7 asm("a7") = 0;
    asm volatile("ecall" ::"r"(a7));
    return 2;
}
static ulong do_illegal(ulong a)
{
    (void)a;
    asm volatile(".4byte 0xffffffff");
    return 3;
}
static ulong do_load_fault(ulong a)
{
    (void)a;
    ulong v = 0;
    asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(0x88000000UL));
    return v;
}
/* S: change sstatus fields and report what mstatus-visible bits it touched. */
static ulong s_sstatus(ulong a)
{
    (void)a;
    ulong v;
    asm volatile("csrs sstatus, %1\n csrr %0, sstatus"
                 : "=r"(v)
                 : "r"(MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPIE | MSTATUS_SPP));
    return v;
}
/* S: take a delegated U trap? No: ebreak in S, delegated, is handled in S. */
static ulong s_ebreak(ulong a)
{
    (void)a;
    asm volatile("ebreak");
    return csr_read(sstatus);
}
static ulong u_csr_user(ulong a)
{
    (void)a;
    ulong v = 0;
    asm volatile("csrr %0, fflags" : "+r"(v));
    return v;
}

static void test_access(void)
{
    IN_MODE("S reads mstatus", PRV_S, read_mstatus);
    IN_MODE("U reads sstatus", PRV_U, read_sstatus);
    IN_MODE("U reads fflags", PRV_U, u_csr_user);
    IN_MODE("S reads satp", PRV_S, read_satp);
    IN_MODE("S mret", PRV_S, do_mret);
    IN_MODE("U mret", PRV_U, do_mret);
    IN_MODE("U sret", PRV_U, do_sret_u);
    IN_MODE("S sret", PRV_S, do_sret);
    IN_MODE("U wfi", PRV_U, do_wfi);
    IN_MODE("S ebreak", PRV_S, do_ebreak);
    IN_MODE("U illegal", PRV_U, do_illegal);
    IN_MODE("U load fault", PRV_U, do_load_fault);
}

static void test_tvm_tw_tsr(void)
{
    csr_set(mstatus, MSTATUS_TVM);
    IN_MODE("TVM: S reads satp", PRV_S, read_satp);
    IN_MODE("TVM: S writes satp", PRV_S, write_satp);
    IN_MODE("TVM: S sfence.vma", PRV_S, do_sfence);
    csr_clear(mstatus, MSTATUS_TVM);
    IN_MODE("no TVM: S sfence.vma", PRV_S, do_sfence);
    csr_set(mstatus, MSTATUS_TW);
    IN_MODE("TW: S wfi", PRV_S, do_wfi);
    IN_MODE("TW: U wfi", PRV_U, do_wfi);
    csr_clear(mstatus, MSTATUS_TW);
    csr_set(mstatus, MSTATUS_TSR);
    IN_MODE("TSR: S sret", PRV_S, do_sret);
    csr_clear(mstatus, MSTATUS_TSR);
    /* M-mode is not affected by any of them. */
    csr_set(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
    trap_reset();
    csr_read(satp);
    asm volatile("sfence.vma");
    csr_clear(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
    pr_trap("TVM/TW/TSR in M", 0, 0);
}

static void test_deleg(void)
{
    csr_write(medeleg, (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8));
    pr("medeleg = %lx\n", csr_read(medeleg));
#define DELEG(label, mode, fn)                                                                 \
    do {                                                                                       \
        trap_reset();                                                                          \
        ulong r_ = enter_mode(mode, fn, 0);                                                    \
        pr("%s: ret=%lx ", label, r_);                                                         \
        pr_trap("M", 0, (ulong)fn);                                                            \
        pr_strap("  S", 0, (ulong)fn);                                                               \
        if (strap_count)                                                                       \
            pr("  S prev priv %lx\n", strap_log[0].prev_priv);                                 \
    } while (0)
    DELEG("U ebreak", PRV_U, do_ebreak);
    DELEG("U ecall", PRV_U, do_ecall);
    DELEG("U illegal", PRV_U, do_illegal);
    DELEG("U load fault", PRV_U, do_load_fault);
    DELEG("S ebreak", PRV_S, do_ebreak);
    DELEG("S ecall (not delegated)", PRV_S, do_ecall);
    /* Delegation never applies to traps taken in M. */
    trap_reset();
    ulong lab;
    asm volatile("la %0, 1f\n1: ebreak" : "=r"(lab));
    pr_trap("M ebreak with medeleg", 0, lab);
    pr_strap("  S", 0, 0);
    csr_write(medeleg, 0);

    /* S trap entry: SPP, SPIE, SIE. */
    csr_write(medeleg, 1 << 3);
    csr_set(mstatus, MSTATUS_SIE);
    trap_reset();
    ulong ss = enter_mode(PRV_S, s_ebreak, 0);
    csr_clear(mstatus, MSTATUS_SIE);
    pr("after S ebreak + sret (SIE was 1): SIE=%lx SPIE=%lx SPP=%lx\n", (ss >> 1) & 1,
       (ss >> 5) & 1, (ss >> 8) & 1);
    pr_strap("  S", 0, (ulong)s_ebreak);
    csr_write(medeleg, 0);
}

static void test_sstatus(void)
{
    ulong save = csr_read(mstatus);
    trap_reset();
    ulong s = enter_mode(PRV_S, s_sstatus, 0);
    ulong m = csr_read(mstatus);
    csr_write(mstatus, save);
    pr("S sets SUM|MXR|SPIE|SPP: sstatus=%lx mstatus=%lx\n", s, m);
    pr_trap("  M", 0, 0);
    /* mret into S with MPIE: S sees MIE? No: sstatus hides MIE/MPIE/MPP. */
    csr_set(mstatus, MSTATUS_MPIE | MSTATUS_MIE);
    csr_write(mie, 0);
    s = enter_mode(PRV_S, read_sstatus, 0);
    m = csr_read(mstatus);
    csr_write(mstatus, save);
    pr("sstatus in S after mret(MPIE=1) = %lx; mstatus back in M = %lx\n", s, m);
}

int main(void)
{
    test_access();
    test_tvm_tw_tsr();
    test_deleg();
    test_sstatus();
    pr("DONE priv\n");
    return 0;
}

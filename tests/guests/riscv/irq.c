/* Interrupts: CLINT software and timer interrupts, STIP/SSIP delegated to S,
 * priority of several pending interrupts, M interrupts always enabled below M,
 * wfi with an interrupt pending, vectored mtvec. Prints what was taken, never when. */
#include "rt.h"

#define IRQ(n) (0x8000000000000000UL | (n))

void vec_table(void);
volatile ulong vec_last;
asm(".pushsection .text\n .option push\n .option norvc\n .align 8\n .globl vec_table\nvec_table:\n"
    " j m_trap_entry\n"
    " .irp n,1,2,3,4,5,6,7,8,9,10,11\n j vec_stub\\n\n .endr\n"
    ".irp n,1,2,3,4,5,6,7,8,9,10,11\nvec_stub\\n:\n csrrw sp, mscratch, sp\n sd t0, -8(sp)\n"
    " sd t1, -16(sp)\n li t0, \\n\n la t1, vec_last\n sd t0, 0(t1)\n ld t0, -8(sp)\n"
    " ld t1, -16(sp)\n csrrw sp, mscratch, sp\n j m_trap_entry\n .endr\n .option pop\n .popsection");

static void wait_traps(int n)
{
    for (long i = 0; i < 100000000L && trap_count + strap_count < n; i++)
        ;
}

static ulong s_wait(ulong n)
{
    csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 100000000L && strap_count + trap_count < (int)n; i++)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    return strap_count;
}

static ulong s_set_ssip(ulong a)
{
    (void)a;
    csr_set(sie, MIP_SSIP);
    csr_set(sip, MIP_SSIP);
    csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 100000000L && !strap_count; i++)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    return csr_read(sip);
}

static ulong s_spin(ulong a)
{
    (void)a;
    for (long i = 0; i < 100000000L && !trap_count; i++)
        ;
    return 0;
}

int main(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
    pr("reset: mtimecmp=0 so MTIP pending: %lx\n", (csr_read(mip) >> 7) & 1);
    mmio_w64(CLINT_MTIMECMP, ~0UL);
    pr("mtimecmp=~0: MTIP %lx\n", (csr_read(mip) >> 7) & 1);

    /* Software interrupt through the CLINT. */
    trap_reset();
    mmio_w32(CLINT_MSIP, 1);
    pr("msip=1: mip.MSIP %lx, not taken with MIE=0: traps=%d\n", (csr_read(mip) >> 3) & 1,
       trap_count);
    csr_write(mie, MIP_MSIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_traps(1);
    csr_clear(mstatus, MSTATUS_MIE);
    pr_causes("MSIP taken");
    pr("msip after handler cleared it: %x, mip.MSIP %lx\n", mmio_r32(CLINT_MSIP),
       (csr_read(mip) >> 3) & 1);

    /* Timer interrupt a little in the future. */
    trap_reset();
    mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + 1000);
    csr_write(mie, MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_traps(1);
    csr_clear(mstatus, MSTATUS_MIE);
    pr_causes("MTIP taken");
    pr("MTIP after mtimecmp=~0: %lx\n", (csr_read(mip) >> 7) & 1);

    /* wfi with an interrupt pending but disabled globally: wfi returns, no trap. */
    trap_reset();
    mmio_w32(CLINT_MSIP, 1);
    csr_write(mie, MIP_MSIP);
    asm volatile("wfi");
    pr("wfi with MSIP pending, MIE=0: traps=%d\n", trap_count);
    /* wfi waiting for the timer. */
    mmio_w32(CLINT_MSIP, 0);
    mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + 1000);
    csr_write(mie, MIP_MTIP);
    for (int i = 0; i < 1000 && !((csr_read(mip) >> 7) & 1); i++)
        asm volatile("wfi");
    pr("wfi woke with MTIP %lx traps=%d\n", (csr_read(mip) >> 7) & 1, trap_count);
    mmio_w64(CLINT_MTIMECMP, ~0UL);
    csr_write(mie, 0);

    /*
     * Several pending at once: all five are taken. The order is not printed:
     * the spec's is MEI MSI MTI SEI SSI STI, but QEMU 7.2 takes them in bit
     * order (1 3 5 7 9), and the emulator follows the spec.
     */
    trap_reset();
    mmio_w32(CLINT_MSIP, 1);
    mmio_w64(CLINT_MTIMECMP, 0);
    csr_write(mip, MIP_SSIP | MIP_STIP | MIP_SEIP);
    csr_write(mie, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP | MIP_SEIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_traps(5);
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mip, 0);
    pr_causes_sorted("all pending taken");

    /* M interrupts are enabled in S and U whatever mstatus.MIE says. */
    trap_reset();
    mmio_w32(CLINT_MSIP, 1);
    csr_write(mie, MIP_MSIP);
    enter_mode(PRV_S, s_spin, 0);
    pr_causes("MSIP while in S with MIE=0");
    pr("  prev priv %lx\n", trap_log[0].prev_priv);

    /* STIP delegated to S, raised by M through mip. */
    trap_reset();
    csr_write(mideleg, MIP_STIP | MIP_SSIP);
    csr_write(mie, MIP_STIP);
    csr_set(mip, MIP_STIP);
    pr("mip.STIP set from M: sip=%lx\n", csr_read(sip));
    ulong n = enter_mode(PRV_S, s_wait, 1);
    csr_clear(mip, MIP_STIP);
    pr("STIP delegated: S traps=%lx S cause=%lx\n", n, strap_log[0].cause);
    pr_causes("  M");
    /* Delegated interrupts are not taken in M even with MIE=1. */
    trap_reset();
    csr_write(mie, MIP_STIP);
    csr_set(mip, MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_traps(1);
    csr_clear(mstatus, MSTATUS_MIE);
    csr_clear(mip, MIP_STIP);
    pr("delegated STIP in M with MIE=1: M traps=%d S traps=%d\n", trap_count, strap_count);
    /* S raises its own software interrupt. */
    trap_reset();
    csr_write(mie, 0);
    ulong sip = enter_mode(PRV_S, s_set_ssip, 0);
    pr("S sets sip.SSIP: sip after=%lx S traps=%d cause=%lx\n", sip, strap_count,
       strap_log[0].cause);
    csr_write(mip, 0);
    csr_write(mideleg, 0);
    csr_write(mie, 0);

    /* Vectored mtvec: interrupts go to base + 4*cause, exceptions to base. */
    ulong save = csr_read(mtvec);
    csr_write(mtvec, (ulong)vec_table | 1);
    trap_reset();
    vec_last = 0;
    mmio_w32(CLINT_MSIP, 1);
    csr_write(mie, MIP_MSIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_traps(1);
    csr_clear(mstatus, MSTATUS_MIE);
    pr("vectored MSIP: vector %lx ", vec_last);
    pr_causes("cause");
    trap_reset();
    vec_last = 0;
    mmio_w64(CLINT_MTIMECMP, 0);
    csr_write(mie, MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_traps(1);
    csr_clear(mstatus, MSTATUS_MIE);
    pr("vectored MTIP: vector %lx ", vec_last);
    pr_causes("cause");
    trap_reset();
    vec_last = 0;
    asm volatile("ebreak");
    pr("vectored ebreak: vector %lx ", vec_last);
    pr_causes("cause");
    csr_write(mtvec, save);
    csr_write(mie, 0);
    pr("DONE irq\n");
    return 0;
}

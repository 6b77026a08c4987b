/* Hostile guest behaviour: a tight trap loop that stops itself, and wild
 * accesses to unmapped physical addresses (access faults). */
#include "rt.h"

static volatile long loops;
extern char loop_insn[], loop_exit[];

/* Re-executes the faulting instruction until 20000 traps, then leaves. */
static int loop_hook(ulong *regs, ulong cause)
{
    (void)regs;
    (void)cause;
    if (++loops >= 20000)
        csr_write(mepc, (ulong)loop_exit);
    return 1;
}

static const ulong wild[] = {0x0,        0x200000UL,       0x1000000UL,     0x88000000UL,
                             0x100000000UL, 0x4000000000UL, 0x7ffffffffff8UL, 0xfffffffffffffff8UL,
                             0x2010000UL, 0x10000100UL};

int main(void)
{
    m_trap_hook = loop_hook;
    trap_reset();
    asm volatile(".globl loop_insn\nloop_insn: .4byte 0xffffffff\n .globl loop_exit\nloop_exit:"
                 ::: "memory");
    m_trap_hook = 0;
    pr("illegal-instruction loop: %ld traps, last cause %lx epc at insn %lx\n", loops,
       trap_log[TRAP_LOG_MAX - 1].cause, trap_log[TRAP_LOG_MAX - 1].epc == (ulong)loop_insn);

    for (unsigned i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
        ulong a = wild[i], v = 0x5a;
        pr("%lx:", a);
#define W(insn, st)                                                                            \
    trap_reset();                                                                              \
    if (st)                                                                                    \
        asm volatile(insn " %0, 0(%1)" ::"r"(v), "r"(a) : "memory");                            \
    else if (insn[0] == 'a')                                                                   \
        asm volatile("amoadd.w %0, %0, (%1)" : "+r"(v) : "r"(a) : "memory");                    \
    else if (insn[1] == 'r')                                                                   \
        asm volatile("lr.d %0, (%1)" : "+r"(v) : "r"(a) : "memory");                            \
    else                                                                                       \
        asm volatile(insn " %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");                          \
    if (trap_count)                                                                            \
        pr(" " insn "=%lx/%lx", trap_log[0].cause, trap_log[0].tval == a);                     \
    else                                                                                       \
        pr(" " insn "=ok");
        W("lb", 0);
        W("lh", 0);
        W("lw", 0);
        W("ld", 0);
        W("sb", 1);
        W("sh", 1);
        W("sw", 1);
        W("sd", 1);
        W("a", 0);
        W("lr", 0);
        putch('\n');
    }
    /* Writes to the boot ROM are dropped; no trap. */
    trap_reset();
    ulong before = mmio_r32(0x1000);
    mmio_w32(0x1000, 0x12345678);
    pr("mrom write: traps=%d unchanged=%x\n", trap_count, mmio_r32(0x1000) == before);
    /* A doubleword load that runs off the end of the UART's 8 registers. */
    trap_reset();
    ulong v;
    asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(UART_BASE + 4) : "memory");
    pr("ld across UART end: ");
    pr_trap("trap", UART_BASE, trap_log[0].epc);
    pr("DONE hostile\n");
    return 0;
}

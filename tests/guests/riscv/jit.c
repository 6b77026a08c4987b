/* The cases a translator gets wrong: code patched (with fence.i) inside a hot
 * loop and by a store inside the loop itself, faults in the middle of a block
 * and of a hot loop (registers written before the fault kept, none after),
 * an instruction straddling two pages (run, then its second half patched),
 * and interrupts ending loops that never touch memory. */
#include "rt.h"

#define PAGE 4096UL

/* RV64I encoders for code built at run time. */
static uint32_t i_type(uint32_t op, uint32_t f3, int rd, int rs1, int imm)
{
    return (uint32_t)(imm & 0xfff) << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}
static uint32_t addi(int rd, int rs1, int imm)
{
    return i_type(0x13, 0, rd, rs1, imm);
}
static uint32_t b_type(uint32_t f3, int rs1, int rs2, int off)
{
    uint32_t o = (uint32_t)off;
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | (uint32_t)rs2 << 20 |
           (uint32_t)rs1 << 15 | f3 << 12 | ((o >> 1) & 0xf) << 8 | ((o >> 11) & 1) << 7 | 0x63;
}
static uint32_t sw(int rs2, int rs1, int imm)
{
    uint32_t o = (uint32_t)imm;
    return ((o >> 5) & 0x7f) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | 2u << 12 |
           (o & 0x1f) << 7 | 0x23;
}
#define RET 0x00008067u
#define FENCE_I 0x0000100fu
enum { A0 = 10, A1 = 11, A2 = 12, T0 = 5 };

static void fence_i(void)
{
    asm volatile("fence.i" ::: "memory");
}

/* ---- a loop whose body is patched between calls ---- */
static ulong run_loop(uint32_t *code)
{
    return ((ulong(*)(void))code)();
}

static void test_patched_loop(uint32_t *code)
{
    code[0] = addi(A0, 0, 0);
    code[1] = addi(T0, 0, 100);
    code[2] = addi(A0, A0, 3); /* patched below */
    code[3] = addi(T0, T0, -1);
    code[4] = b_type(1, T0, 0, -8); /* bne t0, zero, code[2] */
    code[5] = RET;
    fence_i();
    pr("loop +3 x100: %ld\n", (long)run_loop(code));
    for (int k = 5; k <= 9; k += 2) {
        code[2] = addi(A0, A0, k);
        fence_i();
        ulong r = 0;
        for (int rep = 0; rep < 3; rep++) /* hot, so chained to itself */
            r += run_loop(code);
        pr("loop +%d x100 x3: %ld\n", k, (long)r);
    }
}

/* ---- a loop that stores over code after it, in the same page, on every iteration ---- */
static void test_store_in_loop(uint32_t *code)
{
    /* a1 = &code[7], a2 = the instruction word to store there */
    code[0] = addi(A0, 0, 0);
    code[1] = addi(T0, 0, 10);
    code[2] = addi(A0, A0, 1);
    code[3] = sw(A2, A1, 0);
    code[4] = addi(T0, T0, -1);
    code[5] = b_type(1, T0, 0, -12); /* bne t0, zero, code[2] */
    code[6] = FENCE_I;
    code[7] = addi(A0, A0, 100);
    code[8] = RET;
    fence_i();
    ulong (*f)(ulong, ulong, ulong) = (ulong(*)(ulong, ulong, ulong))code;
    for (int k = 1; k <= 3; k++)
        pr("store-in-loop pass %d: %ld\n", k, (long)f(0, (ulong)&code[7], addi(A0, A0, 500 * k)));
}

/* ---- faults in the middle of a block and of a hot loop ---- */
ulong fault_mid(ulong bad);
ulong fault_mid_store(ulong bad);
ulong fault_loop(ulong p);
extern char fault_mid_resume[], fault_mid_store_resume[], fault_loop_resume[];
extern char fault_mid_insn[], fault_mid_store_insn[], fault_loop_insn[];
asm(".pushsection .text\n .option push\n .option norvc\n"
    "fault_mid:\n li a1, 1\n li a2, 2\n addi a1, a1, 5\n"
    " .globl fault_mid_insn\nfault_mid_insn:\n ld a3, 0(a0)\n addi a2, a2, 7\n"
    " .globl fault_mid_resume\nfault_mid_resume:\n slli a1, a1, 8\n or a0, a1, a2\n ret\n"
    "fault_mid_store:\n li a1, 3\n li a2, 4\n addi a1, a1, 5\n"
    " .globl fault_mid_store_insn\nfault_mid_store_insn:\n sd a1, 0(a0)\n addi a2, a2, 7\n"
    " .globl fault_mid_store_resume\nfault_mid_store_resume:\n slli a1, a1, 8\n or a0, a1, a2\n"
    " ret\n"
    /* sums 8-byte words upward from a0 until a load faults; returns sum<<32 | count */
    "fault_loop:\n li a1, 0\n li a2, 0\n"
    "1:\n .globl fault_loop_insn\nfault_loop_insn:\n ld a3, 0(a0)\n add a1, a1, a3\n addi a2, a2, 1\n"
    " addi a0, a0, 8\n j 1b\n"
    " .globl fault_loop_resume\nfault_loop_resume:\n slli a1, a1, 32\n or a0, a1, a2\n ret\n"
    " .option pop\n .popsection");

static void test_faults(void)
{
    trap_reset();
    trap_resume = (ulong)fault_mid_resume;
    ulong r = fault_mid(0);
    pr("load fault mid-block: regs %lx\n", r);
    pr_trap("load fault mid-block", 0, (ulong)fault_mid_insn);

    trap_reset();
    trap_resume = (ulong)fault_mid_store_resume;
    r = fault_mid_store(0x10);
    pr("store fault mid-block: regs %lx\n", r);
    pr_trap("store fault mid-block", 0, (ulong)fault_mid_store_insn);

    /* the last 12 words of RAM (-m 128M), then the hole after it */
    volatile ulong *top = (volatile ulong *)(0x88000000UL - 12 * 8);
    for (int i = 0; i < 12; i++)
        top[i] = (ulong)(i + 1) * 3;
    for (int rep = 0; rep < 3; rep++) {
        trap_reset();
        trap_resume = (ulong)fault_loop_resume;
        r = fault_loop((ulong)top);
        pr("loop fault %d: sum %ld count %ld\n", rep, (long)(r >> 32), (long)(r & 0xffffffff));
        pr_trap("loop fault", 0x88000000UL, (ulong)fault_loop_insn);
    }
}

/* ---- an instruction straddling two pages ---- */
static void test_straddle(uint8_t *pages)
{
    uint8_t *p = pages + PAGE - 8;
    uint16_t h[5] = {0x4501, 0x0001, 0x0001, 0, 0}; /* c.li a0,0; c.nop; c.nop */
    uint32_t ins = addi(A0, A0, 7);
    h[3] = (uint16_t)ins;
    h[4] = (uint16_t)(ins >> 16);
    for (int i = 0; i < 5; i++)
        ((volatile uint16_t *)p)[i] = h[i];
    *(volatile uint32_t *)(pages + PAGE + 2) = RET;
    fence_i();
    ulong (*f)(void) = (ulong(*)(void))p;
    ulong s = 0;
    for (int i = 0; i < 50; i++)
        s += f();
    pr("straddling addi 7 x50: %ld\n", (long)s);
    /* patch only the half in the second page: the immediate's high bits */
    ins = addi(A0, A0, 0x123);
    *(volatile uint16_t *)(pages + PAGE) = (uint16_t)(ins >> 16);
    fence_i();
    s = 0;
    for (int i = 0; i < 50; i++)
        s += f();
    pr("straddling addi 0x123 x50: %ld\n", (long)s);
    /* and a fetch fault on the second page is not for this test: PMP/paging tests do that */
}

/* ---- interrupts out of loops with no loads or stores ---- */
ulong spin_forever(void);
ulong spin_ipi(ulong msip);
extern char spin_resume[], spin_ipi_resume[], spin_start[], spin_end[];
asm(".pushsection .text\n .option push\n .option norvc\n"
    "spin_forever:\n li a0, 0\n"
    " .globl spin_start\nspin_start:\n1: addi a0, a0, 1\n j 1b\n"
    " .globl spin_end\nspin_end:\n"
    " .globl spin_resume\nspin_resume:\n li a0, 1\n ret\n"
    /* self-IPI from inside the loop: the store raises MSIP, taken at the block's end */
    "spin_ipi:\n li t0, 1\n"
    "2: sw t0, 0(a0)\n addi t0, t0, 0\n j 2b\n"
    " .globl spin_ipi_resume\nspin_ipi_resume:\n li a0, 2\n ret\n"
    " .option pop\n .popsection");

static volatile ulong irq_epc;
static int irq_hook(ulong *regs, ulong cause)
{
    (void)regs;
    if ((long)cause >= 0)
        return 0;
    irq_epc = csr_read(mepc);
    if ((cause & 0xff) == 7) {
        mmio_w64(CLINT_MTIMECMP, ~0UL);
        csr_write(mepc, (ulong)spin_resume);
    } else {
        mmio_w32(CLINT_MSIP, 0);
        csr_write(mepc, (ulong)spin_ipi_resume);
    }
    return 1;
}

static void test_irqs(void)
{
    m_trap_hook = irq_hook;
    csr_clear(mstatus, MSTATUS_MIE);
    for (int rep = 0; rep < 3; rep++) {
        trap_reset();
        mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + 2000);
        csr_write(mie, MIP_MTIP);
        csr_set(mstatus, MSTATUS_MIE);
        ulong r = spin_forever();
        csr_clear(mstatus, MSTATUS_MIE);
        /* how many times the timer fired before the handler quieted it is QEMU's timing */
        pr("timer out of a register-only loop: %ld, epc in loop %d, first cause %lx\n", (long)r,
           irq_epc >= (ulong)spin_start && irq_epc < (ulong)spin_end, trap_log[0].cause);
    }
    for (int rep = 0; rep < 3; rep++) {
        trap_reset();
        csr_write(mie, MIP_MSIP);
        csr_set(mstatus, MSTATUS_MIE);
        ulong r = spin_ipi(CLINT_MSIP);
        csr_clear(mstatus, MSTATUS_MIE);
        pr("self-IPI out of a loop: %ld\n", (long)r);
        pr_causes("  causes");
    }
    csr_write(mie, 0);
    m_trap_hook = 0;
}

int main(void)
{
    uint8_t *scratch = (uint8_t *)(((ulong)__scratch_start + PAGE - 1) & ~(PAGE - 1));
    test_patched_loop((uint32_t *)scratch);
    test_store_in_loop((uint32_t *)(scratch + PAGE));
    test_faults();
    test_straddle(scratch + 4 * PAGE);
    test_irqs();
    pr("DONE jit\n");
    return 0;
}

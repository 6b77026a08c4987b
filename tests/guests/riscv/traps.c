/* Synchronous traps: illegal instructions (mtval = the instruction bits), ecall
 * from M/S/U, ebreak, misaligned loads/stores (QEMU does them without trapping),
 * misaligned jump targets, instruction access faults; mepc/mstatus on entry. */
#include "rt.h"

#define ILL32(name, word)                                                                      \
    do {                                                                                       \
        ulong lab_;                                                                            \
        trap_reset();                                                                          \
        asm volatile("la %0, 1f\n1: .4byte " #word : "=r"(lab_)::"memory");                    \
        pr_trap(name, 0, lab_);                                                                \
    } while (0)

static void test_illegal(void)
{
    ILL32("all ones", 0xffffffff);
    ILL32("custom-0", 0x0000000b);
    ILL32("addw funct7=2", 0x0400003b);
    ILL32("slli shamt=64 style", 0x04009013);
    ILL32("slliw shamt=32", 0x0200101b);
    ILL32("roriw (Zbb: QEMU 7.2 default has Zb*)", 0x6000501b);
    ILL32("load funct3=7", 0x00007003);
    ILL32("store funct3=4", 0x00004023);
    ILL32("branch funct3=2", 0x00002063);
    ILL32("jalr funct3=1", 0x00001067);
    ILL32("amo funct3=0", 0x0000002f);
    ILL32("amo funct5 bad", 0x3000302f);
    ILL32("lr.d rs2!=0", 0x1010302f);
    ILL32("mul funct7 bad", 0x06000033);
    ILL32("fence.i funct3 bad", 0x0000300f);
    ILL32("system funct3=4", 0x00004073);
    ILL32("ecall with rd", 0x000000f3);
    ILL32("48-bit prefix", 0x0000001f);
    ILL32("op-fp funct7 bad", 0x7e000053);
    ILL32("fmadd fmt=3 (Q)", 0x06000043);
}

static ulong do_ecall(ulong arg)
{
    ulong lab;
    register ulong a0 asm("a0") = arg;
    register ulong a7 asm("a7") = 0;
    asm volatile("la %0, 1f\n1: ecall" : "=&r"(lab), "+r"(a0) : "r"(a7) : "memory");
    return lab;
}

static void test_ecall(void)
{
    ulong lab;
    trap_reset();
    lab = do_ecall(0);
    pr_trap("ecall M", 0, lab);
    trap_reset();
    lab = enter_mode(PRV_S, do_ecall, 0);
    pr_trap("ecall S", 0, lab);
    pr("  prev priv %lx\n", trap_log[0].prev_priv);
    trap_reset();
    lab = enter_mode(PRV_U, do_ecall, 0);
    pr_trap("ecall U", 0, lab);
    pr("  prev priv %lx\n", trap_log[0].prev_priv);
    trap_reset();
    asm volatile("la %0, 1f\n1: ebreak" : "=r"(lab));
    pr_trap("ebreak M", 0, lab);
}

static ulong misaligned_buf[8] __attribute__((aligned(64)));

static void test_misaligned(void)
{
    uint8_t *b = (uint8_t *)misaligned_buf;
    for (int i = 0; i < 64; i++)
        b[i] = (uint8_t)(0x80 + i * 7);
    ulong v, lab;
#define MLOAD(insn, off)                                                                       \
    trap_reset();                                                                              \
    v = 0;                                                                                     \
    asm volatile("la %1, 1f\n1: " insn " %0, " #off "(%2)"                                     \
                 : "+r"(v), "=&r"(lab)                                                         \
                 : "r"(b)                                                                      \
                 : "memory");                                                                  \
    pr(insn " +" #off " = %lx, ", v);                                                          \
    pr_trap("trap", (ulong)b, lab)
    MLOAD("lh", 1);
    MLOAD("lhu", 3);
    MLOAD("lw", 1);
    MLOAD("lw", 2);
    MLOAD("lwu", 3);
    MLOAD("ld", 1);
    MLOAD("ld", 4);
    MLOAD("ld", 7);
#define MSTORE(insn, off)                                                                      \
    trap_reset();                                                                              \
    misaligned_buf[4] = misaligned_buf[5] = 0;                                                 \
    asm volatile("la %0, 1f\n1: " insn " %1, " #off "(%2)"                                     \
                 : "=&r"(lab)                                                                  \
                 : "r"(0x1122334455667788UL), "r"(b + 32)                                      \
                 : "memory");                                                                  \
    pr(insn " +" #off " -> %lx %lx, ", misaligned_buf[4], misaligned_buf[5]);                  \
    pr_trap("trap", (ulong)b, lab)
    MSTORE("sh", 1);
    MSTORE("sw", 1);
    MSTORE("sw", 6);
    MSTORE("sd", 1);
    MSTORE("sd", 4);
    MSTORE("sd", 7);
    trap_reset();
    asm volatile("la %1, 1f\n1: fld ft0, 3(%2)\n fsd ft0, 37(%2)\n fmv.x.d %0, ft0"
                 : "=r"(v), "=&r"(lab)
                 : "r"(b)
                 : "ft0", "memory");
    pr("fld/fsd +3 = %lx -> %lx %lx, ", v, misaligned_buf[4], misaligned_buf[5]);
    pr_trap("trap", (ulong)b, lab);
    trap_reset();
    asm volatile("la %1, 1f\n1: flw ft0, 1(%2)\n fmv.x.w %0, ft0" : "=r"(v), "=&r"(lab) : "r"(b)
                 : "ft0", "memory");
    pr("flw +1 = %lx, ", v);
    pr_trap("trap", (ulong)b, lab);
}

/* Jumps to a target only 2-byte aligned: legal with C. */
static void test_jump_targets(void)
{
    ulong v, lab;
    trap_reset();
    asm volatile(".option push\n.option norvc\n la %1, 1f\n addi %1, %1, 2\n li %0, 0\n"
                 "jalr ra, 0(%1)\n j 2f\n"
                 "1: .2byte 0x0001\n li %0, 1\n ret\n .option pop\n2:"
                 : "=&r"(v), "=&r"(lab)
                 :
                 : "ra");
    pr("jalr to 2-aligned: reached=%lx traps=%d\n", v, trap_count);
    /* Instruction access fault: fetch from unmapped space, resume at ra. */
    static const ulong bad[] = {0x0, 0x88000000UL, 0x4000000000UL};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        trap_reset();
        asm volatile("la %0, 1f\n jalr ra, 0(%1)\n1:" : "=&r"(lab) : "r"(bad[i]) : "ra", "memory");
        pr("fetch %lx: ", bad[i]);
        pr_trap("trap", 0, 0);
    }
}

/* mstatus on trap entry and mret: MPP, MPIE, MIE. */
static void test_trap_state(void)
{
    ulong lab, ms;
    csr_set(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    trap_reset();
    m_trap_hook = 0;
    asm volatile("la %0, 1f\n1: ebreak\n csrr %1, mstatus" : "=r"(lab), "=r"(ms));
    csr_clear(mstatus, MSTATUS_MIE);
    pr("after ebreak with MIE=1: MIE=%lx MPIE=%lx MPP=%lx\n", (ms >> 3) & 1, (ms >> 7) & 1,
       (ms >> 11) & 3);
    /* mret from M to M with MPIE=0: MIE becomes 0, MPIE becomes 1, MPP becomes U
     * (or M if U were absent). */
    ulong after;
    asm volatile("li t0, %2\n csrs mstatus, t0\n li t0, %3\n csrc mstatus, t0\n"
                 "la t0, 1f\n csrw mepc, t0\n mret\n1: csrr %0, mstatus\n la %1, 1b"
                 : "=r"(after), "=r"(lab)
                 : "i"(MSTATUS_MPP), "i"(MSTATUS_MPIE)
                 : "t0");
    pr("mret M->M: MIE=%lx MPIE=%lx MPP=%lx\n", (after >> 3) & 1, (after >> 7) & 1,
       (after >> 11) & 3);
    /* mepc bit 0 always reads 0; bit 1 too without... (C is on here). */
    ulong save = csr_read(mepc);
    csr_write(mepc, 0x80000003UL);
    pr("mepc 80000003 -> %lx\n", csr_read(mepc));
    csr_write(mepc, save);
    csr_write(sepc, 0x80000003UL);
    pr("sepc 80000003 -> %lx\n", csr_read(sepc));
}

int main(void)
{
    test_illegal();
    test_ecall();
    test_misaligned();
    test_jump_targets();
    test_trap_state();
    pr("DONE traps\n");
    return 0;
}

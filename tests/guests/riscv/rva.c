/* A extension: LR/SC success and failure, every AMO in .w and .d forms with
 * sign extension of the old value, and misaligned atomics (trap). */
#include "ops.h"

static uint64_t cell[4] __attribute__((aligned(16)));

static const ulong amo_vals[] = {0x0, 0x1, 0xffffffffffffffffUL, 0x8000000000000000UL,
                                 0x7fffffffffffffffUL, 0x80000000UL, 0x7fffffffUL,
                                 0xfedcba9876543210UL};
#define N_AMO (sizeof(amo_vals) / sizeof(amo_vals[0]))

#define AMO_D(insn)                                                                            \
    do {                                                                                       \
        for (unsigned i = 0; i < N_AMO; i++) {                                                 \
            pr("%s %lx:", insn, amo_vals[i]);                                                  \
            for (unsigned j = 0; j < N_AMO; j++) {                                             \
                ulong old;                                                                     \
                cell[0] = amo_vals[i];                                                         \
                cell[1] = 0x5555555555555555UL;                                                \
                asm volatile(insn " %0, %1, (%2)"                                              \
                             : "=r"(old)                                                       \
                             : "r"(amo_vals[j]), "r"(&cell[0])                                 \
                             : "memory");                                                      \
                pr(" %lx/%lx", old, cell[0]);                                                  \
                if (cell[1] != 0x5555555555555555UL)                                           \
                    pr("!");                                                                   \
            }                                                                                  \
            putch('\n');                                                                       \
        }                                                                                      \
    } while (0)

/* .w on both halves of a doubleword: the neighbour word must be untouched. */
#define AMO_W(insn)                                                                            \
    do {                                                                                       \
        for (unsigned i = 0; i < N_AMO; i++) {                                                 \
            pr("%s %lx:", insn, amo_vals[i]);                                                  \
            for (unsigned j = 0; j < N_AMO; j++) {                                             \
                for (int half = 0; half < 2; half++) {                                         \
                    ulong old;                                                                 \
                    uint32_t *w = (uint32_t *)&cell[0];                                        \
                    w[0] = 0x11111111;                                                         \
                    w[1] = 0x22222222;                                                         \
                    w[half] = (uint32_t)amo_vals[i];                                           \
                    asm volatile(insn " %0, %1, (%2)"                                          \
                                 : "=r"(old)                                                   \
                                 : "r"(amo_vals[j]), "r"(&w[half])                             \
                                 : "memory");                                                  \
                    pr(" %lx/%lx", old, cell[0]);                                              \
                }                                                                              \
            }                                                                                  \
            putch('\n');                                                                       \
        }                                                                                      \
    } while (0)

static void test_lrsc(void)
{
    ulong v, rc, rc2;
    cell[0] = 0x1234;
    asm volatile("lr.d %0, (%3)\n addi %0, %0, 1\n sc.d %1, %0, (%3)\n sc.d %2, %0, (%3)"
                 : "=&r"(v), "=&r"(rc), "=&r"(rc2)
                 : "r"(&cell[0])
                 : "memory");
    pr("lr/sc.d: rc=%lx second sc rc=%lx mem=%lx\n", rc, rc2 != 0, cell[0]);
    asm volatile("sc.d %0, %1, (%2)" : "=r"(rc) : "r"(0x99UL), "r"(&cell[0]) : "memory");
    pr("sc.d without lr: rc!=0 %lx mem=%lx\n", rc != 0, cell[0]);
    cell[1] = 0xffffffff80000000UL;
    asm volatile("lr.w %0, (%2)\n sc.w %1, %3, (%2)"
                 : "=&r"(v), "=&r"(rc)
                 : "r"(&cell[1]), "r"(0x7fffffffUL)
                 : "memory");
    pr("lr.w sign-extends: %lx sc.w rc=%lx mem=%lx\n", v, rc, cell[1]);
    /* A store to the reserved address by this hart between lr and sc. */
    asm volatile("lr.d %0, (%2)\n sd zero, 0(%2)\n sc.d %1, %3, (%2)"
                 : "=&r"(v), "=&r"(rc)
                 : "r"(&cell[0]), "r"(0x77UL)
                 : "memory");
    pr("sc after store: mem=%lx\n", cell[0]);
    /* A trap between lr and sc: after mret the sc must fail?  Only observe result:
     * spec allows either, QEMU invalidates on exception return. */
    /* sc to a different address than the lr. */
    asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%4)"
                 : "=&r"(v), "=&r"(rc)
                 : "r"(&cell[0]), "r"(0x66UL), "r"(&cell[2])
                 : "memory");
    pr("sc other address: rc!=0 %lx mem=%lx\n", rc != 0, cell[2]);
    /* lr/sc with aq/rl bits. */
    cell[0] = 5;
    asm volatile("lr.d.aqrl %0, (%2)\n sc.d.aqrl %1, %0, (%2)"
                 : "=&r"(v), "=&r"(rc)
                 : "r"(&cell[0])
                 : "memory");
    pr("lr.aqrl/sc.aqrl rc=%lx\n", rc);
    /* Retry loop: atomic increment. */
    cell[0] = 41;
    asm volatile("1: lr.w %0, (%2)\n addi %0, %0, 1\n sc.w %1, %0, (%2)\n bnez %1, 1b"
                 : "=&r"(v), "=&r"(rc)
                 : "r"(&cell[0])
                 : "memory");
    pr("lr/sc increment: %lx\n", cell[0]);
}

static void test_misaligned(void)
{
    uint8_t *b = (uint8_t *)&cell[0];
    ulong v = 0, lab;
#define MIS(label, insn, off)                                                                  \
    trap_reset();                                                                              \
    asm volatile("la %1, 1f\n1: " insn : "+r"(v), "=&r"(lab) : "r"(b + off) : "memory");      \
    pr_trap(label, (ulong)b, lab)
    MIS("amoadd.w +2", "amoadd.w %0, %0, (%2)", 2);
    MIS("amoadd.d +4", "amoadd.d %0, %0, (%2)", 4);
    MIS("amoswap.d +1", "amoswap.d %0, %0, (%2)", 1);
    MIS("lr.w +2", "lr.w %0, (%2)", 2);
    MIS("lr.d +4", "lr.d %0, (%2)", 4);
    MIS("sc.w +1", "sc.w %0, %0, (%2)", 1);
    MIS("sc.d +4", "sc.d %0, %0, (%2)", 4);
}

int main(void)
{
    test_lrsc();
    AMO_D("amoswap.d");
    AMO_D("amoadd.d");
    AMO_D("amoand.d");
    AMO_D("amoor.d");
    AMO_D("amoxor.d");
    AMO_D("amomin.d");
    AMO_D("amomax.d");
    AMO_D("amominu.d");
    AMO_D("amomaxu.d");
    AMO_W("amoswap.w");
    AMO_W("amoadd.w");
    AMO_W("amoand.w");
    AMO_W("amoor.w");
    AMO_W("amoxor.w");
    AMO_W("amomin.w");
    AMO_W("amomax.w");
    AMO_W("amominu.w");
    AMO_W("amomaxu.w");
    ulong old;
    cell[0] = 3;
    asm volatile("amoadd.d.aqrl %0, %1, (%2)" : "=r"(old) : "r"(4UL), "r"(&cell[0]) : "memory");
    pr("amoadd.d.aqrl %lx -> %lx\n", old, cell[0]);
    asm volatile("amoadd.d x0, %0, (%1)" ::"r"(4UL), "r"(&cell[0]) : "memory");
    pr("amoadd.d rd=x0 -> %lx\n", cell[0]);
    test_misaligned();
    pr("DONE rva\n");
    return 0;
}

/* C extension: every RV64 compressed instruction written out by hand as c.*,
 * plus reserved encodings (illegal instruction with the 16-bit mtval). */
#include "ops.h"

/* a4/a5 are x14/x15, reachable by the 3-bit register fields. */
#define C_RR(insn, a, b)                                                                       \
    ({                                                                                         \
        register ulong x_ asm("a4") = (a);                                                     \
        register ulong y_ asm("a5") = (b);                                                     \
        asm volatile(".option push\n.option rvc\n" insn " a4, a5\n.option pop"                 \
                     : "+r"(x_)                                                                \
                     : "r"(y_));                                                               \
        x_;                                                                                    \
    })
#define C_RI(insn, a, imm)                                                                     \
    ({                                                                                         \
        register ulong x_ asm("a4") = (a);                                                     \
        asm volatile(".option push\n.option rvc\n" insn " a4, %1\n.option pop"                 \
                     : "+r"(x_)                                                                \
                     : "i"(imm));                                                              \
        x_;                                                                                    \
    })

static const ulong cv[] = {0, 1, -1UL, 0x8000000000000000UL, 0x7fffffffffffffffUL, 0x80000000UL,
                           0x7fffffffUL, 0x123456789abcdef0UL};
#define N_CV (sizeof(cv) / sizeof(cv[0]))

#define CPAIRS(insn)                                                                           \
    for (unsigned i = 0; i < N_CV; i++) {                                                      \
        pr(insn " %lx:", cv[i]);                                                               \
        for (unsigned j = 0; j < N_CV; j++)                                                    \
            pr(" %lx", C_RR(insn, cv[i], cv[j]));                                              \
        putch('\n');                                                                           \
    }
#define CIMM(insn, ...)                                                                        \
    for (unsigned i = 0; i < N_CV; i++) {                                                      \
        ulong a_ = cv[i];                                                                      \
        pr(insn " %lx:", a_);                                                                  \
        __VA_ARGS__;                                                                           \
        putch('\n');                                                                           \
    }
#define CI(insn, imm) pr(" %lx", C_RI(insn, a_, imm))

static void test_alu(void)
{
    CPAIRS("c.add");
    CPAIRS("c.sub");
    CPAIRS("c.and");
    CPAIRS("c.or");
    CPAIRS("c.xor");
    CPAIRS("c.addw");
    CPAIRS("c.subw");
    CPAIRS("c.mv");
    CIMM("c.addi", CI("c.addi", 1); CI("c.addi", -1); CI("c.addi", 31); CI("c.addi", -32));
    CIMM("c.addiw", CI("c.addiw", 0); CI("c.addiw", 1); CI("c.addiw", -1); CI("c.addiw", 31);
         CI("c.addiw", -32));
    CIMM("c.andi", CI("c.andi", 0); CI("c.andi", -1); CI("c.andi", 31); CI("c.andi", -32));
    CIMM("c.slli", CI("c.slli", 1); CI("c.slli", 31); CI("c.slli", 32); CI("c.slli", 63));
    CIMM("c.srli", CI("c.srli", 1); CI("c.srli", 31); CI("c.srli", 32); CI("c.srli", 63));
    CIMM("c.srai", CI("c.srai", 1); CI("c.srai", 31); CI("c.srai", 32); CI("c.srai", 63));
    ulong r;
#define CLI(insn, imm)                                                                         \
    asm volatile(".option push\n.option rvc\n" insn " %0, " #imm "\n.option pop" : "=r"(r));   \
    pr(insn " " #imm " = %lx\n", r)
    CLI("c.li", 0);
    CLI("c.li", 31);
    CLI("c.li", -32);
    CLI("c.lui", 1);
    CLI("c.lui", 0x1f);
    CLI("c.lui", 0xfffe0);
    CLI("c.lui", 0xfffff);
    asm volatile(".option push\n.option rvc\nc.nop\nc.addi x0, 0\n.option pop");
    pr("c.nop ok\n");
}

static uint64_t buf[64] __attribute__((aligned(16)));

/* Runs body with sp pointing at buf[32], restoring the real sp after. */
#define WITH_SP(body, ...)                                                                     \
    asm volatile("mv t6, sp\n mv sp, %[bp]\n .option push\n .option rvc\n" body                \
                 "\n .option pop\n mv sp, t6" __VA_ARGS__)

static void test_mem(void)
{
    for (int i = 0; i < 64; i++)
        buf[i] = 0x0101010101010101UL * i ^ 0x8070605040302010UL;
    register ulong a4 asm("a4");
    register ulong a5 asm("a5") = (ulong)&buf[8];
    asm volatile("c.lw a4, 4(a5)" : "=r"(a4) : "r"(a5) : "memory");
    pr("c.lw = %lx\n", a4);
    a5 = (ulong)&buf[8];
    asm volatile("c.lw a4, 124(a5)" : "=r"(a4) : "r"(a5) : "memory");
    pr("c.lw 124 = %lx\n", a4);
    a5 = (ulong)&buf[8];
    asm volatile("c.ld a4, 8(a5)" : "=r"(a4) : "r"(a5) : "memory");
    pr("c.ld = %lx\n", a4);
    a5 = (ulong)&buf[8];
    asm volatile("c.ld a4, 248(a5)" : "=r"(a4) : "r"(a5) : "memory");
    pr("c.ld 248 = %lx\n", a4);
    a4 = 0xdeadbeefcafef00dUL;
    a5 = (ulong)&buf[8];
    asm volatile("c.sw a4, 0(a5)\n c.sd a4, 16(a5)" : : "r"(a4), "r"(a5) : "memory");
    pr("c.sw/c.sd -> %lx %lx %lx\n", buf[8], buf[9], buf[10]);
    ulong r1, r2, r3;
    WITH_SP("c.lwsp %0, 12(sp)\n c.ldsp %1, 16(sp)\n c.ldsp %2, 504(sp)",
            : "=&r"(r1), "=&r"(r2), "=&r"(r3)
            : [bp] "r"(&buf[0])
            : "t6", "memory");
    pr("c.lwsp/c.ldsp = %lx %lx %lx\n", r1, r2, r3);
    WITH_SP("c.swsp %0, 4(sp)\n c.sdsp %0, 8(sp)\n c.sdsp %0, 504(sp)",
            : : "r"(0x1122334455667788UL), [bp] "r"(&buf[0])
            : "t6", "memory");
    pr("c.swsp/c.sdsp -> %lx %lx %lx\n", buf[0], buf[1], buf[63]);
    WITH_SP("c.addi16sp sp, 496\n c.addi16sp sp, -512\n c.addi16sp sp, 32\n mv %0, sp\n"
            "c.addi4spn a4, sp, 1020\n mv %1, a4\n c.addi4spn a4, sp, 4\n mv %2, a4",
            : "=&r"(r1), "=&r"(r2), "=&r"(r3)
            : [bp] "r"(&buf[16])
            : "t6", "a4", "memory");
    pr("c.addi16sp net = %lx c.addi4spn = %lx %lx\n", r1 - (ulong)&buf[16],
       r2 - (ulong)&buf[16], r3 - (ulong)&buf[16]);
    /* FP loads/stores. */
    a5 = (ulong)&buf[8];
    asm volatile("c.fld fa4, 8(a5)\n c.fsd fa4, 24(a5)" : : "r"(a5) : "fa4", "memory");
    pr("c.fld/c.fsd -> %lx\n", buf[11]);
    WITH_SP("c.fldsp fa4, 40(sp)\n c.fsdsp fa4, 48(sp)", : : [bp] "r"(&buf[0])
            : "t6", "fa4", "memory");
    pr("c.fldsp/c.fsdsp -> %lx\n", buf[6]);
}

static void test_control(void)
{
    ulong link, base, t;
    asm volatile("li %0, 0\n c.j 1f\n li %0, 1\n1:" : "=r"(t));
    pr("c.j skipped=%lx\n", t == 0);
    asm volatile("la %1, 2f\n li %2, 0\n c.jr %1\n li %2, 1\n2: nop"
                 : "=r"(link), "=r"(base), "=r"(t));
    pr("c.jr skipped=%lx\n", t == 0);
    asm volatile("mv t5, ra\n la %1, 1f\n la %2, 1f\n c.jalr %2\n1: nop\n2: mv %0, ra\n mv ra, t5"
                 : "=r"(link), "=r"(base), "=r"(t)
                 : : "t5");
    pr("c.jalr link - next = %lx\n", link - base);
    /* c.jalr to an odd target: bit 0 is cleared. */
    asm volatile("mv t5, ra\n la %1, 2f\n la %2, 1f\n addi %2, %2, 1\n c.jalr %2\n"
                 "2: nop\n1: mv %0, ra\n mv ra, t5"
                 : "=r"(link), "=r"(base), "=r"(t)
                 : : "t5");
    pr("c.jalr odd link - next = %lx\n", link - base);
    for (int i = 0; i < 3; i++) {
        register ulong a4 asm("a4") = i == 0 ? 0 : i == 1 ? 5 : -1UL;
        ulong z, nz;
        asm volatile("li %0, 1\n c.beqz a4, 1f\n li %0, 0\n1: li %1, 1\n c.bnez a4, 2f\n"
                     "li %1, 0\n2:"
                     : "=&r"(z), "=&r"(nz)
                     : "r"(a4));
        pr("c.beqz/c.bnez %lx: %lx %lx\n", (ulong)a4, z, nz);
    }
    /* Backward compressed branch. */
    register ulong a4 asm("a4") = 7;
    ulong cnt = 0;
    asm volatile("1: addi %0, %0, 1\n c.addi a4, -1\n c.bnez a4, 1b" : "+r"(cnt), "+r"(a4));
    pr("c.bnez loop %lx\n", cnt);
}

static void test_traps(void)
{
    ulong lab;
    trap_reset();
    asm volatile("la %0, 1f\n1: c.ebreak" : "=r"(lab));
    pr_trap("c.ebreak", 0, lab);
    trap_reset();
    asm volatile("la %0, 1f\n1: ebreak" : "=r"(lab));
    pr_trap("ebreak", 0, lab);
#define ILL16(name, hw)                                                                        \
    trap_reset();                                                                              \
    asm volatile("la %0, 1f\n1: .2byte " #hw "\n" : "=r"(lab)::"a0", "memory");          \
    pr_trap(name, 0, lab)
    ILL16("c.unimp 0000", 0x0000);
    ILL16("c.addi4spn imm=0", 0x0010);
    ILL16("c.lui imm=0", 0x6501);
    ILL16("c.addi16sp imm=0", 0x6101);
    ILL16("c.jr x0", 0x8002);
    ILL16("c.lwsp rd=0", 0x4002);
    ILL16("c.ldsp rd=0", 0x6002);
}

int main(void)
{
    test_alu();
    test_mem();
    test_control();
    test_traps();
    pr("DONE rvc\n");
    return 0;
}

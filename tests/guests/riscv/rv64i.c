/* RV64I: every integer instruction class with edge operands. */
#include "ops.h"

static void test_rr(void)
{
    FOR_PAIRS("add", "add");
    FOR_PAIRS("sub", "sub");
    FOR_PAIRS("and", "and");
    FOR_PAIRS("or", "or");
    FOR_PAIRS("xor", "xor");
    FOR_PAIRS("slt", "slt");
    FOR_PAIRS("sltu", "sltu");
    FOR_PAIRS("sll", "sll");
    FOR_PAIRS("srl", "srl");
    FOR_PAIRS("sra", "sra");
    FOR_PAIRS("addw", "addw");
    FOR_PAIRS("subw", "subw");
    FOR_PAIRS("sllw", "sllw");
    FOR_PAIRS("srlw", "srlw");
    FOR_PAIRS("sraw", "sraw");
}

#define IMM_ROW(insn, ...)                                                                     \
    do {                                                                                       \
        for (unsigned i_ = 0; i_ < N_EDGE; i_++) {                                             \
            ulong a_ = edge_vals[i_];                                                          \
            pr("%s %lx:", insn, a_);                                                           \
            __VA_ARGS__;                                                                       \
            putch('\n');                                                                       \
        }                                                                                      \
    } while (0)
#define I1(insn, imm) pr(" %lx", OP_RI(insn, a_, imm))

static void test_imm(void)
{
    IMM_ROW("addi", I1("addi", 0); I1("addi", 1); I1("addi", -1); I1("addi", 2047);
            I1("addi", -2048));
    IMM_ROW("andi", I1("andi", 0); I1("andi", -1); I1("andi", 2047); I1("andi", -2048));
    IMM_ROW("ori", I1("ori", 0); I1("ori", -1); I1("ori", 0x555); I1("ori", -2048));
    IMM_ROW("xori", I1("xori", 0); I1("xori", -1); I1("xori", 0x555); I1("xori", -2048));
    IMM_ROW("slti", I1("slti", 0); I1("slti", 1); I1("slti", -1); I1("slti", 2047);
            I1("slti", -2048));
    IMM_ROW("sltiu", I1("sltiu", 0); I1("sltiu", 1); I1("sltiu", -1); I1("sltiu", 2047);
            I1("sltiu", -2048));
    IMM_ROW("slli", I1("slli", 0); I1("slli", 1); I1("slli", 31); I1("slli", 32);
            I1("slli", 63));
    IMM_ROW("srli", I1("srli", 0); I1("srli", 1); I1("srli", 31); I1("srli", 32);
            I1("srli", 63));
    IMM_ROW("srai", I1("srai", 0); I1("srai", 1); I1("srai", 31); I1("srai", 32);
            I1("srai", 63));
    IMM_ROW("addiw", I1("addiw", 0); I1("addiw", 1); I1("addiw", -1); I1("addiw", 2047);
            I1("addiw", -2048));
    IMM_ROW("slliw", I1("slliw", 0); I1("slliw", 1); I1("slliw", 16); I1("slliw", 31));
    IMM_ROW("srliw", I1("srliw", 0); I1("srliw", 1); I1("srliw", 16); I1("srliw", 31));
    IMM_ROW("sraiw", I1("sraiw", 0); I1("sraiw", 1); I1("sraiw", 16); I1("sraiw", 31));
}

static void test_upper(void)
{
    ulong r, base;
#define LUI(imm)                                                                               \
    asm volatile("lui %0, " #imm : "=r"(r));                                                   \
    pr("lui " #imm " = %lx\n", r)
    LUI(0);
    LUI(1);
    LUI(0x7ffff);
    LUI(0x80000);
    LUI(0xfffff);
    LUI(0x12345);
#define AUIPC(imm)                                                                             \
    asm volatile("1: auipc %0, " #imm "\n la %1, 1b" : "=r"(r), "=r"(base));                   \
    pr("auipc " #imm " - pc = %lx\n", r - base)
    AUIPC(0);
    AUIPC(1);
    AUIPC(0x7ffff);
    AUIPC(0x80000);
    AUIPC(0xfffff);
    /* x0 as destination discards the result. */
    asm volatile("lui x0, 0x12345\n addi x0, x0, 5\n mv %0, x0" : "=r"(r));
    pr("x0 after writes = %lx\n", r);
}

#define BR(insn, a, b)                                                                         \
    ({                                                                                         \
        ulong t_;                                                                              \
        asm volatile("li %0, 1\n " insn " %1, %2, 1f\n li %0, 0\n1:"                           \
                     : "=&r"(t_)                                                               \
                     : "r"((ulong)(a)), "r"((ulong)(b)));                                      \
        t_;                                                                                    \
    })

static void test_branches(void)
{
    static const ulong v[] = {0, 1, -1UL, 0x8000000000000000UL, 0x7fffffffffffffffUL,
                              0x80000000UL};
    const unsigned n = sizeof(v) / sizeof(v[0]);
    for (unsigned i = 0; i < n; i++) {
        pr("br %lx:", v[i]);
        for (unsigned j = 0; j < n; j++)
            pr(" %lx%lx%lx%lx%lx%lx", BR("beq", v[i], v[j]), BR("bne", v[i], v[j]),
               BR("blt", v[i], v[j]), BR("bge", v[i], v[j]), BR("bltu", v[i], v[j]),
               BR("bgeu", v[i], v[j]));
        putch('\n');
    }
    /* Backward branch loop. */
    ulong cnt = 0, k = 10;
    asm volatile("1: addi %0, %0, 1\n addi %1, %1, -1\n bnez %1, 1b" : "+r"(cnt), "+r"(k));
    pr("loop count %lx\n", cnt);
}

static void test_jumps(void)
{
    ulong link, base, tgt, out;
    asm volatile("la %1, 1f\n jal %0, 2f\n1: nop\n2:" : "=r"(link), "=r"(base));
    pr("jal link - next = %lx\n", link - base);
    /* jalr clears bit 0 of the target: aim at label+1. */
    asm volatile("la %2, 2f\n addi %2, %2, 1\n la %1, 1f\n li %3, 0\n jalr %0, 0(%2)\n"
                 "1: li %3, 1\n2:"
                 : "=r"(link), "=r"(base), "=r"(tgt), "=r"(out));
    pr("jalr odd target: skipped=%lx link - next = %lx\n", out == 0, link - base);
    /* Negative offset and rd == rs1. */
    asm volatile("la %1, 2f\n la %0, 3f\n addi %0, %0, 8\n jalr %0, -8(%0)\n2: nop\n3:"
                 : "=&r"(link), "=&r"(base));
    pr("jalr rd==rs1 link - next = %lx\n", link - base);
    asm volatile("la %1, 1f\n jal x0, 1f\n li %1, 0\n1: mv %0, x0" : "=r"(link), "=r"(base));
    pr("jal x0 link = %lx\n", link);
}

static uint64_t mem[4] __attribute__((aligned(16)));

static void test_mem(void)
{
    ulong r;
    mem[0] = 0x8081828384858687UL;
    mem[1] = 0x78797a7b7c7d7e7fUL;
    uint8_t *b = (uint8_t *)mem;
#define LD(insn, off)                                                                          \
    asm volatile(insn " %0, " #off "(%1)" : "=r"(r) : "r"(b) : "memory");                      \
    pr(insn " " #off " = %lx\n", r)
    LD("lb", 0);
    LD("lb", 7);
    LD("lb", 8);
    LD("lbu", 0);
    LD("lbu", 15);
    LD("lh", 0);
    LD("lh", 6);
    LD("lh", 8);
    LD("lhu", 0);
    LD("lhu", 6);
    LD("lw", 0);
    LD("lw", 4);
    LD("lw", 8);
    LD("lwu", 0);
    LD("lwu", 4);
    LD("ld", 0);
    LD("ld", 8);
    /* Negative offsets. */
    asm volatile("ld %0, -8(%1)" : "=r"(r) : "r"(b + 16) : "memory");
    pr("ld -8 = %lx\n", r);
    asm volatile("lb %0, -1(%1)" : "=r"(r) : "r"(b + 8) : "memory");
    pr("lb -1 = %lx\n", r);
#define ST(insn, off, v)                                                                       \
    mem[2] = 0x1111111111111111UL;                                                             \
    mem[3] = 0x2222222222222222UL;                                                             \
    asm volatile(insn " %0, " #off "(%1)" ::"r"((ulong)(v)), "r"(b + 16) : "memory");          \
    pr(insn " " #off " -> %lx %lx\n", mem[2], mem[3])
    ST("sb", 0, 0xabcdef0123456789UL);
    ST("sb", 7, 0xff);
    ST("sb", 8, 0x80);
    ST("sh", 0, 0xabcdef0123456789UL);
    ST("sh", 6, 0x8001);
    ST("sw", 0, 0xabcdef0123456789UL);
    ST("sw", 4, 0x80000001);
    ST("sd", 0, 0xabcdef0123456789UL);
    ST("sd", 8, -2L);
    ST("sd", -8, 0x5a5a5a5a5a5a5a5aUL);
    pr("mem[1] = %lx\n", mem[1]);
    /* Load into x0 still performs the access, discards the value. */
    asm volatile("ld x0, 0(%1)\n mv %0, x0" : "=r"(r) : "r"(b) : "memory");
    pr("ld x0 = %lx\n", r);
    asm volatile("fence\n fence rw, rw\n fence r, w\n fence.tso" ::: "memory");
    pr("fences ok\n");
}

int main(void)
{
    test_rr();
    test_imm();
    test_upper();
    test_branches();
    test_jumps();
    test_mem();
    pr("DONE rv64i\n");
    return 0;
}

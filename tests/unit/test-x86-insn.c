/*
 * test-x86-insn.c - the MMIO instruction emulator (targets/x86/x86-insn.c)
 * and the guest page-table walk (x86-insn-walk.c):
 *  - hand-assembled instructions in 16-, 32- and 64-bit code, checking
 *    registers, memory, rip and the number and size of memory accesses;
 *  - the ALU group's results and flags against this machine's own CPU;
 *  - random bytes (guests are hostile): never a crash, never an access
 *    outside what the instruction may touch, a sane length;
 *  - page walks in 32-bit, PAE and 4-level paging, large pages, faults.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "targets/x86/x86-insn.h"
#include "tests/unit/check.h"

#define MEM_SIZE 0x10000
static uint8_t mem[MEM_SIZE];
static unsigned nreads, nwrites, last_size;
static uint64_t last_la;

static int t_read(void *opaque, uint64_t la, void *buf, unsigned len)
{
    (void)opaque;
    if (la >= MEM_SIZE || len > MEM_SIZE - la)
        return X86_INSN_FAULT;
    memcpy(buf, mem + la, len);
    nreads++;
    last_size = len;
    last_la = la;
    return 0;
}

static int t_write(void *opaque, uint64_t la, const void *buf, unsigned len)
{
    (void)opaque;
    if (la >= MEM_SIZE || len > MEM_SIZE - la)
        return X86_INSN_FAULT;
    memcpy(mem + la, buf, len);
    nwrites++;
    last_size = len;
    last_la = la;
    return 0;
}

static void ctx_init(struct x86_insn_ctx *c, unsigned mode)
{
    memset(c, 0, sizeof(*c));
    c->mode = mode;
    c->rip = 0x1000;
    c->rflags = 2;
    c->read = t_read;
    c->write = t_write;
    nreads = nwrites = last_size = 0;
    memset(mem, 0, sizeof(mem));
}

static int run(struct x86_insn_ctx *c, const char *bytes, unsigned n)
{
    return x86_insn_emulate(c, (const uint8_t *)bytes, n);
}

static uint64_t rd(uint64_t la, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, mem + la, size);
    return v;
}

static void test_moves(void)
{
    struct x86_insn_ctx c;

    /* mov %eax,(%rdx) */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0x1122334455667788ull;
    c.gpr[X86_RDX] = 0x200;
    CHECK_EQ(run(&c, "\x89\x02", 2), 0);
    CHECK_EQ(rd(0x200, 8), 0x55667788);
    CHECK_EQ(c.rip, 0x1002);
    CHECK_EQ(nwrites, 1);
    CHECK_EQ(last_size, 4);

    /* mov (%rax),%eax zero-extends */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0x300;
    mem[0x300] = 0xef, mem[0x301] = 0xbe, mem[0x302] = 0xad, mem[0x303] = 0xde;
    c.gpr[X86_RAX] |= 0; /* address 0x300 */
    CHECK_EQ(run(&c, "\x8b\x00", 2), 0);
    CHECK_EQ(c.gpr[X86_RAX], 0xdeadbeef);
    CHECK_EQ(nreads, 1);

    /* movzbl (%rsi),%ecx over a full rcx */
    ctx_init(&c, 64);
    c.gpr[X86_RSI] = 0x10;
    c.gpr[X86_RCX] = ~0ull;
    mem[0x10] = 0x9c;
    CHECK_EQ(run(&c, "\x0f\xb6\x0e", 3), 0);
    CHECK_EQ(c.gpr[X86_RCX], 0x9c);
    CHECK_EQ(last_size, 1);

    /* movsbq 0x10(%rbx),%r9 */
    ctx_init(&c, 64);
    c.gpr[X86_RBX] = 0x20;
    mem[0x30] = 0x80;
    CHECK_EQ(run(&c, "\x4c\x0f\xbe\x4b\x10", 5), 0);
    CHECK_EQ(c.gpr[9], 0xffffffffffffff80ull);
    CHECK_EQ(c.rip, 0x1005);

    /* movswl (%rax),%edx keeps the upper half zero */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0x40;
    c.gpr[X86_RDX] = ~0ull;
    mem[0x40] = 0x00, mem[0x41] = 0x80;
    CHECK_EQ(run(&c, "\x0f\xbf\x10", 3), 0);
    CHECK_EQ(c.gpr[X86_RDX], 0xffff8000ull);

    /* movb $0x5a,0x8(%rdi); movq $-1,(%rax) sign-extends imm32; movw $0x1234,(%rax) */
    ctx_init(&c, 64);
    c.gpr[X86_RDI] = 0x100;
    CHECK_EQ(run(&c, "\xc6\x47\x08\x5a", 4), 0);
    CHECK_EQ(mem[0x108], 0x5a);
    c.gpr[X86_RAX] = 0x200;
    CHECK_EQ(run(&c, "\x48\xc7\x00\xff\xff\xff\xff", 7), 0);
    CHECK_EQ(rd(0x200, 8), ~0ull);
    CHECK_EQ(last_size, 8);
    CHECK_EQ(run(&c, "\x66\xc7\x00\x34\x12", 5), 0);
    CHECK_EQ(rd(0x200, 8), 0xffffffffffff1234ull);
    CHECK_EQ(last_size, 2);
    CHECK_EQ(c.rip, 0x1000 + 4 + 7 + 5);

    /* mov %ah,(%rbx) vs. with REX: mov %spl,(%rbx) */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0xbb00;
    c.gpr[X86_RSP] = 0xcc;
    c.gpr[X86_RBX] = 0x50;
    CHECK_EQ(run(&c, "\x88\x23", 2), 0);
    CHECK_EQ(mem[0x50], 0xbb);
    CHECK_EQ(run(&c, "\x40\x88\x23", 3), 0);
    CHECK_EQ(mem[0x50], 0xcc);
    /* mov (%rbx),%bh writes bits 15:8 of rbx only */
    mem[0x50] = 0x77;
    CHECK_EQ(run(&c, "\x8a\x3b", 2), 0);
    CHECK_EQ(c.gpr[X86_RBX], 0x7750);

    /* movabs 0x60,%al (64-bit moffs); mov %eax,0x64 via a3 with a 67 prefix (32-bit moffs) */
    ctx_init(&c, 64);
    mem[0x60] = 0x42;
    c.gpr[X86_RAX] = 0x1111111111111100ull;
    CHECK_EQ(run(&c, "\xa0\x60\x00\x00\x00\x00\x00\x00\x00", 9), 0);
    CHECK_EQ(c.gpr[X86_RAX], 0x1111111111111142ull);
    CHECK_EQ(run(&c, "\x67\xa3\x64\x00\x00\x00", 6), 0);
    CHECK_EQ(rd(0x64, 4), 0x11111142);
    CHECK_EQ(c.rip, 0x1000 + 9 + 6);

    /* rip-relative: mov 0x10(%rip),%eax; the displacement counts from the next instruction */
    ctx_init(&c, 64);
    c.rip = 0x2000;
    mem[0x2016] = 0x99;
    CHECK_EQ(run(&c, "\x8b\x05\x10\x00\x00\x00", 6), 0);
    CHECK_EQ(c.gpr[X86_RAX], 0x99);
    CHECK_EQ(last_la, 0x2016);

    /* SIB: mov %ecx,0x4(%rax,%rbx,8) and movsxd (%rdx),%r10 */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0x100;
    c.gpr[X86_RBX] = 3;
    c.gpr[X86_RCX] = 0xabcdef01;
    CHECK_EQ(run(&c, "\x89\x4c\xd8\x04", 4), 0);
    CHECK_EQ(last_la, 0x100 + 24 + 4);
    c.gpr[X86_RDX] = 0x100 + 28;
    CHECK_EQ(run(&c, "\x4c\x63\x12", 3), 0);
    CHECK_EQ(c.gpr[10], 0xffffffffabcdef01ull);
}

static void test_modes(void)
{
    struct x86_insn_ctx c;

    /* 32-bit: segment bases count, fs override, la wraps at 4 GiB */
    ctx_init(&c, 32);
    c.seg_base[X86_DS] = 0x1000;
    c.seg_base[X86_FS] = 0x2000;
    c.gpr[X86_RBX] = 0x10;
    c.gpr[X86_RAX] = 0x12345678;
    CHECK_EQ(run(&c, "\x89\x03", 2), 0);
    CHECK_EQ(last_la, 0x1010);
    CHECK_EQ(run(&c, "\x64\x89\x03", 3), 0);
    CHECK_EQ(last_la, 0x2010);
    /* ebp-based defaults to ss */
    c.seg_base[X86_SS] = 0x3000;
    c.gpr[X86_RBP] = 0x8;
    CHECK_EQ(run(&c, "\x89\x45\x00", 3), 0);
    CHECK_EQ(last_la, 0x3008);
    /* 66: a 16-bit store in 32-bit code */
    CHECK_EQ(run(&c, "\x66\x89\x03", 3), 0);
    CHECK_EQ(last_size, 2);

    /* 16-bit: mov %ax,(%bx,%si); mov 0x1234,%al (disp16); (%bp) defaults to ss */
    ctx_init(&c, 16);
    c.seg_base[X86_DS] = 0x4000;
    c.seg_base[X86_SS] = 0x5000;
    c.gpr[X86_RBX] = 0x10;
    c.gpr[X86_RSI] = 0x20;
    c.gpr[X86_RAX] = 0xbeef;
    CHECK_EQ(run(&c, "\x89\x00", 2), 0);
    CHECK_EQ(last_la, 0x4030);
    CHECK_EQ(last_size, 2);
    CHECK_EQ(rd(0x4030, 2), 0xbeef);
    CHECK_EQ(run(&c, "\x8a\x06\x34\x12", 4), 0);
    CHECK_EQ(last_la, 0x4000 + 0x1234);
    c.gpr[X86_RBP] = 0x40;
    CHECK_EQ(run(&c, "\x88\x46\x02", 3), 0);
    CHECK_EQ(last_la, 0x5042);
    /* 66 in 16-bit code: a 32-bit store; 67: 32-bit addressing */
    c.gpr[X86_RAX] = 0xcafef00d;
    CHECK_EQ(run(&c, "\x66\x89\x07", 3), 0);
    CHECK_EQ(last_size, 4);
    CHECK_EQ(rd(0x4010, 4), 0xcafef00d);
    CHECK_EQ(run(&c, "\x67\x89\x03", 3), 0);
    CHECK_EQ(last_la, 0x4010);
    /* 16-bit address arithmetic wraps at 64 KiB */
    c.gpr[X86_RBX] = 0xfff0;
    c.gpr[X86_RSI] = 0x20;
    CHECK_EQ(run(&c, "\x89\x00", 2), 0);
    CHECK_EQ(last_la, 0x4010);
}

static void test_strings(void)
{
    struct x86_insn_ctx c;

    /* rep stosl: 4 dwords, rcx to 0, rdi advanced, done in one call */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0xa5a5a5a5;
    c.gpr[X86_RDI] = 0x100;
    c.gpr[X86_RCX] = 4;
    CHECK_EQ(run(&c, "\xf3\xab", 2), 0);
    CHECK_EQ(c.gpr[X86_RCX], 0);
    CHECK_EQ(c.gpr[X86_RDI], 0x110);
    CHECK_EQ(rd(0x10c, 4), 0xa5a5a5a5);
    CHECK_EQ(nwrites, 4);
    CHECK_EQ(c.rip, 0x1002);

    /* rep movsb backwards (DF=1) */
    ctx_init(&c, 64);
    memcpy(mem + 0x200, "abcd", 4);
    c.rflags |= X86_FLAG_DF;
    c.gpr[X86_RSI] = 0x203;
    c.gpr[X86_RDI] = 0x303;
    c.gpr[X86_RCX] = 4;
    CHECK_EQ(run(&c, "\xf3\xa4", 2), 0);
    CHECK(!memcmp(mem + 0x300, "abcd", 4));
    CHECK_EQ(c.gpr[X86_RSI], 0x1ff);
    CHECK_EQ(c.gpr[X86_RCX], 0);

    /* more than one batch: rip stays until rcx is exhausted */
    ctx_init(&c, 64);
    c.gpr[X86_RDI] = 0x1000;
    c.gpr[X86_RCX] = 1000;
    CHECK_EQ(run(&c, "\xf3\xaa", 2), 0);
    CHECK(c.gpr[X86_RCX] > 0 && c.gpr[X86_RCX] < 1000);
    CHECK_EQ(c.rip, 0x1000);
    for (int i = 0; i < 10 && c.gpr[X86_RCX]; i++)
        CHECK_EQ(run(&c, "\xf3\xaa", 2), 0);
    CHECK_EQ(c.gpr[X86_RCX], 0);
    CHECK_EQ(c.gpr[X86_RDI], 0x1000 + 1000);
    CHECK_EQ(c.rip, 0x1002);

    /* rep with rcx=0 does nothing; lodsw loads ax only */
    ctx_init(&c, 64);
    CHECK_EQ(run(&c, "\xf3\xa5", 2), 0);
    CHECK_EQ(nreads + nwrites, 0);
    CHECK_EQ(c.rip, 0x1002);
    c.gpr[X86_RAX] = 0xffffffffffffffffull;
    c.gpr[X86_RSI] = 0x10;
    mem[0x10] = 0x34, mem[0x11] = 0x12;
    CHECK_EQ(run(&c, "\x66\xad", 2), 0);
    CHECK_EQ(c.gpr[X86_RAX], 0xffffffffffff1234ull);
    CHECK_EQ(c.gpr[X86_RSI], 0x12);

    /* a fault mid-way leaves the registers at the element that faulted */
    ctx_init(&c, 64);
    c.gpr[X86_RDI] = MEM_SIZE - 2;
    c.gpr[X86_RCX] = 5;
    CHECK_EQ(run(&c, "\xf3\xaa", 2), X86_INSN_FAULT);
    CHECK_EQ(c.gpr[X86_RDI], MEM_SIZE);
    CHECK_EQ(c.gpr[X86_RCX], 3);
    CHECK_EQ(c.rip, 0x1000);

    /* 32-bit addressing in 64-bit code: edi wraps and zero-extends */
    ctx_init(&c, 64);
    c.gpr[X86_RDI] = 0xffffffff00000010ull;
    c.gpr[X86_RCX] = 1;
    CHECK_EQ(run(&c, "\x67\xaa", 2), 0);
    CHECK_EQ(c.gpr[X86_RDI], 0x11);
    CHECK_EQ(last_la, 0x10);
}

static void test_alu_mem(void)
{
    struct x86_insn_ctx c;

    /* addl $1,(%rax) on 0xffffffff: 0 with CF, ZF */
    ctx_init(&c, 64);
    memset(mem + 0x100, 0xff, 4);
    c.gpr[X86_RAX] = 0x100;
    CHECK_EQ(run(&c, "\x83\x00\x01", 3), 0);
    CHECK_EQ(rd(0x100, 4), 0);
    CHECK(c.rflags & X86_FLAG_CF);
    CHECK(c.rflags & X86_FLAG_ZF);

    /* cmpb $0x80,(%rax): flags only, no write */
    ctx_init(&c, 64);
    mem[0x100] = 0x7f;
    c.gpr[X86_RAX] = 0x100;
    CHECK_EQ(run(&c, "\x80\x38\x80", 3), 0);
    CHECK_EQ(nwrites, 0);
    CHECK_EQ(nreads, 1);
    CHECK(c.rflags & X86_FLAG_CF);
    CHECK(c.rflags & X86_FLAG_OF);
    CHECK(c.rflags & X86_FLAG_SF);

    /* orl %ecx,(%rax) reads once and writes once (one MMIO read-modify-write) */
    ctx_init(&c, 64);
    mem[0x100] = 0x0f;
    c.gpr[X86_RAX] = 0x100;
    c.gpr[X86_RCX] = 0xf0;
    CHECK_EQ(run(&c, "\x09\x08", 2), 0);
    CHECK_EQ(mem[0x100], 0xff);
    CHECK_EQ(nreads, 1);
    CHECK_EQ(nwrites, 1);

    /* sub (%rax),%rcx: the register is the destination */
    c.gpr[X86_RCX] = 0x100;
    CHECK_EQ(run(&c, "\x48\x2b\x08", 3), 0);
    CHECK_EQ(c.gpr[X86_RCX], 0x100 - 0xff);
    CHECK_EQ(mem[0x100], 0xff);

    /* testl $0x80,(%rax) and test %cl,(%rax) */
    CHECK_EQ(run(&c, "\xf7\x00\x80\x00\x00\x00", 6), 0);
    CHECK(!(c.rflags & X86_FLAG_ZF));
    c.gpr[X86_RCX] = 0;
    CHECK_EQ(run(&c, "\x84\x08", 2), 0);
    CHECK(c.rflags & X86_FLAG_ZF);

    /* xchg %eax,(%rbx) */
    ctx_init(&c, 64);
    c.gpr[X86_RAX] = 0x11111111;
    c.gpr[X86_RBX] = 0x200;
    mem[0x200] = 0x22;
    CHECK_EQ(run(&c, "\x87\x03", 2), 0);
    CHECK_EQ(c.gpr[X86_RAX], 0x22);
    CHECK_EQ(rd(0x200, 4), 0x11111111);

    /* notb (%rdi); negl (%rdi); incw (%rdi) keeps CF; decb (%rdi) */
    ctx_init(&c, 64);
    c.gpr[X86_RDI] = 0x300;
    mem[0x300] = 0x0f;
    CHECK_EQ(run(&c, "\xf6\x17", 2), 0);
    CHECK_EQ(mem[0x300], 0xf0);
    CHECK_EQ(run(&c, "\xf7\x1f", 2), 0);
    CHECK_EQ(rd(0x300, 4), 0xffffff10);
    CHECK(c.rflags & X86_FLAG_CF);
    CHECK_EQ(run(&c, "\x66\xff\x07", 3), 0);
    CHECK_EQ(rd(0x300, 2), 0xff11);
    CHECK(c.rflags & X86_FLAG_CF);
    mem[0x300] = 1;
    CHECK_EQ(run(&c, "\xfe\x0f", 2), 0);
    CHECK_EQ(mem[0x300], 0);
    CHECK(c.rflags & X86_FLAG_ZF);
}

static void test_refused(void)
{
    struct x86_insn_ctx c;

    ctx_init(&c, 64);
    CHECK_EQ(run(&c, "\x0f\x0b", 2), -EOPNOTSUPP);                 /* ud2 */
    CHECK_EQ(run(&c, "\xff\x10", 2), -EOPNOTSUPP);                 /* call *(%rax) */
    CHECK_EQ(run(&c, "\xc7\x08\x00\x00\x00\x00", 6), -EOPNOTSUPP); /* c7 /1 */
    CHECK_EQ(run(&c, "\xf7\x20", 2), -EOPNOTSUPP);                 /* mul */
    CHECK_EQ(run(&c, "\x63\x00", 2), 0);                           /* movsxd in 64-bit... */
    ctx_init(&c, 32);
    CHECK_EQ(run(&c, "\x63\x00", 2), -EOPNOTSUPP);     /* ...arpl elsewhere */
    CHECK_EQ(run(&c, "\x89", 1), -EINVAL);             /* truncated */
    CHECK_EQ(run(&c, "\x89\x05\x00\x00", 4), -EINVAL); /* truncated disp32 */
    /* 15 bytes of prefixes: longer than any instruction */
    CHECK_EQ(run(&c, "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x00", 17),
             -EINVAL);
    CHECK_EQ(nreads + nwrites, 0);
    CHECK_EQ(c.rip, 0x1000);
}

/* ---- ALU results and flags against the host CPU ---- */

#define NATIVE(name, mnem, type, cons)                                                             \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t *flags)                                  \
    {                                                                                              \
        type x = (type)a, y = (type)b;                                                             \
        uint64_t f = *flags;                                                                       \
        __asm__ volatile("push %[f]\n\tpopf\n\t" mnem " %[y], %[x]\n\tpushf\n\tpop %[f]"           \
                         : [x] "+" cons(x), [f] "+r"(f)                                            \
                         : [y] cons(y)                                                             \
                         : "cc");                                                                  \
        *flags = f;                                                                                \
        return x;                                                                                  \
    }
#define NATIVE_OP(op)                                                                              \
    NATIVE(n_##op##b, #op "b", uint8_t, "q")                                                       \
    NATIVE(n_##op##w, #op "w", uint16_t, "r")                                                      \
    NATIVE(n_##op##l, #op "l", uint32_t, "r")                                                      \
    NATIVE(n_##op##q, #op "q", uint64_t, "r")
NATIVE_OP(add)
NATIVE_OP(or)
NATIVE_OP(adc)
NATIVE_OP(sbb)
NATIVE_OP(and)
NATIVE_OP(sub)
NATIVE_OP(xor)
NATIVE_OP(cmp)

typedef uint64_t (*native_fn)(uint64_t, uint64_t, uint64_t *);
#define NATIVE_ROW(op)                                                                             \
    {                                                                                              \
        n_##op##b, n_##op##w, n_##op##l, n_##op##q                                                 \
    }
static const native_fn natives[8][4] = {NATIVE_ROW(add), NATIVE_ROW(or),  NATIVE_ROW(adc),
                                        NATIVE_ROW(sbb), NATIVE_ROW(and), NATIVE_ROW(sub),
                                        NATIVE_ROW(xor), NATIVE_ROW(cmp)};

static uint64_t rnd64(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 16 ^ (uint64_t)(rand() & 0xffff);
    /* Edge values often: carries and overflows live there. */
    switch (rand() % 6) {
    case 0:
        return 0;
    case 1:
        return ~0ull;
    case 2:
        return 0x80ull << (8 * (rand() % 8));
    case 3:
        return (0x80ull << (8 * (rand() % 8))) - 1;
    }
    return v;
}

static void test_alu_vs_cpu(void)
{
    static const unsigned sizes[4] = {1, 2, 4, 8};
    int bad = 0;

    for (int iter = 0; iter < 20000; iter++) {
        unsigned op = rand() % 8, si = rand() % 4, sz = sizes[si];
        uint64_t a = rnd64(), b = rnd64(), cf = rand() & 1;
        uint64_t mask = sz == 8 ? ~0ull : (1ull << (sz * 8)) - 1;
        struct x86_insn_ctx c;
        char code[4];
        unsigned n = 0;

        ctx_init(&c, 64);
        /* op r/m, r with r/m = (%rax) at 0x100, r = %ecx-sized b */
        if (sz == 2)
            code[n++] = 0x66;
        if (sz == 8)
            code[n++] = 0x48;
        code[n++] = (char)(op * 8 + (sz == 1 ? 0 : 1));
        code[n++] = 0x08; /* modrm: reg=rcx, rm=(%rax) */
        c.gpr[X86_RAX] = 0x100;
        c.gpr[X86_RCX] = b;
        memcpy(mem + 0x100, &a, 8);
        c.rflags = 2 | cf;
        uint64_t nf = 2 | cf;
        uint64_t want = natives[op][si](a, b, &nf) & mask;
        if (run(&c, code, n) != 0) {
            bad++;
            continue;
        }
        uint64_t got = op == 7 ? a & mask : rd(0x100, sz);
        uint64_t fmask = X86_FLAGS_ARITH;
        if (op == 1 || op == 4 || op == 6)
            fmask &= ~X86_FLAG_AF; /* undefined after logic operations */
        if (got != want || ((c.rflags ^ nf) & fmask)) {
            if (bad++ < 5)
                fprintf(stderr,
                        "alu op %u size %u a %llx b %llx cf %llu: got %llx/%llx want %llx/%llx\n",
                        op, sz, (unsigned long long)a, (unsigned long long)b,
                        (unsigned long long)cf, (unsigned long long)got,
                        (unsigned long long)(c.rflags & fmask), (unsigned long long)want,
                        (unsigned long long)(nf & fmask));
        }
        if (op == 7)
            CHECK_EQ(nwrites, 0);
    }
    CHECK_EQ(bad, 0);
}

/* ---- random bytes: hostile guests ---- */

static void test_random_bytes(void)
{
    static const unsigned modes[3] = {16, 32, 64};
    int crashes_would_show_here = 0, ok = 0;

    for (int iter = 0; iter < 300000; iter++) {
        struct x86_insn_ctx c;
        uint8_t code[X86_INSN_MAX];
        unsigned n = 1 + rand() % X86_INSN_MAX;

        ctx_init(&c, modes[rand() % 3]);
        for (unsigned i = 0; i < n; i++)
            code[i] = (uint8_t)rand();
        /* Bias towards the opcodes we know so that their decoding gets exercised. */
        static const uint8_t known[] = {0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa4, 0xa5, 0xaa,
                                        0xab, 0x80, 0x81, 0x83, 0x01, 0x31, 0x87, 0xf6, 0xf7};
        if (rand() & 1)
            code[rand() % n] = known[rand() % sizeof(known)];
        for (int r = 0; r < 16; r++)
            c.gpr[r] = rand() % 3 ? (uint64_t)(rand() % MEM_SIZE) : rnd64();
        c.rflags = 2 | (rand() & 1 ? X86_FLAG_DF : 0);
        uint64_t rip0 = c.rip;
        int ret = x86_insn_emulate(&c, code, n);
        if (ret == 0) {
            ok++;
            uint64_t adv = c.rip - rip0;
            if (adv > n && adv != 0)
                crashes_would_show_here++;
        } else if (ret != -EOPNOTSUPP && ret != -EINVAL && ret != X86_INSN_FAULT) {
            crashes_would_show_here++;
        }
    }
    CHECK_EQ(crashes_would_show_here, 0);
    CHECK(ok > 1000); /* the bias above must reach the execution paths */
}

/* ---- page walks ---- */

#define PT_MEM 0x40000
static uint8_t pmem[PT_MEM];

static int pt_read(void *opaque, uint64_t pa, uint64_t *val, unsigned size)
{
    (void)opaque;
    if (pa + size > PT_MEM)
        return -EIO;
    *val = 0;
    memcpy(val, pmem + pa, size);
    return 0;
}

static void put64(uint64_t pa, uint64_t v)
{
    memcpy(pmem + pa, &v, 8);
}

static void put32(uint64_t pa, uint32_t v)
{
    memcpy(pmem + pa, &v, 4);
}

static void test_walk(void)
{
    struct x86_paging p = {.read_phys = pt_read};
    uint64_t gpa;
    uint32_t err;

    /* No paging: identity, truncated to 32 bits outside long mode. */
    p.cr0 = X86_CR0_PE;
    CHECK_EQ(x86_paging_walk(&p, 0x123456789ull, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x23456789);

    /* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
    memset(pmem, 0, sizeof(pmem));
    p = (struct x86_paging){.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
                            .cr3 = 0x1000,
                            .cr4 = X86_CR4_PAE,
                            .efer = X86_EFER_LMA | X86_EFER_NXE,
                            .read_phys = pt_read};
    put64(0x1000 + 8 * 1, 0x2000 | 7); /* la 0x8000000000.. */
    put64(0x2000, 0x3000 | 7);
    put64(0x3000 + 8 * 2, 0x4000 | 7);                 /* 2nd 2 MiB region: 4 KiB pages */
    put64(0x4000 + 8 * 5, 0x35000 | 5);                /* read-only, user */
    put64(0x3000 + 8 * 3, 0x40000000ull | 0x83);       /* a 2 MiB page, supervisor */
    put64(0x4000 + 8 * 6, 0x36000 | 3 | (1ull << 63)); /* NX */
    uint64_t base = 0x8000000000ull;
    CHECK_EQ(x86_paging_walk(&p, base + 0x405123, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x35123);
    CHECK_EQ(x86_paging_walk(&p, base + 0x605555, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x40005555);
    /* write to the read-only page (CR0.WP): protection fault */
    CHECK_EQ(x86_paging_walk(&p, base + 0x405000, X86_PF_W, &gpa, &err), X86_INSN_FAULT);
    CHECK_EQ(err, X86_PF_P | X86_PF_W);
    /* user access to the supervisor 2 MiB page */
    CHECK_EQ(x86_paging_walk(&p, base + 0x600000, X86_PF_U, &gpa, &err), X86_INSN_FAULT);
    CHECK_EQ(err, X86_PF_P | X86_PF_U);
    /* fetch from NX */
    CHECK_EQ(x86_paging_walk(&p, base + 0x406000, X86_PF_I, &gpa, &err), X86_INSN_FAULT);
    CHECK_EQ(x86_paging_walk(&p, base + 0x406000, 0, &gpa, &err), 0);
    /* not present */
    CHECK_EQ(x86_paging_walk(&p, base + 0x407000, X86_PF_W, &gpa, &err), X86_INSN_FAULT);
    CHECK_EQ(err, X86_PF_W);
    CHECK_EQ(x86_paging_walk(&p, 0x1000, 0, &gpa, &err), X86_INSN_FAULT);
    /* a table outside memory */
    put64(0x1000 + 8 * 2, 0x7ff000 | 7);
    CHECK_EQ(x86_paging_walk(&p, 0x10000000000ull, 0, &gpa, &err), -EIO);

    /* PAE: PDPT at cr3 0x5020 (32-byte aligned), PD 0x6000, 2 MiB and 4 KiB pages. */
    memset(pmem, 0, sizeof(pmem));
    p = (struct x86_paging){
        .cr0 = X86_CR0_PE | X86_CR0_PG, .cr3 = 0x5020, .cr4 = X86_CR4_PAE, .read_phys = pt_read};
    put64(0x5020 + 8 * 3, 0x6000 | 1); /* la 0xc0000000.. */
    put64(0x6000 + 8 * 1, 0x00a00000 | 0x83);
    put64(0x6000 + 8 * 2, 0x7000 | 3);
    put64(0x7000 + 8 * 4, 0x12345000 | 3);
    CHECK_EQ(x86_paging_walk(&p, 0xc0212345, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x00a12345);
    CHECK_EQ(x86_paging_walk(&p, 0xc0404abc, X86_PF_W, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x12345abc);
    CHECK_EQ(x86_paging_walk(&p, 0x40000000, 0, &gpa, &err), X86_INSN_FAULT);

    /* 32-bit paging: PD at 0x8000; a 4 MiB page (CR4.PSE, with PSE-36 bits) and a PT. */
    memset(pmem, 0, sizeof(pmem));
    p = (struct x86_paging){.cr0 = X86_CR0_PE | X86_CR0_PG, .cr3 = 0x8000, .read_phys = pt_read};
    put32(0x8000 + 4 * 1, 0x00800000 | (0x3u << 13) | 0x83); /* la 4M..8M -> 0x3_00800000 */
    put32(0x8000 + 4 * 2, 0x9000 | 3);
    put32(0x9000 + 4 * 3, 0x00abc000 | 3);
    CHECK_EQ(x86_paging_walk(&p, 0x00803003, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x00abc003); /* without PSE the PS bit is ignored: the entry is a table */
    p.cr4 = X86_CR4_PSE;
    CHECK_EQ(x86_paging_walk(&p, 0x00512345, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x300912345ull);
    CHECK_EQ(x86_paging_walk(&p, 0x00803003, 0, &gpa, &err), 0);
    CHECK_EQ(gpa, 0x00abc003);
}

int main(void)
{
    srand(12345);
    test_moves();
    test_modes();
    test_strings();
    test_alu_mem();
    test_refused();
    test_alu_vs_cpu();
    test_random_bytes();
    test_walk();
    return check_summary("test-x86-insn");
}

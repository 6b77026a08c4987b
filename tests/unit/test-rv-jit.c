/*
 * test-rv-jit.c - the JIT against the interpreter, its reference: random
 * RV64IMD programs (ALU and M operations on boundary values, loads and
 * stores of every width, aligned or not, through good and bad bases,
 * forward branches and jumps, counted loops that become self-loops, double
 * arithmetic with static and dynamic rounding) run once with each; every
 * register, the data area, the trap CSRs and minstret must agree. Faulting
 * accesses end a program in the middle of a block, which is where a
 * translator that caches registers goes wrong.
 */
#include <string.h>

#include "check.h"
#include "emu-core/machine.h"
#include "emu-core/platform.h"
#include "targets/riscv/riscv.h"
#include "targets/riscv/rv-jit.h"

#define RAM_BASE 0x80000000ull
#define CODE 0x1000u /* program offset in RAM */
#define HANDLER 0x100u
#define DATA 0x10000u /* data area offset, x2 points at its middle */
#define DATA_SIZE 0x1000u
#define CSR(n) (65 + (n))
#define MAX_INSNS 160

static struct machine m;
static struct mem_region ram;
static struct vcpu *cpu;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static uint64_t interesting(void)
{
    static const uint64_t v[] = {0,
                                 1,
                                 2,
                                 ~0ull,
                                 0x7fffffffffffffffull,
                                 0x8000000000000000ull,
                                 0x7fffffff,
                                 0x80000000,
                                 0xffffffff,
                                 0xffffffff80000000ull,
                                 63,
                                 64,
                                 0x3ff0000000000000ull /* 1.0 */,
                                 0xc000000000000000ull /* -2.0 */};
    return rn(3) ? rnd() >> rn(64) : v[rn(sizeof(v) / sizeof(v[0]))];
}

static uint32_t r_type(uint32_t op, uint32_t f3, uint32_t f7, unsigned rd, unsigned rs1,
                       unsigned rs2)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t i_type(uint32_t op, uint32_t f3, unsigned rd, unsigned rs1, int imm)
{
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t s_type(uint32_t f3, unsigned rs1, unsigned rs2, int imm)
{
    uint32_t o = (uint32_t)imm;
    return ((o >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (o & 0x1f) << 7 | 0x23;
}
static uint32_t b_type(uint32_t f3, unsigned rs1, unsigned rs2, int off)
{
    uint32_t o = (uint32_t)off;
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           ((o >> 1) & 0xf) << 8 | ((o >> 11) & 1) << 7 | 0x63;
}
static uint32_t j_type(unsigned rd, int off)
{
    uint32_t o = (uint32_t)off;
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 |
           ((o >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

/* Destination registers: anything but x0, sp (the data base) and t6 (loop counters). */
static unsigned rd_pick(void)
{
    unsigned r;
    do
        r = rn(32);
    while (r == 0 || r == 2 || r == 31);
    return r;
}
static unsigned rs_pick(void)
{
    return rn(32);
}

static uint32_t alu_insn(void)
{
    static const uint32_t r_ops[][2] = {{0, 0},    {0x20, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4},
                                        {0, 5},    {0x20, 5}, {0, 6}, {0, 7}, {1, 0}, {1, 1},
                                        {1, 2},    {1, 3},    {1, 4}, {1, 5}, {1, 6}, {1, 7}};
    static const uint32_t w_ops[][2] = {{0, 0}, {0x20, 0}, {0, 1}, {0, 5}, {0x20, 5},
                                        {1, 0}, {1, 4},    {1, 5}, {1, 6}, {1, 7}};
    static const uint32_t i_f3[] = {0, 2, 3, 4, 6, 7};
    unsigned rd = rd_pick(), rs1 = rs_pick(), rs2 = rs_pick();
    int imm = (int)(rnd() % 4096) - 2048;
    if (rn(4) == 0)
        imm = (int)rn(5) - 2; /* small ones, and 0 (mv, sext.w) */
    switch (rn(7)) {
    case 0: {
        const uint32_t *o = r_ops[rn(sizeof(r_ops) / sizeof(r_ops[0]))];
        return r_type(0x33, o[1], o[0], rd, rs1, rs2);
    }
    case 1: {
        const uint32_t *o = w_ops[rn(sizeof(w_ops) / sizeof(w_ops[0]))];
        return r_type(0x3b, o[1], o[0], rd, rs1, rs2);
    }
    case 2:
        return i_type(0x13, i_f3[rn(6)], rd, rs1, imm);
    case 3: /* 64-bit shifts by immediate */
        return i_type(0x13, rn(2) ? 1 : 5, rd, rs1, (int)rn(64) | (rn(2) ? 0x400 : 0)) &
               ~(rn(2) ? 0u : 0x40000000u);
    case 4: /* addiw and 32-bit shifts */
        if (rn(2))
            return i_type(0x1b, 0, rd, rs1, imm);
        return i_type(0x1b, rn(2) ? 1 : 5, rd, rs1, (int)rn(32) | (rn(2) ? 0x400 : 0));
    case 5:
        return (uint32_t)(rnd() & 0xfffff000u) | rd << 7 | (rn(2) ? 0x37 : 0x17); /* lui, auipc */
    default:
        return i_type(0x13, 0, rd, rs_pick(), imm);
    }
}

static uint32_t mem_insn(void)
{
    bool good = rn(12) != 0; /* else a base that is probably out of RAM or misaligned */
    unsigned base = good ? 2 : rs_pick();
    int off = (int)(rnd() % DATA_SIZE) - (int)DATA_SIZE / 2;
    if (rn(3))
        off &= ~7;
    if (rn(2)) /* loads: lb lh lw ld lbu lhu lwu */
        return i_type(0x03, rn(7), rd_pick(), base, off);
    return s_type(rn(4), 2, rs_pick(), off); /* stores only through sp: keep the code intact */
}

static uint32_t fp_insn(void)
{
    static const uint32_t f7[] = {0x01, 0x05, 0x09, 0x0d}; /* fadd.d fsub.d fmul.d fdiv.d */
    unsigned rd = rn(32), rs1 = rn(32), rs2 = rn(32);
    uint32_t rm = rn(8) == 0 ? 7 : rn(5); /* static modes, and dyn (frm) */
    switch (rn(4)) {
    case 0:
        return i_type(0x07, 3, rd, 2, (int)(rnd() % 2048) & ~7); /* fld */
    case 1:
        return s_type(3, 2, rs2, -(int)(rnd() % 2048) & ~7); /* fsd */
    case 2: /* fmadd.d */
        return rn(32) << 27 | 1u << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | 0x43;
    default:
        return f7[rn(4)] << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | 0x53;
    }
}

static uint32_t prog[MAX_INSNS];
static unsigned nprog;

static void emit(uint32_t insn)
{
    if (nprog < MAX_INSNS)
        prog[nprog++] = insn;
}

/* A straight run of instructions with forward branches and jumps over some of them. */
static void gen_run(unsigned n, bool fp)
{
    for (unsigned i = 0; i < n && nprog < MAX_INSNS - 8; i++) {
        unsigned k = rn(16);
        if (k < 8)
            emit(alu_insn());
        else if (k < 12)
            emit(mem_insn());
        else if (k < 14 && fp)
            emit(fp_insn());
        else if (i + 3 >= n) /* branches stay inside the run: never into a loop's body */
            emit(alu_insn());
        else if (k == 14) /* skip 1..3 instructions */
            emit(b_type((uint32_t[]){0, 1, 4, 5, 6, 7}[rn(6)], rs_pick(), rs_pick(),
                        4 * (1 + (int)rn(3))));
        else
            emit(j_type(rn(2) ? 0 : rd_pick(), 4 * (1 + (int)rn(3))));
    }
}

static void gen_program(bool fp)
{
    nprog = 0;
    gen_run(rn(12), fp);
    if (rn(2)) { /* a counted loop, a self-loop if its body has no branch */
        emit(i_type(0x13, 0, 31, 0, 1 + (int)rn(40))); /* li t6, n */
        unsigned top = nprog;
        unsigned body = 1 + rn(10);
        for (unsigned i = 0; i < body; i++)
            emit(rn(3) ? alu_insn() : mem_insn());
        emit(i_type(0x13, 0, 31, 31, -1)); /* addi t6, t6, -1 */
        emit(b_type(1, 31, 0, -4 * (int)(nprog - top))); /* bnez t6, top */
    }
    gen_run(rn(12), fp);
    while (nprog < MAX_INSNS - 1 && rn(4) == 0)
        emit(alu_insn());
    emit(0x10500073); /* wfi: the end */
    for (unsigned i = nprog; i < nprog + 4 && i < MAX_INSNS; i++)
        prog[i] = 0x10500073; /* jumps over the end land on a wfi too */
}

struct outcome {
    uint64_t x[32], f[32], pc, mcause, mepc, mtval, minstret, fflags;
    uint8_t data[DATA_SIZE];
    int reason;
};

static uint64_t reg(int n)
{
    uint64_t v = 0;
    m.accel->get_reg(cpu, n, &v);
    return v;
}

static void run_once(bool jit, const uint64_t *x0, const uint64_t *f0, const uint8_t *data0,
                     uint64_t frm, struct outcome *o)
{
    uint8_t *host = mem_region_host(&ram);
    memset(o, 0, sizeof(*o));
    rv_jit_set_enabled(jit);
    /* rewriting the code drops its old translation (made in the other mode) */
    memcpy(host + CODE, prog, sizeof(prog));
    mem_notify_write(ram.ram, CODE, sizeof(prog));
    memcpy(host + DATA, data0, DATA_SIZE);
    mem_notify_write(ram.ram, DATA, DATA_SIZE);
    for (int i = 1; i < 32; i++)
        m.accel->set_reg(cpu, i, x0[i]);
    for (int i = 0; i < 32; i++)
        m.accel->set_reg(cpu, 33 + i, f0[i]);
    m.accel->set_reg(cpu, CSR(0x305), RAM_BASE + HANDLER); /* mtvec */
    m.accel->set_reg(cpu, CSR(0x342), 0);
    m.accel->set_reg(cpu, CSR(0x341), 0);
    m.accel->set_reg(cpu, CSR(0x343), 0);
    m.accel->set_reg(cpu, CSR(0x002), frm);
    m.accel->set_reg(cpu, CSR(0x001), 0); /* fflags */
    m.accel->set_reg(cpu, CSR(0x300), 3ull << 11 | 1ull << 13); /* MPP=M, FS=initial */
    uint64_t i0 = reg(CSR(0xb02));
    m.accel->set_reg(cpu, 32, RAM_BASE + CODE);
    o->reason = VCPU_EXIT_KICKED;
    for (int i = 0; i < 20 && o->reason == VCPU_EXIT_KICKED; i++) {
        struct vcpu_exit ex;
        memset(&ex, 0, sizeof(ex));
        cpu->slice_end_ns = plat_clock_ns() + 100000000; /* a broken translation may hang */
        cpu->exit_request = 0;
        cpu->halted = false;
        o->reason = m.accel->vcpu_run(cpu, &ex) < 0 ? VCPU_EXIT_ERROR : (int)ex.reason;
    }
    for (int i = 0; i < 32; i++) {
        o->x[i] = reg(i);
        o->f[i] = reg(33 + i);
    }
    o->pc = reg(32);
    o->mcause = reg(CSR(0x342));
    o->mepc = reg(CSR(0x341));
    o->mtval = reg(CSR(0x343));
    o->fflags = reg(CSR(0x001));
    o->minstret = reg(CSR(0xb02)) - i0;
    memcpy(o->data, host + DATA, DATA_SIZE);
}

static struct outcome out_interp, out_jit;

static void fuzz(unsigned iters)
{
    static uint8_t data0[DATA_SIZE];
    uint64_t x0[32], f0[32];
    unsigned diffs = 0;
    for (unsigned it = 0; it < iters && diffs < 5; it++) {
        gen_program(it % 3 == 0);
        for (int i = 0; i < 32; i++) {
            x0[i] = interesting();
            f0[i] = interesting();
        }
        x0[2] = RAM_BASE + DATA + DATA_SIZE / 2;
        for (unsigned i = 0; i < DATA_SIZE; i += 8) {
            uint64_t v = interesting();
            memcpy(data0 + i, &v, 8);
        }
        uint64_t frm = rn(6); /* 5 is reserved: dyn then raises illegal */
        run_once(false, x0, f0, data0, frm, &out_interp);
        run_once(true, x0, f0, data0, frm, &out_jit);
        if (memcmp(&out_interp, &out_jit, sizeof(out_jit)) != 0) {
            diffs++;
            fprintf(stderr, "iteration %u: JIT and interpreter differ\n", it);
            for (int i = 0; i < 32; i++)
                if (out_interp.x[i] != out_jit.x[i])
                    fprintf(stderr, "  x%d: %llx vs %llx\n", i,
                            (unsigned long long)out_interp.x[i], (unsigned long long)out_jit.x[i]);
            fprintf(stderr, "  pc %llx/%llx mcause %llx/%llx mepc %llx/%llx instret %llu/%llu\n",
                    (unsigned long long)out_interp.pc, (unsigned long long)out_jit.pc,
                    (unsigned long long)out_interp.mcause, (unsigned long long)out_jit.mcause,
                    (unsigned long long)out_interp.mepc, (unsigned long long)out_jit.mepc,
                    (unsigned long long)out_interp.minstret,
                    (unsigned long long)out_jit.minstret);
            for (unsigned i = 0; i < nprog; i++)
                fprintf(stderr, "  %08x\n", prog[i]);
        }
        CHECK(memcmp(&out_interp, &out_jit, sizeof(out_jit)) == 0);
        CHECK_EQ(out_jit.reason, VCPU_EXIT_HALT);
    }
}

int main(void)
{
    mem_region_init_container(&m.sysmem, "system", ~0ull);
    address_space_init(&m.as, &m.sysmem, "memory");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 1 << 20), 0);
    mem_region_add_subregion(&m.sysmem, RAM_BASE, &ram, 0);
    address_space_commit(&m.as);
    m.accel = accel_find("tcg");
    CHECK(m.accel != NULL);
    if (!m.accel)
        return check_summary("test-rv-jit");
    CHECK_EQ(m.accel->init(&m), 0);
    struct rv_cpu_config cfg = {.hartid = 0, .reset_pc = RAM_BASE, .satp_max_mode = 9};
    CHECK_EQ(rv_cpu_create(&m, &cfg, &cpu), 0);
    uint32_t wfi = 0x10500073;
    memcpy(mem_region_host(&ram) + HANDLER, &wfi, 4);
    mem_notify_write(ram.ram, HANDLER, 4);
    if (!rv_jit_active()) {
        printf("test-rv-jit: no executable memory, nothing to compare\n");
        return check_summary("test-rv-jit");
    }
    fuzz(20000);
    return check_summary("test-rv-jit");
}

/*
 * test-rv-cpu.c - the RISC-V hart on a machine with only RAM: traps and
 * their CSRs, wfi, fetch access faults, and self-modifying code (a store
 * over an already translated block must be seen by the next execution).
 */
#include <string.h>

#include "check.h"
#include "emu-core/machine.h"
#include "targets/riscv/riscv.h"

#define RAM_BASE 0x80000000ull
#define CSR(n) (65 + (n))

static struct machine m;
static struct mem_region ram;
static struct vcpu *cpu;

/* Writers through host pointers must report the write (it may cover translated code). */
static void put(uint64_t off, uint32_t insn)
{
    memcpy(mem_region_host(&ram) + off, &insn, 4);
    mem_notify_write(ram.ram, off, 4);
}

static enum vcpu_exit_reason run_from(uint64_t pc)
{
    struct vcpu_exit ex;
    m.accel->set_reg(cpu, 32, pc);
    for (int i = 0; i < 100; i++) {
        cpu->slice_end_ns = ~0ull;
        cpu->exit_request = 0;
        memset(&ex, 0, sizeof(ex));
        if (m.accel->vcpu_run(cpu, &ex) < 0)
            return VCPU_EXIT_ERROR;
        if (ex.reason != VCPU_EXIT_KICKED)
            return ex.reason;
    }
    return VCPU_EXIT_KICKED;
}

static uint64_t reg(int n)
{
    uint64_t v = 0;
    m.accel->get_reg(cpu, n, &v);
    return v;
}

/* t0 = RAM_BASE; mtvec = RAM_BASE + 0x100, whose handler is a wfi */
static void prologue(void)
{
    put(0x00, 0x00100293);  /* addi t0, x0, 1 */
    put(0x04, 0x01f29293);  /* slli t0, t0, 31 */
    put(0x08, 0x10028313);  /* addi t1, t0, 0x100 */
    put(0x0c, 0x30531073);  /* csrw mtvec, t1 */
    put(0x100, 0x10500073); /* wfi */
}

static void test_illegal(void)
{
    prologue();
    put(0x10, 0xffffffff);
    CHECK_EQ(run_from(RAM_BASE), VCPU_EXIT_HALT);
    CHECK_EQ(reg(32), RAM_BASE + 0x104);
    CHECK_EQ(reg(CSR(0x342)), 2);
    CHECK_EQ(reg(CSR(0x343)), 0xffffffff);
    CHECK_EQ(reg(CSR(0x341)), RAM_BASE + 0x10);
}

static void test_fetch_fault(void)
{
    prologue();
    put(0x10, 0x00001337); /* lui t1, 1 */
    put(0x14, 0x00030067); /* jalr x0, 0(t1) */
    CHECK_EQ(run_from(RAM_BASE), VCPU_EXIT_HALT);
    CHECK_EQ(reg(CSR(0x342)), 1);
    CHECK_EQ(reg(CSR(0x343)), 0x1000);
    CHECK_EQ(reg(CSR(0x341)), 0x1000);
}

static void test_self_modifying(void)
{
    prologue();
    put(0x10, 0x0402a303);                               /* lw t1, 0x40(t0) */
    put(0x14, 0x0262a023);                               /* sw t1, 0x20(t0) */
    put(0x18, 0x0080006f);                               /* jal x0, +8 */
    put(0x20, 0x00100513);                               /* addi a0, x0, 1 (replaced) */
    put(0x24, 0x10500073);                               /* wfi */
    put(0x40, 0x02a00513);                               /* addi a0, x0, 42 */
    CHECK_EQ(run_from(RAM_BASE + 0x20), VCPU_EXIT_HALT); /* translate the old block */
    CHECK_EQ(reg(10), 1);
    CHECK_EQ(run_from(RAM_BASE), VCPU_EXIT_HALT);
    CHECK_EQ(reg(10), 42);
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
        return check_summary("test-rv-cpu");
    CHECK_EQ(m.accel->init(&m), 0);
    struct rv_cpu_config cfg = {.hartid = 0, .reset_pc = RAM_BASE, .satp_max_mode = 9};
    CHECK_EQ(rv_cpu_create(&m, &cfg, &cpu), 0);
    test_illegal();
    test_fetch_fault();
    test_self_modifying();
    return check_summary("test-rv-cpu");
}

/*
 * test-dump.c - the monitor's view of a RISC-V hart: the side-effect-free
 * Sv39 walk behind HMP x (leaf at each level, invalid and reserved PTEs, M
 * mode bypass, non-canonical addresses, A/D bits untouched), and the ELF
 * core dump-guest-memory writes (header, PT_LOAD per RAM range, the
 * NT_PRSTATUS registers) through an in-memory file.
 */
#include <stdlib.h>
#include <string.h>

#include "emu-core/dump.h"
#include "emu-core/machine.h"
#include "targets/riscv/riscv.h"
#include "targets/riscv/rv-internal.h"
#include "tests/unit/check.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (4u << 20)

static struct machine m;
static struct mem_region ram;
static struct vcpu *cpu;

static void pte(uint64_t table, int idx, uint64_t pa, uint64_t flags)
{
    uint64_t v = (pa >> 12) << 10 | flags;
    address_space_write(&m.as, table + (uint64_t)idx * 8, &v, 8);
}

static void test_translate(const struct dump_arch *a)
{
    struct rv_cpu *c = cpu->arch;
    uint64_t root = RAM_BASE + 0x100000, l1 = RAM_BASE + 0x101000, l0 = RAM_BASE + 0x102000, pa;

    /* 0x0000_0000_4000_0000 -> gigapage at RAM_BASE (RWX, A/D clear) */
    pte(root, 1, RAM_BASE, 0x1 | 0x2 | 0x4 | 0x8);
    /* 0x0000_0000_0020_0000 -> l1 -> megapage at RAM_BASE + 2 MiB */
    pte(root, 0, l1, 0x1);
    pte(l1, 1, RAM_BASE + 0x200000, 0x1 | 0x2);
    /* 0x0000_0000_0040_3000 -> l1 -> l0 -> 4 KiB page at RAM_BASE + 0x5000 */
    pte(l1, 2, l0, 0x1);
    pte(l0, 3, RAM_BASE + 0x5000, 0x1 | 0x2);
    /* 0x0000_0000_0040_4000: W without R is reserved */
    pte(l0, 4, RAM_BASE + 0x6000, 0x1 | 0x4);

    c->satp = 8ull << 60 | root >> 12;
    c->priv = RV_PRV_M;
    CHECK(a->translate(cpu, 0x1234, &pa) == 0 && pa == 0x1234); /* M mode: no translation */
    c->priv = RV_PRV_S;
    CHECK(a->translate(cpu, 0x40000123, &pa) == 0 && pa == RAM_BASE + 0x123);
    CHECK(a->translate(cpu, 0x00212345, &pa) == 0 && pa == RAM_BASE + 0x212345);
    CHECK(a->translate(cpu, 0x00403abc, &pa) == 0 && pa == RAM_BASE + 0x5abc);
    CHECK(a->translate(cpu, 0x00404000, &pa) < 0);         /* reserved W-only */
    CHECK(a->translate(cpu, 0x80000000, &pa) < 0);         /* no PTE */
    CHECK(a->translate(cpu, 0x0000008000000000, &pa) < 0); /* not sign-extended for Sv39 */
    uint64_t v;
    address_space_read(&m.as, root + 8, &v, 8);
    CHECK_EQ(v & 0xc0, 0); /* A and D stay clear: a debugger read leaves no trace */
    c->satp = 0;
    CHECK(a->translate(cpu, 0x40000123, &pa) == 0 && pa == 0x40000123); /* Bare */
}

/* ---- an in-memory dump file ---- */

static uint8_t *file;
static size_t file_len;

static int mem_open(const char *name, void **h)
{
    (void)name;
    free(file);
    file = NULL;
    file_len = 0;
    *h = &file;
    return 0;
}

static int mem_write(void *h, const void *buf, size_t len)
{
    (void)h;
    uint8_t *n = realloc(file, file_len + len);
    if (!n)
        return -12;
    memcpy(n + file_len, buf, len);
    file = n;
    file_len += len;
    return 0;
}

static int mem_close(void *h)
{
    (void)h;
    return 0;
}

static const struct dump_file_ops mem_ops = {mem_open, mem_write, mem_close};

static uint64_t get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

static void test_core(void)
{
    struct rv_cpu *c = cpu->arch;
    char err[200];

    c->pc = 0x80001234;
    c->x[2] = 0x1111;
    c->x[31] = 0x3131;
    address_space_write(&m.as, RAM_BASE + 0x10, "baremu", 6);
    dump_set_file_ops(&mem_ops);
    CHECK_EQ(dump_guest_memory(&m, "mem", 0, 0, err, sizeof(err)), 0);
    CHECK(file_len > RAM_SIZE);
    CHECK(!memcmp(file,
                  "\x7f"
                  "ELF\x02\x01\x01",
                  7));
    CHECK_EQ(get(file + 16, 2), 4);   /* ET_CORE */
    CHECK_EQ(get(file + 18, 2), 243); /* EM_RISCV */
    CHECK_EQ(get(file + 56, 2), 2);   /* PT_NOTE + one PT_LOAD */
    const uint8_t *ph = file + get(file + 32, 8);
    CHECK_EQ(get(ph, 4), 4);
    const uint8_t *load = ph + 56;
    CHECK_EQ(get(load, 4), 1);
    CHECK_EQ(get(load + 16, 8), RAM_BASE); /* vaddr = paddr */
    CHECK_EQ(get(load + 24, 8), RAM_BASE);
    CHECK_EQ(get(load + 32, 8), RAM_SIZE);
    uint64_t off = get(load + 8, 8);
    CHECK(off + RAM_SIZE <= file_len && !memcmp(file + off + 0x10, "baremu", 6));
    const uint8_t *note = file + get(ph + 8, 8);
    CHECK_EQ(get(note + 8, 4), 1); /* NT_PRSTATUS */
    CHECK(!memcmp(note + 12, "CORE", 5));
    const uint8_t *regs = note + 12 + 8 + 112;
    CHECK_EQ(get(regs, 8), 0x80001234); /* pc first, then x1..x31 */
    CHECK_EQ(get(regs + 2 * 8, 8), 0x1111);
    CHECK_EQ(get(regs + 31 * 8, 8), 0x3131);
    CHECK_EQ(dump_query()->status, DUMP_STATUS_COMPLETED);
    CHECK_EQ(dump_query()->total, RAM_SIZE);

    /* begin/length clip the ranges; a range with no RAM is refused. */
    CHECK_EQ(dump_guest_memory(&m, "mem", RAM_BASE + 0x1000, 0x2000, err, sizeof(err)), 0);
    CHECK_EQ(dump_query()->total, 0x2000);
    CHECK(dump_guest_memory(&m, "mem", 0x1000, 0x1000, err, sizeof(err)) < 0);
    CHECK(strstr(err, "begin") != NULL);
    free(file);
}

int main(void)
{
    mem_region_init_container(&m.sysmem, "system", ~0ull);
    address_space_init(&m.as, &m.sysmem, "memory");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", RAM_SIZE), 0);
    mem_region_add_subregion(&m.sysmem, RAM_BASE, &ram, 0);
    address_space_commit(&m.as);
    m.accel = accel_find("tcg");
    CHECK(m.accel != NULL);
    if (!m.accel)
        return check_summary("dump");
    CHECK_EQ(m.accel->init(&m), 0);
    struct rv_cpu_config cfg = {.hartid = 0, .reset_pc = RAM_BASE, .satp_max_mode = 9};
    CHECK_EQ(rv_cpu_create(&m, &cfg, &cpu), 0);
    const struct dump_arch *a = dump_arch_of(&m);
    CHECK(a && !strcmp(a->target, "riscv64"));
    if (a) {
        test_translate(a);
        test_core();
    }
    return check_summary("dump");
}

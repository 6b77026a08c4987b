/*
 * rv-dump.c - what the monitor needs to know about RV64 harts: ELF core
 * registers as Linux's and QEMU's riscv64 cores lay them out, HMP info
 * registers, and a side-effect-free page walk for HMP x.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "emu-core/dump.h"
#include "emu-core/machine.h"
#include "emu-core/monitor.h"
#include "targets/riscv/rv-internal.h"

static struct rv_cpu *rv_dump_cpu(struct vcpu *cpu)
{
    return cpu->arch;
}

/* "tcg" is baremu's RISC-V interpreter: the only CPU it runs today. */
static bool rv_dump_match(const struct machine *m)
{
    return m->accel && !strcmp(m->accel->name, "tcg");
}

/* user_regs_struct: pc, then x1..x31. */
static int rv_dump_prstatus(struct vcpu *cpu, uint64_t *regs)
{
    struct rv_cpu *c = rv_dump_cpu(cpu);

    regs[0] = c->pc;
    for (int i = 1; i < 32; i++)
        regs[i] = c->x[i];
    return 0;
}

static const char *const rv_abi_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static void rv_dump_print_regs(struct monitor *mon, struct vcpu *cpu)
{
    struct rv_cpu *c = rv_dump_cpu(cpu);
    static const char prv[] = "USHM";

    /* QEMU's riscv_cpu_dump_state order for the registers both have. */
    monitor_printf(mon, " pc       %016llx\n", (unsigned long long)c->pc);
    monitor_printf(mon, " mhartid  %016llx\n", (unsigned long long)cpu->index);
    monitor_printf(mon, " mstatus  %016llx\n", (unsigned long long)c->mstatus);
    monitor_printf(mon, " priv     %c\n", prv[c->priv & 3]);
    const struct {
        const char *n;
        uint64_t v;
    } csrs[] = {
        {"mie", c->mie},           {"mideleg", c->mideleg}, {"medeleg", c->medeleg},
        {"mtvec", c->mtvec},       {"stvec", c->stvec},     {"mepc", c->mepc},
        {"sepc", c->sepc},         {"mcause", c->mcause},   {"scause", c->scause},
        {"mtval", c->mtval},       {"stval", c->stval},     {"mscratch", c->mscratch},
        {"sscratch", c->sscratch}, {"satp", c->satp},
    };
    for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
        monitor_printf(mon, " %-8s %016llx\n", csrs[i].n, (unsigned long long)csrs[i].v);
    for (int i = 0; i < 32; i++) {
        char name[12];
        snprintf(name, sizeof(name), "x%d/%s", i, rv_abi_names[i]);
        monitor_printf(mon, " %-8s %016llx%s", name, (unsigned long long)c->x[i],
                       (i & 3) == 3 ? "\n" : "");
    }
}

/*
 * Walk Sv39/Sv48/Sv57 without touching A/D bits, the TLB or exception
 * state: a debugger read must not change what the guest sees.
 */
static int rv_dump_translate(struct vcpu *cpu, uint64_t va, uint64_t *pa)
{
    struct rv_cpu *c = rv_dump_cpu(cpu);
    int mode = (int)(c->satp >> 60), levels;

    if (c->priv == RV_PRV_M || mode == 0) {
        *pa = va;
        return 0;
    }
    if (mode == 8)
        levels = 3;
    else if (mode == 9)
        levels = 4;
    else if (mode == 10)
        levels = 5;
    else
        return -EFAULT;
    int vabits = 12 + 9 * levels;
    int64_t sva = (int64_t)(va << (64 - vabits)) >> (64 - vabits);
    if ((uint64_t)sva != va)
        return -EFAULT;
    uint64_t table = (c->satp & ((1ull << 44) - 1)) << 12;
    for (int lvl = levels - 1; lvl >= 0; lvl--) {
        uint64_t idx = (va >> (12 + 9 * lvl)) & 0x1ff, pte;
        if (address_space_read(&cpu->machine->as, table + idx * 8, &pte, 8) != MEMTX_OK)
            return -EFAULT;
        if (!(pte & 1) || (!(pte & 2) && (pte & 4)))
            return -EFAULT;
        uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (pte & 0xa) { /* R or X: a leaf */
            uint64_t mask = (1ull << (12 + 9 * lvl)) - 1;
            *pa = ((ppn << 12) & ~mask) | (va & mask);
            return 0;
        }
        table = ppn << 12;
    }
    return -EFAULT;
}

static const struct dump_arch rv_dump_arch = {
    .target = "riscv64",
    .e_machine = 243, /* EM_RISCV */
    .e_flags = 0,
    .cpu_path_fmt = "/machine/soc0/harts[%d]",
    .match = rv_dump_match,
    .nregs = 32,
    .prstatus_regs = rv_dump_prstatus,
    .print_regs = rv_dump_print_regs,
    .translate = rv_dump_translate,
};
DUMP_ARCH_REGISTER(rv_dump_arch);

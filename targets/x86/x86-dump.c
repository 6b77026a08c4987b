/*
 * x86-dump.c - what the monitor needs to know about x86 vCPUs: ELF core
 * registers in Linux's x86-64 user_regs_struct order (as QEMU's x86 dumps),
 * and HMP info registers. Registers come through the accelerator's get_reg
 * (GDB numbering), so any x86 accelerator serves.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/dump.h"
#include "emu-core/machine.h"
#include "emu-core/monitor.h"
#include "targets/x86/x86.h"

/* Only x86 guests run on KVM in baremu. */
static bool x86_dump_match(const struct machine *m)
{
    return m->accel && !strcmp(m->accel->name, "kvm");
}

static uint64_t x86_reg(struct vcpu *cpu, int regno)
{
    uint64_t v = 0;

    if (cpu->accel->get_reg(cpu, regno, &v) < 0)
        v = 0;
    return v;
}

static int x86_dump_prstatus(struct vcpu *cpu, uint64_t *regs)
{
    /* user_regs_struct: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax
     * rip cs eflags rsp ss fs_base gs_base ds es fs gs */
    static const int order[] = {
        X86_REG_R8 + 7,
        X86_REG_R8 + 6,
        X86_REG_R8 + 5,
        X86_REG_R8 + 4,
        X86_REG_RBP,
        X86_REG_RBX,
        X86_REG_R8 + 3,
        X86_REG_R8 + 2,
        X86_REG_R8 + 1,
        X86_REG_R8,
        X86_REG_RAX,
        X86_REG_RCX,
        X86_REG_RDX,
        X86_REG_RSI,
        X86_REG_RDI,
        -1,
        X86_REG_RIP,
        X86_REG_CS,
        X86_REG_EFLAGS,
        X86_REG_RSP,
        X86_REG_SS,
        -1,
        -1,
        X86_REG_DS,
        X86_REG_ES,
        X86_REG_FS,
        X86_REG_GS,
    };

    if (!cpu->accel->get_reg)
        return -ENOTSUP;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        regs[i] = order[i] < 0 ? 0 : x86_reg(cpu, order[i]);
    return 0;
}

static void x86_dump_print_regs(struct monitor *mon, struct vcpu *cpu)
{
    static const char *const gpr[16] = {"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
                                        "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};
    static const char *const seg[6] = {"CS", "SS", "DS", "ES", "FS", "GS"};

    /* QEMU's x86_cpu_dump_state layout for what get_reg offers. */
    for (int i = 0; i < 16; i++)
        monitor_printf(mon, "%s=%016llx%s", gpr[i], (unsigned long long)x86_reg(cpu, i),
                       (i & 3) == 3 ? "\n" : " ");
    monitor_printf(mon, "RIP=%016llx RFL=%08llx\n", (unsigned long long)x86_reg(cpu, X86_REG_RIP),
                   (unsigned long long)x86_reg(cpu, X86_REG_EFLAGS));
    for (int i = 0; i < 6; i++)
        monitor_printf(mon, "%s =%04llx\n", seg[i],
                       (unsigned long long)x86_reg(cpu, X86_REG_CS + i));
}

/* QEMU's x86 CPU properties: the socket, core and thread numbers of CPU index. */
static void x86_cpu_topo(struct vcpu *cpu, int *socket, int *core, int *thread)
{
    unsigned s, c, t;

    x86_topo_place(&x86_cpu_of(cpu)->topo, cpu->index, &s, &c, &t);
    *socket = (int)s, *core = (int)c, *thread = (int)t;
}

static const struct dump_arch x86_dump_arch = {
    .target = "x86_64",
    .e_machine = 62, /* EM_X86_64 */
    .cpu_path_fmt = "/machine/unattached/device[%d]",
    .cpu_topo = x86_cpu_topo,
    .match = x86_dump_match,
    .nregs = 27,
    .prstatus_regs = x86_dump_prstatus,
    .print_regs = x86_dump_print_regs,
    .translate = NULL, /* HMP x needs the guest's paging mode: use xp */
};
DUMP_ARCH_REGISTER(x86_dump_arch);

/*
 * x86.h - an x86 (IA-32/x86-64) CPU as seen by boards and accelerators.
 *
 * The CPU state proper lives in the accelerator (KVM's vCPU now; SVM/VMX on
 * the appliance later): this struct holds what the board wires to it (the
 * INTR pin and the interrupt controller's acknowledge cycle) and the state
 * every reset loads (the architectural reset state, or a boot loader's
 * entry state for -kernel).
 */
#ifndef TARGET_X86_H
#define TARGET_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/accel.h"
#include "emu-core/irq.h"

struct machine;
struct emu_config;

/*
 * The topology guests see (x86-topo.c): -smp's sockets, cores and threads
 * (without -smp: one socket of all CPUs, as QEMU), and the widths of the
 * thread and core fields of an APIC ID.
 */
struct x86_topo {
    unsigned sockets, cores, threads;
    unsigned thread_bits, core_bits;
};

/* GDB's x86-64 register numbering (get_reg/set_reg). */
enum x86_gdb_reg {
    X86_REG_RAX,
    X86_REG_RBX,
    X86_REG_RCX,
    X86_REG_RDX,
    X86_REG_RSI,
    X86_REG_RDI,
    X86_REG_RBP,
    X86_REG_RSP,
    X86_REG_R8,
    X86_REG_R15 = X86_REG_R8 + 7,
    X86_REG_RIP,
    X86_REG_EFLAGS,
    X86_REG_CS,
    X86_REG_SS,
    X86_REG_DS,
    X86_REG_ES,
    X86_REG_FS,
    X86_REG_GS,
    X86_REG_COUNT
};

/* A segment register as loaded into the hidden part (VMX-style attribute bits). */
struct x86_seg {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint8_t type; /* 4-bit type field */
    bool s, present, db, g, l;
    uint8_t dpl;
};

/*
 * Entry state of a boot loader implemented by the board (Multiboot: 32-bit
 * flat protected mode). Applied by the accelerator at every reset when
 * valid; otherwise the CPU starts at the reset vector f000:fff0.
 */
struct x86_boot_state {
    bool valid;
    uint64_t rip, rsp, rax, rbx, rsi, rflags;
    uint64_t cr0;
    struct x86_seg cs, ds; /* ds is loaded into ds, es, ss, fs, gs */
    uint64_t gdt_base;
    uint16_t gdt_limit;
};

/*
 * The CPU's interrupt controller as an accelerator sees it: a local APIC
 * model (hw/intc/apic.h) or, without one, nothing but intr_ack (the PIC).
 * Every member may be NULL. An accelerator:
 *  - delivers an external interrupt when intr_level is 1 and the guest can
 *    take one: ack() gives the vector (-1: the request went away);
 *  - may ask peek() first (the vector ack() would return, -1 for none, or
 *    X86_INTC_PEEK_EXTINT when only the PIC's acknowledge tells it), e.g.
 *    to program a virtual-interrupt field without committing to it;
 *  - hands RDMSR/WRMSR of IA32_APIC_BASE (0x1b) and 0x800-0x8ff to
 *    rdmsr()/wrmsr() (0, -ENOENT: not the controller's MSR, -EINVAL:
 *    raise #GP), and MOV CR8 to get_cr8()/set_cr8() if it intercepts it;
 *  - injects an NMI when nmi_pending is set, and clears it.
 * With KVM (no in-kernel irqchip) IA32_APIC_BASE stays in the kernel.
 */
struct x86_intc_ops {
    int (*peek)(void *opaque);
    int (*ack)(void *opaque);
    int (*rdmsr)(void *opaque, uint32_t msr, uint64_t *val);
    int (*wrmsr)(void *opaque, uint32_t msr, uint64_t val);
    uint8_t (*get_cr8)(void *opaque);
    void (*set_cr8)(void *opaque, uint8_t cr8);
    /* An external NMI (x86_machine_nmi): delivered through LINT1 per its LVT, as QEMU's. */
    void (*nmi)(void *opaque);
};
#define X86_INTC_PEEK_EXTINT 256

struct x86_cpu {
    struct vcpu vcpu;
    uint32_t apic_id; /* its initial APIC ID (x86_topo_apic_id of its index) */
    struct x86_topo topo;
    struct irq_line intr_pin; /* INTR: level from the PIC or the local APIC */
    int intr_level;
    /* The INTA cycle: the vector to deliver, or -1 if the request went away. */
    int (*intr_ack)(void *opaque);
    void *intr_opaque;
    const struct x86_intc_ops *intc; /* NULL: only intr_ack (see above) */
    volatile bool nmi_pending;       /* set by the APIC (LINT1, NMI IPIs) */
    struct x86_boot_state boot;
    /*
     * Multiprocessor start-up (SDM vol. 3A 9.4 and 11.6.1), driven by the
     * local APIC's INIT and STARTUP messages: an application processor
     * waits for a STARTUP after reset and INIT; x86_cpu_mp_poll() applies
     * what arrived before the vCPU runs again.
     */
    bool bsp;          /* the boot processor: INIT restarts it at the reset vector */
    bool wait_sipi;    /* in wait-for-SIPI: not run until a STARTUP message */
    bool init_pending; /* an INIT arrived: reset before running again */
    int sipi_vector;   /* a STARTUP's vector while waiting for one, else -1 */
    /*
     * For the accelerator's reset-state loader: when >= 0, start in real
     * mode at start_vector:0000 (CS selector vector << 8, base vector << 12)
     * instead of the reset vector or the boot state.
     */
    int start_vector;
    /* Set while vcpu_reset runs for INIT or STARTUP: MSRs (MTRRs, PAT) stay (SDM Table 9-1). */
    bool init_reset;
    void *accel_state; /* the accelerator's per-vCPU state */
};

static inline struct x86_cpu *x86_cpu_of(struct vcpu *cpu)
{
    return (struct x86_cpu *)cpu;
}

/*
 * Create vCPU number m->ncpus on machine m with the machine's accelerator
 * (which must run x86 guests). Returns 0 and *out, or -errno.
 */
int x86_cpu_create(struct machine *m, struct vcpu **out);

/* The INTR input (irq line) and where the accelerator asks for the vector. */
struct irq_line *x86_cpu_intr_pin(struct vcpu *cpu);
void x86_cpu_set_intr_ack(struct vcpu *cpu, int (*ack)(void *opaque), void *opaque);
/* Install a full interrupt controller (ops->ack becomes intr_ack; opaque for all ops). */
void x86_cpu_set_intc(struct vcpu *cpu, const struct x86_intc_ops *ops, void *opaque);
/* Raise the CPU's NMI (edge): sets nmi_pending and wakes a halted CPU. */
void x86_cpu_raise_nmi(struct vcpu *cpu);
/*
 * The machine's NMI button (machine_type.nmi, the monitor's inject-nmi):
 * every CPU's interrupt controller gets an external NMI (intc->nmi, the
 * local APIC's LINT1: masked or not in NMI mode, nothing happens, as in
 * QEMU); a CPU without one gets x86_cpu_raise_nmi(). Returns 0.
 */
int x86_machine_nmi(struct machine *m);
/*
 * For accelerators: the interrupt controller's MSRs. 0, -ENOENT (no
 * controller or not its MSR: handle it yourself), -EINVAL (#GP).
 */
int x86_cpu_rdmsr(struct vcpu *cpu, uint32_t msr, uint64_t *val);
int x86_cpu_wrmsr(struct vcpu *cpu, uint32_t msr, uint64_t val);

/*
 * Multiprocessor start-up. x86_cpu_power_on: the state after RESET (the
 * BSP runs; an AP waits for SIPI), called by the board (the local APIC's
 * reset) before the accelerator's vcpu_reset. x86_cpu_init_ipi and
 * x86_cpu_sipi: an INIT or STARTUP message arrived (the APIC's delivery;
 * a STARTUP is ignored unless the CPU waits for one). Either may come
 * while another vCPU runs; they take effect at the target's next run.
 *
 * x86_cpu_mp_poll: for accelerators, first thing in vcpu_run. Applies a
 * pending INIT (the accelerator's vcpu_reset) and STARTUP (vcpu_reset with
 * start_vector set). Returns true when the CPU waits for SIPI: vcpu_run
 * then returns VCPU_EXIT_HALT without running it.
 */
void x86_cpu_power_on(struct vcpu *cpu, bool bsp);
void x86_cpu_init_ipi(struct vcpu *cpu);
void x86_cpu_sipi(struct vcpu *cpu, int vector);
bool x86_cpu_mp_poll(struct vcpu *cpu);
/* The start_vector entry state as a real-mode CS (for the reset-state loaders). */
void x86_seg_sipi_cs(struct x86_seg *cs, int vector);

/* The topology -smp asks for (cfg's counts, or ncpus cores in one socket). */
void x86_topo_from_config(struct x86_topo *t, const struct emu_config *cfg, int ncpus);
/* Where CPU number index sits: threads fill a core, cores a socket, as QEMU numbers them. */
void x86_topo_place(const struct x86_topo *t, int index, unsigned *socket, unsigned *core,
                    unsigned *thread);
/* The APIC ID of CPU number index: socket, core and thread fields, as QEMU numbers them. */
uint32_t x86_topo_apic_id(const struct x86_topo *t, int index);
/*
 * Make CPUID leaf/sub's result r (the host's, already filtered) describe
 * topology t for the CPU with apic_id: leaves 1, 4, 0xB, 0x1F, 0x80000001
 * (CmpLegacy; TOPOEXT off) and 0x80000008; others are left alone.
 */
void x86_topo_cpuid(const struct x86_topo *t, uint32_t apic_id, uint32_t leaf, uint32_t sub,
                    uint32_t r[4]);

/* Fill a flat 4 GiB code (code=true) or data segment for 32-bit protected mode. */
void x86_seg_flat32(struct x86_seg *s, uint16_t selector, bool code);

#endif

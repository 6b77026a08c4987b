/*
 * riscv.h - the RV64GC CPU (RV64IMAFDC, Zicsr, Zifencei; privileged spec
 * 1.12 with M/S/U, Sv39/Sv48, PMP) as seen by boards.
 *
 * The CPU is run by the "tcg" accelerator (named as QEMU's so that
 * `-accel tcg` works; it is baremu's own interpreter).
 */
#ifndef TARGET_RISCV_H
#define TARGET_RISCV_H

#include <stdint.h>

struct machine;
struct vcpu;
struct irq_line;

/* Interrupt numbers = bit positions in mip. */
enum rv_irq {
    RV_IRQ_SSIP = 1,
    RV_IRQ_MSIP = 3,
    RV_IRQ_STIP = 5,
    RV_IRQ_MTIP = 7,
    RV_IRQ_SEIP = 9,
    RV_IRQ_MEIP = 11,
};

struct rv_cpu_config {
    int hartid;
    uint64_t reset_pc;      /* where the hart starts (the board's reset vector) */
    int satp_max_mode;      /* 8 = Sv39, 9 = Sv48, 10 = Sv57 (default 9) */
    int pmp_entries;        /* 0 or 16 (default 16) */
};

/*
 * Create hart cfg->hartid on machine m (m->accel must be the tcg
 * accelerator), fetching from and accessing m->as. Returns 0 and *out or
 * -errno.
 */
int rv_cpu_create(struct machine *m, const struct rv_cpu_config *cfg, struct vcpu **out);

/*
 * The hart's interrupt inputs as irq lines, indexed by enum rv_irq (entries
 * for other indices are valid but ignored). Level-triggered: the line's
 * level is the mip bit (SSIP/STIP software-writable bits are kept separately).
 */
struct irq_line *rv_cpu_irq_lines(struct vcpu *cpu);

/* The time CSR's source (the ACLINT MTIMER): returns mtime ticks. */
void rv_cpu_set_time_source(struct vcpu *cpu, uint64_t (*read_mtime)(void *opaque), void *opaque);

/*
 * Registers loaded at every reset, after the architectural reset state:
 * pc, a0 (hart id by convention), a1 (device tree), a2 (fw_dynamic info).
 */
void rv_cpu_set_boot_regs(struct vcpu *cpu, uint64_t pc, uint64_t a0, uint64_t a1, uint64_t a2);

/* The device tree's riscv,isa string for the hart: "rv64imafdc_zicsr_zifencei". */
const char *rv_cpu_isa_string(struct vcpu *cpu);

#endif

/*
 * apic.h - an x86 local APIC (Intel SDM vol. 3A, chapter 11 "Advanced
 * Programmable Interrupt Controller"; chapter 10 in older editions): the
 * xAPIC register page at IA32_APIC_BASE (0xfee00000 after reset), the
 * x2APIC MSRs 0x800-0x8ff, priorities (TPR/PPR, ISR/IRR/TMR), EOI with a
 * broadcast to the I/O APIC for level-triggered vectors, the LVT timer
 * (one-shot and periodic on the virtual clock, 1 GHz bus clock as QEMU's),
 * LINT0 (ExtINT: the 8259's INTR in virtual-wire mode), LINT1 (NMI), the
 * error LVT/ESR and self-IPIs through the ICR.
 *
 * One instance per vCPU. The model sits between the interrupt sources and
 * the CPU: it drives the CPU's INTR pin (x86_cpu_intr_pin) with "something
 * is deliverable now" and installs itself as the CPU's interrupt
 * controller (x86_cpu_set_intc), so the accelerator's acknowledge cycle
 * lands in apic_intack(), which also forwards ExtINT to the PIC.
 *
 * Properties: "cpu" (link: struct vcpu, required), "clock" (link: the
 * virtual clock, required), "sysmem" (link: the container the xAPIC page
 * is mapped into and moved within when the guest relocates it; optional),
 * "id" (u32: the APIC ID), "bsp" (bool: the boot processor, whose LINT0 is
 * in ExtINT mode after reset so the PIC works before software enables the
 * APIC, as QEMU does).
 *
 * Several CPUs: the board puts every APIC on one struct apic_bus, which
 * carries IPIs, I/O APIC and MSI messages between them and serves the
 * xAPIC page at its default address to whichever CPU accesses it. INIT
 * resets the APIC (but its ID and IA32_APIC_BASE) and the CPU, which then
 * waits for a STARTUP (x86_cpu_init_ipi, x86_cpu_sipi).
 *
 * Not modelled: TSC-deadline mode (CPUID does not offer it), lowest-priority
 * arbitration (the first matching APIC takes the message, as in QEMU), the
 * thermal/perf/CMCI sources, directed EOI (suppress EOI broadcast), SMI.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/memory.h"

struct vcpu;
struct x86_intc_ops;
struct apic_bus;

#define APIC_DEFAULT_BASE 0xfee00000ull
#define APIC_MSR_BASE 0x1b
#define APIC_MSR_X2APIC_FIRST 0x800
#define APIC_MSR_X2APIC_LAST 0x8ff

/* IA32_APIC_BASE bits (SDM 11.4.4). */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)

/* LVT entries, in register order 0x320-0x370. */
enum apic_lvt {
    APIC_LVT_TIMER,
    APIC_LVT_THERMAL,
    APIC_LVT_PERF,
    APIC_LVT_LINT0,
    APIC_LVT_LINT1,
    APIC_LVT_ERROR,
    APIC_LVT_COUNT
};

/* Delivery modes (ICR and LVT bits 10:8). */
enum apic_dm {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWPRI = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_STARTUP = 6,
    APIC_DM_EXTINT = 7
};

/* apic_intr_peek(): an ExtINT request whose vector the PIC gives only at acknowledge. */
#define APIC_PEEK_EXTINT 256

struct apic {
    struct device dev;
    struct vcpu *cpu;
    struct vclock *clock;
    struct mem_region *sysmem;
    struct apic_bus *bus; /* set by apic_bus_add */
    uint32_t id;
    bool bsp;

    uint64_t base_msr;
    bool mapped;
    uint64_t mapped_at;
    uint32_t tpr, svr, ldr, dfr, esr, esr_pending;
    uint32_t icr_lo, icr_hi;
    uint32_t isr[8], irr[8], tmr[8];
    uint32_t lvt[APIC_LVT_COUNT];
    uint32_t initial_count, divide_conf;
    uint64_t count_start_ns; /* virtual time the current count period began */
    uint32_t lint_level[2];  /* input pin levels */

    struct timer timer;
    struct mem_region mmio;
    struct irq_line lint[2];

    /* Level-triggered EOI goes to the I/O APIC (apic_set_eoi_hook). */
    void (*eoi_hook)(void *opaque, int vector);
    void *eoi_opaque;
    /* The 8259's acknowledge cycle for ExtINT (apic_set_extint). */
    int (*extint_ack)(void *opaque);
    void *extint_opaque;
};

extern const struct device_type apic_type;

/* LINT0 (n = 0) and LINT1 (n = 1) input lines. */
struct irq_line *apic_lint(struct device *dev, int n);
/* The xAPIC register page (4 KiB), for boards that map it themselves (no "sysmem"). */
struct mem_region *apic_mmio(struct device *dev);

/* Where level-triggered EOIs are broadcast and where ExtINT vectors come from. */
void apic_set_eoi_hook(struct device *dev, void (*hook)(void *opaque, int vector), void *opaque);
void apic_set_extint(struct device *dev, int (*ack)(void *opaque), void *opaque);

/*
 * A message from the I/O APIC, an MSI or an IPI for this APIC (delivery
 * mode dm, vector, trigger level-or-edge). Fixed and lowest-priority set
 * IRR (and TMR when level); vectors 0-15 are refused with ESR "receive
 * illegal vector"; NMI raises the CPU's NMI; ExtINT asks the PIC at
 * acknowledge; INIT resets the APIC and the CPU (x86_cpu_init_ipi);
 * STARTUP starts a CPU waiting for it at vector:0000. SMI is logged and
 * dropped. Nothing arrives while the APIC is globally disabled.
 */
void apic_deliver(struct device *dev, int dm, int vector, bool level);
/* Whether a message to dest (physical or logical mode) is for this APIC. */
bool apic_match_dest(struct device *dev, uint32_t dest, bool logical);

/*
 * The APIC bus of one machine: up to APIC_BUS_MAX local APICs.
 *
 * apic_bus_init: an empty bus and its MMIO window (1 MiB, for the board to
 * map at APIC_DEFAULT_BASE): an access by a vCPU (vcpu_current()) to its
 * first 4 KiB reaches that CPU's xAPIC page while the APIC sits at the
 * default base; writes that are no register access (no current vCPU,
 * beyond the first 4 KiB, or at offset 0x0-0xf, as in QEMU) are MSIs.
 * APICs moved elsewhere map their own page (sysmem property).
 *
 * apic_bus_add: put an APIC on the bus (0, -ENOSPC).
 * apic_bus_deliver: a message for the APICs that dest (physical or
 * logical) names; lowest priority goes to the first that matches.
 * apic_bus_msi: an MSI write (Intel SDM vol. 3A 11.11: address bits 19:12
 * destination, bit 2 logical; data bits 7:0 vector, 10:8 delivery mode,
 * 15 level trigger).
 */
#define APIC_BUS_MAX 8
#define APIC_BUS_WINDOW 0x100000ull

struct apic_bus {
    struct apic *apics[APIC_BUS_MAX];
    int n;
    struct mem_region mmio;
};

void apic_bus_init(struct apic_bus *bus);
int apic_bus_add(struct apic_bus *bus, struct device *apic);
void apic_bus_deliver(struct apic_bus *bus, uint32_t dest, bool logical, int dm, int vector,
                      bool level);
void apic_bus_msi(struct apic_bus *bus, uint64_t addr, uint32_t data);

/*
 * The accelerator's side (through struct x86_intc_ops): the vector
 * apic_intack would return now (-1 none, APIC_PEEK_EXTINT for the PIC's);
 * the acknowledge (moves it from IRR to ISR; -1 if nothing is deliverable).
 */
int apic_intr_peek(void *opaque);
int apic_intack(void *opaque);
/* All of the above as the CPU's x86_intc_ops (targets/x86/x86.h), opaque = the apic device. */
extern const struct x86_intc_ops apic_intc_ops;

/*
 * MSRs: IA32_APIC_BASE and, in x2APIC mode, 0x800-0x8ff. Return 0, -ENOENT
 * for an MSR that is not the APIC's, -EINVAL where the CPU raises #GP
 * (reserved bits, invalid mode transitions, x2APIC MSRs outside x2APIC
 * mode, read-only or absent registers).
 */
int apic_rdmsr(void *opaque, uint32_t msr, uint64_t *val);
int apic_wrmsr(void *opaque, uint32_t msr, uint64_t val);

/* CR8 (TPR bits 7:4) for accelerators that intercept MOV to/from CR8. */
uint8_t apic_get_cr8(void *opaque);
void apic_set_cr8(void *opaque, uint8_t cr8);

#endif

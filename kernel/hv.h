/*
 * hv.h - the vendor-neutral half of the appliance's hardware-virtualisation
 * accelerators (svm now, vmx later): what an exit needs once the vendor
 * code has pulled the guest's state out of its control block (VMCB/VMCS).
 *
 *   hv-emul.c   MMIO instructions and string port I/O through the guest's
 *               page tables and the machine's address spaces
 *   hv-cpuid.c  the CPUID the guest sees and the MSRs we emulate
 *   hv-mem.c    guest-physical RAM to host-physical frames (for NPT/EPT)
 *
 * Everything here runs in ring 3, with the emulator.
 */
#ifndef KERNEL_HV_H
#define KERNEL_HV_H

#include <stdbool.h>
#include <stdint.h>

#include "targets/x86/x86-insn.h"
#include "targets/x86/x86.h"

struct machine;

/* The guest's state as an exit handler sees it; the vendor code loads and stores it. */
struct hv_guest {
    struct machine *m;
    struct vcpu *cpu;
    uint64_t gpr[16]; /* enum x86_gpr order */
    uint64_t rip, rflags;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t seg_base[6]; /* enum x86_sreg */
    unsigned mode;        /* code size: 16, 32 or 64 */
    bool user;            /* CPL 3 */
    /* An exception for the guest, raised by the helpers below (vendor code injects it). */
    bool exc;
    uint8_t exc_vector;
    bool exc_has_error;
    uint32_t exc_error;
    uint64_t exc_cr2; /* #PF only */
};

#define HV_EXC_UD 6
#define HV_EXC_GP 13
#define HV_EXC_PF 14

void hv_raise(struct hv_guest *g, uint8_t vector, bool has_error, uint32_t error);

/*
 * Emulate the instruction at the guest's cs:rip that touched MMIO (bytes:
 * what the CPU's decode assists fetched, or NULL/0 to fetch them here).
 * 0 when done or when an exception was raised for the guest (an unknown
 * instruction gets #UD, logged as a guest error); -errno only for a
 * failure of ours, which stops the VM.
 */
int hv_emulate_mmio(struct hv_guest *g, const uint8_t *bytes, unsigned n);

/*
 * ins/outs (rep or not) on port: up to a batch of elements, rip left on the
 * instruction while rCX is not exhausted. next_rip: the instruction's end.
 */
void hv_string_io(struct hv_guest *g, uint16_t port, unsigned size, bool in, bool rep,
                  unsigned addrsize, int seg, uint64_t next_rip);

/* Guest memory by linear address (the guest's paging); 0 or X86_INSN_FAULT with an exception
 * raised. */
int hv_read_linear(struct hv_guest *g, uint64_t la, void *buf, unsigned len, uint32_t access);
int hv_write_linear(struct hv_guest *g, uint64_t la, const void *buf, unsigned len);

/* ---- hv-cpuid.c ---- */

/*
 * CPUID as vCPU cpu sees it: the host's, less virtualisation, XSAVE/AVX and
 * what pc lacks, with the CPU's APIC ID and the topology of -smp.
 */
void hv_cpuid(struct vcpu *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* MSRs we emulate (not in the control block). */
struct hv_msrs {
    uint64_t apic_base;
    uint64_t mtrr_def_type;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var[16]; /* base/mask pairs of 8 ranges */
    uint64_t misc_enable;
};
void hv_msrs_reset(struct hv_msrs *s, bool bsp);
/* 0, or -EINVAL: the guest gets #GP. */
int hv_msr_read(struct hv_msrs *s, uint32_t msr, uint64_t *val);
int hv_msr_write(struct hv_msrs *s, uint32_t msr, uint64_t val);

/* ---- hv-mem.c ---- */

/*
 * Where guest-physical gpa is backed: its frame's host-physical address
 * (backing it first if the appliance has not yet), whether the guest may
 * write it (RAM) or only read (ROM), and whether the whole naturally
 * aligned 2 MiB around it is so backed by one host 2 MiB frame (so one
 * large nested page maps it). -ENOENT when gpa is not RAM/ROM (MMIO or a
 * hole: leave it unmapped and emulate).
 */
struct hv_backing {
    uint64_t hpa; /* of the 4 KiB page holding gpa, or of the 2 MiB page if large */
    bool writable;
    bool large;
};
int hv_gpa_backing(struct machine *m, uint64_t gpa, struct hv_backing *b);

/* Host-physical address of an appliance virtual address that is mapped; 0 if not. */
uint64_t hv_host_pa(uint64_t va, uint64_t *page_size);

/* ---- interrupts (the PIC's INTR, single CPU) ---- */

/* Whether the guest can take an external interrupt now (IF set, no interrupt shadow). */
static inline bool hv_irq_can_inject(uint64_t rflags, bool shadow)
{
    return (rflags & X86_FLAG_IF) && !shadow;
}

/* The vector to inject now (the INTA cycle), or -1 if INTR went away meanwhile. */
static inline int hv_irq_ack(struct x86_cpu *x)
{
    return x->intr_level && x->intr_ack ? x->intr_ack(x->intr_opaque) : -1;
}

#endif

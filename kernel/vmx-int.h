/*
 * vmx-int.h - shared by the ring-3 files of the "vmx" accelerator
 * (vmx.c: set-up, state and the run loop; vmx-exit.c: exit handlers;
 * vmx-ept.c: the EPT).
 *
 * VMREAD/VMWRITE are ring-0 instructions, so ring 3 never touches the
 * VMCS directly: VM-exit fields and the guest state it needs are read in
 * one batch on every exit (vmx_reads[] into vmx_vcpu.rd), and what it
 * changes is queued (vmx_set) and written at the next entry, in the same
 * system call.
 */
#ifndef KERNEL_VMX_INT_H
#define KERNEL_VMX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/accel.h"
#include "emu-core/memory.h"
#include "kernel/hv.h"
#include "kernel/vmx.h"

#define VMX_MAX_CPUS 8
#define VMX_MAX_WRITES 128

/* The fields read on every exit (index into vmx_vcpu.rd). */
enum vmx_rd {
    RD_QUAL,
    RD_GPA,
    RD_INSN_LEN,
    RD_INSN_INFO,
    RD_IDT_VEC_INFO,
    RD_IDT_VEC_ERROR,
    RD_EXIT_INTR_INFO,
    RD_RIP,
    RD_RSP,
    RD_RFLAGS,
    RD_CR0,
    RD_CR3,
    RD_CR4,
    RD_CR0_SHADOW,
    RD_CR4_SHADOW,
    RD_EFER,
    RD_INTERRUPTIBILITY,
    RD_ENTRY_CTLS,
    RD_PROC_CTLS,
    RD_CS_AR,
    RD_SS_AR,
    RD_ES_BASE, /* ES, CS, SS, DS, FS, GS in enum x86_sreg order */
    RD_SEL_ES = RD_ES_BASE + 6,
    RD_COUNT = RD_SEL_ES + 6
};

struct vmx_vcpu {
    uint8_t vmcs[4096] __attribute__((aligned(4096)));
    uint8_t fpu[512] __attribute__((aligned(16))); /* the guest's FXSAVE image */
    uint64_t gpr[16];                              /* rsp: in the VMCS */
    uint64_t rd[RD_COUNT];                         /* the VMCS as of the last exit, plus vmx_set */
    struct vmx_field writes[VMX_MAX_WRITES];
    struct vmx_call call;
    struct vcpu *cpu;
    struct hv_msrs msrs;
    uint64_t pat;
    uint8_t cr8; /* the TPR when the board has no local APIC model */
    uint32_t exit_reason;
    bool in_hlt;
    bool used;
    uint64_t exits;
};

struct vmx_global {
    struct machine *m;
    struct mem_listener listener;
    uint64_t basic, ept_cap;
    uint32_t pin, proc, proc2, exit, entry; /* the controls we run with */
    bool pause_loop;                        /* PAUSE-loop exiting offered */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint32_t invept_type; /* 2: all contexts, 1: single context */
    bool flush_ept;       /* the EPT lost entries: INVEPT before the next entry */
};
extern struct vmx_global vmx;

/* vmx.c: queue a VMCS write for the next entry (and update rd[] where it is cached). */
void vmx_set(struct vmx_vcpu *s, uint32_t enc, uint64_t val);
/* CR0/CR4 bits we own (the guest sees its read shadow for them). */
uint64_t vmx_cr0_owned(void);
uint64_t vmx_cr4_owned(void);
/* The guest's CR0/CR4 as the hardware must hold them for what the guest asked for. */
uint64_t vmx_cr0_real(uint64_t guest);
uint64_t vmx_cr4_real(uint64_t guest);

/* vmx-ept.c */
uint64_t vmx_ept_pointer(void);
void vmx_ept_clear(void);
/* 0, -ENOMEM (the pool is full: clear and retry) or -EINVAL. */
int vmx_ept_map(uint64_t gpa, const struct hv_backing *b);

/* vmx-exit.c: handle the exit in s->rd. 1: run the guest again; 0: *ex filled; -errno. */
int vmx_handle_exit(struct vmx_vcpu *s, struct vcpu_exit *ex);
void vmx_guest_load(struct vmx_vcpu *s, struct hv_guest *g);
void vmx_guest_store(struct vmx_vcpu *s, const struct hv_guest *g);
void vmx_inject_exc(struct vmx_vcpu *s, uint8_t vector, bool has_error, uint32_t error);
/* Log the guest's registers with msg (an exit we cannot handle). */
void vmx_report(struct vmx_vcpu *s, const char *msg);

#endif

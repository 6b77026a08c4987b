/*
 * svm-int.h - shared by the ring-3 files of the "svm" accelerator
 * (svm.c: set-up, state and the run loop; svm-exit.c: exit handlers;
 * svm-npt.c: nested page tables).
 */
#ifndef KERNEL_SVM_INT_H
#define KERNEL_SVM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/accel.h"
#include "emu-core/memory.h"
#include "kernel/hv.h"
#include "kernel/svm.h"

#define SVM_MAX_CPUS 8

struct svm_vcpu {
    uint8_t vmcb[4096] __attribute__((aligned(4096)));
    uint8_t fpu[512] __attribute__((aligned(16))); /* the guest's FXSAVE image */
    uint64_t gpr[16];                              /* rax and rsp: in the VMCB */
    struct svm_run_args args;
    struct vcpu *cpu;
    struct hv_msrs msrs;
    bool in_hlt;
    uint8_t vtpr; /* the TPR (CR8) given to the guest at the last VMRUN */
    /*
     * NMI blocking, which AMD-V leaves to us (svm.c, svm_inject): from an
     * injected NMI until its handler's IRET has run (nmi_iret: the IRET
     * intercept saw it at nmi_iret_rip, not yet run); nmi_step: RFLAGS.TF is
     * ours for one instruction, DR6 as it was before (nmi_step_dr6).
     */
    bool nmi_masked, nmi_iret, nmi_step;
    uint64_t nmi_iret_rip, nmi_step_dr6;
    bool used;
    uint64_t exits; /* for bench/: exits handled since creation */
};

struct svm_global {
    struct machine *m;
    struct mem_listener listener;
    uint32_t features; /* CPUID 0x8000000A EDX */
    bool flush_tlb;    /* the nested page table lost entries: flush before the next VMRUN */
};
extern struct svm_global svm;

/* svm-npt.c */
uint64_t svm_npt_root(void);
void svm_npt_clear(void);
/* 0, -ENOMEM (the pool is full: clear and retry) or -EINVAL. */
int svm_npt_map(uint64_t gpa, const struct hv_backing *b);

/* svm-exit.c: handle the exit in the VMCB. 1: run the guest again; 0: *ex filled; -errno. */
int svm_handle_exit(struct svm_vcpu *s, struct vcpu_exit *ex);
/* The guest's state for hv helpers, and back. */
void svm_guest_load(struct svm_vcpu *s, struct hv_guest *g);
void svm_guest_store(struct svm_vcpu *s, const struct hv_guest *g);
/* Log the guest's registers with msg (an exit we cannot handle). */
void svm_report(struct svm_vcpu *s, const char *msg);

#endif

/*
 * kvm-internal.h - shared between host/kvm*.c: the VM, its memory slots
 * and the per-vCPU state of the "kvm" accelerator.
 */
#ifndef HOST_KVM_INTERNAL_H
#define HOST_KVM_INTERNAL_H

#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "emu-core/memory.h"

struct x86_cpu;

struct machine;
struct vcpu;

#define KVM_MAX_SLOTS 64
#define KVM_SLICE_SIGNAL SIGUSR1

struct kvm_slot {
    bool used;
    uint64_t gpa, size;
    void *hva;
    uint32_t flags;
};

struct kvm_global {
    int sys_fd, vm_fd;
    size_t run_size;
    int max_slots;
    bool readonly_mem;
    struct kvm_cpuid2 *cpuid; /* what the host supports; trimmed per vCPU */
    timer_t slice_timer;
    struct machine *machine;
    struct mem_listener mem_listener;
    struct kvm_slot slots[KVM_MAX_SLOTS];
};
extern struct kvm_global kvm;

enum kvm_pending { KVM_PENDING_NONE, KVM_PENDING_PIO_IN, KVM_PENDING_MMIO_READ };

struct kvm_vcpu_state {
    int fd;
    struct kvm_run *run;
    enum kvm_pending pending;      /* a read the main loop is completing */
    uint32_t pio_index, pio_count; /* element of a string I/O being done */
    bool in_hlt;
    uint8_t cr8_in; /* the TPR class handed to KVM as kvm_run.cr8 at the last entry */
    struct kvm_sregs reset_sregs; /* KVM's own reset state, the base of ours */
};

/* kvm-mem.c: resync slots with the address space (a mem_listener commit). */
void kvm_mem_commit(struct mem_listener *l, struct address_space *as);

/* kvm-cpu.c */
/* The vCPU's CPUID: the host's as KVM allows it, our APIC, x's APIC ID and topology. */
int kvm_vcpu_setup_cpuid(struct kvm_vcpu_state *st, const struct x86_cpu *x);
void kvm_vcpu_load_reset_state(struct vcpu *cpu);
int kvm_get_reg(struct vcpu *cpu, int regno, uint64_t *val);
int kvm_set_reg(struct vcpu *cpu, int regno, uint64_t val);
/* Log an exit we do not handle with the guest's state; returns -EIO (VM stops). */
int kvm_report_exit(struct vcpu *cpu, struct kvm_vcpu_state *st);

#endif

/*
 * svm-run.c - the ring-0 half of the "svm" accelerator: the VMRUN system
 * call (KERN_SYS_VMRUN), reached from ring 3 through kern_syscall's #UD.
 *
 * Built with -mgeneral-regs-only (METAL_NOSSE_SRCS): ring 0 never touches
 * SSE on its own, so the guest's x87/SSE state is swapped in and out here
 * explicitly with FXSAVE/FXRSTOR around VMRUN (the appliance does not
 * enable XSAVE, and the guest is not shown it: see hv-cpuid.c).
 *
 * VMRUN/#VMEXIT switch only part of the state (APM vol. 2, "VMRUN" and
 * "#VMEXIT"): the host's FS/GS/TR/LDTR bases, KernelGSBase and the
 * SYSCALL/SYSENTER MSRs are swapped with VMSAVE/VMLOAD (the appliance's
 * stack protector lives at FS), and the general registers other than
 * rax/rsp by hand. Interrupts: CLGI holds them off while state is half
 * switched; STI before VMRUN makes the host's saved IF 1, so with
 * V_INTR_MASKING a physical interrupt exits the guest (intercepted INTR);
 * after STGI a short STI window lets the host's handler take it.
 */
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/svm.h"

/* The host's VMSAVE area and FPU image: one CPU, one guest at a time. */
static uint8_t svm_host_save[4096] __attribute__((aligned(4096)));
static uint8_t svm_host_fpu[512] __attribute__((aligned(16)));

/*
 * svm_enter(vmcb_pa, gpr, host_save_pa): guest general registers from and
 * back to gpr[16] (encoding order; rax and rsp slots untouched).
 */
void svm_enter(uint64_t vmcb_pa, uint64_t *gpr, uint64_t host_save_pa);
__asm__(".text\n"
        ".globl svm_enter\n"
        "svm_enter:\n"
        "  push %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  push %rdx\n" /* 24(%rsp) after the next two: host save area */
        "  push %rsi\n" /* gpr */
        "  push %rdi\n" /* vmcb */
        "  mov %rdx, %rax\n"
        "  vmsave\n"
        "  mov (%rsp), %rax\n"
        "  vmload\n"
        "  mov %rsi, %rax\n"
        "  mov 8(%rax), %rcx\n"
        "  mov 16(%rax), %rdx\n"
        "  mov 24(%rax), %rbx\n"
        "  mov 40(%rax), %rbp\n"
        "  mov 48(%rax), %rsi\n"
        "  mov 56(%rax), %rdi\n"
        "  mov 64(%rax), %r8\n"
        "  mov 72(%rax), %r9\n"
        "  mov 80(%rax), %r10\n"
        "  mov 88(%rax), %r11\n"
        "  mov 96(%rax), %r12\n"
        "  mov 104(%rax), %r13\n"
        "  mov 112(%rax), %r14\n"
        "  mov 120(%rax), %r15\n"
        "  mov (%rsp), %rax\n"
        "  vmrun\n"
        /* #VMEXIT: host rax/rsp/rip/rflags are back; the rest are the guest's. */
        "  push %rbx\n"
        "  mov 16(%rsp), %rbx\n" /* gpr */
        "  mov %rcx, 8(%rbx)\n"
        "  mov %rdx, 16(%rbx)\n"
        "  pop %rcx\n"
        "  mov %rcx, 24(%rbx)\n"
        "  mov %rbp, 40(%rbx)\n"
        "  mov %rsi, 48(%rbx)\n"
        "  mov %rdi, 56(%rbx)\n"
        "  mov %r8, 64(%rbx)\n"
        "  mov %r9, 72(%rbx)\n"
        "  mov %r10, 80(%rbx)\n"
        "  mov %r11, 88(%rbx)\n"
        "  mov %r12, 96(%rbx)\n"
        "  mov %r13, 104(%rbx)\n"
        "  mov %r14, 112(%rbx)\n"
        "  mov %r15, 120(%rbx)\n"
        "  pop %rax\n" /* vmcb */
        "  vmsave\n"
        "  pop %rsi\n"
        "  pop %rax\n" /* host save area */
        "  vmload\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  ret\n");

/* The vCPU whose DR0-DR3 are in the CPU now. */
static struct svm_run_args *svm_dr_owner;

uint64_t kern_svm_vmrun(uint64_t args)
{
    struct svm_run_args *a = (struct svm_run_args *)args;

    if (svm_dr_owner != a || a->dr_reload) {
        if (svm_dr_owner && svm_dr_owner != a)
            kern_save_dr0_3(svm_dr_owner->dr);
        kern_load_dr0_3(a->dr);
        svm_dr_owner = a;
        a->dr_reload = 0;
    }

    __asm__ volatile("fxsave (%0)\n"
                     "fxrstor (%1)" ::"r"(svm_host_fpu),
                     "r"(a->guest_fpu)
                     : "memory");
    __asm__ volatile("clgi\n"
                     "sti" ::
                         : "memory");
    svm_enter(a->vmcb_pa, a->gpr, (uint64_t)svm_host_save);
    __asm__ volatile("cli\n"
                     "stgi" ::
                         : "memory");
    __asm__ volatile("fxsave (%0)\n"
                     "fxrstor (%1)" ::"r"(a->guest_fpu),
                     "r"(svm_host_fpu)
                     : "memory");
    /* A physical interrupt that ended the run is taken here, by the host's handlers. */
    __asm__ volatile("sti\n"
                     "nop\n"
                     "cli" ::
                         : "memory");
    return vmcb_get((const uint8_t *)a->vmcb_pa, VMCB_EXITCODE);
}

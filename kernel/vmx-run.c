/*
 * vmx-run.c - the ring-0 half of the "vmx" accelerator: the KERN_SYS_VMX
 * system call (VMXON, VMPTRLD, and VM entry), reached from ring 3 through
 * kern_syscall's #UD. VMX instructions, like the control registers, are
 * ring 0 only (SDM vol. 3C, chapter 31 "VMX Instruction Reference").
 *
 * Built with -mgeneral-regs-only (mk/vmx.mk): ring 0 never touches SSE on
 * its own, so the guest's x87/SSE state is swapped in and out here with
 * FXSAVE/FXRSTOR around the entry (the appliance does not enable XSAVE,
 * and the guest is not shown it: hv-cpuid.c).
 *
 * What a VM exit does not restore (SDM 28.5 "Loading Host State"): CR2,
 * the general registers other than rsp (swapped by hand in vmx_enter),
 * DS/ES (loaded null: reloaded here), and the GDTR/IDTR limits (set to
 * 0xFFFF: reloaded). The host's interrupts stay off (IF=0 in the #UD
 * handler) while in the guest; with external-interrupt exiting a host
 * interrupt ends the guest and, not acknowledged on exit, is taken by the
 * host's handler in the short STI window at the end.
 */
#include <errno.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/vmx.h"

static uint8_t vmx_host_fpu[512] __attribute__((aligned(16)));
static bool vmx_is_on;
/* The current VMCS: each vCPU has its own, made current (VMPTRLD) when it runs. */
static uint64_t vmx_current_vmcs;
/* The vCPU whose SYSCALL MSRs and KernelGSBase are in the CPU now (struct vmx_call). */
static struct vmx_call *vmx_msrs_owner;
static const uint32_t vmx_syscall_msrs[5] = {0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084,
                                            0xC0000102};

/* Another vCPU enters: the MSRs and debug registers its guest reaches directly become its own. */
static void vmx_switch_msrs(struct vmx_call *c)
{
    if (vmx_msrs_owner == c)
        return;
    for (int i = 0; i < 5; i++) {
        if (vmx_msrs_owner)
            vmx_msrs_owner->syscall_msrs[i] = rdmsr(vmx_syscall_msrs[i]);
        wrmsr(vmx_syscall_msrs[i], c->syscall_msrs[i]);
    }
    if (vmx_msrs_owner)
        kern_save_dr0_3(vmx_msrs_owner->dr);
    kern_load_dr0_3(c->dr);
    vmx_msrs_owner = c;
}

struct vmx_dtr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* VMX instructions report failure in CF (VMfailInvalid) or ZF (VMfailValid): SDM 31.2. */
static int vmx_write(uint64_t enc, uint64_t val)
{
    uint8_t fail;

    __asm__ volatile("vmwrite %2, %1\n"
                     "setna %0"
                     : "=q"(fail)
                     : "r"(enc), "r"(val)
                     : "cc", "memory");
    return fail ? -EIO : 0;
}

static uint64_t vmx_read(uint64_t enc)
{
    uint64_t v = 0;

    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(enc) : "cc");
    return v;
}

static int vmx_ptr_op_clear(uint64_t pa)
{
    uint8_t fail;

    __asm__ volatile("vmclear %1\n"
                     "setna %0"
                     : "=q"(fail)
                     : "m"(pa)
                     : "cc", "memory");
    return fail ? -EIO : 0;
}

static int vmx_ptr_op_load(uint64_t pa)
{
    uint8_t fail;

    __asm__ volatile("vmptrld %1\n"
                     "setna %0"
                     : "=q"(fail)
                     : "m"(pa)
                     : "cc", "memory");
    return fail ? -EIO : 0;
}

/*
 * vmx_enter(gpr, launched): VMLAUNCH or VMRESUME with the guest's general
 * registers from gpr[16] (encoding order; the rsp slot unused) and back
 * into it on VM exit. 0 after a VM exit, 1 when the instruction failed
 * (VMfailInvalid/VMfailValid: the guest never ran).
 */
int vmx_enter(uint64_t *gpr, uint64_t launched);
__asm__(".text\n"
        ".globl vmx_enter\n"
        "vmx_enter:\n"
        "  push %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  push %rdi\n"         /* gpr: 8(%rsp) */
        "  push %rsi\n"         /* launched: (%rsp) */
        "  mov $0x6c14, %eax\n" /* HOST_RSP: the VM exit comes back with this stack */
        "  vmwrite %rsp, %rax\n"
        "  lea .Lvmx_exit(%rip), %rdx\n"
        "  mov $0x6c16, %eax\n" /* HOST_RIP */
        "  vmwrite %rdx, %rax\n"
        "  cmpq $0, (%rsp)\n" /* the flags survive the moves below */
        "  mov %rdi, %rax\n"
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
        "  mov (%rax), %rax\n"
        "  jne 1f\n"
        "  vmlaunch\n"
        "  jmp 2f\n"
        "1: vmresume\n"
        "2: add $16, %rsp\n" /* failed: the guest never ran */
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  mov $1, %eax\n"
        "  ret\n"
        ".Lvmx_exit:\n"
        "  push %rax\n"
        "  mov 16(%rsp), %rax\n" /* gpr */
        "  mov %rcx, 8(%rax)\n"
        "  mov %rdx, 16(%rax)\n"
        "  mov %rbx, 24(%rax)\n"
        "  mov %rbp, 40(%rax)\n"
        "  mov %rsi, 48(%rax)\n"
        "  mov %rdi, 56(%rax)\n"
        "  mov %r8, 64(%rax)\n"
        "  mov %r9, 72(%rax)\n"
        "  mov %r10, 80(%rax)\n"
        "  mov %r11, 88(%rax)\n"
        "  mov %r12, 96(%rax)\n"
        "  mov %r13, 104(%rax)\n"
        "  mov %r14, 112(%rax)\n"
        "  mov %r15, 120(%rax)\n"
        "  pop %rcx\n"
        "  mov %rcx, (%rax)\n"
        "  add $16, %rsp\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  xor %eax, %eax\n"
        "  ret\n");

static int vmx_on(struct vmx_call *c)
{
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL), cr0, cr4;
    uint8_t fail;

    c->feature_control = fc;
    if (vmx_is_on)
        return 0;
    /* SDM 24.7 "Enabling and Entering VMX Operation": firmware may leave the MSR unlocked. */
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX);
    else if (!(fc & FEATURE_CONTROL_VMX))
        return -EACCES; /* disabled in the firmware's set-up */
    /* SDM 24.8 "Restrictions on VMX Operation": CR0 and CR4 within the fixed bits. */
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr0 = (cr0 | c->cr0_fixed0) & c->cr0_fixed1;
    cr4 = (cr4 | c->cr4_fixed0 | CR4_VMXE) & c->cr4_fixed1;
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0) : "memory");
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
    __asm__ volatile("vmxon %1\n"
                     "setna %0"
                     : "=q"(fail)
                     : "m"(c->vmxon_pa)
                     : "cc", "memory");
    if (fail)
        return -EIO;
    vmx_is_on = true;
    return 0;
}

/* SDM 26.2.3 "Checks on Host Segment and Descriptor-Table Registers", 28.5 "Loading Host State". */
static int vmx_host_state(void)
{
    uint64_t cr0, cr3, cr4, lo, hi;
    uint16_t cs, ss, tr;
    struct vmx_dtr gdtr, idtr;
    int r = 0;

    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    __asm__ volatile("str %0" : "=r"(tr));
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    __asm__ volatile("sidt %0" : "=m"(idtr));
    /* The TSS descriptor is 16 bytes in long mode; base bits 0-23, 24-31 and 32-63. */
    lo = *(const uint64_t *)(gdtr.base + (tr & ~7u));
    hi = *(const uint64_t *)(gdtr.base + (tr & ~7u) + 8);
    r |= vmx_write(VMCS_HOST_CR0, cr0);
    r |= vmx_write(VMCS_HOST_CR3, cr3);
    r |= vmx_write(VMCS_HOST_CR4, cr4);
    r |= vmx_write(VMCS_HOST_CS_SEL, cs & ~7u);
    r |= vmx_write(VMCS_HOST_SS_SEL, ss & ~7u);
    r |= vmx_write(VMCS_HOST_ES_SEL, 0);
    r |= vmx_write(VMCS_HOST_DS_SEL, 0);
    r |= vmx_write(VMCS_HOST_FS_SEL, 0);
    r |= vmx_write(VMCS_HOST_GS_SEL, 0);
    r |= vmx_write(VMCS_HOST_TR_SEL, tr & ~7u);
    r |= vmx_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE)); /* the stack protector's guard */
    r |= vmx_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    r |= vmx_write(VMCS_HOST_TR_BASE,
                   ((lo >> 16) & 0xFFFFFF) | ((lo >> 56) << 24) | ((hi & 0xFFFFFFFF) << 32));
    r |= vmx_write(VMCS_HOST_GDTR_BASE, gdtr.base);
    r |= vmx_write(VMCS_HOST_IDTR_BASE, idtr.base);
    r |= vmx_write(VMCS_HOST_SYSENTER_CS, 0);
    r |= vmx_write(VMCS_HOST_SYSENTER_ESP, 0);
    r |= vmx_write(VMCS_HOST_SYSENTER_EIP, 0);
    r |= vmx_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
    return r ? -EIO : 0;
}

static int vmx_run(struct vmx_call *c)
{
    struct vmx_dtr gdtr, idtr;
    uint16_t ds, es;
    uint8_t fail = 0;

    /* Another vCPU's VMCS may be current: VMPTRLD keeps each one's launch state (SDM 24.1). */
    if (c->vmcs_pa != vmx_current_vmcs) {
        if (vmx_ptr_op_load(c->vmcs_pa) < 0) {
            c->insn_error = (uint32_t)vmx_read(VMCS_INSN_ERROR);
            return -EIO;
        }
        vmx_current_vmcs = c->vmcs_pa;
    }
    for (uint32_t i = 0; i < c->nwrites; i++) {
        if (vmx_write(c->writes[i].enc, c->writes[i].val) < 0) {
            c->exit_reason = c->writes[i].enc; /* which field, for the report */
            c->insn_error = (uint32_t)vmx_read(VMCS_INSN_ERROR);
            return -EINVAL;
        }
    }
    if (vmx_host_state() < 0) {
        c->insn_error = (uint32_t)vmx_read(VMCS_INSN_ERROR);
        return -EIO;
    }
    if (c->invept) {
        /* SDM 29.4.3.1 "Operations that Invalidate Cached Mappings": the EPT lost entries. */
        struct {
            uint64_t eptp, zero;
        } desc = {c->ept_pointer, 0};
        __asm__ volatile("invept %1, %2\n"
                         "setna %0"
                         : "=q"(fail)
                         : "m"(desc), "r"((uint64_t)c->invept)
                         : "cc", "memory");
        if (fail) {
            c->insn_error = (uint32_t)vmx_read(VMCS_INSN_ERROR);
            return -EIO;
        }
        c->invept = 0;
    }

    vmx_switch_msrs(c);
    __asm__ volatile("mov %%ds, %0" : "=r"(ds));
    __asm__ volatile("mov %%es, %0" : "=r"(es));
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    __asm__ volatile("sidt %0" : "=m"(idtr));
    __asm__ volatile("fxsave (%0)\n"
                     "fxrstor (%1)" ::"r"(vmx_host_fpu),
                     "r"(c->guest_fpu)
                     : "memory");
    __asm__ volatile("mov %0, %%cr2" ::"r"(c->guest_cr2) : "memory");
    int r = vmx_enter(c->gpr, c->launched);
    if (!r)
        __asm__ volatile("mov %%cr2, %0" : "=r"(c->guest_cr2));
    __asm__ volatile("lgdt %0" ::"m"(gdtr));
    __asm__ volatile("lidt %0" ::"m"(idtr));
    __asm__ volatile("mov %0, %%ds" ::"r"(ds));
    __asm__ volatile("mov %0, %%es" ::"r"(es));
    __asm__ volatile("fxsave (%0)\n"
                     "fxrstor (%1)" ::"r"(c->guest_fpu),
                     "r"(vmx_host_fpu)
                     : "memory");
    if (r) {
        c->insn_error = (uint32_t)vmx_read(VMCS_INSN_ERROR);
        return -EIO;
    }
    c->launched = 1;
    c->exit_reason = (uint32_t)vmx_read(VMCS_EXIT_REASON);
    for (uint32_t i = 0; i < c->nreads; i++)
        c->read_vals[i] = vmx_read(c->reads[i]);
    /* A host interrupt that ended the guest is taken here, by the host's handlers. */
    __asm__ volatile("sti\n"
                     "nop\n"
                     "cli" ::
                         : "memory");
    return 0;
}

uint64_t kern_vmx_call(uint64_t arg)
{
    struct vmx_call *c = (struct vmx_call *)arg;
    int r;

    switch (c->op) {
    case VMX_CALL_ON:
        r = vmx_on(c);
        break;
    case VMX_CALL_LOAD:
        r = vmx_ptr_op_clear(c->vmcs_pa);
        if (!r)
            r = vmx_ptr_op_load(c->vmcs_pa);
        vmx_current_vmcs = r ? 0 : c->vmcs_pa;
        /* A fresh VMCS is a reset vCPU: ring 3 decides its MSRs (kept by INIT, 0 by RESET). */
        if (vmx_msrs_owner == c) {
            for (int i = 0; i < 5; i++)
                c->syscall_msrs[i] = rdmsr(vmx_syscall_msrs[i]);
            kern_save_dr0_3(c->dr);
            vmx_msrs_owner = NULL;
        }
        if (r)
            c->insn_error = (uint32_t)vmx_read(VMCS_INSN_ERROR);
        c->launched = 0;
        break;
    case VMX_CALL_RUN:
        r = vmx_run(c);
        break;
    default:
        r = -EINVAL;
    }
    c->error = r;
    return (uint64_t)(int64_t)r;
}

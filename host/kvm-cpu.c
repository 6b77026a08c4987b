/*
 * kvm-cpu.c - a KVM vCPU's CPUID, reset state and registers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "emu-core/log.h"
#include "host/kvm-internal.h"
#include "targets/x86/x86.h"

#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

/*
 * The host's CPUID as KVM allows it, minus what we do not model. The local
 * APIC is ours (hw/intc/apic.c, through MMIO exits); x2APIC and the
 * TSC-deadline timer are not offered: without an in-kernel irqchip KVM
 * keeps IA32_APIC_BASE to itself and faults the x2APIC MSRs.
 */
int kvm_vcpu_setup_cpuid(struct kvm_vcpu_state *st, const struct x86_cpu *x)
{
    size_t sz = sizeof(*kvm.cpuid) + kvm.cpuid->nent * sizeof(kvm.cpuid->entries[0]);
    struct kvm_cpuid2 *c = malloc(sz);
    int ret = 0;

    if (!c)
        return -ENOMEM;
    memcpy(c, kvm.cpuid, sz);
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 1) {
            e->edx |= CPUID_1_EDX_APIC;
            e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
        }
        /* The APIC ID and -smp's sockets/cores/threads (leaves 1, 4, 0xB, 0x1F, AMD's). */
        uint32_t r[4] = {e->eax, e->ebx, e->ecx, e->edx};
        x86_topo_cpuid(&x->topo, x->apic_id, e->function, e->index, r);
        e->eax = r[0], e->ebx = r[1], e->ecx = r[2], e->edx = r[3];
    }
    if (ioctl(st->fd, KVM_SET_CPUID2, c) < 0)
        ret = -errno;
    free(c);
    return ret;
}

static uint32_t kvm_cpuid_signature(void)
{
    for (uint32_t i = 0; i < kvm.cpuid->nent; i++) {
        if (kvm.cpuid->entries[i].function == 1)
            return kvm.cpuid->entries[i].eax;
    }
    return 0x600;
}

static void kvm_seg_from(struct kvm_segment *k, const struct x86_seg *s)
{
    *k = (struct kvm_segment){.base = s->base,
                              .limit = s->limit,
                              .selector = s->selector,
                              .type = s->type,
                              .present = s->present,
                              .dpl = s->dpl,
                              .db = s->db,
                              .s = s->s,
                              .l = s->l,
                              .g = s->g};
}

static void kvm_seg_real(struct kvm_segment *k, uint16_t sel, uint64_t base, uint8_t type, bool s)
{
    *k = (struct kvm_segment){
        .base = base, .limit = 0xffff, .selector = sel, .type = type, .present = 1, .s = s};
}

/* The architectural reset state (f000:fff0 with CS base ffff0000), or the board's boot state. */
void kvm_vcpu_load_reset_state(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct kvm_vcpu_state *st = x->accel_state;
    struct kvm_sregs s = st->reset_sregs;
    struct kvm_regs r;
    struct kvm_fpu fpu;

    memset(&r, 0, sizeof(r));
    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = 0x37f;
    fpu.mxcsr = 0x1f80;
    kvm_seg_real(&s.cs, 0xf000, 0xffff0000, 0xb, true);
    kvm_seg_real(&s.ds, 0, 0, 0x3, true);
    s.es = s.fs = s.gs = s.ss = s.ds;
    kvm_seg_real(&s.tr, 0, 0, 0xb, false);
    kvm_seg_real(&s.ldt, 0, 0, 0x2, false);
    s.gdt.base = s.idt.base = 0;
    s.gdt.limit = s.idt.limit = 0xffff;
    s.cr0 = 0x60000010;
    s.cr2 = s.cr3 = s.cr4 = s.cr8 = 0;
    s.efer = 0;
    memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
    r.rflags = 2;
    r.rip = 0xfff0;
    r.rdx = kvm_cpuid_signature();

    if (x->start_vector >= 0) { /* an AP's STARTUP */
        struct x86_seg cs;
        x86_seg_sipi_cs(&cs, x->start_vector);
        kvm_seg_from(&s.cs, &cs);
        r.rip = 0;
    } else if (x->boot.valid) {
        const struct x86_boot_state *b = &x->boot;
        kvm_seg_from(&s.cs, &b->cs);
        kvm_seg_from(&s.ds, &b->ds);
        s.es = s.fs = s.gs = s.ss = s.ds;
        s.gdt.base = b->gdt_base;
        s.gdt.limit = b->gdt_limit;
        s.cr0 = b->cr0;
        r.rip = b->rip;
        r.rsp = b->rsp;
        r.rax = b->rax;
        r.rbx = b->rbx;
        r.rsi = b->rsi;
        r.rdx = 0;
        r.rflags = b->rflags | 2;
    }
    if (ioctl(st->fd, KVM_SET_SREGS, &s) < 0 || ioctl(st->fd, KVM_SET_REGS, &r) < 0 ||
        ioctl(st->fd, KVM_SET_FPU, &fpu) < 0)
        error_report("kvm: vCPU %d: cannot load the reset state: %s", cpu->index, strerror(errno));
}

static __u64 *kvm_gpr(struct kvm_regs *r, int regno)
{
    __u64 *order[] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
                      &r->rbp, &r->rsp, &r->r8,  &r->r9,  &r->r10, &r->r11,
                      &r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags};

    return regno >= 0 && regno <= X86_REG_EFLAGS ? order[regno] : NULL;
}

static struct kvm_segment *kvm_sreg(struct kvm_sregs *s, int regno)
{
    switch (regno) {
    case X86_REG_CS:
        return &s->cs;
    case X86_REG_SS:
        return &s->ss;
    case X86_REG_DS:
        return &s->ds;
    case X86_REG_ES:
        return &s->es;
    case X86_REG_FS:
        return &s->fs;
    case X86_REG_GS:
        return &s->gs;
    default:
        return NULL;
    }
}

int kvm_get_reg(struct vcpu *cpu, int regno, uint64_t *val)
{
    struct kvm_vcpu_state *st = x86_cpu_of(cpu)->accel_state;
    struct kvm_regs r;
    struct kvm_sregs s;

    if (regno < 0 || regno >= X86_REG_COUNT)
        return -EINVAL;
    if (regno <= X86_REG_EFLAGS) {
        if (ioctl(st->fd, KVM_GET_REGS, &r) < 0)
            return -errno;
        *val = *kvm_gpr(&r, regno);
        return 0;
    }
    if (ioctl(st->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    *val = kvm_sreg(&s, regno)->selector;
    return 0;
}

/* Segment registers take a selector only in real mode (base = selector << 4). */
int kvm_set_reg(struct vcpu *cpu, int regno, uint64_t val)
{
    struct kvm_vcpu_state *st = x86_cpu_of(cpu)->accel_state;
    struct kvm_regs r;
    struct kvm_sregs s;

    if (regno < 0 || regno >= X86_REG_COUNT)
        return -EINVAL;
    if (regno <= X86_REG_EFLAGS) {
        if (ioctl(st->fd, KVM_GET_REGS, &r) < 0)
            return -errno;
        *kvm_gpr(&r, regno) = val;
        return ioctl(st->fd, KVM_SET_REGS, &r) < 0 ? -errno : 0;
    }
    if (ioctl(st->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    if (s.cr0 & 1)
        return -EINVAL;
    struct kvm_segment *seg = kvm_sreg(&s, regno);
    seg->selector = (uint16_t)val;
    seg->base = (val & 0xffff) << 4;
    return ioctl(st->fd, KVM_SET_SREGS, &s) < 0 ? -errno : 0;
}

int kvm_report_exit(struct vcpu *cpu, struct kvm_vcpu_state *st)
{
    struct kvm_run *run = st->run;
    struct kvm_regs r;
    struct kvm_sregs s;

    memset(&r, 0, sizeof(r));
    memset(&s, 0, sizeof(s));
    ioctl(st->fd, KVM_GET_REGS, &r);
    ioctl(st->fd, KVM_GET_SREGS, &s);
    switch (run->exit_reason) {
    case KVM_EXIT_FAIL_ENTRY:
        error_report("kvm: vCPU %d: entry failed, hardware reason 0x%llx", cpu->index,
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        error_report("kvm: vCPU %d: internal error, suberror %u", cpu->index,
                     run->internal.suberror);
        break;
    default:
        error_report("kvm: vCPU %d: unhandled exit reason %u", cpu->index, run->exit_reason);
    }
    error_report("kvm: guest at cs=%04x:rip=%016llx cr0=%llx efer=%llx rflags=%llx", s.cs.selector,
                 (unsigned long long)r.rip, (unsigned long long)s.cr0, (unsigned long long)s.efer,
                 (unsigned long long)r.rflags);
    return -EIO;
}

/*
 * svm.c - the "svm" accelerator: x86 guests on the appliance's own CPU with
 * AMD-V (AMD64 APM vol. 2, chapter 15 "Secure Virtual Machine"), every
 * device ours, as the hosted "kvm" accelerator does it with /dev/kvm.
 *
 * The emulator runs in ring 3; VMRUN needs ring 0, so each entry into the
 * guest is one system call (KERN_SYS_VMRUN, kernel/svm-run.c) returning on
 * #VMEXIT. Exits are handled here, in ring 3: port I/O and MMIO go straight
 * to the machine's address spaces, the guest's RAM is mapped by nested
 * paging (svm-npt.c). Slices end by the kernel's timer: its interrupt
 * exits the guest (INTR is intercepted) and is handled by the host.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "kernel/kernel.h"
#include "kernel/svm-int.h"

#define SVM_SLICE_MIN_NS 50000ull

struct svm_global svm;

static struct svm_vcpu svm_cpus[SVM_MAX_CPUS];
/* I/O and MSR permission maps (APM "I/O Intercepts", "MSR Intercepts"): 1 bits exit. */
static uint8_t svm_iopm[3 * 4096] __attribute__((aligned(4096)));
static uint8_t svm_msrpm[2 * 4096] __attribute__((aligned(4096)));
static uint8_t svm_hsave[4096] __attribute__((aligned(4096)));

static bool svm_cpu_has(void)
{
    uint32_t r[4];

    cpuid(0x80000000, 0, r);
    if (r[0] < 0x8000000A)
        return false;
    cpuid(0x80000001, 0, r);
    return r[2] & (1u << 2);
}

static int svm_probe(void)
{
    uint32_t r[4];

    if (!svm_cpu_has()) {
        warn_report("svm: this CPU has no AMD-V (CPUID 0x80000001 ECX.SVM)");
        return -ENOTSUP;
    }
    /* Firmware may have disabled (and locked) SVM: then EFER.SVME cannot be set (#GP). */
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        warn_report(
            "svm: AMD-V is disabled by the firmware (VM_CR.SVMDIS); enable SVM in its setup");
        return -EPERM;
    }
    cpuid(0x8000000A, 0, r);
    if (!(r[3] & SVM_FEAT_NP)) {
        warn_report("svm: AMD-V without nested paging is not supported");
        return -ENOTSUP;
    }
    return 0;
}

/* MSRs switched by VMLOAD/VMSAVE (or the VMCB) that the guest may access directly. */
static void svm_msr_passthrough(uint32_t msr)
{
    unsigned base;

    if (msr < 0x2000)
        base = 0;
    else if (msr >= 0xC0000000 && msr < 0xC0002000)
        base = 0x800 * 8, msr -= 0xC0000000;
    else
        return;
    unsigned bit = base + msr * 2; /* read bit, then write bit */
    svm_msrpm[bit / 8] &= ~(3u << (bit % 8));
}

static void svm_mem_commit(struct mem_listener *l, struct address_space *as)
{
    (void)l;
    (void)as;
    svm_npt_clear();
    svm.flush_tlb = true;
}

static int svm_init(struct machine *m)
{
    uint32_t r[4];
    static const uint32_t pass[] = {0x174,      0x175,      0x176,      0xC0000081, 0xC0000082,
                                    0xC0000083, 0xC0000084, 0xC0000100, 0xC0000101, 0xC0000102};

    cpuid(0x8000000A, 0, r);
    svm.features = r[3];
    svm.m = m;
    /* APM "Enabling SVM": EFER.SVME, then where VMRUN keeps the host's state. */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, (uint64_t)(uintptr_t)svm_hsave);
    memset(svm_iopm, 0xff, sizeof(svm_iopm));
    memset(svm_msrpm, 0xff, sizeof(svm_msrpm));
    for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
        svm_msr_passthrough(pass[i]);
    svm_npt_clear();
    svm.flush_tlb = true;
    svm.listener.commit = svm_mem_commit;
    address_space_add_listener(&m->as, &svm.listener);
    return 0;
}

/* VMCB segment: selector, attributes (descriptor bits 40-47, 52-55 packed), limit, base. */
static void svm_seg_set(uint8_t *vmcb, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
                        uint64_t base)
{
    *(uint16_t *)(vmcb + off) = sel;
    *(uint16_t *)(vmcb + off + 2) = attr;
    *(uint32_t *)(vmcb + off + 4) = limit;
    *(uint64_t *)(vmcb + off + 8) = base;
}

static uint16_t svm_attr(const struct x86_seg *s)
{
    return s->type | s->s << 4 | (s->dpl & 3) << 5 | s->present << 7 | s->l << 9 | s->db << 10 |
           s->g << 11;
}

static void svm_load_reset_state(struct svm_vcpu *s)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint8_t *v = s->vmcb;
    uint64_t pat = vmcb_get(v, VMCB_G_PAT);
    uint32_t r[4];

    memset(v + 0x400, 0, 4096 - 0x400);
    memset(s->gpr, 0, sizeof(s->gpr));
    memset(s->fpu, 0, sizeof(s->fpu));
    *(uint16_t *)(s->fpu + 0) = 0x37f;   /* FCW after FNINIT */
    *(uint32_t *)(s->fpu + 24) = 0x1f80; /* MXCSR */
    svm_seg_set(v, VMCB_CS, 0xf000, 0x9b, 0xffff, 0xffff0000ull);
    for (unsigned off = VMCB_ES; off <= VMCB_GS; off += 16)
        if (off != VMCB_CS)
            svm_seg_set(v, off, 0, 0x93, 0xffff, 0);
    svm_seg_set(v, VMCB_GDTR, 0, 0, 0xffff, 0);
    svm_seg_set(v, VMCB_IDTR, 0, 0, 0xffff, 0);
    svm_seg_set(v, VMCB_LDTR, 0, 0x82, 0xffff, 0);
    svm_seg_set(v, VMCB_TR, 0, 0x8b, 0xffff, 0);
    vmcb_set(v, VMCB_CR0, 0x60000010);
    /* The guest's EFER keeps SVME: VMRUN refuses a guest without it (APM "Canonicalization
     * and Consistency Checks"); the guest's RDMSR does not see it. */
    vmcb_set(v, VMCB_EFER, EFER_SVME);
    vmcb_set(v, VMCB_RFLAGS, 2);
    vmcb_set(v, VMCB_RIP, 0xfff0);
    vmcb_set(v, VMCB_DR6, 0xffff0ff0);
    vmcb_set(v, VMCB_DR7, 0x400);
    vmcb_set(v, VMCB_G_PAT, x->init_reset ? pat : 0x0007040600070406ull);
    hv_cpuid(s->cpu, 1, 0, r);
    s->gpr[X86_RDX] = r[0];

    if (x->start_vector >= 0) { /* an AP's STARTUP */
        struct x86_seg cs;
        x86_seg_sipi_cs(&cs, x->start_vector);
        svm_seg_set(v, VMCB_CS, cs.selector, svm_attr(&cs), cs.limit, cs.base);
        vmcb_set(v, VMCB_RIP, 0);
    } else if (x->boot.valid) {
        const struct x86_boot_state *b = &x->boot;
        svm_seg_set(v, VMCB_CS, b->cs.selector, svm_attr(&b->cs), b->cs.limit, b->cs.base);
        for (unsigned off = VMCB_ES; off <= VMCB_GS; off += 16)
            if (off != VMCB_CS)
                svm_seg_set(v, off, b->ds.selector, svm_attr(&b->ds), b->ds.limit, b->ds.base);
        svm_seg_set(v, VMCB_GDTR, 0, 0, b->gdt_limit, b->gdt_base);
        vmcb_set(v, VMCB_CR0, b->cr0);
        vmcb_set(v, VMCB_RIP, b->rip);
        vmcb_set(v, VMCB_RSP, b->rsp);
        vmcb_set(v, VMCB_RAX, b->rax);
        vmcb_set(v, VMCB_RFLAGS, b->rflags | 2);
        s->gpr[X86_RBX] = b->rbx;
        s->gpr[X86_RSI] = b->rsi;
        s->gpr[X86_RDX] = 0;
    }
    if (!x->init_reset)
        hv_msrs_reset(&s->msrs, s->cpu->index == 0);
    memset(s->args.dr, 0, sizeof(s->args.dr)); /* 0 after RESET and INIT alike */
    s->args.dr_reload = 1;
    s->in_hlt = false;
}

static void svm_setup_control(struct svm_vcpu *s)
{
    uint8_t *v = s->vmcb;

    memset(v, 0, 0x400);
    vmcb_set32(v, VMCB_INTERCEPT1,
               ICPT1_INTR | ICPT1_NMI | ICPT1_SMI | ICPT1_INIT | ICPT1_CPUID | ICPT1_INVD |
                   ICPT1_HLT | ICPT1_INVLPGA | ICPT1_IOIO | ICPT1_MSR | ICPT1_FERR |
                   ICPT1_SHUTDOWN);
    vmcb_set32(v, VMCB_INTERCEPT2,
               ICPT2_VMRUN | ICPT2_VMMCALL | ICPT2_VMLOAD | ICPT2_VMSAVE | ICPT2_STGI | ICPT2_CLGI |
                   ICPT2_SKINIT | ICPT2_MONITOR | ICPT2_MWAIT | ICPT2_XSETBV);
    /*
     * Several vCPUs share this CPU: one spinning on a lock or waiting for another CPU's
     * answer yields after a few thousand PAUSEs (the pause filter, as KVM's count). Not
     * without the filter: an exit at every PAUSE would slow each udelay() down.
     */
    if (svm.m->cfg->smp > 1 && (svm.features & SVM_FEAT_PAUSE_FILTER)) {
        vmcb_set32(v, VMCB_INTERCEPT1, vmcb_get32(v, VMCB_INTERCEPT1) | ICPT1_PAUSE);
        *(uint16_t *)(v + VMCB_PAUSE_FILTER_COUNT) = 3000;
    }
    vmcb_set(v, VMCB_IOPM_PA, (uint64_t)(uintptr_t)svm_iopm);
    vmcb_set(v, VMCB_MSRPM_PA, (uint64_t)(uintptr_t)svm_msrpm);
    /* One ASID per vCPU: their TLB entries must not mix (TLB_CONTROL 1 flushes all ASIDs). */
    vmcb_set32(v, VMCB_ASID, (uint32_t)s->cpu->index + 1);
    vmcb_set(v, VMCB_VINTR, VINTR_MASKING);
    vmcb_set(v, VMCB_NP_ENABLE, 1);
    vmcb_set(v, VMCB_NCR3, svm_npt_root());
}

static int svm_vcpu_create(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct svm_vcpu *s = NULL;

    for (int i = 0; i < SVM_MAX_CPUS && !s; i++)
        if (!svm_cpus[i].used)
            s = &svm_cpus[i];
    if (!s)
        return -ENOSPC;
    memset(s, 0, sizeof(*s));
    s->used = true;
    s->cpu = cpu;
    s->args = (struct svm_run_args){
        .vmcb_pa = (uint64_t)(uintptr_t)s->vmcb, .gpr = s->gpr, .guest_fpu = s->fpu};
    svm_setup_control(s);
    x->accel_state = s;
    svm_load_reset_state(s);
    return 0;
}

static void svm_vcpu_destroy(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct svm_vcpu *s = x->accel_state;

    if (s)
        s->used = false;
    x->accel_state = NULL;
}

static void svm_vcpu_reset(struct vcpu *cpu)
{
    struct svm_vcpu *s = x86_cpu_of(cpu)->accel_state;

    svm_setup_control(s);
    svm_load_reset_state(s);
    s->nmi_masked = s->nmi_iret = s->nmi_step = false;
    svm.flush_tlb = true;
}

#define SVM_FLAG_TF (1ull << 8)

/*
 * Single-step the guest's next instruction so that it exits right after it (the #DB
 * intercept; svm_nmi_step_end() in svm-exit.c puts TF and DR6 back): used to see an NMI
 * handler's IRET complete, or an interrupt shadow end, with an NMI waiting. Not when the
 * guest single-steps itself (its TF is set), nor with an event to deliver (its delivery
 * clears TF): that NMI then waits for the next exit.
 */
static void svm_nmi_step(struct svm_vcpu *s)
{
    uint8_t *v = s->vmcb;
    uint64_t rflags = vmcb_get(v, VMCB_RFLAGS);

    if ((rflags & SVM_FLAG_TF) || (vmcb_get(v, VMCB_EVENTINJ) & EVT_V))
        return;
    s->nmi_step = true;
    s->nmi_step_dr6 = vmcb_get(v, VMCB_DR6);
    vmcb_set(v, VMCB_RFLAGS, rflags | SVM_FLAG_TF);
    vmcb_set32(v, VMCB_INTERCEPT_EXC, vmcb_get32(v, VMCB_INTERCEPT_EXC) | ICPT_EXC_DB);
}

/*
 * Interrupt delivery (APM "Injecting Events", "Virtual Interrupts"): an
 * event the last exit interrupted is delivered again first; then a pending
 * NMI; else the interrupt controller's INTR (local APIC or PIC) is
 * injected if the guest takes interrupts now (IF, no shadow), or
 * a virtual interrupt request with the VINTR intercept makes the CPU exit
 * as soon as it would.
 *
 * NMIs: AMD-V does not hold a second NMI back while the handler of one it
 * injected runs (APM "NMI Support": the VMM tracks that), so we do, as the
 * CPU would: masked from the injection until the handler's IRET has run.
 * The IRET intercept shows the IRET about to run; it has run once rip
 * moved on, or at once with a single step (svm_nmi_step) when another NMI
 * waits. NMIs also wait out an interrupt shadow (MOV SS: the stack switch
 * is not done yet), stepping over its instruction.
 */
static void svm_inject(struct svm_vcpu *s)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint8_t *v = s->vmcb;
    uint64_t vintr = vmcb_get(v, VMCB_VINTR) & ~(VINTR_V_IRQ | (0xfull << VINTR_PRIO_SHIFT));
    uint32_t i1 = vmcb_get32(v, VMCB_INTERCEPT1) & ~(ICPT1_VINTR | ICPT1_IRET);
    bool shadow = vmcb_get(v, VMCB_INT_STATE) & 1;

    if (s->nmi_iret && vmcb_get(v, VMCB_RIP) != s->nmi_iret_rip)
        s->nmi_masked = s->nmi_iret = false;
    if (x->nmi_pending && !(vmcb_get(v, VMCB_EVENTINJ) & EVT_V) && !s->nmi_masked && !shadow) {
        x->nmi_pending = false;
        vmcb_set(v, VMCB_EVENTINJ, EVT_V | EVT_TYPE_NMI | 2);
        s->nmi_masked = true;
    }
    if (s->nmi_masked && !s->nmi_iret)
        i1 |= ICPT1_IRET;
    if (x->intr_level) {
        bool busy = vmcb_get(v, VMCB_EVENTINJ) & EVT_V;
        if (!busy && hv_irq_can_inject(vmcb_get(v, VMCB_RFLAGS), shadow)) {
            int vec = hv_irq_ack(x);
            if (vec >= 0)
                vmcb_set(v, VMCB_EVENTINJ, EVT_V | EVT_TYPE_INTR | (uint8_t)vec);
        } else {
            /* Not now (or another event goes first): exit as soon as the guest could take it. */
            vintr |= VINTR_V_IRQ | VINTR_IGN_TPR | (0xfull << VINTR_PRIO_SHIFT);
            i1 |= ICPT1_VINTR;
        }
    }
    /*
     * After the INTR decision: an interrupt injected now goes first (NMIs are blocked, it
     * is not), and its delivery would push our TF. A virtual interrupt request is fine:
     * the step's #DB comes before it (a trap on the previous instruction).
     */
    if (x->nmi_pending && (s->nmi_iret || (shadow && !s->nmi_masked)))
        svm_nmi_step(s);
    vmcb_set(v, VMCB_VINTR, vintr);
    vmcb_set32(v, VMCB_INTERCEPT1, i1);
}

/*
 * CR8 is the local APIC's TPR. With V_INTR_MASKING the guest's MOV CR8 reads
 * and writes V_TPR in the VMCB instead (APM "Virtual Interrupt Masking"),
 * so the two are kept in step around each VMRUN: the model's TPR goes in,
 * a changed V_TPR comes back out. (V_IGN_TPR: our own virtual interrupt
 * requests are not held back by it; the model already applied the TPR.)
 */
static void svm_tpr_in(struct svm_vcpu *s)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);

    if (!x->intc || !x->intc->get_cr8)
        return;
    s->vtpr = x->intc->get_cr8(x->intr_opaque) & 15;
    vmcb_set(s->vmcb, VMCB_VINTR, (vmcb_get(s->vmcb, VMCB_VINTR) & ~0xffull) | s->vtpr);
}

static void svm_tpr_out(struct svm_vcpu *s)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint8_t v = vmcb_get(s->vmcb, VMCB_VINTR) & 15;

    if (x->intc && x->intc->set_cr8 && v != s->vtpr)
        x->intc->set_cr8(x->intr_opaque, v);
}

/* The host timer at the slice's end (a physical interrupt exits the guest); returns that end. */
static uint64_t svm_arm_slice(struct vcpu *cpu, uint64_t now)
{
    uint64_t end = cpu->slice_end_ns;

    kern_time_arm(end > now + SVM_SLICE_MIN_NS ? end : now + SVM_SLICE_MIN_NS);
    return end;
}

static int svm_vcpu_run(struct vcpu *cpu, struct vcpu_exit *ex)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct svm_vcpu *s = x->accel_state;
    uint64_t now = kern_time_ns();

    if (x86_cpu_mp_poll(cpu)) {
        ex->reason = VCPU_EXIT_HALT; /* waiting for SIPI */
        return 0;
    }
    if (s->in_hlt) {
        /* HLT ends on an interrupt the CPU takes (IF=1); with IF=0 it stays halted. */
        if (!(x->intr_level && (vmcb_get(s->vmcb, VMCB_RFLAGS) & X86_FLAG_IF)) &&
            !(x->nmi_pending && !s->nmi_masked)) {
            ex->reason = VCPU_EXIT_HALT;
            return 0;
        }
        s->in_hlt = false;
    }
    uint64_t armed_for = svm_arm_slice(cpu, now);
    for (;;) {
        svm_tpr_in(s);
        svm_inject(s);
        vmcb_set32(s->vmcb, VMCB_CLEAN, 0); /* we change the VMCB freely: nothing is cached */
        s->vmcb[VMCB_TLB_CONTROL] = svm.flush_tlb ? 1 : 0;
        svm.flush_tlb = false;
        kern_syscall(KERN_SYS_VMRUN, (uint64_t)(uintptr_t)&s->args, 0, 0);
        s->exits++;
        svm_tpr_out(s);
        int r = svm_handle_exit(s, ex);
        if (r <= 0)
            return r;
        now = kern_time_ns();
        if (cpu->exit_request || now >= cpu->slice_end_ns) {
            ex->reason = VCPU_EXIT_KICKED;
            return 0;
        }
        /* A timer armed by this exit (the APIC's, the PIT's...) ends the slice sooner. */
        if (cpu->slice_end_ns != armed_for)
            armed_for = svm_arm_slice(cpu, now);
    }
}

static void svm_kick(struct vcpu *cpu)
{
    (void)cpu; /* one thread: exit_request is seen after the current exit */
}

static void svm_set_irq(struct vcpu *cpu, int line, int level)
{
    (void)line;
    irq_set(x86_cpu_intr_pin(cpu), level);
}

/* GDB order (enum x86_gdb_reg) to encoding order; -1: in the VMCB. */
static const int8_t svm_gdb_gpr[16] = {X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI,
                                       X86_RBP, X86_RSP, 8,       9,       10,      11,
                                       12,      13,      14,      15};
static const uint16_t svm_gdb_seg[6] = {VMCB_CS, VMCB_SS, VMCB_DS, VMCB_ES, VMCB_FS, VMCB_GS};

static uint64_t *svm_reg_slot(struct svm_vcpu *s, int regno)
{
    if (regno == X86_REG_RIP)
        return (uint64_t *)(s->vmcb + VMCB_RIP);
    if (regno == X86_REG_EFLAGS)
        return (uint64_t *)(s->vmcb + VMCB_RFLAGS);
    int e = svm_gdb_gpr[regno];
    if (e == X86_RAX)
        return (uint64_t *)(s->vmcb + VMCB_RAX);
    if (e == X86_RSP)
        return (uint64_t *)(s->vmcb + VMCB_RSP);
    return &s->gpr[e];
}

static int svm_get_reg(struct vcpu *cpu, int regno, uint64_t *val)
{
    struct svm_vcpu *s = x86_cpu_of(cpu)->accel_state;

    if (regno < 0 || regno >= X86_REG_COUNT)
        return -EINVAL;
    if (regno >= X86_REG_CS) {
        *val = *(uint16_t *)(s->vmcb + svm_gdb_seg[regno - X86_REG_CS]);
        return 0;
    }
    *val = *svm_reg_slot(s, regno);
    return 0;
}

/* Segment registers take a selector only in real mode (base = selector << 4), as kvm. */
static int svm_set_reg(struct vcpu *cpu, int regno, uint64_t val)
{
    struct svm_vcpu *s = x86_cpu_of(cpu)->accel_state;

    if (regno < 0 || regno >= X86_REG_COUNT)
        return -EINVAL;
    if (regno >= X86_REG_CS) {
        if (vmcb_get(s->vmcb, VMCB_CR0) & X86_CR0_PE)
            return -EINVAL;
        unsigned off = svm_gdb_seg[regno - X86_REG_CS];
        *(uint16_t *)(s->vmcb + off) = (uint16_t)val;
        *(uint64_t *)(s->vmcb + off + 8) = (val & 0xffff) << 4;
        return 0;
    }
    *svm_reg_slot(s, regno) = val;
    return 0;
}

static const struct accel_ops svm_accel_ops = {
    .name = "svm",
    .probe = svm_probe,
    .init = svm_init,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .vcpu_run = svm_vcpu_run,
    .vcpu_reset = svm_vcpu_reset,
    .get_reg = svm_get_reg,
    .set_reg = svm_set_reg,
    .set_irq = svm_set_irq,
    .kick = svm_kick,
};
ACCEL_REGISTER(svm_accel_ops);

/* For -accel auto on the appliance (kernel/main.c): svm when the CPU has it. */
bool kern_svm_usable(void)
{
    return svm_cpu_has() && svm_probe() == 0;
}

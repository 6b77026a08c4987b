/*
 * svm-exit.c - what each #VMEXIT of the "svm" accelerator does (exit codes
 * and EXITINFO fields as in AMD64 APM vol. 2, "Intercept Operation" and
 * appendix C). Port I/O and MMIO are done here, on the machine's address
 * spaces; anything unexpected stops the VM with the guest's registers
 * logged, never the host.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "kernel/kernel.h"
#include "kernel/svm-int.h"

#define ATTR_L (1u << 9)
#define ATTR_D (1u << 10)
#define RFLAGS_VM (1ull << 17)

/* IOIO EXITINFO1 (APM "IOIO Intercepts") */
#define IOIO_IN (1ull << 0)
#define IOIO_STR (1ull << 2)
#define IOIO_REP (1ull << 3)
#define IOIO_SZ8 (1ull << 4)
#define IOIO_SZ16 (1ull << 5)
#define IOIO_A16 (1ull << 7)
#define IOIO_A32 (1ull << 8)
#define IOIO_SEG_SHIFT 10

static uint16_t svm_seg_attr(const uint8_t *v, unsigned off)
{
    return *(const uint16_t *)(v + off + 2);
}

void svm_guest_load(struct svm_vcpu *s, struct hv_guest *g)
{
    const uint8_t *v = s->vmcb;
    uint16_t cs = svm_seg_attr(v, VMCB_CS);

    memset(g, 0, sizeof(*g));
    g->m = svm.m;
    g->cpu = s->cpu;
    memcpy(g->gpr, s->gpr, sizeof(g->gpr));
    g->gpr[X86_RAX] = vmcb_get(v, VMCB_RAX);
    g->gpr[X86_RSP] = vmcb_get(v, VMCB_RSP);
    g->rip = vmcb_get(v, VMCB_RIP);
    g->rflags = vmcb_get(v, VMCB_RFLAGS);
    g->cr0 = vmcb_get(v, VMCB_CR0);
    g->cr3 = vmcb_get(v, VMCB_CR3);
    g->cr4 = vmcb_get(v, VMCB_CR4);
    g->efer = vmcb_get(v, VMCB_EFER);
    for (int i = 0; i < 6; i++)
        g->seg_base[i] = vmcb_get(v, VMCB_ES + 16 * i + 8);
    if ((g->efer & X86_EFER_LMA) && (cs & ATTR_L))
        g->mode = 64;
    else if ((cs & ATTR_D) && !(g->rflags & RFLAGS_VM))
        g->mode = 32;
    else
        g->mode = 16;
    g->user = v[VMCB_CPL] == 3;
}

void svm_guest_store(struct svm_vcpu *s, const struct hv_guest *g)
{
    uint8_t *v = s->vmcb;

    memcpy(s->gpr, g->gpr, sizeof(s->gpr));
    vmcb_set(v, VMCB_RAX, g->gpr[X86_RAX]);
    vmcb_set(v, VMCB_RSP, g->gpr[X86_RSP]);
    vmcb_set(v, VMCB_RIP, g->rip);
    vmcb_set(v, VMCB_RFLAGS, g->rflags);
    if (g->exc) {
        uint64_t e = EVT_V | EVT_TYPE_EXC | g->exc_vector;
        if (g->exc_has_error)
            e |= EVT_EV | (uint64_t)g->exc_error << 32;
        vmcb_set(v, VMCB_EVENTINJ, e);
        if (g->exc_vector == HV_EXC_PF)
            vmcb_set(v, VMCB_CR2, g->exc_cr2);
    }
}

void svm_report(struct svm_vcpu *s, const char *msg)
{
    const uint8_t *v = s->vmcb;

    error_report("svm: vCPU %d: %s (exit code 0x%" PRIx64 ", info 0x%" PRIx64 " 0x%" PRIx64 ")",
                 s->cpu->index, msg, vmcb_get(v, VMCB_EXITCODE), vmcb_get(v, VMCB_EXITINFO1),
                 vmcb_get(v, VMCB_EXITINFO2));
    error_report("svm: guest at cs=%04x:rip=%016" PRIx64 " cr0=%" PRIx64 " cr3=%" PRIx64
                 " cr4=%" PRIx64 " efer=%" PRIx64 " rflags=%" PRIx64,
                 *(const uint16_t *)(v + VMCB_CS), vmcb_get(v, VMCB_RIP), vmcb_get(v, VMCB_CR0),
                 vmcb_get(v, VMCB_CR3), vmcb_get(v, VMCB_CR4), vmcb_get(v, VMCB_EFER),
                 vmcb_get(v, VMCB_RFLAGS));
}

/* rip past the intercepted instruction: the CPU's next rip where it saves one (NRIPS). */
static void svm_skip(struct svm_vcpu *s, unsigned len)
{
    uint64_t nrip = vmcb_get(s->vmcb, VMCB_NRIP);

    if ((svm.features & SVM_FEAT_NRIPS) && nrip)
        vmcb_set(s->vmcb, VMCB_RIP, nrip);
    else
        vmcb_set(s->vmcb, VMCB_RIP, vmcb_get(s->vmcb, VMCB_RIP) + len);
    /* An interrupt shadow ends with the instruction we completed for the guest. */
    vmcb_set(s->vmcb, VMCB_INT_STATE, vmcb_get(s->vmcb, VMCB_INT_STATE) & ~1ull);
}

static void svm_inject_exc(struct svm_vcpu *s, uint8_t vector, bool has_error, uint32_t error)
{
    uint64_t e = EVT_V | EVT_TYPE_EXC | vector;

    if (has_error)
        e |= EVT_EV | (uint64_t)error << 32;
    vmcb_set(s->vmcb, VMCB_EVENTINJ, e);
}

static void svm_ioio(struct svm_vcpu *s)
{
    uint8_t *v = s->vmcb;
    uint64_t info = vmcb_get(v, VMCB_EXITINFO1), next = vmcb_get(v, VMCB_EXITINFO2);
    uint16_t port = info >> 16;
    unsigned size = (info & IOIO_SZ8) ? 1 : (info & IOIO_SZ16) ? 2 : 4;
    struct machine *m = svm.m;

    if (info & IOIO_STR) {
        struct hv_guest g;
        unsigned asz = (info & IOIO_A16) ? 2 : (info & IOIO_A32) ? 4 : 8;
        /* The segment field is filled only by CPUs with decode assists. */
        int seg =
            (svm.features & SVM_FEAT_DECODE_ASSISTS) ? (int)((info >> IOIO_SEG_SHIFT) & 7) : X86_DS;
        if (seg > X86_GS)
            seg = X86_DS;
        svm_guest_load(s, &g);
        hv_string_io(&g, port, size, info & IOIO_IN, info & IOIO_REP, asz, seg, next);
        svm_guest_store(s, &g);
        return;
    }
    uint64_t rax = vmcb_get(v, VMCB_RAX), val = 0;
    if (info & IOIO_IN) {
        address_space_load(&m->as_io, port, size, &val);
        if (size == 4)
            rax = (uint32_t)val; /* a 32-bit destination zero-extends */
        else
            rax = (rax & ~((1ull << (size * 8)) - 1)) | val;
        vmcb_set(v, VMCB_RAX, rax);
    } else {
        address_space_store(&m->as_io, port, size, rax & ((1ull << (size * 8)) - 1));
    }
    vmcb_set(v, VMCB_RIP, next);
}

/* Nested page fault: first touch of RAM/ROM (map it), else an access to emulate. */
static int svm_npf(struct svm_vcpu *s)
{
    uint8_t *v = s->vmcb;
    uint64_t err = vmcb_get(v, VMCB_EXITINFO1), gpa = vmcb_get(v, VMCB_EXITINFO2);
    struct hv_backing b;
    struct hv_guest g;

    if (!(err & X86_PF_P)) {
        int r = hv_gpa_backing(svm.m, gpa, &b);
        if (r == -EFAULT) {
            svm_report(s, "guest RAM has no host frame");
            return -EFAULT;
        }
        if (r == 0 && (b.writable || !(err & X86_PF_W))) {
            r = svm_npt_map(gpa, &b);
            if (r == -ENOMEM) { /* the pool is full: start over, keeping only this page */
                svm_npt_clear();
                svm.flush_tlb = true;
                r = svm_npt_map(gpa, &b);
            }
            if (r < 0) {
                svm_report(s, "cannot map guest RAM in the nested page table");
                return r;
            }
            return 1;
        }
    }
    svm_guest_load(s, &g);
    unsigned n = (svm.features & SVM_FEAT_DECODE_ASSISTS) ? v[VMCB_INSN_LEN] & 15 : 0;
    int r = hv_emulate_mmio(&g, n ? v + VMCB_INSN_BYTES : NULL, n);
    if (r < 0)
        return r;
    svm_guest_store(s, &g);
    if (!g.exc) /* completed: an interrupt shadow ends with it */
        vmcb_set(v, VMCB_INT_STATE, vmcb_get(v, VMCB_INT_STATE) & ~1ull);
    return 1;
}

static void svm_cpuid_exit(struct svm_vcpu *s)
{
    uint32_t r[4];

    hv_cpuid(s->cpu, (uint32_t)vmcb_get(s->vmcb, VMCB_RAX), (uint32_t)s->gpr[X86_RCX], r);
    vmcb_set(s->vmcb, VMCB_RAX, r[0]);
    s->gpr[X86_RBX] = r[1];
    s->gpr[X86_RCX] = r[2];
    s->gpr[X86_RDX] = r[3];
    svm_skip(s, 2);
}

#define MSR_TSC 0x10
#define MSR_PAT 0x277

static void svm_msr_exit(struct svm_vcpu *s)
{
    uint8_t *v = s->vmcb;
    uint32_t msr = (uint32_t)s->gpr[X86_RCX];
    bool write = vmcb_get(v, VMCB_EXITINFO1) & 1;
    uint64_t val = (uint32_t)vmcb_get(v, VMCB_RAX) | s->gpr[X86_RDX] << 32;
    int r = 0;

    if (msr == MSR_EFER) {
        /* EFER is in the VMCB; SVME stays set for VMRUN's checks, LMA is the CPU's to set. */
        uint64_t cur = vmcb_get(v, VMCB_EFER);
        if (write)
            vmcb_set(v, VMCB_EFER, (val & ~X86_EFER_LMA) | (cur & X86_EFER_LMA) | EFER_SVME);
        else
            val = cur & ~EFER_SVME;
    } else if (msr == MSR_PAT) {
        if (write)
            vmcb_set(v, VMCB_G_PAT, val); /* with nested paging the guest's PAT is G_PAT */
        else
            val = vmcb_get(v, VMCB_G_PAT);
    } else if (msr == MSR_TSC) {
        if (write)
            vmcb_set(v, VMCB_TSC_OFFSET, val - rdtsc());
        else
            val = rdtsc() + vmcb_get(v, VMCB_TSC_OFFSET);
    } else {
        /* The interrupt controller's MSRs first (IA32_APIC_BASE, x2APIC), then ours. */
        r = write ? x86_cpu_wrmsr(s->cpu, msr, val) : x86_cpu_rdmsr(s->cpu, msr, &val);
        if (r == -ENOENT)
            r = write ? hv_msr_write(&s->msrs, msr, val) : hv_msr_read(&s->msrs, msr, &val);
    }
    if (r < 0) {
        log_guest_error("svm: %s of unknown MSR 0x%x: #GP", write ? "wrmsr" : "rdmsr", msr);
        svm_inject_exc(s, HV_EXC_GP, true, 0);
        return;
    }
    if (!write) {
        vmcb_set(v, VMCB_RAX, (uint32_t)val);
        s->gpr[X86_RDX] = val >> 32;
    }
    svm_skip(s, 2);
}

/*
 * An event the exit interrupted (its delivery hit an unmapped page, say) is
 * delivered again on the next VMRUN; an INTn or INT3/INTO is not: the
 * instruction itself runs again (rip was not advanced).
 */
static void svm_reinject(struct svm_vcpu *s)
{
    uint64_t ii = vmcb_get(s->vmcb, VMCB_EXITINTINFO);
    uint64_t type = ii & (7ull << 8);
    uint8_t vec = ii & 0xff;

    vmcb_set(s->vmcb, VMCB_EVENTINJ, 0);
    if (!(ii & EVT_V) || type == EVT_TYPE_SOFT || (type == EVT_TYPE_EXC && (vec == 3 || vec == 4)))
        return;
    vmcb_set(s->vmcb, VMCB_EVENTINJ, ii);
}

#define SVM_FLAG_TF (1ull << 8)
#define DR6_BS (1ull << 14)

/*
 * The exit after a single step svm_inject() asked for (svm_nmi_step). Ours when it is the
 * #DB with DR6.BS: DR6 gets back what the guest had, and TF is cleared unless the stepped
 * instruction was the NMI handler's IRET, which loaded the guest's own RFLAGS (then NMIs
 * are unmasked: the IRET has run). Any other exit came first: the instruction has not run
 * (or we complete it ourselves), TF is still ours. Returns true for our #DB.
 */
static bool svm_nmi_step_end(struct svm_vcpu *s, uint64_t code)
{
    uint8_t *v = s->vmcb;
    bool ours = code == SVM_EXIT_EXC_DB && (vmcb_get(v, VMCB_DR6) & DR6_BS);
    bool iret = ours && s->nmi_iret;

    s->nmi_step = false;
    vmcb_set32(v, VMCB_INTERCEPT_EXC, vmcb_get32(v, VMCB_INTERCEPT_EXC) & ~ICPT_EXC_DB);
    if (ours)
        vmcb_set(v, VMCB_DR6, s->nmi_step_dr6);
    if (iret)
        s->nmi_masked = s->nmi_iret = false;
    else
        vmcb_set(v, VMCB_RFLAGS, vmcb_get(v, VMCB_RFLAGS) & ~SVM_FLAG_TF);
    return ours;
}

int svm_handle_exit(struct svm_vcpu *s, struct vcpu_exit *ex)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint8_t *v = s->vmcb;
    uint64_t code = vmcb_get(v, VMCB_EXITCODE);

    svm_reinject(s);
    if (s->nmi_step && svm_nmi_step_end(s, code))
        return 1;
    switch (code) {
    case SVM_EXIT_IRET:
        /* The NMI handler's IRET, about to run: NMIs stay masked until it has. */
        s->nmi_iret = true;
        s->nmi_iret_rip = vmcb_get(v, VMCB_RIP);
        return 1;
    case SVM_EXIT_EXC_DB: /* the guest's own #DB while we single-stepped it */
        svm_inject_exc(s, 1, false, 0);
        return 1;
    case SVM_EXIT_INTR:
    case SVM_EXIT_NMI:
    case SVM_EXIT_SMI:
    case SVM_EXIT_INIT:
    case SVM_EXIT_VINTR: /* the window is open: svm_inject() takes it from here */
    case SVM_EXIT_FERR:
        return 1;
    case SVM_EXIT_IOIO:
        svm_ioio(s);
        return 1;
    case SVM_EXIT_NPF:
        return svm_npf(s);
    case SVM_EXIT_CPUID:
        svm_cpuid_exit(s);
        return 1;
    case SVM_EXIT_MSR:
        svm_msr_exit(s);
        return 1;
    case SVM_EXIT_HLT:
        svm_skip(s, 1);
        if ((x->intr_level && (vmcb_get(v, VMCB_RFLAGS) & X86_FLAG_IF)) ||
            (x->nmi_pending && !s->nmi_masked))
            return 1; /* an interrupt is already waiting: it ends the hlt at once */
        s->in_hlt = true;
        ex->reason = VCPU_EXIT_HALT;
        return 0;
    case SVM_EXIT_INVD:
        svm_skip(s, 2); /* dropping the host's dirty cache lines is not the guest's to do */
        return 1;
    case SVM_EXIT_PAUSE: /* a spin loop (the pause filter, -smp > 1): let the other vCPUs run */
        svm_skip(s, 2);
        ex->reason = VCPU_EXIT_KICKED;
        return 0;
    case SVM_EXIT_SHUTDOWN:
        ex->reason = VCPU_EXIT_SHUTDOWN;
        return 0;
    case SVM_EXIT_VMRUN:
    case SVM_EXIT_VMRUN + 1: /* VMMCALL */
    case SVM_EXIT_VMRUN + 2: /* VMLOAD */
    case SVM_EXIT_VMRUN + 3: /* VMSAVE */
    case SVM_EXIT_VMRUN + 4: /* STGI */
    case SVM_EXIT_VMRUN + 5: /* CLGI */
    case SVM_EXIT_SKINIT:
    case SVM_EXIT_INVLPGA:
    case SVM_EXIT_MONITOR:
    case SVM_EXIT_MWAIT:
    case SVM_EXIT_XSETBV:
        /* CPUID shows none of these to the guest. */
        svm_inject_exc(s, HV_EXC_UD, false, 0);
        return 1;
    case SVM_EXIT_INVALID:
        svm_report(s, "VMRUN refused the guest state");
        return -EIO;
    default:
        svm_report(s, "unexpected exit");
        return -EIO;
    }
}

/*
 * vmx-exit.c - what each VM exit of the "vmx" accelerator does (SDM vol.
 * 3C, chapter 27 "VM Exits": 27.2.1 "Basic VM-Exit Information" for the
 * exit qualifications, vol. 3D appendix C for the reasons). Port I/O and
 * MMIO are done here, on the machine's address spaces; anything
 * unexpected stops the VM with the guest's registers logged, never the
 * host.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "kernel/kernel.h"
#include "kernel/vmx-int.h"

#define AR_DB (1u << 14)
#define AR_L (1u << 13)
#define RFLAGS_VM (1ull << 17)
#define X86_CR0_TS (1ull << 3)
#define X86_EFER_LME (1ull << 8)
#define MSR_TSC 0x10
#define MSR_PAT 0x277
#define VMX_APIC_BUS_HZ 1000000000u /* the board's local APIC timer clock */

/* I/O exit qualification (SDM table 27-5). */
#define IOQ_IN (1ull << 3)
#define IOQ_STRING (1ull << 4)
#define IOQ_REP (1ull << 5)
/* EPT violation qualification (SDM table 27-7): bits 3-5 say whether the entry allowed anything. */
#define EPTQ_WRITE (1ull << 1)
#define EPTQ_FETCH (1ull << 2)
#define EPTQ_PRESENT (7ull << 3)

void vmx_guest_load(struct vmx_vcpu *s, struct hv_guest *g)
{
    uint32_t cs = (uint32_t)s->rd[RD_CS_AR];

    memset(g, 0, sizeof(*g));
    g->m = vmx.m;
    g->cpu = s->cpu;
    memcpy(g->gpr, s->gpr, sizeof(g->gpr));
    g->gpr[X86_RSP] = s->rd[RD_RSP];
    g->rip = s->rd[RD_RIP];
    g->rflags = s->rd[RD_RFLAGS];
    g->cr0 = s->rd[RD_CR0];
    g->cr3 = s->rd[RD_CR3];
    g->cr4 = s->rd[RD_CR4];
    g->efer = s->rd[RD_EFER];
    for (int i = 0; i < 6; i++)
        g->seg_base[i] = s->rd[RD_ES_BASE + i];
    if ((g->efer & X86_EFER_LMA) && (cs & AR_L))
        g->mode = 64;
    else if ((cs & AR_DB) && !(g->rflags & RFLAGS_VM))
        g->mode = 32;
    else
        g->mode = 16;
    g->user = ((s->rd[RD_SS_AR] >> 5) & 3) == 3; /* CPL is SS.DPL (SDM 26.3.1.2) */
}

void vmx_inject_exc(struct vmx_vcpu *s, uint8_t vector, bool has_error, uint32_t error)
{
    uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXC | vector;

    /* Real mode delivers no error codes; VM entry refuses one there (SDM 26.2.1.3). */
    if (has_error && (s->rd[RD_CR0] & X86_CR0_PE)) {
        info |= INTR_INFO_HAS_ERROR;
        vmx_set(s, VMCS_ENTRY_EXC_ERROR, error);
    }
    vmx_set(s, VMCS_ENTRY_INTR_INFO, info);
}

void vmx_guest_store(struct vmx_vcpu *s, const struct hv_guest *g)
{
    memcpy(s->gpr, g->gpr, sizeof(s->gpr));
    if (g->gpr[X86_RSP] != s->rd[RD_RSP])
        vmx_set(s, VMCS_GUEST_RSP, g->gpr[X86_RSP]);
    if (g->rip != s->rd[RD_RIP])
        vmx_set(s, VMCS_GUEST_RIP, g->rip);
    if (g->rflags != s->rd[RD_RFLAGS])
        vmx_set(s, VMCS_GUEST_RFLAGS, g->rflags);
    if (g->exc) {
        vmx_inject_exc(s, g->exc_vector, g->exc_has_error, g->exc_error);
        if (g->exc_vector == HV_EXC_PF)
            s->call.guest_cr2 = g->exc_cr2;
    }
}

/* CR0/CR4 as the guest sees them: its own bits, and the read shadow for ours. */
static uint64_t vmx_cr0_visible(const struct vmx_vcpu *s)
{
    return (s->rd[RD_CR0] & ~vmx_cr0_owned()) | (s->rd[RD_CR0_SHADOW] & vmx_cr0_owned());
}

static uint64_t vmx_cr4_visible(const struct vmx_vcpu *s)
{
    return (s->rd[RD_CR4] & ~vmx_cr4_owned()) | (s->rd[RD_CR4_SHADOW] & vmx_cr4_owned());
}

void vmx_report(struct vmx_vcpu *s, const char *msg)
{
    error_report("vmx: vCPU %d: %s (exit reason 0x%x, qualification 0x%" PRIx64
                 ", guest-physical 0x%" PRIx64 ")",
                 s->cpu->index, msg, s->exit_reason, s->rd[RD_QUAL], s->rd[RD_GPA]);
    error_report("vmx: guest at cs=%04" PRIx64 ":rip=%016" PRIx64 " cr0=%" PRIx64 " cr3=%" PRIx64
                 " cr4=%" PRIx64 " efer=%" PRIx64 " rflags=%" PRIx64,
                 s->rd[RD_SEL_ES + X86_CS], s->rd[RD_RIP], vmx_cr0_visible(s), s->rd[RD_CR3],
                 vmx_cr4_visible(s), s->rd[RD_EFER], s->rd[RD_RFLAGS]);
}

/* rip past the instruction that exited; an STI or MOV SS shadow ends with it. */
static void vmx_skip(struct vmx_vcpu *s)
{
    vmx_set(s, VMCS_GUEST_RIP, s->rd[RD_RIP] + s->rd[RD_INSN_LEN]);
    if (s->rd[RD_INTERRUPTIBILITY] & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
        vmx_set(s, VMCS_GUEST_INTERRUPTIBILITY,
                s->rd[RD_INTERRUPTIBILITY] &
                    ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

static void vmx_io(struct vmx_vcpu *s)
{
    uint64_t q = s->rd[RD_QUAL];
    uint16_t port = (uint16_t)(q >> 16);
    unsigned size = (unsigned)(q & 7) + 1;
    struct machine *m = vmx.m;

    if (q & IOQ_STRING) {
        struct hv_guest g;
        vmx_guest_load(s, &g);
        unsigned asz = g.mode / 8;
        int seg = X86_DS;
        /* SDM 27.2.5 "Information for VM Exits Due to Instruction Execution" (table 27-8). */
        if (vmx.basic & VMX_BASIC_INSOUTS_INFO) {
            uint64_t info = s->rd[RD_INSN_INFO];
            asz = 2u << ((info >> 7) & 7);
            seg = (int)((info >> 15) & 7);
            if (seg > X86_GS)
                seg = X86_DS;
        }
        hv_string_io(&g, port, size, q & IOQ_IN, q & IOQ_REP, asz, seg,
                     s->rd[RD_RIP] + s->rd[RD_INSN_LEN]);
        vmx_guest_store(s, &g);
        return;
    }
    uint64_t rax = s->gpr[X86_RAX], val = 0;
    if (q & IOQ_IN) {
        address_space_load(&m->as_io, port, size, &val);
        if (size == 4)
            rax = (uint32_t)val; /* a 32-bit destination zero-extends */
        else
            rax = (rax & ~((1ull << (size * 8)) - 1)) | val;
        s->gpr[X86_RAX] = rax;
    } else {
        address_space_store(&m->as_io, port, size, rax & ((1ull << (size * 8)) - 1));
    }
    vmx_skip(s);
}

/*
 * An IRET that ended virtual-NMI blocking exited before it completed (its stack page not
 * in the EPT yet): it runs again, so the blocking is set again (SDM vol. 3C, "Information
 * for VM Exits Due to Vectored Events" and the EPT-violation qualification), or a pending
 * NMI would be injected into the handler it has not left yet. Bit 12 means nothing when
 * the exit came during event delivery.
 */
static void vmx_iret_retry(struct vmx_vcpu *s, uint64_t info)
{
    if ((vmx.pin & PIN_VIRTUAL_NMI) && (info & EXIT_NMI_UNBLOCKED_BY_IRET) &&
        !(s->rd[RD_IDT_VEC_INFO] & INTR_INFO_VALID))
        vmx_set(s, VMCS_GUEST_INTERRUPTIBILITY, s->rd[RD_INTERRUPTIBILITY] | INTERRUPTIBILITY_NMI);
}

/* EPT violation: first touch of RAM/ROM (map it), else an access to emulate. */
static int vmx_ept_violation(struct vmx_vcpu *s)
{
    uint64_t q = s->rd[RD_QUAL], gpa = s->rd[RD_GPA];
    struct hv_backing b;
    struct hv_guest g;

    if (!(q & EPTQ_PRESENT)) {
        int r = hv_gpa_backing(vmx.m, gpa, &b);
        if (r == -EFAULT) {
            vmx_report(s, "guest RAM has no host frame");
            return -EFAULT;
        }
        if (r == 0 && (b.writable || !(q & EPTQ_WRITE))) {
            r = vmx_ept_map(gpa, &b);
            if (r == -ENOMEM) { /* the pool is full: start over, keeping only this page */
                vmx_ept_clear();
                vmx.flush_ept = true;
                r = vmx_ept_map(gpa, &b);
            }
            if (r < 0) {
                vmx_report(s, "cannot map guest RAM in the EPT");
                return r;
            }
            vmx_iret_retry(s, q);
            return 1;
        }
    }
    if (q & EPTQ_FETCH) {
        vmx_report(s, "instruction fetch from MMIO or a hole");
        return -EFAULT;
    }
    vmx_guest_load(s, &g);
    int r = hv_emulate_mmio(&g, NULL, 0);
    if (r < 0)
        return r;
    vmx_guest_store(s, &g);
    /* The shadow ends with the emulated instruction; blocking by NMI stays (a handler's MMIO). */
    if (s->rd[RD_INTERRUPTIBILITY] & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
        vmx_set(s, VMCS_GUEST_INTERRUPTIBILITY,
                s->rd[RD_INTERRUPTIBILITY] &
                    ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
    return 1;
}

/*
 * num/den near a/b with num <= max_num and den < 2^32: the last convergent
 * of a/b's continued fraction within the bounds (each is the closest
 * fraction with a denominator that small). 0 in *num when none fits.
 */
static void vmx_ratio(uint64_t a, uint64_t b, uint64_t max_num, uint32_t *num, uint32_t *den)
{
    uint64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;

    *num = 0;
    *den = 1;
    while (b) {
        uint64_t q = a / b, r = a % b;
        if (q && (h1 > (max_num - h0) / q || k1 > (UINT32_MAX - k0) / q))
            break;
        uint64_t h2 = q * h1 + h0, k2 = q * k1 + k0;
        h0 = h1, h1 = h2, k0 = k1, k1 = k2;
        a = b, b = r;
        *num = (uint32_t)h1;
        *den = (uint32_t)k1;
    }
}

static void vmx_cpuid_exit(struct vmx_vcpu *s)
{
    uint32_t r[4];

    uint32_t leaf = (uint32_t)s->gpr[X86_RAX];

    hv_cpuid(s->cpu, leaf, (uint32_t)s->gpr[X86_RCX], r);
    /*
     * The TSC is the host's, at the rate the appliance measured: the CPU's
     * own leaves 0x15/0x16 may say otherwise (Bochs's models claim their
     * nominal GHz while its TSC counts emulated instructions), and a guest
     * believing them sees its TSC crawl against the board's timers.
     *
     * Linux on Intel also takes leaf 0x15's crystal as the local APIC
     * timer's clock (lapic_timer_period = crystal / HZ, no calibration):
     * the crystal must be the board's APIC bus clock, 1 GHz of virtual time
     * (hw/intc/apic-timer.c), or its APIC timer gets a period of 0 and
     * never fires. Linux multiplies crystal kHz by the numerator in 32
     * bits, so the TSC/crystal ratio keeps a numerator up to 4294.
     */
    uint64_t khz = kern_time_tsc_hz() / 1000;
    if (leaf == 0x15 && khz) {
        uint32_t num, den;
        vmx_ratio(khz, VMX_APIC_BUS_HZ / 1000, UINT32_MAX / (VMX_APIC_BUS_HZ / 1000), &num, &den);
        r[0] = den; /* TSC / crystal = ebx / eax; 0: the crystal's ratio is not given */
        r[1] = num;
        r[2] = num ? VMX_APIC_BUS_HZ : 0;
    } else if (leaf == 0x16 && khz) {
        r[0] = r[1] = (uint32_t)(khz / 1000); /* base and maximum MHz */
    }
    s->gpr[X86_RAX] = r[0];
    s->gpr[X86_RBX] = r[1];
    s->gpr[X86_RCX] = r[2];
    s->gpr[X86_RDX] = r[3];
    vmx_skip(s);
}

static void vmx_msr_exit(struct vmx_vcpu *s, bool write)
{
    uint32_t msr = (uint32_t)s->gpr[X86_RCX];
    uint64_t val = (uint32_t)s->gpr[X86_RAX] | s->gpr[X86_RDX] << 32;
    int r = 0;

    if (msr == MSR_EFER) {
        /* EFER is in the VMCS (loaded on entry, saved on exit); LMA is the CPU's to set. */
        uint64_t cur = s->rd[RD_EFER];
        if (write)
            vmx_set(s, VMCS_GUEST_EFER, (val & ~X86_EFER_LMA) | (cur & X86_EFER_LMA));
        else
            val = cur;
    } else if (msr == MSR_PAT) {
        /* Kept, not loaded: with EPT's write-back leaves the host's PAT decides (no IPAT). */
        if (write)
            s->pat = val;
        else
            val = s->pat;
    } else if (msr == MSR_TSC) {
        if (write)
            log_guest_error("vmx: wrmsr to the TSC ignored");
        else
            val = rdtsc();
    } else {
        r = write ? x86_cpu_wrmsr(s->cpu, msr, val) : x86_cpu_rdmsr(s->cpu, msr, &val);
        if (r == -ENOENT)
            r = write ? hv_msr_write(&s->msrs, msr, val) : hv_msr_read(&s->msrs, msr, &val);
    }
    if (r < 0) {
        log_guest_error("vmx: %s of unknown MSR 0x%x: #GP", write ? "wrmsr" : "rdmsr", msr);
        vmx_inject_exc(s, HV_EXC_GP, true, 0);
        return;
    }
    if (!write) {
        s->gpr[X86_RAX] = (uint32_t)val;
        s->gpr[X86_RDX] = val >> 32;
    }
    vmx_skip(s);
}

/*
 * PAE paging outside long mode: VM entry loads the four PDPTEs from the
 * VMCS (SDM 26.3.2.4 "Loading Page-Directory-Pointer-Table Entries"), so
 * when we, not the CPU, turned paging on they come from the guest's CR3.
 */
static void vmx_load_pdptes(struct vmx_vcpu *s, uint64_t cr3)
{
    uint64_t pdpte[4] = {0};

    address_space_read(&vmx.m->as, cr3 & 0xFFFFFFE0ull, pdpte, sizeof(pdpte));
    for (int i = 0; i < 4; i++)
        vmx_set(s, VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static void vmx_set_cr0(struct vmx_vcpu *s, uint64_t val)
{
    uint64_t old = vmx_cr0_visible(s), efer = s->rd[RD_EFER], cr4 = vmx_cr4_visible(s);

    if ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) {
        vmx_inject_exc(s, HV_EXC_GP, true, 0);
        return;
    }
    /* Long mode activates with paging (SDM vol. 3A 10.8.5 "Initializing IA-32e Mode"). */
    if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & X86_EFER_LME)) {
        if (!(cr4 & X86_CR4_PAE)) {
            vmx_inject_exc(s, HV_EXC_GP, true, 0);
            return;
        }
        efer |= X86_EFER_LMA;
    } else if (!(val & X86_CR0_PG)) {
        efer &= ~X86_EFER_LMA;
    }
    vmx_set(s, VMCS_GUEST_CR0, vmx_cr0_real(val));
    vmx_set(s, VMCS_CR0_SHADOW, val);
    if (efer != s->rd[RD_EFER])
        vmx_set(s, VMCS_GUEST_EFER, efer);
    if ((val & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & X86_EFER_LMA))
        vmx_load_pdptes(s, s->rd[RD_CR3]);
    vmx_skip(s);
}

/* CR8 is the local APIC's TPR (SDM vol. 3A 11.8.6): the board's model, if it has one. */
static uint64_t vmx_get_cr8(struct vmx_vcpu *s)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);

    if (x->intc && x->intc->get_cr8)
        return x->intc->get_cr8(x->intr_opaque);
    return s->cr8;
}

static void vmx_set_cr8(struct vmx_vcpu *s, uint64_t val)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);

    if (x->intc && x->intc->set_cr8)
        x->intc->set_cr8(x->intr_opaque, (uint8_t)(val & 15));
    else
        s->cr8 = (uint8_t)(val & 15);
}

/* MOV to/from CR, CLTS, LMSW on bits we own, and CR8 (SDM table 27-3). */
static void vmx_cr_access(struct vmx_vcpu *s)
{
    uint64_t q = s->rd[RD_QUAL];
    unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
    uint64_t *gp = &s->gpr[reg];
    uint64_t val = reg == X86_RSP ? s->rd[RD_RSP] : *gp;

    switch (type) {
    case 0: /* MOV to CR */
        if (cr == 0) {
            vmx_set_cr0(s, val);
            return;
        }
        if (cr == 8) {
            if (val >> 4) {
                vmx_inject_exc(s, HV_EXC_GP, true, 0);
                return;
            }
            vmx_set_cr8(s, val);
            break;
        }
        if (cr == 3) {
            vmx_set(s, VMCS_GUEST_CR3, val);
            if ((vmx_cr0_visible(s) & X86_CR0_PG) && (vmx_cr4_visible(s) & X86_CR4_PAE) &&
                !(s->rd[RD_EFER] & X86_EFER_LMA))
                vmx_load_pdptes(s, val);
            break;
        }
        if (cr == 4) {
            if (val & (CR4_VMXE | ~vmx.cr4_fixed1)) {
                vmx_inject_exc(s, HV_EXC_GP, true, 0); /* the guest is shown no VMX */
                return;
            }
            vmx_set(s, VMCS_GUEST_CR4, vmx_cr4_real(val));
            vmx_set(s, VMCS_CR4_SHADOW, val);
            break;
        }
        vmx_report(s, "MOV to an unexpected control register");
        vmx_inject_exc(s, HV_EXC_UD, false, 0);
        return;
    case 1: { /* MOV from CR3 or CR8 */
        uint64_t v = cr == 8 ? vmx_get_cr8(s) : s->rd[RD_CR3];
        if (reg == X86_RSP)
            vmx_set(s, VMCS_GUEST_RSP, v);
        else
            *gp = v;
        break;
    }
    case 2: /* CLTS */
        vmx_set_cr0(s, vmx_cr0_visible(s) & ~X86_CR0_TS);
        return;
    default: { /* LMSW: the low 4 bits; it sets PE but cannot clear it */
        uint64_t src = (q >> 16) & 0xf, old = vmx_cr0_visible(s);
        vmx_set_cr0(s, (old & ~0xeull) | (src & 0xf) | (old & X86_CR0_PE));
        return;
    }
    }
    vmx_skip(s);
}

/*
 * An event the exit interrupted (its delivery hit an unmapped page, say)
 * is delivered again on the next entry (SDM 28.2.4 "Information for VM
 * Exits During Event Delivery"); a software interrupt or exception is not:
 * rip is still on its instruction, which runs again.
 */
static void vmx_reinject(struct vmx_vcpu *s)
{
    uint32_t info = (uint32_t)s->rd[RD_IDT_VEC_INFO], type = info & INTR_TYPE_MASK;

    if (!(info & INTR_INFO_VALID))
        return;
    if (type != INTR_TYPE_EXT && type != INTR_TYPE_NMI && type != INTR_TYPE_HW_EXC)
        return;
    vmx_set(s, VMCS_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | INTR_INFO_HAS_ERROR | 0x7ff));
    if (info & INTR_INFO_HAS_ERROR)
        vmx_set(s, VMCS_ENTRY_EXC_ERROR, s->rd[RD_IDT_VEC_ERROR]);
    /* An NMI whose delivery did not complete has not blocked NMIs yet (27.3.1.5 wants 0). */
    if (type == INTR_TYPE_NMI && (s->rd[RD_INTERRUPTIBILITY] & INTERRUPTIBILITY_NMI))
        vmx_set(s, VMCS_GUEST_INTERRUPTIBILITY,
                s->rd[RD_INTERRUPTIBILITY] & ~(uint64_t)INTERRUPTIBILITY_NMI);
}

int vmx_handle_exit(struct vmx_vcpu *s, struct vcpu_exit *ex)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint32_t reason = s->exit_reason;

    if (reason & EXIT_ENTRY_FAILED) {
        vmx_report(s, "VM entry failed on the guest state");
        return -EIO;
    }
    vmx_reinject(s);
    switch (reason & 0xffff) {
    case EXIT_EXT_INT: /* the host's interrupt, taken by the host after the exit */
    case EXIT_INIT:
    case EXIT_SIPI:
        return 1;
    case EXIT_NMI_WINDOW:  /* the guest can take an NMI now: vmx_inject() gives it */
    case EXIT_INTR_WINDOW: /* the window is open: vmx_inject() takes it from here */
        return 1;
    case EXIT_EXC_NMI:
        if ((s->rd[RD_EXIT_INTR_INFO] & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
            vmx_iret_retry(s, s->rd[RD_EXIT_INTR_INFO]);
            return 1; /* a host NMI (NMI exiting comes with virtual NMIs): none of ours */
        }
        vmx_report(s, "unexpected exception exit");
        return -EIO;
    case EXIT_IO:
        vmx_io(s);
        return 1;
    case EXIT_EPT_VIOLATION:
        return vmx_ept_violation(s);
    case EXIT_CPUID:
        vmx_cpuid_exit(s);
        return 1;
    case EXIT_RDMSR:
    case EXIT_WRMSR:
        vmx_msr_exit(s, (reason & 0xffff) == EXIT_WRMSR);
        return 1;
    case EXIT_CR_ACCESS:
        vmx_cr_access(s);
        return 1;
    case EXIT_HLT:
        vmx_skip(s);
        if ((x->intr_level && (s->rd[RD_RFLAGS] & X86_FLAG_IF)) ||
            (x->nmi_pending && !(s->rd[RD_INTERRUPTIBILITY] & INTERRUPTIBILITY_NMI)))
            return 1; /* an interrupt is already waiting: it ends the hlt at once */
        s->in_hlt = true;
        ex->reason = VCPU_EXIT_HALT;
        return 0;
    case EXIT_INVD:
    case EXIT_WBINVD:
        vmx_skip(s); /* dropping the host's dirty cache lines is not the guest's to do */
        return 1;
    case EXIT_PAUSE: /* a spin loop (PAUSE-loop exiting, -smp > 1): let the other vCPUs run */
        vmx_skip(s);
        ex->reason = VCPU_EXIT_KICKED;
        return 0;
    case EXIT_TRIPLE_FAULT:
        /* The board resets, silently as with the hosted kvm: guests do it on purpose. */
        ex->reason = VCPU_EXIT_SHUTDOWN;
        return 0;
    case EXIT_GETSEC:
    case EXIT_VMCALL:
    case EXIT_VMCALL + 1 ... EXIT_VMXON: /* VMCLEAR ... VMXON */
    case EXIT_INVEPT:
    case EXIT_INVVPID:
    case EXIT_MWAIT:
    case EXIT_MONITOR:
    case EXIT_XSETBV:
        /* CPUID shows none of these to the guest. */
        vmx_inject_exc(s, HV_EXC_UD, false, 0);
        return 1;
    case EXIT_EPT_MISCONFIG:
        vmx_report(s, "EPT misconfiguration");
        return -EIO;
    default:
        vmx_report(s, "unexpected exit");
        return -EIO;
    }
}

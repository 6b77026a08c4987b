/*
 * vmx.c - the "vmx" accelerator: x86 guests on the appliance's own CPU with
 * Intel VT-x (SDM vol. 3C, chapters 24-33), every device ours, as the svm
 * accelerator does it with AMD-V.
 *
 * The guest runs as an "unrestricted guest" with EPT (SDM 25.6.2,
 * "Processor-Based VM-Execution Controls", secondary controls): real mode
 * and paging run natively, the guest's RAM is mapped by the EPT
 * (vmx-ept.c), everything else exits: port I/O unconditionally, MSRs by
 * the MSR bitmap, CPUID, HLT, and MMIO as EPT violations. The emulator
 * runs in ring 3; VMX instructions need ring 0, so set-up and each entry
 * into the guest is one system call (KERN_SYS_VMX, kernel/vmx-run.c).
 * Slices end by the kernel's timer: its interrupt exits the guest
 * (external-interrupt exiting) and is handled by the host.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "kernel/kernel.h"
#include "kernel/vmx-int.h"

#define VMX_SLICE_MIN_NS 50000ull
#define CPUID_1_ECX_VMX (1u << 5)
#define X86_CR0_NE (1ull << 5)
#define X86_EFER_LME (1ull << 8)

/* Access rights (SDM 24.4.1 "Guest Register State"): descriptor bits 40-47, 52-55, unusable. */
#define AR_UNUSABLE (1u << 16)

struct vmx_global vmx;

static struct vmx_vcpu vmx_cpus[VMX_MAX_CPUS];
static uint8_t vmx_on_region[4096] __attribute__((aligned(4096)));
/* MSR bitmap (SDM 25.6.9 "MSR-Bitmap Address"): read low, read high, write low, write high. */
static uint8_t vmx_msr_bitmap[4096] __attribute__((aligned(4096)));

static const uint32_t vmx_reads[RD_COUNT] = {
    [RD_QUAL] = VMCS_EXIT_QUAL,
    [RD_GPA] = VMCS_GUEST_PHYS_ADDR,
    [RD_INSN_LEN] = VMCS_EXIT_INSN_LEN,
    [RD_INSN_INFO] = VMCS_EXIT_INSN_INFO,
    [RD_IDT_VEC_INFO] = VMCS_IDT_VEC_INFO,
    [RD_IDT_VEC_ERROR] = VMCS_IDT_VEC_ERROR,
    [RD_EXIT_INTR_INFO] = VMCS_EXIT_INTR_INFO,
    [RD_RIP] = VMCS_GUEST_RIP,
    [RD_RSP] = VMCS_GUEST_RSP,
    [RD_RFLAGS] = VMCS_GUEST_RFLAGS,
    [RD_CR0] = VMCS_GUEST_CR0,
    [RD_CR3] = VMCS_GUEST_CR3,
    [RD_CR4] = VMCS_GUEST_CR4,
    [RD_CR0_SHADOW] = VMCS_CR0_SHADOW,
    [RD_CR4_SHADOW] = VMCS_CR4_SHADOW,
    [RD_EFER] = VMCS_GUEST_EFER,
    [RD_INTERRUPTIBILITY] = VMCS_GUEST_INTERRUPTIBILITY,
    [RD_ENTRY_CTLS] = VMCS_ENTRY_CTLS,
    [RD_PROC_CTLS] = VMCS_PROC_CTLS,
    [RD_CS_AR] = VMCS_GUEST_CS_AR,
    [RD_SS_AR] = VMCS_GUEST_SS_AR,
    [RD_ES_BASE + 0] = VMCS_GUEST_ES_BASE,
    [RD_ES_BASE + 1] = VMCS_GUEST_ES_BASE + 2,
    [RD_ES_BASE + 2] = VMCS_GUEST_ES_BASE + 4,
    [RD_ES_BASE + 3] = VMCS_GUEST_ES_BASE + 6,
    [RD_ES_BASE + 4] = VMCS_GUEST_ES_BASE + 8,
    [RD_ES_BASE + 5] = VMCS_GUEST_ES_BASE + 10,
    [RD_SEL_ES + 0] = VMCS_GUEST_ES_SEL,
    [RD_SEL_ES + 1] = VMCS_GUEST_ES_SEL + 2,
    [RD_SEL_ES + 2] = VMCS_GUEST_ES_SEL + 4,
    [RD_SEL_ES + 3] = VMCS_GUEST_ES_SEL + 6,
    [RD_SEL_ES + 4] = VMCS_GUEST_ES_SEL + 8,
    [RD_SEL_ES + 5] = VMCS_GUEST_ES_SEL + 10,
};

void vmx_set(struct vmx_vcpu *s, uint32_t enc, uint64_t val)
{
    for (int i = 0; i < RD_COUNT; i++)
        if (vmx_reads[i] == enc)
            s->rd[i] = val;
    for (uint32_t i = 0; i < s->call.nwrites; i++) {
        if (s->writes[i].enc == enc) {
            s->writes[i].val = val;
            return;
        }
    }
    if (s->call.nwrites == VMX_MAX_WRITES) {
        error_report("vmx: too many VMCS writes queued (field 0x%x dropped)", enc);
        return;
    }
    s->writes[s->call.nwrites++] = (struct vmx_field){enc, val};
}

static bool vmx_cpu_has(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    if (r[0] < 1)
        return false;
    cpuid(1, 0, r);
    return r[2] & CPUID_1_ECX_VMX;
}

/*
 * A control word the CPU accepts (SDM vol. 3D, A.3-A.5): bits 0-31 of the
 * capability MSR are the allowed 0-settings (must be 1), bits 32-63 the
 * allowed 1-settings. The TRUE_ MSRs, when VMX_BASIC says they exist,
 * allow more default-1 controls to be 0 (the CR3 exits, with EPT).
 */
static uint32_t vmx_adjust(uint32_t msr, uint32_t true_msr, uint32_t want, uint32_t *missing)
{
    uint64_t cap = rdmsr((vmx.basic & VMX_BASIC_TRUE_CTLS) && true_msr ? true_msr : msr);
    uint32_t lo = (uint32_t)cap, hi = (uint32_t)(cap >> 32);

    if (missing)
        *missing = want & ~hi;
    return (want | lo) & hi;
}

static const char *vmx_check(void)
{
    uint32_t missing;

    if (!vmx_cpu_has())
        return "this CPU has no VT-x (CPUID 1 ECX.VMX)";
    vmx.basic = rdmsr(MSR_VMX_BASIC);
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX))
        return "VT-x is disabled by the firmware (IA32_FEATURE_CONTROL)";
    vmx.proc = vmx_adjust(MSR_VMX_PROCBASED, MSR_VMX_TRUE_PROCBASED,
                          PROC_HLT_EXIT | PROC_UNCOND_IO | PROC_MSR_BITMAP | PROC_MWAIT_EXIT |
                              PROC_MONITOR_EXIT | PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT |
                              PROC_SECONDARY,
                          &missing);
    /* Without CR8 exits (and no TPR shadow) the guest's MOV to CR8 sets the host's real TPR. */
    if (missing & (PROC_SECONDARY | PROC_HLT_EXIT | PROC_UNCOND_IO | PROC_MSR_BITMAP |
                   PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT))
        return "VT-x lacks secondary controls, HLT, I/O, CR8 or MSR-bitmap exiting";
    vmx.proc2 = vmx_adjust(MSR_VMX_PROCBASED2, 0, PROC2_EPT | PROC2_UNRESTRICTED, &missing);
    if (missing)
        return "VT-x without EPT and unrestricted guest is not supported";
    vmx_adjust(MSR_VMX_PROCBASED2, 0, PROC2_PAUSE_LOOP, &missing);
    vmx.pause_loop = !missing;
    vmx.ept_cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
    if (!(vmx.ept_cap & EPT_CAP_WALK4) || !(vmx.ept_cap & EPT_CAP_WB))
        return "EPT lacks 4-level tables or write-back memory";
    if (!(vmx.ept_cap & EPT_CAP_INVEPT) ||
        !(vmx.ept_cap & (EPT_CAP_INVEPT_ALL | EPT_CAP_INVEPT_SINGLE)))
        return "EPT lacks INVEPT";
    vmx.invept_type = (vmx.ept_cap & EPT_CAP_INVEPT_ALL) ? 2 : 1;
    vmx.pin = vmx_adjust(MSR_VMX_PINBASED, MSR_VMX_TRUE_PINBASED, PIN_EXT_INT_EXIT, &missing);
    if (missing)
        return "VT-x lacks external-interrupt exiting";
    /*
     * Virtual NMIs (SDM 25.6.1, 26.3 on IRET): the CPU tracks the guest's NMI blocking (set by
     * delivering an injected NMI, cleared by its IRET) and exits when an NMI window opens.
     * Without them, injected NMIs block the CPU's own NMIs until the guest's IRET (no NMI
     * exiting), and one held back waits for the next exit.
     */
    uint32_t vnmi_missing;
    uint32_t pin = vmx_adjust(MSR_VMX_PINBASED, MSR_VMX_TRUE_PINBASED,
                              PIN_EXT_INT_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMI, &vnmi_missing);
    vmx_adjust(MSR_VMX_PROCBASED, MSR_VMX_TRUE_PROCBASED, PROC_NMI_WINDOW, &missing);
    if (!vnmi_missing && !missing)
        vmx.pin = pin;
    vmx.exit = vmx_adjust(MSR_VMX_EXIT, MSR_VMX_TRUE_EXIT,
                          EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER, &missing);
    if (missing)
        return "VT-x cannot switch IA32_EFER on VM exit";
    vmx.entry = vmx_adjust(MSR_VMX_ENTRY, MSR_VMX_TRUE_ENTRY, ENTRY_LOAD_EFER, &missing);
    if (missing)
        return "VT-x cannot load IA32_EFER on VM entry";
    vmx.entry &= ~ENTRY_IA32E; /* set per entry from the guest's EFER.LMA */
    vmx.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    vmx.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    vmx.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    vmx.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
    return NULL;
}

static int vmx_probe(void)
{
    const char *why = vmx_check();

    if (why) {
        warn_report("vmx: %s", why);
        return -ENOTSUP;
    }
    return 0;
}

bool kern_vmx_usable(void)
{
    return vmx_check() == NULL;
}

/*
 * CR0/CR4 bits the guest cannot have as it wants (the VMX fixed bits, SDM
 * vol. 3D A.7-A.8) are owned by us through the guest/host masks: the guest
 * reads its own value from the read shadow, writes that differ exit.
 * An unrestricted guest may clear PE and PG (SDM 26.3.1.1).
 */
uint64_t vmx_cr0_owned(void)
{
    return (vmx.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) | (~vmx.cr0_fixed1 & 0xFFFFFFFFull);
}

uint64_t vmx_cr4_owned(void)
{
    return vmx.cr4_fixed0 | (~vmx.cr4_fixed1 & 0xFFFFFFFFull);
}

uint64_t vmx_cr0_real(uint64_t guest)
{
    return (guest | (vmx.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG))) & vmx.cr0_fixed1;
}

uint64_t vmx_cr4_real(uint64_t guest)
{
    return (guest | vmx.cr4_fixed0) & vmx.cr4_fixed1;
}

static void vmx_msr_passthrough(uint32_t msr)
{
    unsigned base;

    if (msr < 0x2000)
        base = 0;
    else if (msr >= 0xC0000000 && msr < 0xC0002000)
        base = 1024, msr -= 0xC0000000;
    else
        return;
    vmx_msr_bitmap[base + msr / 8] &= ~(1u << (msr % 8));        /* read */
    vmx_msr_bitmap[2048 + base + msr / 8] &= ~(1u << (msr % 8)); /* write */
}

static void vmx_mem_commit(struct mem_listener *l, struct address_space *as)
{
    (void)l;
    (void)as;
    vmx_ept_clear();
    vmx.flush_ept = true;
}

static int vmx_call(struct vmx_call *c)
{
    return (int)(int64_t)kern_syscall(KERN_SYS_VMX, (uint64_t)(uintptr_t)c, 0, 0);
}

static int vmx_init(struct machine *m)
{
    /*
     * MSRs the VMCS switches (SYSENTER, FS/GS base) or the host never uses
     * (the SYSCALL MSRs and KernelGSBase: the appliance enters ring 0 by
     * #UD and has no SWAPGS) are the guest's to access directly.
     */
    static const uint32_t pass[] = {0x174,      0x175,      0x176,      0xC0000081, 0xC0000082,
                                    0xC0000083, 0xC0000084, 0xC0000100, 0xC0000101, 0xC0000102};
    const char *why = vmx_check();

    if (why) {
        error_report("vmx: %s", why);
        return -ENOTSUP;
    }
    vmx.m = m;
    memset(vmx_on_region, 0, sizeof(vmx_on_region));
    *(uint32_t *)vmx_on_region = (uint32_t)(vmx.basic & 0x7FFFFFFF); /* revision identifier */
    struct vmx_call c = {.op = VMX_CALL_ON,
                         .vmxon_pa = (uint64_t)(uintptr_t)vmx_on_region,
                         .cr0_fixed0 = vmx.cr0_fixed0,
                         .cr0_fixed1 = vmx.cr0_fixed1,
                         .cr4_fixed0 = vmx.cr4_fixed0,
                         .cr4_fixed1 = vmx.cr4_fixed1};
    int r = vmx_call(&c);
    if (r < 0) {
        error_report("vmx: VMXON failed (%s; IA32_FEATURE_CONTROL 0x%" PRIx64 ")", strerror(-r),
                     c.feature_control);
        return r;
    }
    memset(vmx_msr_bitmap, 0xff, sizeof(vmx_msr_bitmap));
    for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
        vmx_msr_passthrough(pass[i]);
    vmx_ept_clear();
    vmx.flush_ept = true;
    vmx.listener.commit = vmx_mem_commit;
    address_space_add_listener(&m->as, &vmx.listener);
    return 0;
}

/* Access rights from the board's segment description (bits 40-47 and 52-55 of a descriptor). */
static uint32_t vmx_ar(const struct x86_seg *s)
{
    return s->type | s->s << 4 | (s->dpl & 3u) << 5 | s->present << 7 | s->l << 13 | s->db << 14 |
           s->g << 15;
}

static void vmx_seg(struct vmx_vcpu *s, int i, uint16_t sel, uint64_t base, uint32_t limit,
                    uint32_t ar)
{
    vmx_set(s, VMCS_GUEST_ES_SEL + 2 * i, sel);
    vmx_set(s, VMCS_GUEST_ES_BASE + 2 * i, base);
    vmx_set(s, VMCS_GUEST_ES_LIMIT + 2 * i, limit);
    vmx_set(s, VMCS_GUEST_ES_AR + 2 * i, ar);
}

/* The controls and the constant parts of the VMCS (a fresh one: VMX_CALL_LOAD first). */
static void vmx_setup_controls(struct vmx_vcpu *s)
{
    uint32_t proc = vmx.proc, proc2 = vmx.proc2;

    /*
     * Several vCPUs share this CPU: one spinning on a lock or waiting for another CPU's
     * answer yields when its PAUSEs make a loop (PAUSE-loop exiting, KVM's gap and
     * window). Not at every PAUSE: that would slow each udelay() down.
     */
    if (vmx.m->cfg->smp > 1 && vmx.pause_loop) {
        proc2 |= PROC2_PAUSE_LOOP;
        vmx_set(s, VMCS_PLE_GAP, 128);
        vmx_set(s, VMCS_PLE_WINDOW, 4096);
    }
    vmx_set(s, VMCS_PIN_CTLS, vmx.pin);
    vmx_set(s, VMCS_PROC_CTLS, proc);
    vmx_set(s, VMCS_PROC_CTLS2, proc2);
    vmx_set(s, VMCS_EXIT_CTLS, vmx.exit);
    vmx_set(s, VMCS_ENTRY_CTLS, vmx.entry);
    vmx_set(s, VMCS_EXC_BITMAP, 0);
    vmx_set(s, VMCS_CR3_TARGET_COUNT, 0);
    vmx_set(s, VMCS_EXIT_MSR_STORE_COUNT, 0);
    vmx_set(s, VMCS_EXIT_MSR_LOAD_COUNT, 0);
    vmx_set(s, VMCS_ENTRY_MSR_LOAD_COUNT, 0);
    vmx_set(s, VMCS_ENTRY_INTR_INFO, 0);
    vmx_set(s, VMCS_MSR_BITMAP, (uint64_t)(uintptr_t)vmx_msr_bitmap);
    vmx_set(s, VMCS_EPT_POINTER, vmx_ept_pointer());
    vmx_set(s, VMCS_CR0_MASK, vmx_cr0_owned());
    vmx_set(s, VMCS_CR4_MASK, vmx_cr4_owned());
    vmx_set(s, VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS (SDM 26.3.1.5) */
}

static void vmx_load_reset_state(struct vmx_vcpu *s)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint64_t cr0 = 0x60000010;
    uint32_t r[4];

    memset(s->gpr, 0, sizeof(s->gpr));
    memset(s->fpu, 0, sizeof(s->fpu));
    *(uint16_t *)(s->fpu + 0) = 0x37f;   /* FCW after FNINIT */
    *(uint32_t *)(s->fpu + 24) = 0x1f80; /* MXCSR */
    /* SDM vol. 3A 9.1.1 "Processor State After Reset". */
    for (int i = 0; i < 6; i++)
        vmx_seg(s, i, 0, 0, 0xffff, 0x93);
    vmx_seg(s, X86_CS, 0xf000, 0xffff0000ull, 0xffff, 0x9b);
    vmx_seg(s, 6, 0, 0, 0xffff, 0x82); /* LDTR */
    vmx_seg(s, 7, 0, 0, 0xffff, 0x8b); /* TR: a busy TSS, as VM entry wants */
    vmx_set(s, VMCS_GUEST_GDTR_BASE, 0);
    vmx_set(s, VMCS_GUEST_GDTR_LIMIT, 0xffff);
    vmx_set(s, VMCS_GUEST_IDTR_BASE, 0);
    vmx_set(s, VMCS_GUEST_IDTR_LIMIT, 0xffff);
    vmx_set(s, VMCS_GUEST_CR3, 0);
    vmx_set(s, VMCS_GUEST_CR4, vmx_cr4_real(0));
    vmx_set(s, VMCS_CR4_SHADOW, 0);
    vmx_set(s, VMCS_GUEST_DR7, 0x400);
    vmx_set(s, VMCS_GUEST_DEBUGCTL, 0);
    vmx_set(s, VMCS_GUEST_RSP, 0);
    vmx_set(s, VMCS_GUEST_RIP, 0xfff0);
    vmx_set(s, VMCS_GUEST_RFLAGS, 2);
    vmx_set(s, VMCS_GUEST_EFER, 0);
    vmx_set(s, VMCS_GUEST_INTERRUPTIBILITY, 0);
    vmx_set(s, VMCS_GUEST_ACTIVITY, 0);
    vmx_set(s, VMCS_GUEST_PENDING_DBG, 0);
    vmx_set(s, VMCS_GUEST_SYSENTER_CS, 0);
    vmx_set(s, VMCS_GUEST_SYSENTER_ESP, 0);
    vmx_set(s, VMCS_GUEST_SYSENTER_EIP, 0);
    vmx_set(s, VMCS_ENTRY_CTLS, vmx.entry);
    hv_cpuid(s->cpu, 1, 0, r);
    s->gpr[X86_RDX] = r[0];

    if (x->start_vector >= 0) { /* an AP's STARTUP */
        struct x86_seg cs;
        x86_seg_sipi_cs(&cs, x->start_vector);
        vmx_seg(s, X86_CS, cs.selector, cs.base, cs.limit, vmx_ar(&cs));
        vmx_set(s, VMCS_GUEST_RIP, 0);
    } else if (x->boot.valid) {
        const struct x86_boot_state *b = &x->boot;
        for (int i = 0; i < 6; i++)
            vmx_seg(s, i, b->ds.selector, b->ds.base, b->ds.limit, vmx_ar(&b->ds));
        vmx_seg(s, X86_CS, b->cs.selector, b->cs.base, b->cs.limit, vmx_ar(&b->cs));
        vmx_set(s, VMCS_GUEST_GDTR_BASE, b->gdt_base);
        vmx_set(s, VMCS_GUEST_GDTR_LIMIT, b->gdt_limit);
        cr0 = b->cr0;
        vmx_set(s, VMCS_GUEST_RIP, b->rip);
        vmx_set(s, VMCS_GUEST_RSP, b->rsp);
        vmx_set(s, VMCS_GUEST_RFLAGS, b->rflags | 2);
        s->gpr[X86_RAX] = b->rax;
        s->gpr[X86_RBX] = b->rbx;
        s->gpr[X86_RSI] = b->rsi;
        s->gpr[X86_RDX] = 0;
    }
    vmx_set(s, VMCS_GUEST_CR0, vmx_cr0_real(cr0));
    vmx_set(s, VMCS_CR0_SHADOW, cr0);
    s->call.guest_cr2 = 0;
    s->cr8 = 0;
    if (!x->init_reset) {
        s->pat = 0x0007040600070406ull;
        hv_msrs_reset(&s->msrs, s->cpu->index == 0);
        memset(s->call.syscall_msrs, 0, sizeof(s->call.syscall_msrs));
    }
    memset(s->call.dr, 0, sizeof(s->call.dr)); /* 0 after RESET and INIT alike */
    s->in_hlt = false;
}

/* A fresh VMCS with the reset state. */
static int vmx_vcpu_load(struct vmx_vcpu *s)
{
    memset(s->vmcs, 0, sizeof(s->vmcs));
    *(uint32_t *)s->vmcs = (uint32_t)(vmx.basic & 0x7FFFFFFF);
    s->call.op = VMX_CALL_LOAD;
    s->call.vmcs_pa = (uint64_t)(uintptr_t)s->vmcs;
    int r = vmx_call(&s->call);
    if (r < 0) {
        error_report("vmx: VMPTRLD failed (VM-instruction error %u)", s->call.insn_error);
        return r;
    }
    s->call.nwrites = 0;
    memset(s->rd, 0, sizeof(s->rd));
    vmx_setup_controls(s);
    vmx_load_reset_state(s);
    return 0;
}

static int vmx_vcpu_create(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct vmx_vcpu *s = NULL;

    for (int i = 0; i < VMX_MAX_CPUS && !s; i++)
        if (!vmx_cpus[i].used)
            s = &vmx_cpus[i];
    if (!s)
        return -ENOSPC;
    memset(s, 0, sizeof(*s));
    s->used = true;
    s->cpu = cpu;
    s->call.gpr = s->gpr;
    s->call.guest_fpu = s->fpu;
    s->call.writes = s->writes;
    s->call.reads = vmx_reads;
    s->call.read_vals = s->rd;
    x->accel_state = s;
    int r = vmx_vcpu_load(s);
    if (r < 0) {
        s->used = false;
        x->accel_state = NULL;
    }
    return r;
}

static void vmx_vcpu_destroy(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct vmx_vcpu *s = x->accel_state;

    if (s)
        s->used = false;
    x->accel_state = NULL;
}

static void vmx_vcpu_reset(struct vcpu *cpu)
{
    struct vmx_vcpu *s = x86_cpu_of(cpu)->accel_state;

    vmx_vcpu_load(s);
    vmx.flush_ept = true;
}

/*
 * Event injection (SDM 27.6 "Event Injection", 25.8.3): an event whose
 * delivery the last exit interrupted goes in again first (vmx-exit.c);
 * else an NMI, else the interrupt controller's INTR if the guest takes
 * interrupts now (IF, no STI/MOV SS blocking), or interrupt-window exiting
 * makes the CPU exit as soon as it would. That includes INTR waiting behind
 * another event: the window exit comes after the injected event's delivery
 * (SDM 27.7.5), not at the next unrelated exit, which may be a whole slice
 * later (as svm_inject's V_IRQ).
 */
static bool vmx_nmi_blocked(const struct vmx_vcpu *s)
{
    return s->rd[RD_INTERRUPTIBILITY] &
           (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS);
}

static void vmx_inject(struct vmx_vcpu *s, bool *pending)
{
    struct x86_cpu *x = x86_cpu_of(s->cpu);
    uint32_t block = (uint32_t)s->rd[RD_INTERRUPTIBILITY];
    uint32_t proc = (uint32_t)s->rd[RD_PROC_CTLS] & ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW);

    /*
     * An NMI goes in when nothing blocks it: no NMI handler running (blocking by NMI, SDM
     * 25.4.2: virtual-NMI blocking with virtual NMIs, else the CPU's own), no MOV SS shadow,
     * and no STI shadow either (a CPU may refuse an NMI injected there, 27.3.1.5). Else, with
     * virtual NMIs, NMI-window exiting stops the guest as soon as it could take it: right
     * after the handler's IRET, after the shadow's instruction, after the event being
     * delivered (27.7.6; the exit comes only once the window is open, so no loop).
     */
    if (x->nmi_pending) {
        if (!*pending && !vmx_nmi_blocked(s)) {
            x->nmi_pending = false;
            vmx_set(s, VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | 2);
            *pending = true;
        } else if (vmx.pin & PIN_VIRTUAL_NMI) {
            proc |= PROC_NMI_WINDOW;
        }
    }
    if (x->intr_level) {
        bool shadow = block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS);
        if (!*pending && hv_irq_can_inject(s->rd[RD_RFLAGS], shadow)) {
            int vec = hv_irq_ack(x);
            if (vec >= 0) {
                vmx_set(s, VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT | (uint8_t)vec);
                *pending = true;
            }
        } else {
            proc |= PROC_INTR_WINDOW;
        }
    }
    if (proc != (uint32_t)s->rd[RD_PROC_CTLS])
        vmx_set(s, VMCS_PROC_CTLS, proc);
}

static int vmx_enter_once(struct vmx_vcpu *s)
{
    struct vmx_call *c = &s->call;
    bool pending = false;

    for (uint32_t i = 0; i < c->nwrites; i++)
        if (s->writes[i].enc == VMCS_ENTRY_INTR_INFO && (s->writes[i].val & INTR_INFO_VALID))
            pending = true;
    vmx_inject(s, &pending);
    /* The "IA-32e mode guest" entry control follows EFER.LMA (SDM 26.3.1.1, 26.3.2.1). */
    uint32_t entry = (uint32_t)s->rd[RD_ENTRY_CTLS] & ~ENTRY_IA32E;
    if (s->rd[RD_EFER] & X86_EFER_LMA)
        entry |= ENTRY_IA32E;
    if (entry != (uint32_t)s->rd[RD_ENTRY_CTLS])
        vmx_set(s, VMCS_ENTRY_CTLS, entry);
    c->op = VMX_CALL_RUN;
    c->nreads = RD_COUNT;
    c->ept_pointer = vmx_ept_pointer();
    c->invept = vmx.flush_ept ? vmx.invept_type : 0;
    vmx.flush_ept = false;
    int r = vmx_call(c);
    if (r == -EINVAL) {
        error_report("vmx: VMWRITE of field 0x%x failed (VM-instruction error %u)", c->exit_reason,
                     c->insn_error);
        return r;
    }
    if (r < 0) {
        error_report("vmx: VM entry failed (VM-instruction error %u)", c->insn_error);
        vmx_report(s, "VM entry refused");
        return r;
    }
    c->nwrites = 0;
    s->exit_reason = c->exit_reason;
    s->exits++;
    return 0;
}

/* The host timer at the slice's end (a physical interrupt exits the guest); returns that end. */
static uint64_t vmx_arm_slice(struct vcpu *cpu, uint64_t now)
{
    uint64_t end = cpu->slice_end_ns;

    kern_time_arm(end > now + VMX_SLICE_MIN_NS ? end : now + VMX_SLICE_MIN_NS);
    return end;
}

static int vmx_vcpu_run(struct vcpu *cpu, struct vcpu_exit *ex)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct vmx_vcpu *s = x->accel_state;
    uint64_t now = kern_time_ns();

    if (x86_cpu_mp_poll(cpu)) {
        ex->reason = VCPU_EXIT_HALT; /* waiting for SIPI */
        return 0;
    }
    if (s->in_hlt) {
        /* HLT ends on an interrupt the CPU takes (IF=1) or an NMI; else it stays halted. */
        if (!(x->intr_level && (s->rd[RD_RFLAGS] & X86_FLAG_IF)) &&
            !(x->nmi_pending && !(s->rd[RD_INTERRUPTIBILITY] & INTERRUPTIBILITY_NMI))) {
            ex->reason = VCPU_EXIT_HALT;
            return 0;
        }
        s->in_hlt = false;
    }
    uint64_t armed_for = vmx_arm_slice(cpu, now);
    for (;;) {
        int r = vmx_enter_once(s);
        if (r == 0)
            r = vmx_handle_exit(s, ex);
        if (r <= 0) {
            kern_time_arm(UINT64_MAX);
            return r;
        }
        now = kern_time_ns();
        if (cpu->exit_request || now >= cpu->slice_end_ns) {
            kern_time_arm(UINT64_MAX);
            ex->reason = VCPU_EXIT_KICKED;
            return 0;
        }
        /* A timer armed by this exit (the APIC's, the PIT's...) ends the slice sooner. */
        if (cpu->slice_end_ns != armed_for)
            armed_for = vmx_arm_slice(cpu, now);
    }
}

static void vmx_kick(struct vcpu *cpu)
{
    (void)cpu; /* one thread: exit_request is seen after the current exit */
}

static void vmx_set_irq(struct vcpu *cpu, int line, int level)
{
    (void)line;
    irq_set(x86_cpu_intr_pin(cpu), level);
}

/* GDB order (enum x86_gdb_reg) to encoding order. */
static const int8_t vmx_gdb_gpr[16] = {X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI,
                                       X86_RBP, X86_RSP, 8,       9,       10,      11,
                                       12,      13,      14,      15};
static const int8_t vmx_gdb_seg[6] = {X86_CS, X86_SS, X86_DS, X86_ES, X86_FS, X86_GS};

static int vmx_get_reg(struct vcpu *cpu, int regno, uint64_t *val)
{
    struct vmx_vcpu *s = x86_cpu_of(cpu)->accel_state;

    if (regno < 0 || regno >= X86_REG_COUNT)
        return -EINVAL;
    if (regno >= X86_REG_CS)
        *val = s->rd[RD_SEL_ES + vmx_gdb_seg[regno - X86_REG_CS]];
    else if (regno == X86_REG_RIP)
        *val = s->rd[RD_RIP];
    else if (regno == X86_REG_EFLAGS)
        *val = s->rd[RD_RFLAGS];
    else if (vmx_gdb_gpr[regno] == X86_RSP)
        *val = s->rd[RD_RSP];
    else
        *val = s->gpr[vmx_gdb_gpr[regno]];
    return 0;
}

/* Segment registers take a selector only in real mode (base = selector << 4), as kvm. */
static int vmx_set_reg(struct vcpu *cpu, int regno, uint64_t val)
{
    struct vmx_vcpu *s = x86_cpu_of(cpu)->accel_state;

    if (regno < 0 || regno >= X86_REG_COUNT)
        return -EINVAL;
    if (regno >= X86_REG_CS) {
        if (s->rd[RD_CR0] & X86_CR0_PE)
            return -EINVAL;
        int i = vmx_gdb_seg[regno - X86_REG_CS];
        vmx_set(s, VMCS_GUEST_ES_SEL + 2 * i, (uint16_t)val);
        vmx_set(s, VMCS_GUEST_ES_BASE + 2 * i, (val & 0xffff) << 4);
    } else if (regno == X86_REG_RIP) {
        vmx_set(s, VMCS_GUEST_RIP, val);
    } else if (regno == X86_REG_EFLAGS) {
        vmx_set(s, VMCS_GUEST_RFLAGS, val | 2);
    } else if (vmx_gdb_gpr[regno] == X86_RSP) {
        vmx_set(s, VMCS_GUEST_RSP, val);
    } else {
        s->gpr[vmx_gdb_gpr[regno]] = val;
    }
    return 0;
}

static const struct accel_ops vmx_accel_ops = {
    .name = "vmx",
    .probe = vmx_probe,
    .init = vmx_init,
    .vcpu_create = vmx_vcpu_create,
    .vcpu_destroy = vmx_vcpu_destroy,
    .vcpu_run = vmx_vcpu_run,
    .vcpu_reset = vmx_vcpu_reset,
    .get_reg = vmx_get_reg,
    .set_reg = vmx_set_reg,
    .set_irq = vmx_set_irq,
    .kick = vmx_kick,
};
ACCEL_REGISTER(vmx_accel_ops);

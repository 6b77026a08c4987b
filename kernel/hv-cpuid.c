/*
 * hv-cpuid.c - the CPU the guest is shown, and the MSRs emulated for it.
 *
 * CPUID is the host's, minus what the guest must not use or find: the
 * virtualisation extensions (no nesting), XSAVE and everything built on it
 * (the VMRUN path swaps FPU state with FXSAVE only, and a guest XCR0
 * would be the host's), x2APIC and the TSC-deadline timer (the local APIC
 * model is reached by MMIO, as with the kvm accelerator), machine-check,
 * thermal and speculation-control features (their MSRs are not emulated)
 * and RDTSCP/RDPID (TSC_AUX is the host's). The local APIC itself is
 * offered: pc has one (hw/intc/apic.c).
 */
#include <errno.h>
#include <string.h>

#include "kernel/hv.h"
#include "kernel/kernel.h"

/* CPUID 1 */
#define C1_EDX_MCE (1u << 7)
#define C1_EDX_APIC (1u << 9)
#define C1_EDX_MCA (1u << 14)
#define C1_EDX_DS (1u << 21)
#define C1_EDX_ACPI (1u << 22)
#define C1_EDX_TM (1u << 29)
#define C1_EDX_PBE (1u << 31)
#define C1_ECX_MONITOR (1u << 3)
#define C1_ECX_DSCPL (1u << 4)
#define C1_ECX_VMX (1u << 5)
#define C1_ECX_SMX (1u << 6)
#define C1_ECX_EST (1u << 7)
#define C1_ECX_TM2 (1u << 8)
#define C1_ECX_FMA (1u << 12)
#define C1_ECX_PDCM (1u << 15)
#define C1_ECX_X2APIC (1u << 21)
#define C1_ECX_TSC_DEADLINE (1u << 24)
#define C1_ECX_XSAVE (1u << 26)
#define C1_ECX_OSXSAVE (1u << 27)
#define C1_ECX_AVX (1u << 28)
#define C1_ECX_F16C (1u << 29)
#define C1_ECX_HYPERVISOR (1u << 31)
/* CPUID 7.0 */
#define C7_EBX_KEEP                                                                                \
    ((1u << 0) | (1u << 3) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 18) | (1u << 19) |         \
     (1u << 20) | (1u << 23) | (1u << 29))   /* fsgsbase bmi1 smep bmi2 erms rdseed adx smap       \
                                                clflushopt sha */
#define C7_ECX_KEEP ((1u << 2) | (1u << 16)) /* umip la57 */
/* CPUID 0x80000001 */
#define CX1_ECX_KEEP 0x1F3u /* lahf cmplegacy altmovcr8 abm sse4a misalignsse 3dnowprefetch */
#define CX1_EDX_RDTSCP (1u << 27)

void hv_cpuid(struct vcpu *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    const struct x86_cpu *x = x86_cpu_of(cpu);

    cpuid(leaf, sub, r);
    switch (leaf) {
    case 1:
        r[2] &= ~(C1_ECX_MONITOR | C1_ECX_DSCPL | C1_ECX_VMX | C1_ECX_SMX | C1_ECX_EST |
                  C1_ECX_TM2 | C1_ECX_FMA | C1_ECX_PDCM | C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE |
                  C1_ECX_XSAVE | C1_ECX_OSXSAVE | C1_ECX_AVX | C1_ECX_F16C);
        r[2] |= C1_ECX_HYPERVISOR;
        r[3] &= ~(C1_EDX_MCE | C1_EDX_MCA | C1_EDX_DS | C1_EDX_ACPI | C1_EDX_TM | C1_EDX_PBE);
        r[3] |= C1_EDX_APIC;
        break;
    case 7:
        if (sub == 0) {
            r[0] = 0; /* no further subleaves */
            r[1] &= C7_EBX_KEEP;
            r[2] &= C7_ECX_KEEP;
            r[3] = 0;
        } else {
            r[0] = r[1] = r[2] = r[3] = 0;
        }
        break;
    case 5:   /* monitor/mwait */
    case 6:   /* thermal and power */
    case 0xA: /* performance counters */
    case 0xD: /* XSAVE */
    case 0x12:
    case 0x14:
    case 0x8000000A: /* SVM */
    case 0x8000001F: /* SEV */
        r[0] = r[1] = r[2] = r[3] = 0;
        break;
    case 0x80000001:
        r[2] &= CX1_ECX_KEEP;
        r[3] &= ~CX1_EDX_RDTSCP;
        break;
    case 0x80000008:
        r[1] = 0; /* IBPB/IBRS/STIBP/SSBD: SPEC_CTRL and PRED_CMD are not emulated */
        break;
    default:
        if (leaf >= 0x40000000 && leaf < 0x40000100) /* no paravirtual interface */
            r[0] = r[1] = r[2] = r[3] = 0;
        break;
    }
    /* Leaves 1, 4, 0xB/0x1F (topology, x2APIC ID) and AMD's core count: -smp's layout. */
    x86_topo_cpuid(&x->topo, x->apic_id, leaf, sub, r);
}

#define MSR_APIC_BASE 0x1B
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EN (1ull << 11)
#define MSR_PLATFORM_ID 0x17
#define MSR_BIOS_SIGN 0x8B
#define MSR_MTRRCAP 0xFE
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17A
#define MSR_MISC_ENABLE 0x1A0
#define MSR_MTRR_VAR0 0x200
#define MSR_MTRR_DEF 0x2FF
#define MSR_K8_SYSCFG 0xC0010010
#define MSR_K7_HWCR 0xC0010015
#define MSR_K8_NB_CFG 0xC001001F
#define MSR_K7_PERFCTL0 0xC0010000 /* ..0xC0010007: the legacy counters (4 controls, 4 counts) */
#define MSR_K8_INT_PENDING 0xC0010055
#define MSR_VM_CR_ 0xC0010114
#define MSR_DE_CFG 0xC0011029

/* The fixed-range MTRRs, in the order of hv_msrs.mtrr_fixed. */
static const uint32_t mtrr_fixed_msr[11] = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26A,
                                            0x26B, 0x26C, 0x26D, 0x26E, 0x26F};

void hv_msrs_reset(struct hv_msrs *s, bool bsp)
{
    memset(s, 0, sizeof(*s));
    s->apic_base = 0xFEE00000ull | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
    s->misc_enable = 1; /* fast strings */
}

static uint64_t *hv_msr_slot(struct hv_msrs *s, uint32_t msr)
{
    if (msr == MSR_APIC_BASE)
        return &s->apic_base;
    if (msr == MSR_MTRR_DEF)
        return &s->mtrr_def_type;
    if (msr == MSR_MISC_ENABLE)
        return &s->misc_enable;
    if (msr >= MSR_MTRR_VAR0 && msr < MSR_MTRR_VAR0 + 16)
        return &s->mtrr_var[msr - MSR_MTRR_VAR0];
    for (int i = 0; i < 11; i++)
        if (mtrr_fixed_msr[i] == msr)
            return &s->mtrr_fixed[i];
    return NULL;
}

int hv_msr_read(struct hv_msrs *s, uint32_t msr, uint64_t *val)
{
    uint64_t *slot = hv_msr_slot(s, msr);

    if (slot) {
        *val = *slot;
        return 0;
    }
    if (msr >= MSR_K7_PERFCTL0 && msr < MSR_K7_PERFCTL0 + 8) {
        *val = 0; /* counters that never count: CPUID offers no performance monitoring */
        return 0;
    }
    switch (msr) {
    case MSR_MTRRCAP:
        *val = 0x508; /* 8 variable ranges, fixed ranges, write-combining */
        return 0;
    case MSR_VM_CR_:
        *val = 0x18; /* SVM disabled and locked: no nesting */
        return 0;
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN:
    case MSR_MCG_CAP:
    case MSR_MCG_STATUS:
    case MSR_K8_SYSCFG:
    case MSR_K7_HWCR:
    case MSR_K8_NB_CFG:
    case MSR_K8_INT_PENDING:
    case MSR_DE_CFG:
        *val = 0;
        return 0;
    }
    return -EINVAL;
}

int hv_msr_write(struct hv_msrs *s, uint32_t msr, uint64_t val)
{
    uint64_t *slot = hv_msr_slot(s, msr);

    if (slot) {
        if (msr == MSR_APIC_BASE)
            val = (val & ~APIC_BASE_BSP) | (s->apic_base & APIC_BASE_BSP);
        *slot = val;
        return 0;
    }
    if (msr >= MSR_K7_PERFCTL0 && msr < MSR_K7_PERFCTL0 + 8)
        return 0;
    switch (msr) {
    case MSR_BIOS_SIGN: /* microcode update trigger: nothing to update */
    case MSR_MCG_STATUS:
    case MSR_K7_HWCR:
    case MSR_DE_CFG:
        return 0;
    }
    return -EINVAL;
}

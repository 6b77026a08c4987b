/*
 * svm.h - AMD-V (SVM) definitions shared by the "svm" accelerator (ring 3,
 * kernel/svm.c, svm-npt.c) and its VMRUN system call (ring 0, svm-run.c).
 *
 * Offsets are those of the VMCB layout in AMD64 APM vol. 2, appendix B
 * ("Layout of VMCB"): the control area from 0, the state save area from
 * 0x400. Exit codes are those of appendix C ("SVM Intercept Exit Codes").
 */
#ifndef KERNEL_SVM_H
#define KERNEL_SVM_H

#include <stdbool.h>
#include <stdint.h>

/* ---- control area ---- */
#define VMCB_INTERCEPT_CR 0x000  /* u32: reads 0-15, writes 16-31 */
#define VMCB_INTERCEPT_EXC 0x008 /* u32: one bit per exception vector */
#define VMCB_INTERCEPT1 0x00C    /* u32: exit code 0x60 + bit */
#define VMCB_INTERCEPT2 0x010    /* u32: exit code 0x80 + bit */
#define VMCB_IOPM_PA 0x040
#define VMCB_MSRPM_PA 0x048
#define VMCB_TSC_OFFSET 0x050
#define VMCB_ASID 0x058        /* u32 */
#define VMCB_TLB_CONTROL 0x05C /* u8 */
#define VMCB_VINTR 0x060       /* V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING */
#define VMCB_INT_STATE 0x068   /* bit 0: interrupt shadow */
#define VMCB_EXITCODE 0x070
#define VMCB_EXITINFO1 0x078
#define VMCB_EXITINFO2 0x080
#define VMCB_EXITINTINFO 0x088
#define VMCB_NP_ENABLE 0x090
#define VMCB_EVENTINJ 0x0A8
#define VMCB_NCR3 0x0B0
#define VMCB_CLEAN 0x0C0 /* u32 */
#define VMCB_NRIP 0x0C8
#define VMCB_PAUSE_FILTER_COUNT 0x03E /* 16 bits: PAUSEs before the intercept (PauseFilter) */
#define VMCB_INSN_LEN 0x0D0   /* u8: bytes fetched (decode assists) */
#define VMCB_INSN_BYTES 0x0D1 /* 15 bytes */

#define VINTR_V_IRQ (1ull << 8)
#define VINTR_PRIO_SHIFT 16
#define VINTR_IGN_TPR (1ull << 20)
#define VINTR_MASKING (1ull << 24) /* host IF masks physical interrupts, guest IF virtual ones */

/* VMCB_INTERCEPT_EXC bits */
#define ICPT_EXC_DB (1u << 1)

/* INTERCEPT1 bits (exit code 0x60 + n) */
#define ICPT1_INTR (1u << 0)
#define ICPT1_NMI (1u << 1)
#define ICPT1_SMI (1u << 2)
#define ICPT1_INIT (1u << 3)
#define ICPT1_VINTR (1u << 4)
#define ICPT1_CPUID (1u << 18)
#define ICPT1_IRET (1u << 20)
#define ICPT1_INVD (1u << 22)
#define ICPT1_PAUSE (1u << 23)
#define ICPT1_HLT (1u << 24)
#define ICPT1_INVLPGA (1u << 26)
#define ICPT1_IOIO (1u << 27)
#define ICPT1_MSR (1u << 28)
#define ICPT1_FERR (1u << 30)
#define ICPT1_SHUTDOWN (1u << 31)
/* INTERCEPT2 bits (exit code 0x80 + n) */
#define ICPT2_VMRUN (1u << 0)
#define ICPT2_VMMCALL (1u << 1)
#define ICPT2_VMLOAD (1u << 2)
#define ICPT2_VMSAVE (1u << 3)
#define ICPT2_STGI (1u << 4)
#define ICPT2_CLGI (1u << 5)
#define ICPT2_SKINIT (1u << 6)
#define ICPT2_MONITOR (1u << 10)
#define ICPT2_MWAIT (1u << 11)
#define ICPT2_XSETBV (1u << 13)

/* ---- state save area ---- */
#define VMCB_ES 0x400 /* segments: selector u16, attrib u16, limit u32, base u64 */
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_CPL 0x4CB /* u8 */
#define VMCB_EFER 0x4D0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5D8
#define VMCB_RAX 0x5F8
#define VMCB_STAR 0x600
#define VMCB_CR2 0x640
#define VMCB_G_PAT 0x668

/* EVENTINJ / EXITINTINFO */
#define EVT_V (1ull << 31)
#define EVT_EV (1ull << 11) /* error code valid (bits 32-63) */
#define EVT_TYPE_INTR (0ull << 8)
#define EVT_TYPE_NMI (2ull << 8)
#define EVT_TYPE_EXC (3ull << 8)
#define EVT_TYPE_SOFT (4ull << 8)

/* Exit codes */
#define SVM_EXIT_EXC_BASE 0x40
#define SVM_EXIT_EXC_DB (SVM_EXIT_EXC_BASE + 1)
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_SMI 0x62
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_IRET 0x74
#define SVM_EXIT_PAUSE 0x77
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_INVLPGA 0x7A
#define SVM_EXIT_IOIO 0x7B
#define SVM_EXIT_MSR 0x7C
#define SVM_EXIT_FERR 0x7E
#define SVM_EXIT_SHUTDOWN 0x7F
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_MONITOR 0x8A
#define SVM_EXIT_MWAIT 0x8B
#define SVM_EXIT_XSETBV 0x8D
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xFFFFFFFFFFFFFFFFull

/* MSRs */
#define MSR_EFER 0xC0000080
#define EFER_SVME (1ull << 12)
#define MSR_VM_CR 0xC0010114
#define VM_CR_SVMDIS (1ull << 4)
#define MSR_VM_HSAVE_PA 0xC0010117

/* CPUID 0x8000000A EDX */
#define SVM_FEAT_NP (1u << 0)
#define SVM_FEAT_NRIPS (1u << 3)
#define SVM_FEAT_FLUSH_BY_ASID (1u << 6)
#define SVM_FEAT_DECODE_ASSISTS (1u << 7)
#define SVM_FEAT_PAUSE_FILTER (1u << 10)

/*
 * What ring 3 hands the VMRUN system call (KERN_SYS_VMRUN): all of it in
 * memory that is already mapped (ring 0 must not take a demand-paging
 * fault on the exception stack it runs on).
 */
struct svm_run_args {
    uint64_t vmcb_pa; /* the guest's VMCB (identity mapped: virtual = physical) */
    uint64_t *gpr;    /* 16 registers by encoding; rax and rsp live in the VMCB */
    void *guest_fpu;  /* 512-byte FXSAVE image, 16-byte aligned */
    /*
     * DR0-DR3: the guest writes them directly and the VMCB holds only DR6/DR7,
     * so they stay in the CPU between runs; ring 0 saves one vCPU's here and
     * loads another's when a different vCPU runs.
     */
    uint64_t dr[4];
    uint32_t dr_reload; /* set by a reset: load dr[] even if this vCPU's are in the CPU */
};

/* svm.c: whether the "svm" accelerator can run here (for -accel auto). */
bool kern_svm_usable(void);

/* svm-run.c (ring 0): VMRUN with the guest's registers and FPU; returns the exit code. */
uint64_t kern_svm_vmrun(uint64_t args);

static inline uint64_t vmcb_get(const uint8_t *vmcb, unsigned off)
{
    return *(const uint64_t *)(vmcb + off);
}
static inline void vmcb_set(uint8_t *vmcb, unsigned off, uint64_t v)
{
    *(uint64_t *)(vmcb + off) = v;
}
static inline uint32_t vmcb_get32(const uint8_t *vmcb, unsigned off)
{
    return *(const uint32_t *)(vmcb + off);
}
static inline void vmcb_set32(uint8_t *vmcb, unsigned off, uint32_t v)
{
    *(uint32_t *)(vmcb + off) = v;
}

#endif

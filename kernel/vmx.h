/*
 * vmx.h - Intel VT-x definitions shared by the "vmx" accelerator (ring 3:
 * kernel/vmx.c, vmx-exit.c, vmx-ept.c) and its system call (ring 0:
 * vmx-run.c).
 *
 * VMCS field encodings are those of Intel SDM vol. 3D, appendix B ("Field
 * Encoding in VMCS"); controls those of vol. 3C, chapter 25.6 ("VM-Execution
 * Control Fields"), 25.7 ("VM-Exit Control Fields") and 25.8 ("VM-Entry
 * Control Fields"); exit reasons those of vol. 3D, appendix C ("VMX Basic
 * Exit Reasons").
 */
#ifndef KERNEL_VMX_H
#define KERNEL_VMX_H

#include <stdbool.h>
#include <stdint.h>

/* ---- MSRs (SDM vol. 3D appendix A, "VMX Capability Reporting Facility") ---- */
#define MSR_FEATURE_CONTROL 0x3A
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX (1ull << 2) /* VMXON outside SMX */
#define MSR_VMX_BASIC 0x480
#define VMX_BASIC_INSOUTS_INFO (1ull << 54) /* INS/OUTS exits fill the instruction info */
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48B
#define MSR_VMX_EPT_VPID_CAP 0x48C
#define MSR_VMX_TRUE_PINBASED 0x48D
#define MSR_VMX_TRUE_PROCBASED 0x48E
#define MSR_VMX_TRUE_EXIT 0x48F
#define MSR_VMX_TRUE_ENTRY 0x490
#define EPT_CAP_WALK4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define MSR_EFER 0xC0000080
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101

#define CR4_VMXE (1ull << 13)

/* ---- 16-bit fields ---- */
#define VMCS_GUEST_ES_SEL 0x0800 /* ES, CS, SS, DS, FS, GS, LDTR, TR: + 2 each */
#define VMCS_GUEST_LDTR_SEL 0x080C
#define VMCS_GUEST_TR_SEL 0x080E
#define VMCS_HOST_ES_SEL 0x0C00 /* ES, CS, SS, DS, FS, GS, TR: + 2 each */
#define VMCS_HOST_CS_SEL 0x0C02
#define VMCS_HOST_SS_SEL 0x0C04
#define VMCS_HOST_DS_SEL 0x0C06
#define VMCS_HOST_FS_SEL 0x0C08
#define VMCS_HOST_GS_SEL 0x0C0A
#define VMCS_HOST_TR_SEL 0x0C0C
/* ---- 64-bit fields ---- */
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EPT_POINTER 0x201A
#define VMCS_GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_GUEST_PDPTE0 0x280A /* PDPTE0-3: + 2 each */
#define VMCS_HOST_EFER 0x2C02
/* ---- 32-bit fields ---- */
#define VMCS_PIN_CTLS 0x4000
#define VMCS_PROC_CTLS 0x4002
#define VMCS_EXC_BITMAP 0x4004
#define VMCS_CR3_TARGET_COUNT 0x400A
#define VMCS_EXIT_CTLS 0x400C
#define VMCS_EXIT_MSR_STORE_COUNT 0x400E
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXC_ERROR 0x4018
#define VMCS_ENTRY_INSN_LEN 0x401A
#define VMCS_PROC_CTLS2 0x401E
#define VMCS_PLE_GAP 0x4020
#define VMCS_PLE_WINDOW 0x4022
#define VMCS_INSN_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_IDT_VEC_INFO 0x4408
#define VMCS_IDT_VEC_ERROR 0x440A
#define VMCS_EXIT_INSN_LEN 0x440C
#define VMCS_EXIT_INSN_INFO 0x440E
#define VMCS_GUEST_ES_LIMIT 0x4800 /* then CS ... TR, GDTR, IDTR: + 2 each */
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814 /* ES, CS, SS, DS, FS, GS, LDTR, TR: + 2 each */
#define VMCS_GUEST_CS_AR 0x4816
#define VMCS_GUEST_SS_AR 0x4818
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482A
#define VMCS_HOST_SYSENTER_CS 0x4C00
/* ---- natural-width fields ---- */
#define VMCS_CR0_MASK 0x6000
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_SHADOW 0x6004
#define VMCS_CR4_SHADOW 0x6006
#define VMCS_EXIT_QUAL 0x6400
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806 /* ES, CS, SS, DS, FS, GS, LDTR, TR, GDTR, IDTR: + 2 each */
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681A
#define VMCS_GUEST_RSP 0x681C
#define VMCS_GUEST_RIP 0x681E
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6C00
#define VMCS_HOST_CR3 0x6C02
#define VMCS_HOST_CR4 0x6C04
#define VMCS_HOST_FS_BASE 0x6C06
#define VMCS_HOST_GS_BASE 0x6C08
#define VMCS_HOST_TR_BASE 0x6C0A
#define VMCS_HOST_GDTR_BASE 0x6C0C
#define VMCS_HOST_IDTR_BASE 0x6C0E
#define VMCS_HOST_SYSENTER_ESP 0x6C10
#define VMCS_HOST_SYSENTER_EIP 0x6C12
#define VMCS_HOST_RSP 0x6C14
#define VMCS_HOST_RIP 0x6C16

/* ---- controls ---- */
#define PIN_EXT_INT_EXIT (1u << 0)
#define PIN_NMI_EXIT (1u << 3)
#define PIN_VIRTUAL_NMI (1u << 5) /* needs NMI exiting (SDM 27.2.1.1) */
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_NMI_WINDOW (1u << 22) /* needs virtual NMIs */
#define PROC_HLT_EXIT (1u << 7)
#define PROC_MWAIT_EXIT (1u << 10)
#define PROC_CR3_LOAD_EXIT (1u << 15)
#define PROC_CR3_STORE_EXIT (1u << 16)
#define PROC_CR8_LOAD_EXIT (1u << 19)
#define PROC_CR8_STORE_EXIT (1u << 20)
#define PROC_UNCOND_IO (1u << 24)
#define PROC_MSR_BITMAP (1u << 28)
#define PROC_MONITOR_EXIT (1u << 29)
#define PROC_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_PAUSE_LOOP (1u << 10)
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E (1u << 9)
#define ENTRY_LOAD_EFER (1u << 15)

/* Interruption information (entry, exit, IDT vectoring): SDM 25.8.3, 25.9.2. */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_HAS_ERROR (1u << 11)
#define INTR_TYPE_EXT (0u << 8)
#define INTR_TYPE_NMI (2u << 8)
#define INTR_TYPE_HW_EXC (3u << 8)
#define INTR_TYPE_SOFT_INT (4u << 8)
#define INTR_TYPE_PRIV_SOFT_EXC (5u << 8)
#define INTR_TYPE_SOFT_EXC (6u << 8)
#define INTR_TYPE_MASK (7u << 8)

/* Guest interruptibility state (SDM 25.4.2). */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOVSS (1u << 1)
#define INTERRUPTIBILITY_NMI (1u << 3)

/*
 * Bit 12 of the exit interruption information and of an EPT violation's
 * qualification (SDM vol. 3C, "Information for VM Exits Due to Vectored
 * Events", "Exit Qualification for EPT Violations"): the exit came while an
 * IRET that ended virtual-NMI blocking ran, so the blocking must be set
 * again for its retry.
 */
#define EXIT_NMI_UNBLOCKED_BY_IRET (1u << 12)

/* ---- exit reasons ---- */
#define EXIT_EXC_NMI 0
#define EXIT_EXT_INT 1
#define EXIT_TRIPLE_FAULT 2
#define EXIT_INIT 3
#define EXIT_SIPI 4
#define EXIT_INTR_WINDOW 7
#define EXIT_NMI_WINDOW 8
#define EXIT_CPUID 10
#define EXIT_GETSEC 11
#define EXIT_HLT 12
#define EXIT_INVD 13
#define EXIT_VMCALL 18
#define EXIT_VMXOFF 26
#define EXIT_VMXON 27
#define EXIT_CR_ACCESS 28
#define EXIT_IO 30
#define EXIT_RDMSR 31
#define EXIT_WRMSR 32
#define EXIT_BAD_GUEST 33
#define EXIT_BAD_MSR_LOAD 34
#define EXIT_MWAIT 36
#define EXIT_MONITOR 39
#define EXIT_PAUSE 40
#define EXIT_EPT_VIOLATION 48
#define EXIT_EPT_MISCONFIG 49
#define EXIT_INVEPT 50
#define EXIT_INVVPID 53
#define EXIT_WBINVD 54
#define EXIT_XSETBV 55
#define EXIT_ENTRY_FAILED (1u << 31)

/* ---- the system call (KERN_SYS_VMX) ---- */

enum vmx_call_op {
    VMX_CALL_ON,   /* VMXON with the region at vmxon_pa (CR0/CR4 fixed bits applied first) */
    VMX_CALL_LOAD, /* VMCLEAR and VMPTRLD vmcs_pa: a fresh VMCS, not launched */
    VMX_CALL_RUN,  /* VMPTRLD vmcs_pa if not current, VMWRITE writes[], enter, VMREAD reads[] */
};

struct vmx_field {
    uint32_t enc;
    uint64_t val;
};

/*
 * What ring 3 hands the system call; all of it in memory already mapped
 * (ring 0 must not take a demand-paging fault on its exception stack).
 */
struct vmx_call {
    uint32_t op;
    int32_t error;        /* out: 0, or -EIO with insn_error (VMfailValid's number) */
    uint32_t insn_error;  /* out */
    uint32_t exit_reason; /* out (RUN) */
    uint64_t vmxon_pa;    /* ON */
    uint64_t vmcs_pa;     /* LOAD, RUN */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* ON */
    uint64_t feature_control;                                /* out (ON): as found */
    /* RUN: */
    uint64_t *gpr;        /* 16 registers by encoding; rsp lives in the VMCS */
    void *guest_fpu;      /* 512-byte FXSAVE image, 16-byte aligned */
    uint64_t guest_cr2;   /* not part of the VMCS: swapped by hand */
    uint64_t ept_pointer; /* for INVEPT */
    uint32_t invept;      /* 0, or the INVEPT type to do before entering */
    uint32_t launched;    /* in/out: VMRESUME rather than VMLAUNCH */
    /*
     * STAR, LSTAR, CSTAR, SFMASK, KernelGSBase: the guest accesses them
     * directly and the VMCS does not switch them, so they stay in the CPU
     * between entries; ring 0 saves one vCPU's here and loads another's when
     * a different call struct (vCPU) enters (vmx_syscall_msrs[]).
     */
    uint64_t syscall_msrs[5];
    uint64_t dr[4]; /* DR0-DR3, likewise (MOV DR does not exit) */
    struct vmx_field *writes;
    uint32_t nwrites;
    uint32_t nreads;
    const uint32_t *reads; /* field encodings */
    uint64_t *read_vals;
};

/* vmx-run.c (ring 0): the KERN_SYS_VMX system call; returns 0 or -errno (also in call->error). */
uint64_t kern_vmx_call(uint64_t call);

/* vmx.c: for -accel auto on the appliance: vmx when the CPU has what it needs. */
bool kern_vmx_usable(void);

#endif

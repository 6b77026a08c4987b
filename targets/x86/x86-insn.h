/*
 * x86-insn.h - decode and emulate the x86 instructions a guest may aim at
 * MMIO, for hardware-assisted accelerators (SVM, VMX) whose nested page
 * tables leave device memory unmapped: the CPU stops at the access and we
 * redo the instruction here, the memory operand going to the device model.
 *
 * Only the instruction forms compilers and drivers use for device access
 * are known: mov (r/m, imm, moffs, movzx/movsx/movsxd), movs/stos/lods with
 * rep, the ALU group (add/or/adc/sbb/and/sub/xor/cmp), test, not/neg, inc/dec,
 * xchg. Anything else returns -EOPNOTSUPP: guests are hostile, and the
 * caller injects #UD or stops the VM with a log, never trusting the bytes.
 *
 * Portable (no host CPU access): the caller gives the register file and two
 * callbacks that access guest memory by linear address.
 */
#ifndef TARGET_X86_INSN_H
#define TARGET_X86_INSN_H

#include <stdbool.h>
#include <stdint.h>

enum x86_gpr {
    X86_RAX,
    X86_RCX,
    X86_RDX,
    X86_RBX,
    X86_RSP,
    X86_RBP,
    X86_RSI,
    X86_RDI,
    X86_R8,
    X86_R15 = 15
};

enum x86_sreg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS };

#define X86_FLAG_CF (1u << 0)
#define X86_FLAG_PF (1u << 2)
#define X86_FLAG_AF (1u << 4)
#define X86_FLAG_ZF (1u << 6)
#define X86_FLAG_SF (1u << 7)
#define X86_FLAG_IF (1u << 9)
#define X86_FLAG_DF (1u << 10)
#define X86_FLAG_OF (1u << 11)
#define X86_FLAGS_ARITH                                                                            \
    (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

#define X86_INSN_MAX 15

/* Return values of the memory callbacks besides 0: the access faulted (see fault). */
#define X86_INSN_FAULT (-14) /* -EFAULT */

struct x86_insn_ctx {
    uint64_t gpr[16]; /* by encoding number (enum x86_gpr) */
    uint64_t rip;
    uint64_t rflags;
    uint64_t seg_base[6]; /* enum x86_sreg; ignored in 64-bit mode except FS/GS */
    /* 16, 32 or 64: the code segment's default operand/address size (CS.D, CS.L). */
    unsigned mode;
    /*
     * Guest memory by linear address; 0, or X86_INSN_FAULT after filling
     * fault_* (the caller then injects the page fault). A read of MMIO may
     * have side effects: the emulator reads each operand exactly once.
     */
    int (*read)(void *opaque, uint64_t la, void *buf, unsigned len);
    int (*write)(void *opaque, uint64_t la, const void *buf, unsigned len);
    void *opaque;
};

/* What the decoder found; filled by x86_insn_decode. */
struct x86_insn {
    unsigned len;      /* bytes, prefixes included */
    uint8_t opcode;    /* last opcode byte */
    bool twobyte;      /* 0F xx */
    uint8_t rep;       /* 0, 0xF3 or 0xF2 */
    int seg;           /* enum x86_sreg of the memory operand (override or default) */
    unsigned opsize;   /* 1, 2, 4, 8 */
    unsigned addrsize; /* 2, 4, 8 */
    uint8_t rex;
    bool has_modrm;
    uint8_t modrm;
    bool mem;     /* a memory operand (ModRM mod != 3, moffs, string) */
    uint64_t ea;  /* its effective address (offset, before the segment base) */
    uint64_t imm; /* immediate, sign-extended to 64 bits where the encoding says so */
};

/*
 * Decode the instruction in bytes[0..n) with the registers of ctx (for the
 * effective address). 0, -EOPNOTSUPP (not one we emulate) or -EINVAL
 * (truncated or malformed).
 */
int x86_insn_decode(const struct x86_insn_ctx *ctx, const uint8_t *bytes, unsigned n,
                    struct x86_insn *insn);

/*
 * Decode and execute one instruction: registers, flags and rip updated.
 * A rep string instruction runs a batch of elements per call (rip stays on
 * it while rCX is not exhausted: the guest re-executes it, giving
 * interrupts their chance). 0, -EOPNOTSUPP, -EINVAL, or X86_INSN_FAULT from a callback.
 */
int x86_insn_emulate(struct x86_insn_ctx *ctx, const uint8_t *bytes, unsigned n);

/* ---- guest page-table walk (x86-insn-walk.c) ---- */

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_LA57 (1ull << 12)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)

/* Page-fault error code bits (as in #PF and SVM's NPF EXITINFO1). */
#define X86_PF_P (1u << 0)
#define X86_PF_W (1u << 1)
#define X86_PF_U (1u << 2)
#define X86_PF_RSVD (1u << 3)
#define X86_PF_I (1u << 4)

struct x86_paging {
    uint64_t cr0, cr3, cr4, efer;
    /* Read a page-table entry of size 4 or 8 at guest-physical pa; 0 or -errno. */
    int (*read_phys)(void *opaque, uint64_t pa, uint64_t *val, unsigned size);
    void *opaque;
};

/*
 * Translate linear address la for an access with the given #PF error-code
 * bits (W, U, I) by the guest's paging mode (none, 32-bit, PAE, 4- or
 * 5-level). Accessed/dirty bits are not set (the hardware walk that led to
 * the exit already did). Returns 0 and *gpa, X86_INSN_FAULT with *pf_error
 * (a #PF for the guest), or -EIO if a table could not be read.
 */
int x86_paging_walk(const struct x86_paging *p, uint64_t la, uint32_t access, uint64_t *gpa,
                    uint32_t *pf_error);

#endif

/*
 * rv-internal.h - the RV64GC hart's state and the interfaces between the
 * interpreter's parts (CSRs, MMU/TLB, translation-block cache, decoder).
 */
#ifndef TARGET_RISCV_INTERNAL_H
#define TARGET_RISCV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/accel.h"
#include "emu-core/irq.h"
#include "emu-core/memory.h"
#include "targets/riscv/riscv.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

enum { RV_PRV_U = 0, RV_PRV_S = 1, RV_PRV_M = 3 };

/* Exception causes. */
enum {
    RV_EXC_INST_MISALIGNED = 0,
    RV_EXC_INST_ACCESS = 1,
    RV_EXC_ILLEGAL = 2,
    RV_EXC_BREAKPOINT = 3,
    RV_EXC_LOAD_MISALIGNED = 4,
    RV_EXC_LOAD_ACCESS = 5,
    RV_EXC_STORE_MISALIGNED = 6,
    RV_EXC_STORE_ACCESS = 7,
    RV_EXC_ECALL_U = 8,
    RV_EXC_ECALL_S = 9,
    RV_EXC_ECALL_M = 11,
    RV_EXC_INST_PAGE = 12,
    RV_EXC_LOAD_PAGE = 13,
    RV_EXC_STORE_PAGE = 15,
};

/* mstatus bits */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_XS (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SD (1ull << 63)

/* LCOFI (13, Sscofpmf) is writable and delegable as in QEMU 7.2, though nothing raises it. */
#define RV_IRQ_LCOFI 13
#define RV_MIP_S_MASK                                                                              \
    ((1u << RV_IRQ_SSIP) | (1u << RV_IRQ_STIP) | (1u << RV_IRQ_SEIP) | (1u << RV_IRQ_LCOFI))
#define RV_MIP_ALL (RV_MIP_S_MASK | (1u << RV_IRQ_MSIP) | (1u << RV_IRQ_MTIP) | (1u << RV_IRQ_MEIP))
/*
 * QEMU 7.2 keeps the VS interrupt bits (2, 6, 10) writable in mie, mideleg
 * and mip even with H off; we store them so CSR values read back the same,
 * but they never cause an interrupt.
 */
#define RV_MIP_VS_MASK ((1u << 2) | (1u << 6) | (1u << 10))

/* ---- software TLB ---- */

#define RV_TLB_BITS 9
#define RV_TLB_SIZE (1u << RV_TLB_BITS)
#define RV_PAGE_MASK (~(uint64_t)(MEM_PAGE_SIZE - 1))
#define RV_TLB_INVALID (~(uint64_t)0)

enum { RV_ACC_R = 1, RV_ACC_W = 2, RV_ACC_X = 4 };

/*
 * One entry per (mmu context, virtual page index), in two parallel arrays
 * so the part the fast path reads stays small. The tags are page addresses
 * for which host = vaddr + addend is valid for that kind of access;
 * accesses that miss (including misaligned ones, which never match the tag
 * because the low bits are compared too) take the slow path, which keeps
 * its own cached translation (vpage -> ppage) for MMIO and for pages that
 * may not have fast tags.
 */
struct rv_tlb_entry {
    uint64_t tag_r, tag_w, tag_x;
    uintptr_t addend;
};

struct rv_tlb_slow {
    uint64_t vpage; /* cached translation for the slow path */
    uint64_t ppage;
    uint8_t *host;        /* host page for RAM/ROM, else NULL */
    struct ram_block *rb; /* the RAM block of host */
    uint64_t rb_off;
    uint32_t perms; /* RV_ACC_* allowed by translation and PMP */
    bool pmp_exact; /* PMP not uniform on this page: check each access */
    bool rom;
};

/* TLB contexts: U, S, M (mmu index = privilege with M folded to 2). */
#define RV_NMMU 3
static inline int rv_mmu_idx(int priv)
{
    return priv == RV_PRV_M ? 2 : priv;
}

/* ---- translated blocks ---- */

/* Operation list, shared by the decoder and the interpreter's label table. */
#define RV_OPS(X)                                                                                  \
    X(ILLEGAL)                                                                                     \
    X(BLOCK_END) X(LUI) X(AUIPC) X(JAL) X(JALR) X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU) X(LB)  \
        X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(SB) X(SH) X(SW) X(SD) X(ADDI) X(SLTI) X(SLTIU) X( \
            XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI) X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU)       \
            X(XOR) X(SRL) X(SRA) X(OR) X(AND) X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW)  \
                X(SLLW) X(SRLW) X(SRAW) X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM)    \
                    X(REMU) X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW) X(LR_W) X(LR_D) X(SC_W)      \
                        X(SC_D) X(AMO_W) X(AMO_D) X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET)   \
                            X(SRET) X(WFI) X(SFENCE_VMA) X(CSR) X(LI) X(MV) X(FLW) X(FLD) X(FSW)   \
                                X(FSD) X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S) X(FMADD_D) X( \
                                    FMSUB_D) X(FNMSUB_D) X(FNMADD_D) X(FADD_S) X(FSUB_S) X(FMUL_S) \
                                    X(FDIV_S) X(FSQRT_S) X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(     \
                                        FMIN_S) X(FMAX_S) X(FCVT_W_S)                              \
                                        X(FCVT_WU_S) X(FCVT_L_S) X(FCVT_LU_S) X(FMV_X_W) X(FEQ_S)  \
                                            X(FLT_S) X(FLE_S) X(FCLASS_S) X(FCVT_S_W) X(           \
                                                FCVT_S_WU) X(FCVT_S_L) X(FCVT_S_LU)                \
                                                X(FMV_W_X) X(FADD_D) X(FSUB_D) X(FMUL_D) X(FDIV_D) \
                                                    X(FSQRT_D) X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D)  \
                                                        X(FMIN_D) X(FMAX_D) X(FCVT_W_D)            \
                                                            X(FCVT_WU_D) X(FCVT_L_D) X(FCVT_LU_D)  \
                                                                X(FMV_X_D) X(FEQ_D) X(FLT_D) X(    \
                                                                    FLE_D) X(FCLASS_D) X(FCVT_D_W) \
                                                                    X(FCVT_D_WU) X(FCVT_D_L)       \
                                                                        X(FCVT_D_LU) X(FMV_D_X)    \
                                                                            X(FCVT_S_D)            \
                                                                                X(FCVT_D_S)

#define RV_OP_ENUM(n) RV_OP_##n,
enum rv_op { RV_OPS(RV_OP_ENUM) RV_NOPS };

/* x0 reads as zero from x[0]; writes to x0 are decoded to this discard slot. */
#define RV_XDISCARD 32

/*
 * A decoded instruction. Integer register fields are indices into x[]
 * (rd already redirected to RV_XDISCARD for x0); fp fields index f[].
 * imm: immediate, branch/jump offset, csr number (CSR), funct5 (AMO).
 * aux: rounding mode (FP), funct3 (CSR), aq/rl (AMO).
 */
struct rv_insn {
    const void *op; /* interpreter label (set from opc when the block is built) */
    int32_t imm;
    uint8_t rd, rs1, rs2, rs3;
    uint16_t pc_off; /* offset of this instruction from the block's pc */
    uint8_t len;     /* 2 or 4 */
    uint8_t aux;
    uint16_t opc; /* enum rv_op: for a later JIT backend and debugging */
    uint16_t pad;
    uint32_t raw; /* instruction bits (mtval for illegal instructions) */
};

/*
 * A block: straight-line instructions from one guest page, ended by a
 * control transfer, a system instruction, the page end or a length limit
 * (then a BLOCK_END pseudo-instruction falls through). Keyed by the host
 * address of its first byte and its virtual pc. chain[0] is the taken
 * (or jump) successor, chain[1] the fall-through; they are only set for
 * successors in the same virtual page, whose translation cannot differ
 * from this block's.
 */
struct rv_block {
    uint64_t pc;
    uintptr_t host; /* host address of the first instruction */
    uintptr_t host_page;
    struct rv_block *hash_next;
    struct rv_block *page_next; /* blocks of the same code page */
    struct rv_block *chain[2];
    void *jit;               /* host code (rv-jit.c), or NULL: interpret */
    uint8_t *jit_link[2];    /* rel32 of the host code's exit jumps for chain[0] / chain[1] */
    uint32_t ninsns;
    bool valid;
    struct rv_insn insns[];
};

#define RV_JC_BITS 12
#define RV_JC_SIZE (1u << RV_JC_BITS)
static inline unsigned rv_jc_hash(uint64_t pc)
{
    return ((pc >> 1) ^ (pc >> 13)) & (RV_JC_SIZE - 1);
}

/* ---- the hart ---- */

struct rv_pmp {
    uint8_t cfg[16];
    uint64_t addr[16];
    uint64_t lo[16], hi[16]; /* decoded byte range [lo, hi) per active entry */
    int nactive;             /* entries with A != OFF */
};

struct rv_cpu {
    uint64_t x[33];
    uint64_t f[32];
    uint64_t pc;
    struct rv_tlb_entry *dtlb; /* data context (privilege after MPRV) */
    struct rv_tlb_entry *itlb; /* fetch context */
    uint64_t icount;           /* retired-instruction estimate (whole blocks) */
    uint64_t icount_check;     /* look at the clock/exit request when icount reaches it */
    uint32_t irq_pend;         /* an interrupt is pending and enabled: take it at a boundary */
    bool tb_dirty;             /* a store invalidated translated code: leave the block */
    uint32_t jit_resume;       /* host code stopped before this insn: interpret from it */

    int priv;
    uint64_t mstatus;
    uint64_t misa;
    uint64_t medeleg, mideleg;
    uint64_t mie;
    uint32_t mip_sw; /* CSR-written SSIP/STIP/SEIP */
    uint32_t mip_hw; /* levels of the irq lines */
    uint64_t mtvec, mscratch, mepc, mcause, mtval;
    uint64_t mcounteren, menvcfg, mcountinhibit;
    uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg, satp;
    uint32_t fflags, frm;
    uint64_t cycle_off, instret_off; /* counter = icount + off */
    struct rv_pmp pmp;
    uint64_t res_addr, res_val;

    /* exception being raised by a slow path */
    uint64_t exc_cause, exc_tval;

    bool tlb_has_large; /* superpage entries present: sfence.vma by address flushes all */
    struct rv_tlb_entry tlb[RV_NMMU][RV_TLB_SIZE];
    struct rv_tlb_slow tlb_slow[RV_NMMU][RV_TLB_SIZE];
    struct rv_block *jc[RV_JC_SIZE];

    struct vcpu *vcpu;
    struct machine *machine;
    struct address_space *as;
    struct rv_cpu_config cfg;
    struct irq_line lines[12];
    uint64_t (*read_mtime)(void *opaque);
    void *mtime_opaque;
    uint64_t boot_pc, boot_a0, boot_a1, boot_a2;
    bool have_boot_regs;
    struct mem_listener listener;
    struct rv_cpu *next_cpu; /* all harts, for cache invalidation */
    /* an instruction straddling two pages runs from here, uncached */
    _Alignas(16) uint8_t straddle_buf[sizeof(struct rv_block) + 2 * sizeof(struct rv_insn)];
};

extern struct rv_cpu *rv_all_cpus;

/* rv-cpu.c: traps and interrupts */
void rv_raise(struct rv_cpu *c, uint64_t cause, uint64_t tval); /* c->pc = faulting pc */
void rv_update_irq(struct rv_cpu *c);
bool rv_take_interrupt(struct rv_cpu *c);
void rv_mret(struct rv_cpu *c);
void rv_sret(struct rv_cpu *c);
void rv_set_priv(struct rv_cpu *c, int priv);
void rv_update_mmu_ctx(struct rv_cpu *c);
uint64_t rv_read_time(struct rv_cpu *c);

/* rv-csr.c: 0 and *val, or -1 for an illegal-instruction exception */
int rv_csr_op(struct rv_cpu *c, unsigned csr, unsigned funct3, uint64_t src, bool write, bool read,
              uint64_t *val);
void rv_csr_reset(struct rv_cpu *c);
static inline void rv_fs_dirty(struct rv_cpu *c)
{
    c->mstatus |= MSTATUS_FS | MSTATUS_SD;
}

/* rv-mmu.c */
void rv_tlb_flush(struct rv_cpu *c);
void rv_tlb_flush_page(struct rv_cpu *c, uint64_t vaddr);
void rv_tlb_protect_code(uintptr_t host_page);
void rv_pmp_update(struct rv_cpu *c);
/* Slow paths: 0, or -1 after setting exc_cause/exc_tval. */
int rv_load_slow(struct rv_cpu *c, uint64_t va, unsigned size, uint64_t *val);
int rv_store_slow(struct rv_cpu *c, uint64_t va, unsigned size, uint64_t val);
/* Translate for an access of access kind (RV_ACC_*) returning the physical address. */
int rv_translate(struct rv_cpu *c, uint64_t va, int acc, unsigned size, uint64_t *pa);
/* Fetch translation: host pointer of the page holding va (RAM/ROM), or -1 with exception set. */
int rv_fetch_page(struct rv_cpu *c, uint64_t va, uint8_t **host_page, struct ram_block **rb,
                  uint64_t *rb_off);

/* rv-decode.c */
void rv_decode(uint32_t raw, struct rv_insn *in);

/* rv-tb.c */
extern const void *const *rv_op_labels;
extern uint64_t rv_tb_generation; /* bumped when every block is dropped */
struct rv_block *rv_tb_find(struct rv_cpu *c, uint64_t pc);
void rv_tb_link(struct rv_block *from, int slot, struct rv_block *to);
void rv_tb_flush_all(void);
void rv_tb_maybe_flush(void);
int rv_tb_init(void); /* 0 or -ENOMEM */
void rv_tb_clear_jc(struct rv_cpu *c);

/* rv-exec.c */
int rv_exec(struct rv_cpu *c, struct vcpu_exit *exit);
void rv_exec_init(void);

#endif

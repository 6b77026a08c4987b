/*
 * rv-jit.c - x86-64 code for decoded blocks.
 *
 * Each translated block (struct rv_block) may get host code: the same
 * instructions, in the same order and with the same effects as the
 * interpreter's handlers, with guest registers left in struct rv_cpu
 * (addressed through rbx) and the data TLB base in r12. The block counts
 * its instructions on entry exactly as the interpreter does, leaves for the
 * dispatcher where the interpreter would, and chains to same-page
 * successors by jumps patched in place (rv_jit_link). Indirect jumps and
 * cross-page branches look up the hart's jump cache inline, with the same
 * fetch-TLB check as the dispatcher.
 *
 * Instructions the translator does not handle (CSRs, system instructions,
 * AMOs, floating point) end the host code: it returns to the interpreter,
 * which resumes the same block at that instruction without counting it
 * again. A block starting with one has no host code at all.
 *
 * Host code returns (to rv_exec) a uintptr_t: 0 to dispatch at c->pc;
 * block|1 or block|2 to dispatch and then link that block's exit 0 or 1 to
 * the block found; block|4 to resume interpreting block at insn c->jit_resume.
 */
#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "targets/riscv/rv-fpu.h"
#include "targets/riscv/rv-internal.h"
#include "targets/riscv/rv-jit-emit.h"
#include "targets/riscv/rv-jit.h"

#define JIT_BUF_SIZE (32u << 20)
/* Worst case of one block: 64 instructions of at most ~200 bytes, inline and cold. */
#define JIT_BLOCK_MAX (64u * 200 + 1024)

_Static_assert(sizeof(struct rv_tlb_entry) == 32, "TLB index scaling assumes 32-byte entries");
_Static_assert(MEM_PAGE_BITS == 12 && RV_TLB_BITS == 9, "TLB index computation");
_Static_assert(RV_JC_BITS == 12, "jump cache hash");

#define OFF_X(r) ((int32_t)(offsetof(struct rv_cpu, x) + 8 * (r)))
#define OFF_F(r) ((int32_t)(offsetof(struct rv_cpu, f) + 8 * (r)))
#define OFF_PC ((int32_t)offsetof(struct rv_cpu, pc))
#define OFF_MSTATUS ((int32_t)offsetof(struct rv_cpu, mstatus))
#define OFF_FRM ((int32_t)offsetof(struct rv_cpu, frm))
#define OFF_FFLAGS ((int32_t)offsetof(struct rv_cpu, fflags))
#define OFF_ICOUNT ((int32_t)offsetof(struct rv_cpu, icount))
#define OFF_ICHECK ((int32_t)offsetof(struct rv_cpu, icount_check))
#define OFF_DTLB ((int32_t)offsetof(struct rv_cpu, dtlb))
#define OFF_ITLB ((int32_t)offsetof(struct rv_cpu, itlb))
#define OFF_JC ((int32_t)offsetof(struct rv_cpu, jc))
#define OFF_TB_DIRTY ((int32_t)offsetof(struct rv_cpu, tb_dirty))
#define OFF_RESUME ((int32_t)offsetof(struct rv_cpu, jit_resume))
#define OFF_TAG_R ((int32_t)offsetof(struct rv_tlb_entry, tag_r))
#define OFF_TAG_W ((int32_t)offsetof(struct rv_tlb_entry, tag_w))
#define OFF_TAG_X ((int32_t)offsetof(struct rv_tlb_entry, tag_x))
#define OFF_ADDEND ((int32_t)offsetof(struct rv_tlb_entry, addend))
#define OFF_B_PC ((int32_t)offsetof(struct rv_block, pc))
#define OFF_B_HOST ((int32_t)offsetof(struct rv_block, host))
#define OFF_B_JIT ((int32_t)offsetof(struct rv_block, jit))

static struct {
    uint8_t *buf;
    size_t used, base; /* base: end of the fixed stubs, where blocks start */
    uintptr_t (*enter)(struct rv_cpu *c, const void *code);
    uint8_t *epilogue; /* returns rax */
    uint8_t *exit0;    /* returns 0: dispatch at c->pc */
    bool enabled;
} jit;

/* ---- helpers called from generated code ---- */

static void helper_raise_pending(struct rv_cpu *c)
{
    rv_raise(c, c->exc_cause, c->exc_tval);
}
static uint64_t helper_div(uint64_t a, uint64_t d)
{
    return d == 0                                        ? ~0ull
           : ((int64_t)a == INT64_MIN && (int64_t)d == -1) ? a
                                                           : (uint64_t)((int64_t)a / (int64_t)d);
}
static uint64_t helper_divu(uint64_t a, uint64_t d)
{
    return d == 0 ? ~0ull : a / d;
}
static uint64_t helper_rem(uint64_t a, uint64_t d)
{
    return d == 0                                        ? a
           : ((int64_t)a == INT64_MIN && (int64_t)d == -1) ? 0
                                                           : (uint64_t)((int64_t)a % (int64_t)d);
}
static uint64_t helper_remu(uint64_t a, uint64_t d)
{
    return d == 0 ? a : a % d;
}
static uint64_t helper_divw(uint64_t a64, uint64_t d64)
{
    int32_t a = (int32_t)a64, d = (int32_t)d64;
    return d == 0                        ? ~0ull
           : (a == INT32_MIN && d == -1) ? (uint64_t)(int64_t)a
                                         : (uint64_t)(int64_t)(a / d);
}
static uint64_t helper_divuw(uint64_t a64, uint64_t d64)
{
    uint32_t a = (uint32_t)a64, d = (uint32_t)d64;
    return d == 0 ? ~0ull : (uint64_t)(int64_t)(int32_t)(a / d);
}
static uint64_t helper_remw(uint64_t a64, uint64_t d64)
{
    int32_t a = (int32_t)a64, d = (int32_t)d64;
    return d == 0                        ? (uint64_t)(int64_t)a
           : (a == INT32_MIN && d == -1) ? 0
                                         : (uint64_t)(int64_t)(a % d);
}
static uint64_t helper_remuw(uint64_t a64, uint64_t d64)
{
    uint32_t a = (uint32_t)a64, d = (uint32_t)d64;
    return (uint64_t)(int64_t)(int32_t)(d == 0 ? a : a % d);
}
static uint64_t helper_mulhsu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b) >> 64);
}

/* ---- translation ---- */

/* out-of-line paths: a TLB miss of a load or store; an instruction left to the interpreter */
enum slow_kind { SLOW_LOAD, SLOW_STORE, SLOW_RESUME };

/*
 * r15 holds c->icount while host code runs (the trampoline loads it and
 * stores it back; slow paths store it before calling C): counting in memory
 * would chain every block through a store-to-load forwarding.
 *
 * Guest registers cached in host registers within a block. Three are
 * callee-saved (they survive helper calls), four caller-saved (written back
 * and dropped around calls). Every exit of the block writes the dirty ones
 * back, so between blocks (and for the interpreter and helpers) the truth
 * is c->x[] as always.
 */
#define RC_N 7
static const int rc_host[RC_N] = {X_RBP, X_R13, X_R14, X_R8, X_R9, X_R10, X_R11};
#define RC_CALLER_SAVED_FIRST 3

struct rc_state {
    int8_t guest[RC_N]; /* guest register held, or -1 */
    bool dirty[RC_N];
    uint32_t used[RC_N]; /* for LRU eviction */
};

struct slow_path {
    struct rc_state rc; /* the cache at the fast path's branch */
    enum slow_kind kind;
    const struct rv_insn *in;
    uint8_t *jfix; /* rel32 of the fast path's jne */
    uint8_t *ret;  /* where the fast path continues */
    unsigned opc;  /* load: the extending x86 load; store: unused */
    bool w;
    unsigned size; /* resume: the instruction's index in the block */
};

struct rv_jit_tr {
    struct rv_jit_buf e;
    struct rv_block *b;
    struct slow_path slow[2 * TB_MAX_INSNS_JIT];
    unsigned nslow;
    struct rc_state rc;
    uint32_t clock;
    /* a block that branches back to itself keeps its registers in host registers around the loop */
    bool loop;
    uint8_t *loop_head;
    unsigned idx; /* index of the instruction being translated */
};

static inline uint64_t insn_pc(const struct rv_jit_tr *t, const struct rv_insn *in)
{
    return t->b->pc + in->pc_off;
}

static int rc_find(const struct rc_state *rc, unsigned r)
{
    for (int i = 0; i < RC_N; i++)
        if (rc->guest[i] == (int)r)
            return i;
    return -1;
}

/* Emit the stores that make c->x[] current for the cache state rc (which does not change). */
static void rc_writeback(struct rv_jit_buf *e, const struct rc_state *rc, int first)
{
    for (int i = first; i < RC_N; i++)
        if (rc->guest[i] >= 0 && rc->dirty[i])
            x_store(e, true, X_RBX, OFF_X(rc->guest[i]), rc_host[i]);
}

/* A slot for guest register r: free, or the least recently used one (written back). */
static int rc_alloc(struct rv_jit_tr *t, unsigned r)
{
    struct rc_state *rc = &t->rc;
    int best = 0;
    for (int i = 0; i < RC_N; i++) {
        if (rc->guest[i] < 0) {
            best = i;
            break;
        }
        if (rc->used[i] < rc->used[best])
            best = i;
    }
    if (rc->guest[best] >= 0 && rc->dirty[best])
        x_store(&t->e, true, X_RBX, OFF_X(rc->guest[best]), rc_host[best]);
    rc->guest[best] = (int8_t)r;
    rc->dirty[best] = false;
    return best;
}

/* Host register holding guest register r (loaded on first use). */
static int rc_get(struct rv_jit_tr *t, unsigned r)
{
    int i = rc_find(&t->rc, r);
    if (i < 0) {
        i = rc_alloc(t, r);
        x_load(&t->e, true, rc_host[i], X_RBX, OFF_X(r));
    }
    t->rc.used[i] = ++t->clock;
    return rc_host[i];
}

/* Host register to write guest register r into (its old value is dropped). */
static int rc_def(struct rv_jit_tr *t, unsigned r)
{
    int i = rc_find(&t->rc, r);
    if (i < 0)
        i = rc_alloc(t, r);
    t->rc.dirty[i] = true;
    t->rc.used[i] = ++t->clock;
    return rc_host[i];
}

/* Before a call that may clobber caller-saved registers: write those back and forget them. */
static void rc_before_call(struct rv_jit_tr *t)
{
    rc_writeback(&t->e, &t->rc, RC_CALLER_SAVED_FIRST);
    for (int i = RC_CALLER_SAVED_FIRST; i < RC_N; i++)
        t->rc.guest[i] = -1;
}

static void ld_x(struct rv_jit_tr *t, int reg, unsigned r)
{
    if (r == 0)
        x_alu_rr(&t->e, false, X_XOR, reg, reg);
    else
        x_mov_rr(&t->e, true, reg, rc_get(t, r));
}
static void st_x(struct rv_jit_tr *t, unsigned r, int reg)
{
    if (r != RV_XDISCARD)
        x_mov_rr(&t->e, true, rc_def(t, r), reg);
}
/* op reg, x[r] */
static void op_x(struct rv_jit_tr *t, bool w, int op, int reg, unsigned r)
{
    if (r == 0)
        x_alu_imm(&t->e, w, op, reg, 0);
    else
        x_alu_rr(&t->e, w, op, reg, rc_get(t, r));
}
static void set_pc(struct rv_jit_tr *t, uint64_t pc)
{
    x_mov_imm(&t->e, X_RAX, pc);
    x_store(&t->e, true, X_RBX, OFF_PC, X_RAX);
}
/* Leave for the dispatcher when icount reached icount_check (c->pc already set). */
static void icount_check(struct rv_jit_tr *t)
{
    x_alu_mem(&t->e, true, X_CMP, X_R15, X_RBX, OFF_ICHECK);
    x_jcc(&t->e, X_CC_AE, jit.exit0);
}

/* rsi = target pc, already stored in c->pc: the jump cache lookup of the dispatcher, inline. */
static void emit_lookup(struct rv_jit_tr *t)
{
    struct rv_jit_buf *e = &t->e;
    icount_check(t);
    x_mov_rr(e, false, X_RAX, X_RSI);
    x_shift_imm(e, false, X_SHR, X_RAX, 1);
    x_mov_rr(e, false, X_RCX, X_RSI);
    x_shift_imm(e, false, X_SHR, X_RCX, 13);
    x_alu_rr(e, false, X_XOR, X_RAX, X_RCX);
    x_alu_imm(e, false, X_AND, X_RAX, RV_JC_SIZE - 1);
    x_shift_imm(e, false, X_SHL, X_RAX, 3);
    x_op_mem(e, 0, true, 0x8b, X_RDX, X_RBX, X_RAX, OFF_JC, false); /* rdx = jc[h] */
    x_op_reg(e, true, 0x85, X_RDX, X_RDX);
    x_jcc(e, X_CC_E, jit.exit0);
    x_alu_mem(e, true, X_CMP, X_RSI, X_RDX, OFF_B_PC);
    x_jcc(e, X_CC_NE, jit.exit0);
    x_mov_rr(e, false, X_RAX, X_RSI);
    x_shift_imm(e, false, X_SHR, X_RAX, 7);
    x_alu_imm(e, false, X_AND, X_RAX, (RV_TLB_SIZE - 1) << 5);
    x_alu_mem(e, true, X_ADD, X_RAX, X_RBX, OFF_ITLB); /* rax = fetch TLB entry */
    x_mov_rr(e, true, X_RCX, X_RSI);
    x_alu_imm(e, true, X_AND, X_RCX, (int32_t)RV_PAGE_MASK);
    x_alu_mem(e, true, X_CMP, X_RCX, X_RAX, OFF_TAG_X);
    x_jcc(e, X_CC_NE, jit.exit0);
    x_load(e, true, X_RCX, X_RAX, OFF_ADDEND);
    x_alu_rr(e, true, X_ADD, X_RCX, X_RSI);
    x_alu_mem(e, true, X_CMP, X_RCX, X_RDX, OFF_B_HOST);
    x_jcc(e, X_CC_NE, jit.exit0);
    x_load(e, true, X_RAX, X_RDX, OFF_B_JIT);
    x_op_reg(e, true, 0x85, X_RAX, X_RAX);
    x_jcc(e, X_CC_E, jit.exit0);
    x_jmp_reg(e, X_RAX);
}

/* Control leaves the block for target (exit slot for chaining when in the same page). */
static void emit_goto(struct rv_jit_tr *t, uint64_t target, int slot)
{
    struct rv_jit_buf *e = &t->e;
    if (t->loop && target == t->b->pc) {
        /* back to the loop head with the registers still cached (written back only to leave) */
        x_alu_mem(e, true, X_CMP, X_R15, X_RBX, OFF_ICHECK);
        uint8_t *to_check = x_jcc(e, X_CC_AE, NULL);
        x_jmp(e, t->loop_head);
        x_patch_rel32(to_check, e->p);
        rc_writeback(e, &t->rc, 0);
        set_pc(t, target);
        x_jmp(e, jit.exit0);
    } else if (((target ^ t->b->pc) & RV_PAGE_MASK) == 0) {
        x_alu_mem(e, true, X_CMP, X_R15, X_RBX, OFF_ICHECK);
        uint8_t *to_check = x_jcc(e, X_CC_AE, NULL);
        uint8_t *link = x_jmp(e, NULL);
        t->b->jit_link[slot] = link;
        /* not linked yet: set pc and ask the dispatcher to link this exit */
        x_patch_rel32(link, e->p);
        set_pc(t, target);
        x_mov_imm(e, X_RAX, (uintptr_t)t->b | (uintptr_t)(slot + 1));
        x_jmp(e, jit.epilogue);
        x_patch_rel32(to_check, e->p);
        set_pc(t, target);
        x_jmp(e, jit.exit0);
    } else {
        x_mov_imm(e, X_RSI, target);
        x_store(e, true, X_RBX, OFF_PC, X_RSI);
        emit_lookup(t);
    }
}

/* rsi = rs1 + imm */
static void emit_addr(struct rv_jit_tr *t, const struct rv_insn *in)
{
    if (in->rs1 == 0) {
        x_mov_imm(&t->e, X_RSI, (uint64_t)(int64_t)in->imm);
    } else {
        if (in->imm)
            x_lea(&t->e, X_RSI, rc_get(t, in->rs1), X_NONE, in->imm);
        else
            x_mov_rr(&t->e, true, X_RSI, rc_get(t, in->rs1)); /* a move the host can eliminate */
    }
}

/* rax = TLB entry index * 32, rcx = tag wanted; then cmp with the entry's tag at tag_off. */
static uint8_t *emit_tlb_check(struct rv_jit_tr *t, unsigned size, int32_t tag_off)
{
    struct rv_jit_buf *e = &t->e;
    x_mov_rr(e, false, X_RAX, X_RSI);
    x_shift_imm(e, false, X_SHR, X_RAX, 7);
    x_alu_imm(e, false, X_AND, X_RAX, (RV_TLB_SIZE - 1) << 5);
    x_mov_rr(e, true, X_RCX, X_RSI);
    x_alu_imm(e, true, X_AND, X_RCX, (int32_t)(RV_PAGE_MASK | (size - 1)));
    x_op_mem(e, 0, true, 0x3b, X_RCX, X_R12, X_RAX, tag_off, false);
    uint8_t *j = x_jcc(e, X_CC_NE, NULL);
    x_op_mem(e, 0, true, 0x8b, X_RAX, X_R12, X_RAX, OFF_ADDEND, false);
    return j;
}

static void emit_load(struct rv_jit_tr *t, const struct rv_insn *in, unsigned size, unsigned opc,
                      bool w)
{
    struct rv_jit_buf *e = &t->e;
    emit_addr(t, in);
    uint8_t *j = emit_tlb_check(t, size, OFF_TAG_R);
    x_op_mem(e, 0, w, opc, X_RAX, X_RAX, X_RSI, 0, false);
    t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_LOAD, in, j, e->p, opc, w, size};
    st_x(t, in->rd, X_RAX);
}

static void emit_store(struct rv_jit_tr *t, const struct rv_insn *in, unsigned size)
{
    struct rv_jit_buf *e = &t->e;
    emit_addr(t, in);
    ld_x(t, X_RDX, in->rs2);
    uint8_t *j = emit_tlb_check(t, size, OFF_TAG_W);
    x_op_mem(e, size == 2 ? 0x66 : 0, size == 8, size == 1 ? 0x88 : 0x89, X_RDX, X_RAX, X_RSI, 0,
             false);
    t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_STORE, in, j, e->p, 0, false, size};
}

/* Return to the interpreter, which runs the block on from insn idx (already counted). */
static void emit_resume(struct rv_jit_tr *t, unsigned idx)
{
    x_op_mem(&t->e, 0, false, 0xc7, 0, X_RBX, X_NONE, OFF_RESUME, false);
    x_u32(&t->e, idx);
    x_mov_imm(&t->e, X_RAX, (uintptr_t)t->b | RV_JIT_RESUME);
    x_jmp(&t->e, jit.epilogue);
}

/* Leave for the interpreter at the current instruction when FS is off (it raises illegal). */
static void emit_fs_check(struct rv_jit_tr *t, const struct rv_insn *in)
{
    x_op_mem(&t->e, 0, true, 0xf7, 0, X_RBX, X_NONE, OFF_MSTATUS, false); /* test */
    x_u32(&t->e, (uint32_t)MSTATUS_FS);
    uint8_t *j = x_jcc(&t->e, X_CC_E, NULL);
    t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_RESUME, in, j, NULL, 0, false, t->idx};
}

static void emit_fs_dirty(struct rv_jit_tr *t)
{
    x_mov_imm(&t->e, X_RCX, MSTATUS_FS | MSTATUS_SD);
    x_op_mem(&t->e, 0, true, 0x09, X_RCX, X_RBX, X_NONE, OFF_MSTATUS, false); /* or */
}

static void emit_fp_load(struct rv_jit_tr *t, const struct rv_insn *in, unsigned size)
{
    struct rv_jit_buf *e = &t->e;
    emit_fs_check(t, in);
    emit_addr(t, in);
    uint8_t *j = emit_tlb_check(t, size, OFF_TAG_R);
    x_op_mem(e, 0, size == 8, 0x8b, X_RAX, X_RAX, X_RSI, 0, false);
    t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_LOAD, in, j, e->p, 0x8b, size == 8, size};
    if (size == 4) { /* NaN-box */
        x_mov_imm(e, X_RCX, 0xffffffff00000000ull);
        x_alu_rr(e, true, X_OR, X_RAX, X_RCX);
    }
    x_store(e, true, X_RBX, OFF_F(in->rd), X_RAX);
    emit_fs_dirty(t);
}

static void emit_fp_store(struct rv_jit_tr *t, const struct rv_insn *in, unsigned size)
{
    struct rv_jit_buf *e = &t->e;
    emit_fs_check(t, in);
    emit_addr(t, in);
    x_load(e, size == 8, X_RDX, X_RBX, OFF_F(in->rs2));
    uint8_t *j = emit_tlb_check(t, size, OFF_TAG_W);
    x_op_mem(e, 0, size == 8, 0x89, X_RDX, X_RAX, X_RSI, 0, false);
    t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_STORE, in, j, e->p, 0, false, size};
}

/*
 * Double-precision arithmetic, the hot part of FP code: the soft-float
 * function called directly (as the interpreter does), no integer register
 * written back but the caller-saved ones.
 */
static bool emit_fp_direct(struct rv_jit_tr *t, const struct rv_insn *in)
{
    struct rv_jit_buf *e = &t->e;
    const void *fn;
    bool three = false;
    switch (in->opc) {
    case RV_OP_FADD_D:
        fn = (const void *)rv_f64_add;
        break;
    case RV_OP_FSUB_D:
        fn = (const void *)rv_f64_sub;
        break;
    case RV_OP_FMUL_D:
        fn = (const void *)rv_f64_mul;
        break;
    case RV_OP_FDIV_D:
        fn = (const void *)rv_f64_div;
        break;
    case RV_OP_FMADD_D:
        fn = (const void *)rv_f64_madd;
        three = true;
        break;
    case RV_OP_FMSUB_D:
        fn = (const void *)rv_f64_msub;
        three = true;
        break;
    case RV_OP_FNMSUB_D:
        fn = (const void *)rv_f64_nmsub;
        three = true;
        break;
    case RV_OP_FNMADD_D:
        fn = (const void *)rv_f64_nmadd;
        three = true;
        break;
    default:
        return false;
    }
    if (in->aux > RV_RM_RMM && in->aux != RV_RM_DYN)
        return false; /* reserved: rv_jit_fp_op declines it, the interpreter raises */
    int rm_reg = three ? X_RCX : X_RDX;
    emit_fs_check(t, in);
    if (in->aux == RV_RM_DYN) {
        x_load(e, false, rm_reg, X_RBX, OFF_FRM);
        x_alu_imm(e, false, X_CMP, rm_reg, RV_RM_RMM);
        uint8_t *j = x_jcc(e, X_CC_A, NULL);
        t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_RESUME, in, j, NULL, 0, false, t->idx};
    } else {
        x_mov_imm(e, rm_reg, in->aux);
    }
    rc_before_call(t);
    x_load(e, true, X_RDI, X_RBX, OFF_F(in->rs1));
    x_load(e, true, X_RSI, X_RBX, OFF_F(in->rs2));
    if (three) {
        x_load(e, true, X_RDX, X_RBX, OFF_F(in->rs3));
        x_lea(e, X_R8, X_RBX, X_NONE, OFF_FFLAGS);
    } else {
        x_lea(e, X_RCX, X_RBX, X_NONE, OFF_FFLAGS);
    }
    x_call(e, fn);
    x_store(e, true, X_RBX, OFF_F(in->rd), X_RAX);
    emit_fs_dirty(t);
    return true;
}

/* Other F/D instructions: a call to rv_jit_fp_op with c->x[] current and rd forgotten. */
static void emit_fp_op(struct rv_jit_tr *t, const struct rv_insn *in)
{
    struct rv_jit_buf *e = &t->e;
    rc_writeback(e, &t->rc, 0);
    for (int i = 0; i < RC_N; i++) {
        t->rc.dirty[i] = false;
        if (t->rc.guest[i] == (int)in->rd)
            t->rc.guest[i] = -1; /* it may be an integer result */
    }
    rc_before_call(t);
    x_mov_rr(e, true, X_RDI, X_RBX);
    x_mov_imm(e, X_RSI, (uintptr_t)in);
    x_call(e, (const void *)rv_jit_fp_op);
    x_op_reg(e, false, 0x85, X_RAX, X_RAX);
    uint8_t *j = x_jcc(e, X_CC_NE, NULL);
    t->slow[t->nslow++] = (struct slow_path){t->rc, SLOW_RESUME, in, j, NULL, 0, false, t->idx};
}

static void emit_raise_pending(struct rv_jit_tr *t, const struct rv_insn *in)
{
    set_pc(t, insn_pc(t, in));
    x_mov_rr(&t->e, true, X_RDI, X_RBX);
    x_call(&t->e, (const void *)helper_raise_pending);
    x_load(&t->e, true, X_R15, X_RBX, OFF_ICOUNT);
    x_jmp(&t->e, jit.exit0);
}

/* After a call from a slow path: the caller-saved cache registers again. */
static void rc_reload(struct rv_jit_buf *e, const struct rc_state *rc)
{
    x_load(e, true, X_R15, X_RBX, OFF_ICOUNT);
    for (int i = RC_CALLER_SAVED_FIRST; i < RC_N; i++)
        if (rc->guest[i] >= 0)
            x_load(e, true, rc_host[i], X_RBX, OFF_X(rc->guest[i]));
}

static void emit_slow_paths(struct rv_jit_tr *t)
{
    struct rv_jit_buf *e = &t->e;
    for (unsigned i = 0; i < t->nslow; i++) {
        struct slow_path *s = &t->slow[i];
        x_patch_rel32(s->jfix, e->p);
        /* helpers and the exception path see c->x[]; the call clobbers r8-r11 */
        rc_writeback(e, &s->rc, 0);
        if (s->kind == SLOW_RESUME) {
            emit_resume(t, s->size);
            continue;
        }
        x_store(e, true, X_RBX, OFF_ICOUNT, X_R15);
        x_mov_rr(e, true, X_RDI, X_RBX);
        if (s->kind == SLOW_LOAD) {
            x_mov_imm(e, X_RDX, s->size);
            x_mov_rr(e, true, X_RCX, X_RSP); /* the trampoline's scratch slot */
            x_call(e, (const void *)rv_load_slow);
            x_op_reg(e, false, 0x85, X_RAX, X_RAX);
            uint8_t *fault = x_jcc(e, X_CC_NE, NULL);
            x_op_mem(e, 0, s->w, s->opc, X_RAX, X_RSP, X_NONE, 0, false);
            rc_reload(e, &s->rc);
            x_jmp(e, s->ret);
            x_patch_rel32(fault, e->p);
            emit_raise_pending(t, s->in);
        } else {
            x_mov_rr(e, true, X_RCX, X_RDX);
            x_mov_imm(e, X_RDX, s->size);
            x_call(e, (const void *)rv_store_slow);
            x_op_reg(e, false, 0x85, X_RAX, X_RAX);
            uint8_t *fault = x_jcc(e, X_CC_NE, NULL);
            /* the store dropped translated code (maybe this block's): leave after it */
            x_op_mem(e, 0, false, 0x80, 7, X_RBX, X_NONE, OFF_TB_DIRTY, false);
            x_u8(e, 0);
            uint8_t *dirty = x_jcc(e, X_CC_NE, NULL);
            rc_reload(e, &s->rc);
            x_jmp(e, s->ret);
            x_patch_rel32(dirty, e->p);
            set_pc(t, insn_pc(t, s->in) + s->in->len);
            x_jmp(e, jit.exit0);
            x_patch_rel32(fault, e->p);
            emit_raise_pending(t, s->in);
        }
    }
}

/*
 * The ALU forms work on the host registers caching the operands: rd's
 * register gets rs1's value, then the operation with rs2 / the immediate.
 * (rd's register is never one just handed out for rs1 or rs2 unless rd is
 * that register: rc_alloc evicts the least recently used of at least three.)
 * x0 operands take the old way through rax.
 */
static void emit_alu_imm(struct rv_jit_tr *t, const struct rv_insn *in, int op, bool w)
{
    struct rv_jit_buf *e = &t->e;
    if (in->rs1 == 0) {
        ld_x(t, X_RAX, 0);
        x_alu_imm(e, w, op, X_RAX, in->imm);
        if (!w)
            x_movsxd(e, X_RAX, X_RAX);
        st_x(t, in->rd, X_RAX);
        return;
    }
    int h1 = rc_get(t, in->rs1), hd = rc_def(t, in->rd);
    if (op == X_ADD && in->imm == 0) { /* mv and sext.w: one move, off the dependency chain */
        if (!w)
            x_movsxd(e, hd, h1);
        else if (hd != h1)
            x_mov_rr(e, true, hd, h1);
        return;
    }
    if (hd != h1)
        x_mov_rr(e, w, hd, h1);
    x_alu_imm(e, w, op, hd, in->imm);
    if (!w)
        x_movsxd(e, hd, hd);
}
static void emit_alu_reg(struct rv_jit_tr *t, const struct rv_insn *in, int op, bool w)
{
    struct rv_jit_buf *e = &t->e;
    if (in->rs1 == 0 || in->rs2 == 0) {
        ld_x(t, X_RAX, in->rs1);
        op_x(t, w, op, X_RAX, in->rs2);
        if (!w)
            x_movsxd(e, X_RAX, X_RAX);
        st_x(t, in->rd, X_RAX);
        return;
    }
    int h1 = rc_get(t, in->rs1), h2 = rc_get(t, in->rs2), hd = rc_def(t, in->rd);
    if (hd == h2 && hd != h1) {
        if (op != X_SUB) { /* commutative: rd = rs2 op rs1 */
            x_alu_rr(e, w, op, hd, h1);
        } else {
            x_mov_rr(e, true, X_RAX, h1);
            x_alu_rr(e, w, op, X_RAX, h2);
            x_mov_rr(e, true, hd, X_RAX);
        }
    } else {
        if (hd != h1)
            x_mov_rr(e, w, hd, h1);
        x_alu_rr(e, w, op, hd, h2);
    }
    if (!w)
        x_movsxd(e, hd, hd);
}
static void emit_shift_imm(struct rv_jit_tr *t, const struct rv_insn *in, int op, bool w)
{
    struct rv_jit_buf *e = &t->e;
    unsigned n = (unsigned)in->imm & (w ? 63 : 31);
    if (in->rs1 == 0) {
        ld_x(t, X_RAX, 0);
        st_x(t, in->rd, X_RAX);
        return;
    }
    int h1 = rc_get(t, in->rs1), hd = rc_def(t, in->rd);
    if (hd != h1)
        x_mov_rr(e, w, hd, h1);
    if (n)
        x_shift_imm(e, w, op, hd, n);
    if (!w)
        x_movsxd(e, hd, hd);
}
static void emit_shift_reg(struct rv_jit_tr *t, const struct rv_insn *in, int op, bool w)
{
    struct rv_jit_buf *e = &t->e;
    ld_x(t, X_RCX, in->rs2); /* the host masks the count as RISC-V does */
    if (in->rs1 == 0) {
        ld_x(t, X_RAX, 0);
        st_x(t, in->rd, X_RAX);
        return;
    }
    int h1 = rc_get(t, in->rs1), hd = rc_def(t, in->rd);
    if (hd != h1)
        x_mov_rr(e, w, hd, h1);
    x_shift_cl(e, w, op, hd);
    if (!w)
        x_movsxd(e, hd, hd);
}
/* flags of x[rs1] - x[rs2] (or - imm) */
static void emit_cmp(struct rv_jit_tr *t, const struct rv_insn *in, bool imm)
{
    int a = X_RAX;
    if (in->rs1 == 0)
        ld_x(t, X_RAX, 0);
    else
        a = rc_get(t, in->rs1);
    if (imm)
        x_alu_imm(&t->e, true, X_CMP, a, in->imm);
    else
        op_x(t, true, X_CMP, a, in->rs2);
}
static void emit_set(struct rv_jit_tr *t, const struct rv_insn *in, int cc, bool imm)
{
    emit_cmp(t, in, imm);
    x_setcc_zx(&t->e, cc, X_RAX);
    st_x(t, in->rd, X_RAX);
}
static void emit_call2(struct rv_jit_tr *t, const struct rv_insn *in, uint64_t (*fn)(uint64_t,
                                                                                      uint64_t))
{
    ld_x(t, X_RDI, in->rs1);
    ld_x(t, X_RSI, in->rs2);
    rc_before_call(t);
    x_call(&t->e, (const void *)fn);
    st_x(t, in->rd, X_RAX);
}
static void emit_mulh(struct rv_jit_tr *t, const struct rv_insn *in, unsigned ext)
{
    ld_x(t, X_RAX, in->rs1);
    ld_x(t, X_RCX, in->rs2);
    x_op_reg(&t->e, true, 0xf7, (int)ext, X_RCX); /* rdx:rax = rax * rcx */
    st_x(t, in->rd, X_RDX);
}
static void emit_branch(struct rv_jit_tr *t, const struct rv_insn *in, int cc)
{
    struct rv_jit_buf *e = &t->e;
    uint64_t fall = insn_pc(t, in) + in->len, target = insn_pc(t, in) + (int64_t)in->imm;
    emit_cmp(t, in, false);
    if (t->loop && target == t->b->pc) {
        /* the loop's back edge inline, its exits out of line; x86 conditions invert by bit 0 */
        uint8_t *out = x_jcc(e, cc ^ 1, NULL);
        x_alu_mem(e, true, X_CMP, X_R15, X_RBX, OFF_ICHECK);
        x_jcc(e, X_CC_B, t->loop_head);
        rc_writeback(e, &t->rc, 0);
        set_pc(t, target);
        x_jmp(e, jit.exit0);
        x_patch_rel32(out, e->p);
        rc_writeback(e, &t->rc, 0);
        emit_goto(t, fall, 1);
        return;
    }
    rc_writeback(e, &t->rc, 0); /* moves only: the flags survive */
    uint8_t *taken = x_jcc(e, cc, NULL);
    emit_goto(t, fall, 1);
    x_patch_rel32(taken, e->p);
    emit_goto(t, target, 0);
}

/* Emit one instruction: 1 if it ended the host code, 0 to go on, -1 if not handled. */
static int emit_insn(struct rv_jit_tr *t, const struct rv_insn *in)
{
    struct rv_jit_buf *e = &t->e;
    uint64_t pc = insn_pc(t, in);
    switch (in->opc) {
    case RV_OP_LUI:
    case RV_OP_LI:
        if (in->rd != RV_XDISCARD)
            x_mov_imm(e, rc_def(t, in->rd), (uint64_t)(int64_t)in->imm);
        return 0;
    case RV_OP_MV:
        if (in->rd == RV_XDISCARD)
            return 0;
        if (in->rs1 == 0) {
            x_mov_imm(e, rc_def(t, in->rd), 0);
        } else {
            int h1 = rc_get(t, in->rs1), hd = rc_def(t, in->rd);
            if (hd != h1)
                x_mov_rr(e, true, hd, h1);
        }
        return 0;
    case RV_OP_AUIPC:
        if (in->rd != RV_XDISCARD)
            x_mov_imm(e, rc_def(t, in->rd), pc + (int64_t)in->imm);
        return 0;
    case RV_OP_FENCE:
        return 0;
    case RV_OP_JAL:
        if (in->rd != RV_XDISCARD) {
            x_mov_imm(e, X_RAX, pc + in->len);
            st_x(t, in->rd, X_RAX);
        }
        if (!(t->loop && pc + (int64_t)in->imm == t->b->pc))
            rc_writeback(e, &t->rc, 0);
        emit_goto(t, pc + (int64_t)in->imm, 0);
        return 1;
    case RV_OP_JALR:
        emit_addr(t, in);
        x_alu_imm(e, true, X_AND, X_RSI, -2);
        if (in->rd != RV_XDISCARD) {
            x_mov_imm(e, X_RAX, pc + in->len);
            st_x(t, in->rd, X_RAX);
        }
        rc_writeback(e, &t->rc, 0);
        x_store(e, true, X_RBX, OFF_PC, X_RSI);
        emit_lookup(t);
        return 1;
    case RV_OP_BLOCK_END:
        rc_writeback(e, &t->rc, 0);
        emit_goto(t, pc, 1);
        return 1;
    case RV_OP_BEQ:
        emit_branch(t, in, X_CC_E);
        return 1;
    case RV_OP_BNE:
        emit_branch(t, in, X_CC_NE);
        return 1;
    case RV_OP_BLT:
        emit_branch(t, in, X_CC_L);
        return 1;
    case RV_OP_BGE:
        emit_branch(t, in, X_CC_GE);
        return 1;
    case RV_OP_BLTU:
        emit_branch(t, in, X_CC_B);
        return 1;
    case RV_OP_BGEU:
        emit_branch(t, in, X_CC_AE);
        return 1;

    case RV_OP_LB:
        emit_load(t, in, 1, 0x0fbe, true);
        return 0;
    case RV_OP_LBU:
        emit_load(t, in, 1, 0x0fb6, false);
        return 0;
    case RV_OP_LH:
        emit_load(t, in, 2, 0x0fbf, true);
        return 0;
    case RV_OP_LHU:
        emit_load(t, in, 2, 0x0fb7, false);
        return 0;
    case RV_OP_LW:
        emit_load(t, in, 4, 0x63, true);
        return 0;
    case RV_OP_LWU:
        emit_load(t, in, 4, 0x8b, false);
        return 0;
    case RV_OP_LD:
        emit_load(t, in, 8, 0x8b, true);
        return 0;
    case RV_OP_SB:
        emit_store(t, in, 1);
        return 0;
    case RV_OP_SH:
        emit_store(t, in, 2);
        return 0;
    case RV_OP_SW:
        emit_store(t, in, 4);
        return 0;
    case RV_OP_SD:
        emit_store(t, in, 8);
        return 0;
    case RV_OP_FLW:
        emit_fp_load(t, in, 4);
        return 0;
    case RV_OP_FLD:
        emit_fp_load(t, in, 8);
        return 0;
    case RV_OP_FSW:
        emit_fp_store(t, in, 4);
        return 0;
    case RV_OP_FSD:
        emit_fp_store(t, in, 8);
        return 0;
    default:
        if (rv_jit_is_fp_op(in->opc)) {
            if (!emit_fp_direct(t, in))
                emit_fp_op(t, in);
            return 0;
        }
        break;
    }

    if (in->rd == RV_XDISCARD) /* everything below only computes rd */
        switch (in->opc) {
        case RV_OP_ADDI ... RV_OP_SRAW:
        case RV_OP_MUL ... RV_OP_MULHU:
        case RV_OP_MULW:
            return 0;
        default:
            break; /* division helpers are pure too, but keep them simple */
        }

    switch (in->opc) {
    case RV_OP_ADDI:
        emit_alu_imm(t, in, X_ADD, true);
        return 0;
    case RV_OP_XORI:
        emit_alu_imm(t, in, X_XOR, true);
        return 0;
    case RV_OP_ORI:
        emit_alu_imm(t, in, X_OR, true);
        return 0;
    case RV_OP_ANDI:
        emit_alu_imm(t, in, X_AND, true);
        return 0;
    case RV_OP_SLTI:
        emit_set(t, in, X_CC_L, true);
        return 0;
    case RV_OP_SLTIU:
        emit_set(t, in, X_CC_B, true);
        return 0;
    case RV_OP_SLLI:
        emit_shift_imm(t, in, X_SHL, true);
        return 0;
    case RV_OP_SRLI:
        emit_shift_imm(t, in, X_SHR, true);
        return 0;
    case RV_OP_SRAI:
        emit_shift_imm(t, in, X_SAR, true);
        return 0;
    case RV_OP_ADD:
        emit_alu_reg(t, in, X_ADD, true);
        return 0;
    case RV_OP_SUB:
        emit_alu_reg(t, in, X_SUB, true);
        return 0;
    case RV_OP_XOR:
        emit_alu_reg(t, in, X_XOR, true);
        return 0;
    case RV_OP_OR:
        emit_alu_reg(t, in, X_OR, true);
        return 0;
    case RV_OP_AND:
        emit_alu_reg(t, in, X_AND, true);
        return 0;
    case RV_OP_SLT:
        emit_set(t, in, X_CC_L, false);
        return 0;
    case RV_OP_SLTU:
        emit_set(t, in, X_CC_B, false);
        return 0;
    case RV_OP_SLL:
        emit_shift_reg(t, in, X_SHL, true);
        return 0;
    case RV_OP_SRL:
        emit_shift_reg(t, in, X_SHR, true);
        return 0;
    case RV_OP_SRA:
        emit_shift_reg(t, in, X_SAR, true);
        return 0;
    case RV_OP_ADDIW:
        emit_alu_imm(t, in, X_ADD, false);
        return 0;
    case RV_OP_SLLIW:
        emit_shift_imm(t, in, X_SHL, false);
        return 0;
    case RV_OP_SRLIW:
        emit_shift_imm(t, in, X_SHR, false);
        return 0;
    case RV_OP_SRAIW:
        emit_shift_imm(t, in, X_SAR, false);
        return 0;
    case RV_OP_ADDW:
        emit_alu_reg(t, in, X_ADD, false);
        return 0;
    case RV_OP_SUBW:
        emit_alu_reg(t, in, X_SUB, false);
        return 0;
    case RV_OP_SLLW:
        emit_shift_reg(t, in, X_SHL, false);
        return 0;
    case RV_OP_SRLW:
        emit_shift_reg(t, in, X_SHR, false);
        return 0;
    case RV_OP_SRAW:
        emit_shift_reg(t, in, X_SAR, false);
        return 0;
    case RV_OP_MUL:
    case RV_OP_MULW:
        ld_x(t, X_RAX, in->rs1);
        ld_x(t, X_RCX, in->rs2);
        x_op_reg(e, in->opc == RV_OP_MUL, 0x0faf, X_RAX, X_RCX);
        if (in->opc == RV_OP_MULW)
            x_movsxd(e, X_RAX, X_RAX);
        st_x(t, in->rd, X_RAX);
        return 0;
    case RV_OP_MULH:
        emit_mulh(t, in, 5);
        return 0;
    case RV_OP_MULHU:
        emit_mulh(t, in, 4);
        return 0;
    case RV_OP_MULHSU:
        emit_call2(t, in, helper_mulhsu);
        return 0;
    case RV_OP_DIV:
        emit_call2(t, in, helper_div);
        return 0;
    case RV_OP_DIVU:
        emit_call2(t, in, helper_divu);
        return 0;
    case RV_OP_REM:
        emit_call2(t, in, helper_rem);
        return 0;
    case RV_OP_REMU:
        emit_call2(t, in, helper_remu);
        return 0;
    case RV_OP_DIVW:
        emit_call2(t, in, helper_divw);
        return 0;
    case RV_OP_DIVUW:
        emit_call2(t, in, helper_divuw);
        return 0;
    case RV_OP_REMW:
        emit_call2(t, in, helper_remw);
        return 0;
    case RV_OP_REMUW:
        emit_call2(t, in, helper_remuw);
        return 0;
    default:
        return -1;
    }
}

/* Guest registers (x1..x31) an instruction reads and writes; false if loop mode cannot take it. */
static bool insn_regs(const struct rv_insn *in, uint32_t *use, uint32_t *def)
{
    uint32_t u = 0, d = 0;
    switch (in->opc) {
    case RV_OP_LUI:
    case RV_OP_LI:
    case RV_OP_AUIPC:
    case RV_OP_JAL:
        d = 1u << in->rd;
        break;
    case RV_OP_BEQ ... RV_OP_BGEU:
    case RV_OP_SB ... RV_OP_SD:
        u = 1u << in->rs1 | 1u << in->rs2;
        break;
    case RV_OP_MV:
    case RV_OP_LB ... RV_OP_LWU:
    case RV_OP_ADDI ... RV_OP_SRAI:
    case RV_OP_ADDIW ... RV_OP_SRAIW:
        u = 1u << in->rs1;
        d = 1u << in->rd;
        break;
    case RV_OP_ADD ... RV_OP_AND:
    case RV_OP_ADDW ... RV_OP_SRAW:
    case RV_OP_MUL:
    case RV_OP_MULH:
    case RV_OP_MULHU:
    case RV_OP_MULW:
        u = 1u << in->rs1 | 1u << in->rs2;
        d = 1u << in->rd;
        break;
    case RV_OP_FENCE:
    case RV_OP_BLOCK_END:
        break;
    default:
        return false;
    }
    /* rd may be the discard slot (32): shifting by it is undefined, so mask explicitly */
    if (in->rd == RV_XDISCARD)
        d = 0;
    *use |= u & ~1u;
    *def |= d & ~1u;
    return true;
}

/* Whether b ends by branching or jumping back to its own start with few enough registers. */
static bool loop_regs(const struct rv_block *b, uint32_t *regs, uint32_t *def)
{
    uint32_t use = 0;
    *def = 0;
    for (unsigned i = 0;; i++) {
        const struct rv_insn *in = &b->insns[i];
        if (!insn_regs(in, &use, def))
            return false;
        if (in->opc == RV_OP_JAL || (in->opc >= RV_OP_BEQ && in->opc <= RV_OP_BGEU)) {
            if (b->pc + in->pc_off + (int64_t)in->imm != b->pc)
                return false;
            break;
        }
        if (in->opc == RV_OP_BLOCK_END)
            return false;
    }
    *regs = use | *def;
    return __builtin_popcount(*regs) <= RC_N;
}

void rv_jit_translate(struct rv_block *b)
{
    b->jit = NULL;
    b->jit_link[0] = b->jit_link[1] = NULL;
    if (!jit.enabled || !b->valid)
        return;
    struct rv_jit_tr t = {.e.p = jit.buf + jit.used, .b = b};
    memset(t.rc.guest, -1, sizeof(t.rc.guest));
    uint8_t *start = t.e.p;
    uint32_t regs, def;
    if (loop_regs(b, &regs, &def)) {
        /* all its registers cached for the whole loop: no eviction, fixed places */
        t.loop = true;
        for (int r = 1, i = 0; r < 32; r++)
            if (regs & (1u << r)) {
                t.rc.guest[i] = (int8_t)r;
                t.rc.dirty[i] = (def >> r) & 1;
                x_load(&t.e, true, rc_host[i], X_RBX, OFF_X(r));
                i++;
            }
        t.loop_head = t.e.p;
    }
    x_alu_imm(&t.e, true, X_ADD, X_R15, (int32_t)b->ninsns);
    for (unsigned i = 0;; i++) {
        const struct rv_insn *in = &b->insns[i];
        t.idx = i;
        int r = emit_insn(&t, in);
        if (r > 0)
            break;
        if (r < 0) {
            if (i == 0) /* nothing for the host to do: the interpreter runs the block */
                return;
            rc_writeback(&t.e, &t.rc, 0);
            emit_resume(&t, i);
            break;
        }
    }
    emit_slow_paths(&t);
    jit.used = ((size_t)(t.e.p - jit.buf) + 15) & ~(size_t)15;
    b->jit = start;
}

void rv_jit_link(struct rv_block *from, int slot, struct rv_block *to)
{
    if (from->jit_link[slot] && to->jit)
        x_patch_rel32(from->jit_link[slot], to->jit);
}

bool rv_jit_room(void)
{
    return !jit.enabled || jit.used + JIT_BLOCK_MAX <= JIT_BUF_SIZE;
}

void rv_jit_reset(void)
{
    jit.used = jit.base;
}

bool rv_jit_active(void)
{
    return jit.enabled;
}

void rv_jit_set_enabled(bool on)
{
    jit.enabled = on && jit.buf;
}

uintptr_t rv_jit_run(struct rv_cpu *c, const void *code)
{
    return jit.enter(c, code);
}

/* The trampoline: callee-saved registers, rbx = hart, r12 = data TLB, r15 = icount; the way back. */
static void emit_trampoline(void)
{
    static const int saved[] = {X_RBX, X_RBP, X_R12, X_R13, X_R14, X_R15};
    struct rv_jit_buf e = {jit.buf};
    jit.enter = (uintptr_t(*)(struct rv_cpu *, const void *))(void *)e.p;
    for (int i = 0; i < 6; i++) {
        x_rex(&e, false, 0, X_NONE, saved[i], false);
        x_u8(&e, 0x50 + (saved[i] & 7));
    }
    x_alu_imm(&e, true, X_SUB, X_RSP, 8); /* a scratch slot that also aligns calls to 16 */
    x_mov_rr(&e, true, X_RBX, X_RDI);
    x_load(&e, true, X_R12, X_RDI, OFF_DTLB);
    x_load(&e, true, X_R15, X_RDI, OFF_ICOUNT);
    x_jmp_reg(&e, X_RSI);

    e.p = (uint8_t *)(((uintptr_t)e.p + 15) & ~(uintptr_t)15);
    jit.exit0 = e.p;
    x_alu_rr(&e, false, X_XOR, X_RAX, X_RAX);
    jit.epilogue = e.p;
    x_store(&e, true, X_RBX, OFF_ICOUNT, X_R15);
    x_alu_imm(&e, true, X_ADD, X_RSP, 8);
    for (int i = 5; i >= 0; i--) {
        x_rex(&e, false, 0, X_NONE, saved[i], false);
        x_u8(&e, 0x58 + (saved[i] & 7));
    }
    x_u8(&e, 0xc3);
    jit.base = jit.used = ((size_t)(e.p - jit.buf) + 15) & ~(size_t)15;
}

int rv_jit_init(void)
{
    if (jit.buf)
        return 0;
    jit.buf = plat_code_alloc(JIT_BUF_SIZE);
    if (!jit.buf) {
        log_mask(LOG_GUEST_ERROR, "rv: no executable memory: interpreting only\n");
        return 0;
    }
    emit_trampoline();
    jit.enabled = true;
    return 0;
}

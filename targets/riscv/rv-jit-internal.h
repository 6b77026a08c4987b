/*
 * rv-jit-internal.h - shared by the JIT's block driver (rv-jit.c) and its
 * instruction translator (rv-jit-ops.c): the translation state, the
 * guest-register cache and the offsets host code uses.
 */
#ifndef TARGET_RISCV_JIT_INTERNAL_H
#define TARGET_RISCV_JIT_INTERNAL_H

#include <stddef.h>

#include "targets/riscv/rv-internal.h"
#include "targets/riscv/rv-jit-emit.h"
#include "targets/riscv/rv-jit.h"

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

/* Fixed stubs (rv-jit.c): return 0 (dispatch at c->pc), return rax. */
extern uint8_t *rv_jit_exit0, *rv_jit_epilogue;

static inline int rc_find(const struct rc_state *rc, unsigned r)
{
    for (int i = 0; i < RC_N; i++)
        if (rc->guest[i] == (int)r)
            return i;
    return -1;
}

/* Emit the stores that make c->x[] current for the cache state rc (which does not change). */
static inline void rc_writeback(struct rv_jit_buf *e, const struct rc_state *rc, int first)
{
    for (int i = first; i < RC_N; i++)
        if (rc->guest[i] >= 0 && rc->dirty[i])
            x_store(e, true, X_RBX, OFF_X(rc->guest[i]), rc_host[i]);
}

/* A slot for guest register r: free, or the least recently used one (written back). */
static inline int rc_alloc(struct rv_jit_tr *t, unsigned r)
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
static inline int rc_get(struct rv_jit_tr *t, unsigned r)
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
static inline int rc_def(struct rv_jit_tr *t, unsigned r)
{
    int i = rc_find(&t->rc, r);
    if (i < 0)
        i = rc_alloc(t, r);
    t->rc.dirty[i] = true;
    t->rc.used[i] = ++t->clock;
    return rc_host[i];
}

/* Before a call that may clobber caller-saved registers: write those back and forget them. */
static inline void rc_before_call(struct rv_jit_tr *t)
{
    rc_writeback(&t->e, &t->rc, RC_CALLER_SAVED_FIRST);
    for (int i = RC_CALLER_SAVED_FIRST; i < RC_N; i++)
        t->rc.guest[i] = -1;
}

static inline void ld_x(struct rv_jit_tr *t, int reg, unsigned r)
{
    if (r == 0)
        x_alu_rr(&t->e, false, X_XOR, reg, reg);
    else
        x_mov_rr(&t->e, true, reg, rc_get(t, r));
}
static inline void st_x(struct rv_jit_tr *t, unsigned r, int reg)
{
    if (r != RV_XDISCARD)
        x_mov_rr(&t->e, true, rc_def(t, r), reg);
}
/* op reg, x[r] */
static inline void op_x(struct rv_jit_tr *t, bool w, int op, int reg, unsigned r)
{
    if (r == 0)
        x_alu_imm(&t->e, w, op, reg, 0);
    else
        x_alu_rr(&t->e, w, op, reg, rc_get(t, r));
}
static inline void set_pc(struct rv_jit_tr *t, uint64_t pc)
{
    x_mov_imm(&t->e, X_RAX, pc);
    x_store(&t->e, true, X_RBX, OFF_PC, X_RAX);
}

/* rv-jit.c */
void rv_jit_emit_lookup(struct rv_jit_tr *t);
void rv_jit_emit_goto(struct rv_jit_tr *t, uint64_t target, int slot);
void rv_jit_emit_resume(struct rv_jit_tr *t, unsigned idx);
/* rv-jit-ops.c: 1 if the instruction ended the host code, 0 to go on, -1 if not handled */
int rv_jit_emit_insn(struct rv_jit_tr *t, const struct rv_insn *in);

#endif

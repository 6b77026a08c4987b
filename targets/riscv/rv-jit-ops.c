/*
 * rv-jit-ops.c - the JIT's instruction translator: x86-64 for one decoded
 * RISC-V instruction at a time (ALU, M, loads and stores with the inline
 * soft-TLB path, branches, F/D), against the guest-register cache of
 * rv-jit-internal.h. Semantics are the interpreter's (rv-exec.c), handler
 * for handler.
 */
#include "targets/riscv/rv-fpu.h"
#include "targets/riscv/rv-jit-internal.h"

/* ---- helpers called from generated code ---- */

static uint64_t helper_div(uint64_t a, uint64_t d)
{
    return d == 0                                          ? ~0ull
           : ((int64_t)a == INT64_MIN && (int64_t)d == -1) ? a
                                                           : (uint64_t)((int64_t)a / (int64_t)d);
}
static uint64_t helper_divu(uint64_t a, uint64_t d)
{
    return d == 0 ? ~0ull : a / d;
}
static uint64_t helper_rem(uint64_t a, uint64_t d)
{
    return d == 0                                          ? a
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
static void emit_call2(struct rv_jit_tr *t, const struct rv_insn *in,
                       uint64_t (*fn)(uint64_t, uint64_t))
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
        x_jmp(e, rv_jit_exit0);
        x_patch_rel32(out, e->p);
        rc_writeback(e, &t->rc, 0);
        rv_jit_emit_goto(t, fall, 1);
        return;
    }
    rc_writeback(e, &t->rc, 0); /* moves only: the flags survive */
    uint8_t *taken = x_jcc(e, cc, NULL);
    rv_jit_emit_goto(t, fall, 1);
    x_patch_rel32(taken, e->p);
    rv_jit_emit_goto(t, target, 0);
}

/* Emit one instruction: 1 if it ended the host code, 0 to go on, -1 if not handled. */
int rv_jit_emit_insn(struct rv_jit_tr *t, const struct rv_insn *in)
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
        rv_jit_emit_goto(t, pc + (int64_t)in->imm, 0);
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
        rv_jit_emit_lookup(t);
        return 1;
    case RV_OP_BLOCK_END:
        rc_writeback(e, &t->rc, 0);
        rv_jit_emit_goto(t, pc, 1);
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

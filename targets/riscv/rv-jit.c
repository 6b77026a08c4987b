/*
 * rv-jit.c - x86-64 code for decoded blocks: the block driver (exits,
 * chaining, slow paths, self-loops), the trampoline and the code buffer.
 * Instructions are translated by rv-jit-ops.c.
 *
 * Each translated block (struct rv_block) may get host code: the same
 * instructions, in the same order and with the same effects as the
 * interpreter's handlers. rbx holds the hart, r12 the data TLB, r15 the
 * instruction count; guest registers live in struct rv_cpu between blocks
 * and in a few host registers within one (rv-jit-internal.h). The block
 * counts its instructions on entry exactly as the interpreter does, leaves
 * for the dispatcher where the interpreter would, and chains to same-page
 * successors by jumps patched in place (rv_jit_link). Indirect jumps and
 * cross-page branches look up the hart's jump cache inline, with the same
 * fetch-TLB check as the dispatcher. A block that branches back to its own
 * start keeps its registers in host registers around the loop.
 *
 * Instructions the translator does not handle (CSRs, system instructions,
 * AMOs, and anything that would raise illegal-instruction) end the host
 * code: it returns to the interpreter, which resumes the same block at that
 * instruction without counting it again. A block starting with one has no
 * host code at all.
 *
 * Host code returns (to rv_exec) a uintptr_t: 0 to dispatch at c->pc;
 * block|1 or block|2 to dispatch and then link that block's exit 0 or 1 to
 * the block found; block|4 to resume interpreting block at insn c->jit_resume.
 */
#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "targets/riscv/rv-jit-internal.h"

#define JIT_BUF_SIZE (32u << 20)
/*
 * Room reserved for one block: no instruction needs 400 bytes with its
 * out-of-line paths (a branch with two lookups, an FP load with its FS and
 * TLB-miss paths, each writing back seven registers), so 512 is safe.
 */
#define JIT_BLOCK_MAX (TB_MAX_INSNS_JIT * 512u + 1024)

_Static_assert(sizeof(struct rv_tlb_entry) == 32, "TLB index scaling assumes 32-byte entries");
_Static_assert(MEM_PAGE_BITS == 12 && RV_TLB_BITS == 9, "TLB index computation");
_Static_assert(RV_JC_BITS == 12, "jump cache hash");

static struct {
    uint8_t *buf;
    size_t used, base; /* base: end of the fixed stubs, where blocks start */
    uintptr_t (*enter)(struct rv_cpu *c, const void *code);
    bool enabled;
} jit;

uint8_t *rv_jit_exit0, *rv_jit_epilogue;

/* ---- helpers called from generated code ---- */

static void helper_raise_pending(struct rv_cpu *c)
{
    rv_raise(c, c->exc_cause, c->exc_tval);
}

/* Leave for the dispatcher when icount reached icount_check (c->pc already set). */
static void icount_check(struct rv_jit_tr *t)
{
    x_alu_mem(&t->e, true, X_CMP, X_R15, X_RBX, OFF_ICHECK);
    x_jcc(&t->e, X_CC_AE, rv_jit_exit0);
}

/* rsi = target pc, already stored in c->pc: the jump cache lookup of the dispatcher, inline. */
void rv_jit_emit_lookup(struct rv_jit_tr *t)
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
    x_jcc(e, X_CC_E, rv_jit_exit0);
    x_alu_mem(e, true, X_CMP, X_RSI, X_RDX, OFF_B_PC);
    x_jcc(e, X_CC_NE, rv_jit_exit0);
    x_mov_rr(e, false, X_RAX, X_RSI);
    x_shift_imm(e, false, X_SHR, X_RAX, 7);
    x_alu_imm(e, false, X_AND, X_RAX, (RV_TLB_SIZE - 1) << 5);
    x_alu_mem(e, true, X_ADD, X_RAX, X_RBX, OFF_ITLB); /* rax = fetch TLB entry */
    x_mov_rr(e, true, X_RCX, X_RSI);
    x_alu_imm(e, true, X_AND, X_RCX, (int32_t)RV_PAGE_MASK);
    x_alu_mem(e, true, X_CMP, X_RCX, X_RAX, OFF_TAG_X);
    x_jcc(e, X_CC_NE, rv_jit_exit0);
    x_load(e, true, X_RCX, X_RAX, OFF_ADDEND);
    x_alu_rr(e, true, X_ADD, X_RCX, X_RSI);
    x_alu_mem(e, true, X_CMP, X_RCX, X_RDX, OFF_B_HOST);
    x_jcc(e, X_CC_NE, rv_jit_exit0);
    x_load(e, true, X_RAX, X_RDX, OFF_B_JIT);
    x_op_reg(e, true, 0x85, X_RAX, X_RAX);
    x_jcc(e, X_CC_E, rv_jit_exit0);
    x_jmp_reg(e, X_RAX);
}

/* Control leaves the block for target (exit slot for chaining when in the same page). */
void rv_jit_emit_goto(struct rv_jit_tr *t, uint64_t target, int slot)
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
        x_jmp(e, rv_jit_exit0);
    } else if (((target ^ t->b->pc) & RV_PAGE_MASK) == 0) {
        x_alu_mem(e, true, X_CMP, X_R15, X_RBX, OFF_ICHECK);
        uint8_t *to_check = x_jcc(e, X_CC_AE, NULL);
        uint8_t *link = x_jmp(e, NULL);
        t->b->jit_link[slot] = link;
        /* not linked yet: set pc and ask the dispatcher to link this exit */
        x_patch_rel32(link, e->p);
        set_pc(t, target);
        x_mov_imm(e, X_RAX, (uintptr_t)t->b | (uintptr_t)(slot + 1));
        x_jmp(e, rv_jit_epilogue);
        x_patch_rel32(to_check, e->p);
        set_pc(t, target);
        x_jmp(e, rv_jit_exit0);
    } else {
        x_mov_imm(e, X_RSI, target);
        x_store(e, true, X_RBX, OFF_PC, X_RSI);
        rv_jit_emit_lookup(t);
    }
}

/* Return to the interpreter, which runs the block on from insn idx (already counted). */
void rv_jit_emit_resume(struct rv_jit_tr *t, unsigned idx)
{
    x_op_mem(&t->e, 0, false, 0xc7, 0, X_RBX, X_NONE, OFF_RESUME, false);
    x_u32(&t->e, idx);
    x_mov_imm(&t->e, X_RAX, (uintptr_t)t->b | RV_JIT_RESUME);
    x_jmp(&t->e, rv_jit_epilogue);
}

static void emit_raise_pending(struct rv_jit_tr *t, const struct rv_insn *in)
{
    set_pc(t, insn_pc(t, in));
    x_mov_rr(&t->e, true, X_RDI, X_RBX);
    x_call(&t->e, (const void *)helper_raise_pending);
    x_load(&t->e, true, X_R15, X_RBX, OFF_ICOUNT);
    x_jmp(&t->e, rv_jit_exit0);
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
            rv_jit_emit_resume(t, s->size);
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
            x_jmp(e, rv_jit_exit0);
            x_patch_rel32(fault, e->p);
            emit_raise_pending(t, s->in);
        }
    }
}

/* The mask bit of register r; the discard register (RV_XDISCARD, past x31) has none. */
static inline uint32_t reg_bit(unsigned r)
{
    return r < 32 ? 1u << r : 0;
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
        d = reg_bit(in->rd);
        break;
    case RV_OP_BEQ ... RV_OP_BGEU:
    case RV_OP_SB ... RV_OP_SD:
        u = reg_bit(in->rs1) | reg_bit(in->rs2);
        break;
    case RV_OP_MV:
    case RV_OP_LB ... RV_OP_LWU:
    case RV_OP_ADDI ... RV_OP_SRAI:
    case RV_OP_ADDIW ... RV_OP_SRAIW:
        u = reg_bit(in->rs1);
        d = reg_bit(in->rd);
        break;
    case RV_OP_ADD ... RV_OP_AND:
    case RV_OP_ADDW ... RV_OP_SRAW:
    case RV_OP_MUL:
    case RV_OP_MULH:
    case RV_OP_MULHU:
    case RV_OP_MULW:
        u = reg_bit(in->rs1) | reg_bit(in->rs2);
        d = reg_bit(in->rd);
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
        int r = rv_jit_emit_insn(&t, in);
        if (r > 0)
            break;
        if (r < 0) {
            if (i == 0) /* nothing for the host to do: the interpreter runs the block */
                return;
            rc_writeback(&t.e, &t.rc, 0);
            rv_jit_emit_resume(&t, i);
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

/* The trampoline: callee-saved registers, rbx = hart, r12 = data TLB, r15 = icount; the exits. */
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
    rv_jit_exit0 = e.p;
    x_alu_rr(&e, false, X_XOR, X_RAX, X_RAX);
    rv_jit_epilogue = e.p;
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

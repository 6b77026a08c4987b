/*
 * rv-exec.c - the interpreter: threaded dispatch over decoded blocks.
 *
 * Each decoded instruction holds the address of its handler label; a
 * handler ends by jumping straight to the next one (GCC computed goto), so
 * there is no per-instruction call or switch. Blocks end in a control
 * transfer that follows the block's chain pointer when set, so hot loops run
 * without a hash lookup. The clock, exit requests and interrupts are looked
 * at only when icount passes icount_check (every CHECK_INTERVAL retired
 * instructions, or at once when an interrupt becomes pending or a kick
 * arrives), keeping that off the hot path.
 */
#include <string.h>

#include "emu-core/platform.h"
#include "targets/riscv/rv-fpu.h"
#include "targets/riscv/rv-internal.h"
#include "targets/riscv/rv-jit.h"

#define CHECK_INTERVAL 8192

static inline uint32_t unbox_s(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u;
}
static inline uint64_t box_s(uint32_t v)
{
    return 0xffffffff00000000ull | v;
}

static uint64_t amo_compute(unsigned f5, uint64_t old, uint64_t src, bool w)
{
    if (w) {
        old = (uint64_t)(int64_t)(int32_t)old;
        src = (uint64_t)(int64_t)(int32_t)src;
    }
    uint64_t uo = w ? (uint32_t)old : old, us = w ? (uint32_t)src : src;
    switch (f5) {
    case 0:
        return old + src;
    case 1:
        return src;
    case 4:
        return old ^ src;
    case 8:
        return old | src;
    case 12:
        return old & src;
    case 16:
        return (int64_t)old < (int64_t)src ? old : src;
    case 20:
        return (int64_t)old > (int64_t)src ? old : src;
    case 24:
        return uo < us ? old : src;
    default:
        return uo > us ? old : src;
    }
}

static inline uint64_t mulh(int64_t a, int64_t b)
{
    return (uint64_t)(((__int128)a * b) >> 64);
}
static inline uint64_t mulhu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static inline uint64_t mulhsu(int64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)a * (__int128)(unsigned __int128)b) >> 64);
}

void rv_exec_init(void)
{
    rv_exec(NULL, NULL);
}

int rv_exec(struct rv_cpu *c, struct vcpu_exit *exit)
{
#define RV_LABEL(n) &&L_##n,
    static const void *const labels[RV_NOPS] = {RV_OPS(RV_LABEL)};
    if (!c) {
        rv_op_labels = labels;
        return 0;
    }

    uint64_t *const x = c->x;
    uint64_t *const f = c->f;
    struct vcpu *const vcpu = c->vcpu;
    struct rv_block *b, *prev;
    int prev_slot = 0;
    const struct rv_insn *in;
    struct rv_tlb_entry *dtlb;

    /* run at least a little before looking at the clock, so every call makes progress */
    c->icount_check = c->icount + 64;

#define PC (b->pc + in->pc_off)
#define NPC (PC + in->len)
#define RD x[in->rd]
#define RS1 x[in->rs1]
#define RS2 x[in->rs2]
#define IMM ((int64_t)in->imm)
#define NEXT                                                                                       \
    do {                                                                                           \
        in++;                                                                                      \
        goto * in->op;                                                                             \
    } while (0)
#define CHAIN(slot, target)                                                                        \
    do {                                                                                           \
        c->pc = (target);                                                                          \
        if (unlikely(c->icount >= c->icount_check))                                                \
            goto dispatch;                                                                         \
        struct rv_block *nb_ = b->chain[slot];                                                     \
        if (likely(nb_ != NULL)) {                                                                 \
            b = nb_;                                                                               \
            goto exec_block;                                                                       \
        }                                                                                          \
        prev = b;                                                                                  \
        prev_slot = (slot);                                                                        \
        goto dispatch_link;                                                                        \
    } while (0)
#define RAISE(cause, tval)                                                                         \
    do {                                                                                           \
        c->pc = PC;                                                                                \
        rv_raise(c, (cause), (tval));                                                              \
        goto dispatch;                                                                             \
    } while (0)
#define TLB_IDX(a) (((a) >> MEM_PAGE_BITS) & (RV_TLB_SIZE - 1))
#define LOAD_AT(type, size, addr, dst)                                                             \
    do {                                                                                           \
        uint64_t a_ = (addr);                                                                      \
        const struct rv_tlb_entry *e_ = &dtlb[TLB_IDX(a_)];                                        \
        if (likely(e_->tag_r == (a_ & (RV_PAGE_MASK | ((size)-1))))) {                             \
            type v_;                                                                               \
            memcpy(&v_, (const void *)(e_->addend + a_), (size));                                  \
            dst = v_;                                                                              \
        } else {                                                                                   \
            uint64_t v_;                                                                           \
            if (unlikely(rv_load_slow(c, a_, (size), &v_)))                                        \
                goto raise_pending;                                                                \
            dst = (type)v_;                                                                        \
        }                                                                                          \
    } while (0)
#define STORE_AT(size, addr, val)                                                                  \
    do {                                                                                           \
        uint64_t a_ = (addr), sv_ = (val);                                                         \
        const struct rv_tlb_entry *e_ = &dtlb[TLB_IDX(a_)];                                        \
        if (likely(e_->tag_w == (a_ & (RV_PAGE_MASK | ((size)-1))))) {                             \
            memcpy((void *)(e_->addend + a_), &sv_, (size));                                       \
        } else {                                                                                   \
            if (unlikely(rv_store_slow(c, a_, (size), sv_)))                                       \
                goto raise_pending;                                                                \
            if (unlikely(c->tb_dirty)) {                                                           \
                c->pc = NPC;                                                                       \
                goto dispatch;                                                                     \
            }                                                                                      \
        }                                                                                          \
    } while (0)
#define FP_CHECK()                                                                                 \
    do {                                                                                           \
        if (unlikely(!(c->mstatus & MSTATUS_FS)))                                                  \
            goto illegal;                                                                          \
    } while (0)
#define FP_RM(var)                                                                                 \
    int var = in->aux == RV_RM_DYN ? (int)c->frm : in->aux;                                        \
    if (unlikely(var > RV_RM_RMM))                                                                 \
        goto illegal;
#define FD f[in->rd]
#define FS1 f[in->rs1]
#define FS2 f[in->rs2]
#define FS3 f[in->rs3]
#define FL (&c->fflags)
#define SETF(v)                                                                                    \
    do {                                                                                           \
        FD = (v);                                                                                  \
        rv_fs_dirty(c);                                                                            \
        NEXT;                                                                                      \
    } while (0)

dispatch:
    prev = NULL;
dispatch_link:
    if (unlikely(c->tb_dirty)) {
        c->tb_dirty = false;
        rv_tb_maybe_flush();
        prev = NULL;
    }
    if (unlikely(c->irq_pend)) {
        rv_take_interrupt(c);
        prev = NULL;
    }
    if (unlikely(c->icount >= c->icount_check)) {
        if (vcpu->exit_request || plat_clock_ns() >= vcpu->slice_end_ns) {
            exit->reason = VCPU_EXIT_KICKED;
            return 0;
        }
        c->icount_check = c->icount + CHECK_INTERVAL;
    }
    dtlb = c->dtlb;
    {
        uint64_t pc = c->pc;
        const struct rv_tlb_entry *ie = &c->itlb[TLB_IDX(pc)];
        b = c->jc[rv_jc_hash(pc)];
        if (unlikely(!b || b->pc != pc || ie->tag_x != (pc & RV_PAGE_MASK) ||
                     b->host != ie->addend + pc)) {
            uint64_t gen = rv_tb_generation;
            b = rv_tb_find(c, pc);
            if (!b) {
                c->icount++; /* a fetch fault: count it so trap loops still end the slice */
                goto dispatch;
            }
            if (gen != rv_tb_generation)
                prev = NULL;
        }
        if (prev)
            rv_tb_link(prev, prev_slot, b);
    }
exec_block:
    if (b->jit) {
        uintptr_t r = rv_jit_run(c, b->jit);
        if (likely(!(r & RV_JIT_RESUME))) {
            prev = (struct rv_block *)(r & ~(uintptr_t)RV_JIT_FLAGS);
            prev_slot = (r & RV_JIT_LINK1) ? 1 : 0;
            goto dispatch_link;
        }
        /* the host code stopped before an instruction it leaves to us; icount is counted */
        b = (struct rv_block *)(r & ~(uintptr_t)RV_JIT_FLAGS);
        in = &b->insns[c->jit_resume];
        dtlb = c->dtlb;
        goto * in->op;
    }
    c->icount += b->ninsns;
    in = b->insns;
    goto * in->op;

raise_pending:
    c->pc = PC;
    rv_raise(c, c->exc_cause, c->exc_tval);
    goto dispatch;

illegal:
L_ILLEGAL:
    RAISE(RV_EXC_ILLEGAL, in->raw);

L_BLOCK_END:
    CHAIN(1, PC);

    /* ---- RV64I ---- */
L_LUI:
    RD = IMM;
    NEXT;
L_LI:
    RD = IMM;
    NEXT;
L_MV:
    RD = RS1;
    NEXT;
L_AUIPC:
    RD = PC + IMM;
    NEXT;
L_JAL : {
    uint64_t t = PC + IMM;
    RD = NPC;
    CHAIN(0, t);
}
L_JALR : {
    /* indirect: the jump cache, checked against the fetch TLB, without the full dispatch */
    uint64_t t = (RS1 + IMM) & ~1ull;
    RD = NPC;
    c->pc = t;
    if (unlikely(c->icount >= c->icount_check))
        goto dispatch;
    const struct rv_tlb_entry *ie = &c->itlb[TLB_IDX(t)];
    struct rv_block *nb = c->jc[rv_jc_hash(t)];
    if (likely(nb && nb->pc == t && ie->tag_x == (t & RV_PAGE_MASK) &&
               nb->host == ie->addend + t)) {
        b = nb;
        goto exec_block;
    }
    goto dispatch;
}
L_BEQ:
    if (RS1 == RS2)
        CHAIN(0, PC + IMM);
    CHAIN(1, NPC);
L_BNE:
    if (RS1 != RS2)
        CHAIN(0, PC + IMM);
    CHAIN(1, NPC);
L_BLT:
    if ((int64_t)RS1 < (int64_t)RS2)
        CHAIN(0, PC + IMM);
    CHAIN(1, NPC);
L_BGE:
    if ((int64_t)RS1 >= (int64_t)RS2)
        CHAIN(0, PC + IMM);
    CHAIN(1, NPC);
L_BLTU:
    if (RS1 < RS2)
        CHAIN(0, PC + IMM);
    CHAIN(1, NPC);
L_BGEU:
    if (RS1 >= RS2)
        CHAIN(0, PC + IMM);
    CHAIN(1, NPC);

L_LB:
    LOAD_AT(int8_t, 1, RS1 + IMM, RD);
    NEXT;
L_LH:
    LOAD_AT(int16_t, 2, RS1 + IMM, RD);
    NEXT;
L_LW:
    LOAD_AT(int32_t, 4, RS1 + IMM, RD);
    NEXT;
L_LD:
    LOAD_AT(uint64_t, 8, RS1 + IMM, RD);
    NEXT;
L_LBU:
    LOAD_AT(uint8_t, 1, RS1 + IMM, RD);
    NEXT;
L_LHU:
    LOAD_AT(uint16_t, 2, RS1 + IMM, RD);
    NEXT;
L_LWU:
    LOAD_AT(uint32_t, 4, RS1 + IMM, RD);
    NEXT;
L_SB:
    STORE_AT(1, RS1 + IMM, RS2);
    NEXT;
L_SH:
    STORE_AT(2, RS1 + IMM, RS2);
    NEXT;
L_SW:
    STORE_AT(4, RS1 + IMM, RS2);
    NEXT;
L_SD:
    STORE_AT(8, RS1 + IMM, RS2);
    NEXT;

L_ADDI:
    RD = RS1 + IMM;
    NEXT;
L_SLTI:
    RD = (int64_t)RS1 < IMM;
    NEXT;
L_SLTIU:
    RD = RS1 < (uint64_t)IMM;
    NEXT;
L_XORI:
    RD = RS1 ^ IMM;
    NEXT;
L_ORI:
    RD = RS1 | IMM;
    NEXT;
L_ANDI:
    RD = RS1 & IMM;
    NEXT;
L_SLLI:
    RD = RS1 << in->imm;
    NEXT;
L_SRLI:
    RD = RS1 >> in->imm;
    NEXT;
L_SRAI:
    RD = (int64_t)RS1 >> in->imm;
    NEXT;
L_ADD:
    RD = RS1 + RS2;
    NEXT;
L_SUB:
    RD = RS1 - RS2;
    NEXT;
L_SLL:
    RD = RS1 << (RS2 & 63);
    NEXT;
L_SLT:
    RD = (int64_t)RS1 < (int64_t)RS2;
    NEXT;
L_SLTU:
    RD = RS1 < RS2;
    NEXT;
L_XOR:
    RD = RS1 ^ RS2;
    NEXT;
L_SRL:
    RD = RS1 >> (RS2 & 63);
    NEXT;
L_SRA:
    RD = (int64_t)RS1 >> (RS2 & 63);
    NEXT;
L_OR:
    RD = RS1 | RS2;
    NEXT;
L_AND:
    RD = RS1 & RS2;
    NEXT;
L_ADDIW:
    RD = (int64_t)(int32_t)(RS1 + IMM);
    NEXT;
L_SLLIW:
    RD = (int64_t)(int32_t)((uint32_t)RS1 << in->imm);
    NEXT;
L_SRLIW:
    RD = (int64_t)(int32_t)((uint32_t)RS1 >> in->imm);
    NEXT;
L_SRAIW:
    RD = (int64_t)((int32_t)RS1 >> in->imm);
    NEXT;
L_ADDW:
    RD = (int64_t)(int32_t)(RS1 + RS2);
    NEXT;
L_SUBW:
    RD = (int64_t)(int32_t)(RS1 - RS2);
    NEXT;
L_SLLW:
    RD = (int64_t)(int32_t)((uint32_t)RS1 << (RS2 & 31));
    NEXT;
L_SRLW:
    RD = (int64_t)(int32_t)((uint32_t)RS1 >> (RS2 & 31));
    NEXT;
L_SRAW:
    RD = (int64_t)((int32_t)RS1 >> (RS2 & 31));
    NEXT;

    /* ---- M ---- */
L_MUL:
    RD = RS1 * RS2;
    NEXT;
L_MULH:
    RD = mulh(RS1, RS2);
    NEXT;
L_MULHSU:
    RD = mulhsu(RS1, RS2);
    NEXT;
L_MULHU:
    RD = mulhu(RS1, RS2);
    NEXT;
L_DIV : {
    int64_t a = RS1, d = RS2;
    RD = d == 0 ? ~0ull : (a == INT64_MIN && d == -1) ? (uint64_t)a : (uint64_t)(a / d);
    NEXT;
}
L_DIVU:
    RD = RS2 == 0 ? ~0ull : RS1 / RS2;
    NEXT;
L_REM : {
    int64_t a = RS1, d = RS2;
    RD = d == 0 ? (uint64_t)a : (a == INT64_MIN && d == -1) ? 0 : (uint64_t)(a % d);
    NEXT;
}
L_REMU:
    RD = RS2 == 0 ? RS1 : RS1 % RS2;
    NEXT;
L_MULW:
    RD = (int64_t)(int32_t)(RS1 * RS2);
    NEXT;
L_DIVW : {
    int32_t a = RS1, d = RS2;
    RD = d == 0                        ? ~0ull
         : (a == INT32_MIN && d == -1) ? (uint64_t)(int64_t)a
                                       : (uint64_t)(int64_t)(a / d);
    NEXT;
}
L_DIVUW : {
    uint32_t a = RS1, d = RS2;
    RD = d == 0 ? ~0ull : (uint64_t)(int64_t)(int32_t)(a / d);
    NEXT;
}
L_REMW : {
    int32_t a = RS1, d = RS2;
    RD = d == 0                        ? (uint64_t)(int64_t)a
         : (a == INT32_MIN && d == -1) ? 0
                                       : (uint64_t)(int64_t)(a % d);
    NEXT;
}
L_REMUW : {
    uint32_t a = RS1, d = RS2;
    RD = (uint64_t)(int64_t)(int32_t)(d == 0 ? a : a % d);
    NEXT;
}

    /* ---- A ---- */
L_LR_W : {
    uint64_t a = RS1;
    int32_t v;
    if (a & 3)
        RAISE(RV_EXC_LOAD_MISALIGNED, a);
    LOAD_AT(int32_t, 4, a, v);
    c->res_addr = a;
    c->res_val = (uint64_t)(int64_t)v;
    RD = (uint64_t)(int64_t)v;
    NEXT;
}
L_LR_D : {
    uint64_t a = RS1, v;
    if (a & 7)
        RAISE(RV_EXC_LOAD_MISALIGNED, a);
    LOAD_AT(uint64_t, 8, a, v);
    c->res_addr = a;
    c->res_val = v;
    RD = v;
    NEXT;
}
L_SC_W:
L_SC_D : {
    /*
     * As QEMU 7.2 with one hart: a reservation mismatch fails without
     * touching memory; otherwise a load (faulting as a load), then a store
     * of the new value or, if the value changed, of the old one.
     */
    bool w = in->opc == RV_OP_SC_W;
    unsigned size = w ? 4 : 8;
    uint64_t a = RS1, cur;
    if (c->res_addr != a) {
        c->res_addr = ~0ull;
        RD = 1;
        NEXT;
    }
    c->res_addr = ~0ull;
    if (a & (size - 1))
        RAISE(RV_EXC_LOAD_MISALIGNED, a);
    if (rv_load_slow(c, a, size, &cur))
        goto raise_pending;
    if (w)
        cur = (uint64_t)(int64_t)(int32_t)cur;
    bool ok = cur == c->res_val;
    uint64_t v = ok ? RS2 : cur;
    STORE_AT(size, a, v);
    RD = !ok;
    NEXT;
}
L_AMO_W:
L_AMO_D : {
    /* QEMU 7.2 with one hart: alignment checked as a load, then load, then store */
    bool w = in->opc == RV_OP_AMO_W;
    unsigned size = w ? 4 : 8;
    uint64_t a = RS1, old;
    if (a & (size - 1))
        RAISE(RV_EXC_LOAD_MISALIGNED, a);
    const struct rv_tlb_entry *e = &dtlb[TLB_IDX(a)];
    if (likely(e->tag_w == (a & RV_PAGE_MASK) && e->tag_r == e->tag_w)) {
        void *p = (void *)(e->addend + a);
        if (w) {
            uint32_t o;
            memcpy(&o, p, 4);
            old = (uint64_t)(int64_t)(int32_t)o;
            uint32_t nv = amo_compute(in->imm, old, RS2, true);
            memcpy(p, &nv, 4);
        } else {
            memcpy(&old, p, 8);
            uint64_t nv = amo_compute(in->imm, old, RS2, false);
            memcpy(p, &nv, 8);
        }
        RD = old;
        NEXT;
    }
    if (rv_load_slow(c, a, size, &old))
        goto raise_pending;
    if (w)
        old = (uint64_t)(int64_t)(int32_t)old;
    uint64_t nv = amo_compute(in->imm, old, RS2, w);
    STORE_AT(size, a, nv);
    RD = old;
    NEXT;
}

    /* ---- system ---- */
L_FENCE:
    NEXT;
L_FENCE_I:
    /* stores to translated code already dropped it; the block ends here */
    c->pc = NPC;
    goto dispatch;
L_ECALL:
    RAISE(RV_EXC_ECALL_U + c->priv, 0);
L_EBREAK:
    RAISE(RV_EXC_BREAKPOINT, 0);
L_MRET:
    if (c->priv != RV_PRV_M)
        goto illegal;
    rv_mret(c);
    goto dispatch;
L_SRET:
    if (c->priv == RV_PRV_U || (c->priv == RV_PRV_S && (c->mstatus & MSTATUS_TSR)))
        goto illegal;
    rv_sret(c);
    goto dispatch;
L_WFI:
    if (c->priv == RV_PRV_U || (c->priv == RV_PRV_S && (c->mstatus & MSTATUS_TW)))
        goto illegal;
    c->pc = NPC;
    if (!((c->mip_sw | c->mip_hw) & c->mie)) {
        exit->reason = VCPU_EXIT_HALT;
        return 0;
    }
    goto dispatch;
L_SFENCE_VMA:
    if (c->priv == RV_PRV_U || (c->priv == RV_PRV_S && (c->mstatus & MSTATUS_TVM)))
        goto illegal;
    if (in->rs1)
        rv_tlb_flush_page(c, RS1);
    else
        rv_tlb_flush(c);
    c->pc = NPC;
    goto dispatch;
L_CSR : {
    unsigned f3 = in->aux;
    uint64_t src = (f3 & 4) ? in->rs1 : RS1, old;
    /* as QEMU 7.2: csrrs/csrrc write (and need a writable CSR) only with a non-zero mask */
    bool write = (f3 & 3) == 1 || src != 0;
    c->pc = PC;
    if (rv_csr_op(c, in->imm, f3, src, write, (f3 & 3) != 1 || in->rd != 0, &old))
        goto illegal;
    if (in->rd)
        x[in->rd] = old;
    c->pc = NPC;
    goto dispatch;
}

    /* ---- F and D ---- */
L_FLW : {
    uint32_t v;
    FP_CHECK();
    LOAD_AT(uint32_t, 4, RS1 + IMM, v);
    SETF(box_s(v));
}
L_FLD : {
    uint64_t v;
    FP_CHECK();
    LOAD_AT(uint64_t, 8, RS1 + IMM, v);
    SETF(v);
}
L_FSW:
    FP_CHECK();
    STORE_AT(4, RS1 + IMM, (uint32_t)FS2);
    NEXT;
L_FSD:
    FP_CHECK();
    STORE_AT(8, RS1 + IMM, FS2);
    NEXT;

#define FP3(name, fn, w)                                                                           \
    L_##name:                                                                                      \
    {                                                                                              \
        FP_CHECK();                                                                                \
        FP_RM(rm);                                                                                 \
        if (w)                                                                                     \
            SETF(box_s(fn(unbox_s(FS1), unbox_s(FS2), unbox_s(FS3), rm, FL)));                     \
        else                                                                                       \
            SETF(fn(FS1, FS2, FS3, rm, FL));                                                       \
    }
    FP3(FMADD_S, rv_f32_madd, 1)
    FP3(FMSUB_S, rv_f32_msub, 1)
    FP3(FNMSUB_S, rv_f32_nmsub, 1)
    FP3(FNMADD_S, rv_f32_nmadd, 1)
    FP3(FMADD_D, rv_f64_madd, 0)
    FP3(FMSUB_D, rv_f64_msub, 0)
    FP3(FNMSUB_D, rv_f64_nmsub, 0)
    FP3(FNMADD_D, rv_f64_nmadd, 0)

#define FP2(name, fn, w)                                                                           \
    L_##name:                                                                                      \
    {                                                                                              \
        FP_CHECK();                                                                                \
        FP_RM(rm);                                                                                 \
        if (w)                                                                                     \
            SETF(box_s(fn(unbox_s(FS1), unbox_s(FS2), rm, FL)));                                   \
        else                                                                                       \
            SETF(fn(FS1, FS2, rm, FL));                                                            \
    }
    FP2(FADD_S, rv_f32_add, 1)
    FP2(FSUB_S, rv_f32_sub, 1)
    FP2(FMUL_S, rv_f32_mul, 1)
    FP2(FDIV_S, rv_f32_div, 1)
    FP2(FADD_D, rv_f64_add, 0)
    FP2(FSUB_D, rv_f64_sub, 0)
    FP2(FMUL_D, rv_f64_mul, 0)
    FP2(FDIV_D, rv_f64_div, 0)

L_FSQRT_S : {
    FP_CHECK();
    FP_RM(rm);
    SETF(box_s(rv_f32_sqrt(unbox_s(FS1), rm, FL)));
}
L_FSQRT_D : {
    FP_CHECK();
    FP_RM(rm);
    SETF(rv_f64_sqrt(FS1, rm, FL));
}

L_FSGNJ_S:
    FP_CHECK();
    SETF(box_s((unbox_s(FS1) & 0x7fffffffu) | (unbox_s(FS2) & 0x80000000u)));
L_FSGNJN_S:
    FP_CHECK();
    SETF(box_s((unbox_s(FS1) & 0x7fffffffu) | (~unbox_s(FS2) & 0x80000000u)));
L_FSGNJX_S:
    FP_CHECK();
    SETF(box_s(unbox_s(FS1) ^ (unbox_s(FS2) & 0x80000000u)));
L_FSGNJ_D:
    FP_CHECK();
    SETF((FS1 & ~(1ull << 63)) | (FS2 & (1ull << 63)));
L_FSGNJN_D:
    FP_CHECK();
    SETF((FS1 & ~(1ull << 63)) | (~FS2 & (1ull << 63)));
L_FSGNJX_D:
    FP_CHECK();
    SETF(FS1 ^ (FS2 & (1ull << 63)));

L_FMIN_S:
    FP_CHECK();
    SETF(box_s(rv_f32_min(unbox_s(FS1), unbox_s(FS2), FL)));
L_FMAX_S:
    FP_CHECK();
    SETF(box_s(rv_f32_max(unbox_s(FS1), unbox_s(FS2), FL)));
L_FMIN_D:
    FP_CHECK();
    SETF(rv_f64_min(FS1, FS2, FL));
L_FMAX_D:
    FP_CHECK();
    SETF(rv_f64_max(FS1, FS2, FL));

#define FTOI(name, fn, w)                                                                          \
    L_##name:                                                                                      \
    {                                                                                              \
        FP_CHECK();                                                                                \
        FP_RM(rm);                                                                                 \
        RD = (w) ? fn(unbox_s(FS1), rm, FL) : fn(FS1, rm, FL);                                     \
        NEXT;                                                                                      \
    }
    FTOI(FCVT_W_S, rv_f32_to_i32, 1)
    FTOI(FCVT_WU_S, rv_f32_to_u32, 1)
    FTOI(FCVT_L_S, rv_f32_to_i64, 1)
    FTOI(FCVT_LU_S, rv_f32_to_u64, 1)
    FTOI(FCVT_W_D, rv_f64_to_i32, 0)
    FTOI(FCVT_WU_D, rv_f64_to_u32, 0)
    FTOI(FCVT_L_D, rv_f64_to_i64, 0)
    FTOI(FCVT_LU_D, rv_f64_to_u64, 0)

#define ITOF(name, fn, w)                                                                          \
    L_##name:                                                                                      \
    {                                                                                              \
        FP_CHECK();                                                                                \
        FP_RM(rm);                                                                                 \
        if (w)                                                                                     \
            SETF(box_s(fn(RS1, rm, FL)));                                                          \
        else                                                                                       \
            SETF(fn(RS1, rm, FL));                                                                 \
    }
    ITOF(FCVT_S_W, rv_i32_to_f32, 1)
    ITOF(FCVT_S_WU, rv_u32_to_f32, 1)
    ITOF(FCVT_S_L, rv_i64_to_f32, 1)
    ITOF(FCVT_S_LU, rv_u64_to_f32, 1)
    ITOF(FCVT_D_W, rv_i32_to_f64, 0)
    ITOF(FCVT_D_WU, rv_u32_to_f64, 0)
    ITOF(FCVT_D_L, rv_i64_to_f64, 0)
    ITOF(FCVT_D_LU, rv_u64_to_f64, 0)

L_FCVT_S_D : {
    FP_CHECK();
    FP_RM(rm);
    SETF(box_s(rv_f64_to_f32(FS1, rm, FL)));
}
L_FCVT_D_S : {
    FP_CHECK();
    FP_RM(rm);
    (void)rm;
    SETF(rv_f32_to_f64(unbox_s(FS1), FL));
}

L_FMV_X_W:
    FP_CHECK();
    RD = (uint64_t)(int64_t)(int32_t)(uint32_t)FS1;
    NEXT;
L_FMV_X_D:
    FP_CHECK();
    RD = FS1;
    NEXT;
L_FMV_W_X:
    FP_CHECK();
    SETF(box_s((uint32_t)RS1));
L_FMV_D_X:
    FP_CHECK();
    SETF(RS1);
L_FEQ_S:
    FP_CHECK();
    RD = rv_f32_eq(unbox_s(FS1), unbox_s(FS2), FL);
    NEXT;
L_FLT_S:
    FP_CHECK();
    RD = rv_f32_lt(unbox_s(FS1), unbox_s(FS2), FL);
    NEXT;
L_FLE_S:
    FP_CHECK();
    RD = rv_f32_le(unbox_s(FS1), unbox_s(FS2), FL);
    NEXT;
L_FEQ_D:
    FP_CHECK();
    RD = rv_f64_eq(FS1, FS2, FL);
    NEXT;
L_FLT_D:
    FP_CHECK();
    RD = rv_f64_lt(FS1, FS2, FL);
    NEXT;
L_FLE_D:
    FP_CHECK();
    RD = rv_f64_le(FS1, FS2, FL);
    NEXT;
L_FCLASS_S:
    FP_CHECK();
    RD = rv_f32_class(unbox_s(FS1));
    NEXT;
L_FCLASS_D:
    FP_CHECK();
    RD = rv_f64_class(FS1);
    NEXT;
}

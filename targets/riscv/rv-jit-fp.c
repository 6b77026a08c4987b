/*
 * rv-jit-fp.c - F and D instructions (other than loads and stores) for host
 * code, one call per instruction. The semantics are the interpreter's
 * (rv-exec.c), handler for handler; an instruction that would raise an
 * illegal-instruction exception (FS off, reserved rounding mode) changes
 * nothing and returns -1, and the host code then leaves it to the
 * interpreter, which raises it exactly as always.
 */
#include "targets/riscv/rv-fpu.h"
#include "targets/riscv/rv-internal.h"
#include "targets/riscv/rv-jit.h"

static inline uint32_t unbox_s(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u;
}
static inline uint64_t box_s(uint32_t v)
{
    return 0xffffffff00000000ull | v;
}

int rv_jit_fp_op(struct rv_cpu *c, const struct rv_insn *in)
{
    uint64_t *x = c->x, *f = c->f;
    uint32_t *fl = &c->fflags;
    uint64_t a = f[in->rs1], b = f[in->rs2], d = f[in->rs3];
    int rm = in->aux == RV_RM_DYN ? (int)c->frm : in->aux;

    if (!(c->mstatus & MSTATUS_FS))
        return -1;
#define RM()                                                                                       \
    do {                                                                                           \
        if (rm > RV_RM_RMM)                                                                        \
            return -1;                                                                             \
    } while (0)
#define SETF(v)                                                                                    \
    do {                                                                                           \
        f[in->rd] = (v);                                                                           \
        rv_fs_dirty(c);                                                                            \
        return 0;                                                                                  \
    } while (0)
#define SETX(v)                                                                                    \
    do {                                                                                           \
        x[in->rd] = (v);                                                                           \
        return 0;                                                                                  \
    } while (0)
#define FP3(name, fn, w)                                                                           \
    case RV_OP_##name:                                                                             \
        RM();                                                                                      \
        if (w)                                                                                     \
            SETF(box_s(fn(unbox_s(a), unbox_s(b), unbox_s(d), rm, fl)));                           \
        SETF(fn(a, b, d, rm, fl));
#define FP2(name, fn, w)                                                                           \
    case RV_OP_##name:                                                                             \
        RM();                                                                                      \
        if (w)                                                                                     \
            SETF(box_s(fn(unbox_s(a), unbox_s(b), rm, fl)));                                       \
        SETF(fn(a, b, rm, fl));
#define FTOI(name, fn, w)                                                                          \
    case RV_OP_##name:                                                                             \
        RM();                                                                                      \
        SETX((w) ? fn(unbox_s(a), rm, fl) : fn(a, rm, fl));
#define ITOF(name, fn, w)                                                                          \
    case RV_OP_##name:                                                                             \
        RM();                                                                                      \
        if (w)                                                                                     \
            SETF(box_s(fn(x[in->rs1], rm, fl)));                                                   \
        SETF(fn(x[in->rs1], rm, fl));

    switch (in->opc) {
        FP3(FMADD_S, rv_f32_madd, 1)
        FP3(FMSUB_S, rv_f32_msub, 1)
        FP3(FNMSUB_S, rv_f32_nmsub, 1)
        FP3(FNMADD_S, rv_f32_nmadd, 1)
        FP3(FMADD_D, rv_f64_madd, 0)
        FP3(FMSUB_D, rv_f64_msub, 0)
        FP3(FNMSUB_D, rv_f64_nmsub, 0)
        FP3(FNMADD_D, rv_f64_nmadd, 0)
        FP2(FADD_S, rv_f32_add, 1)
        FP2(FSUB_S, rv_f32_sub, 1)
        FP2(FMUL_S, rv_f32_mul, 1)
        FP2(FDIV_S, rv_f32_div, 1)
        FP2(FADD_D, rv_f64_add, 0)
        FP2(FSUB_D, rv_f64_sub, 0)
        FP2(FMUL_D, rv_f64_mul, 0)
        FP2(FDIV_D, rv_f64_div, 0)
    case RV_OP_FSQRT_S:
        RM();
        SETF(box_s(rv_f32_sqrt(unbox_s(a), rm, fl)));
    case RV_OP_FSQRT_D:
        RM();
        SETF(rv_f64_sqrt(a, rm, fl));
    case RV_OP_FSGNJ_S:
        SETF(box_s((unbox_s(a) & 0x7fffffffu) | (unbox_s(b) & 0x80000000u)));
    case RV_OP_FSGNJN_S:
        SETF(box_s((unbox_s(a) & 0x7fffffffu) | (~unbox_s(b) & 0x80000000u)));
    case RV_OP_FSGNJX_S:
        SETF(box_s(unbox_s(a) ^ (unbox_s(b) & 0x80000000u)));
    case RV_OP_FSGNJ_D:
        SETF((a & ~(1ull << 63)) | (b & (1ull << 63)));
    case RV_OP_FSGNJN_D:
        SETF((a & ~(1ull << 63)) | (~b & (1ull << 63)));
    case RV_OP_FSGNJX_D:
        SETF(a ^ (b & (1ull << 63)));
    case RV_OP_FMIN_S:
        SETF(box_s(rv_f32_min(unbox_s(a), unbox_s(b), fl)));
    case RV_OP_FMAX_S:
        SETF(box_s(rv_f32_max(unbox_s(a), unbox_s(b), fl)));
    case RV_OP_FMIN_D:
        SETF(rv_f64_min(a, b, fl));
    case RV_OP_FMAX_D:
        SETF(rv_f64_max(a, b, fl));
        FTOI(FCVT_W_S, rv_f32_to_i32, 1)
        FTOI(FCVT_WU_S, rv_f32_to_u32, 1)
        FTOI(FCVT_L_S, rv_f32_to_i64, 1)
        FTOI(FCVT_LU_S, rv_f32_to_u64, 1)
        FTOI(FCVT_W_D, rv_f64_to_i32, 0)
        FTOI(FCVT_WU_D, rv_f64_to_u32, 0)
        FTOI(FCVT_L_D, rv_f64_to_i64, 0)
        FTOI(FCVT_LU_D, rv_f64_to_u64, 0)
        ITOF(FCVT_S_W, rv_i32_to_f32, 1)
        ITOF(FCVT_S_WU, rv_u32_to_f32, 1)
        ITOF(FCVT_S_L, rv_i64_to_f32, 1)
        ITOF(FCVT_S_LU, rv_u64_to_f32, 1)
        ITOF(FCVT_D_W, rv_i32_to_f64, 0)
        ITOF(FCVT_D_WU, rv_u32_to_f64, 0)
        ITOF(FCVT_D_L, rv_i64_to_f64, 0)
        ITOF(FCVT_D_LU, rv_u64_to_f64, 0)
    case RV_OP_FCVT_S_D:
        RM();
        SETF(box_s(rv_f64_to_f32(a, rm, fl)));
    case RV_OP_FCVT_D_S:
        RM();
        SETF(rv_f32_to_f64(unbox_s(a), fl));
    case RV_OP_FMV_X_W:
        SETX((uint64_t)(int64_t)(int32_t)(uint32_t)a);
    case RV_OP_FMV_X_D:
        SETX(a);
    case RV_OP_FMV_W_X:
        SETF(box_s((uint32_t)x[in->rs1]));
    case RV_OP_FMV_D_X:
        SETF(x[in->rs1]);
    case RV_OP_FEQ_S:
        SETX(rv_f32_eq(unbox_s(a), unbox_s(b), fl));
    case RV_OP_FLT_S:
        SETX(rv_f32_lt(unbox_s(a), unbox_s(b), fl));
    case RV_OP_FLE_S:
        SETX(rv_f32_le(unbox_s(a), unbox_s(b), fl));
    case RV_OP_FEQ_D:
        SETX(rv_f64_eq(a, b, fl));
    case RV_OP_FLT_D:
        SETX(rv_f64_lt(a, b, fl));
    case RV_OP_FLE_D:
        SETX(rv_f64_le(a, b, fl));
    case RV_OP_FCLASS_S:
        SETX(rv_f32_class(unbox_s(a)));
    case RV_OP_FCLASS_D:
        SETX(rv_f64_class(a));
    default:
        return -1; /* not an F/D operation: the interpreter has it */
    }
}

bool rv_jit_is_fp_op(unsigned opc)
{
    return opc >= RV_OP_FMADD_S && opc <= RV_OP_FCVT_D_S;
}

/*
 * rv-jit-emit.h - a minimal x86-64 instruction encoder for the RISC-V JIT.
 *
 * Only the forms the translator uses: 64/32-bit ALU and moves between a
 * register and [base + index + disp], immediates, shifts, setcc, jumps and
 * calls. Buffers are bounded by the caller (it reserves the worst case of a
 * block before translating), so the encoder does not check space.
 */
#ifndef TARGET_RISCV_JIT_EMIT_H
#define TARGET_RISCV_JIT_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum {
    X_RAX = 0,
    X_RCX = 1,
    X_RDX = 2,
    X_RBX = 3,
    X_RSP = 4,
    X_RBP = 5,
    X_RSI = 6,
    X_RDI = 7,
    X_R8 = 8,
    X_R9 = 9,
    X_R10 = 10,
    X_R11 = 11,
    X_R12 = 12,
    X_R13 = 13,
    X_R14 = 14,
    X_R15 = 15,
    X_NONE = -1,
};

/* Group-1 ALU operations (the /digit of 0x81/0x83 and the base of the r,r/m opcode). */
enum { X_ADD = 0, X_OR = 1, X_AND = 4, X_SUB = 5, X_XOR = 6, X_CMP = 7 };
/* Shift group (/digit of 0xC1/0xD3). */
enum { X_SHL = 4, X_SHR = 5, X_SAR = 7 };
/* Condition codes (low nibble of Jcc/SETcc). */
enum { X_CC_B = 2, X_CC_AE = 3, X_CC_E = 4, X_CC_NE = 5, X_CC_A = 7, X_CC_L = 0xc, X_CC_GE = 0xd };

struct rv_jit_buf {
    uint8_t *p;
};

static inline void x_u8(struct rv_jit_buf *e, unsigned v)
{
    *e->p++ = (uint8_t)v;
}
static inline void x_u32(struct rv_jit_buf *e, uint32_t v)
{
    memcpy(e->p, &v, 4);
    e->p += 4;
}
static inline void x_u64(struct rv_jit_buf *e, uint64_t v)
{
    memcpy(e->p, &v, 8);
    e->p += 8;
}

static inline bool x_fits8(int64_t v)
{
    return v >= -128 && v <= 127;
}
static inline bool x_fits32(int64_t v)
{
    return v >= INT32_MIN && v <= INT32_MAX;
}

/* REX when needed (or forced, for the byte registers spl/bpl/sil/dil). */
static inline void x_rex(struct rv_jit_buf *e, bool w, int reg, int idx, int base, bool force)
{
    unsigned rex = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((idx >= 0 && (idx & 8)) ? 2 : 0) |
                   ((base >= 0 && (base & 8)) ? 1 : 0);
    if (rex != 0x40 || force)
        x_u8(e, rex);
}

static inline void x_modrm_mem(struct rv_jit_buf *e, int reg, int base, int idx, int32_t disp)
{
    unsigned mod = (disp == 0 && (base & 7) != X_RBP) ? 0 : x_fits8(disp) ? 1 : 2;
    if (idx >= 0 || (base & 7) == X_RSP) {
        x_u8(e, mod << 6 | (reg & 7) << 3 | 4);
        x_u8(e, (unsigned)((idx >= 0 ? idx : X_RSP) & 7) << 3 | (base & 7));
    } else {
        x_u8(e, mod << 6 | (reg & 7) << 3 | (base & 7));
    }
    if (mod == 1)
        x_u8(e, (uint8_t)disp);
    else if (mod == 2)
        x_u32(e, (uint32_t)disp);
}

/*
 * opc is one byte, or 0x0fXX for a two-byte opcode; pfx an optional 0x66.
 * reg is a register or an opcode extension (/digit).
 */
static inline void x_op_mem(struct rv_jit_buf *e, unsigned pfx, bool w, unsigned opc, int reg,
                            int base, int idx, int32_t disp, bool byte_reg)
{
    if (pfx)
        x_u8(e, pfx);
    x_rex(e, w, reg, idx, base, byte_reg && reg >= 4 && reg < 8);
    if (opc > 0xff)
        x_u8(e, opc >> 8);
    x_u8(e, opc & 0xff);
    x_modrm_mem(e, reg, base, idx, disp);
}

static inline void x_op_reg(struct rv_jit_buf *e, bool w, unsigned opc, int reg, int rm)
{
    x_rex(e, w, reg, X_NONE, rm, false);
    if (opc > 0xff)
        x_u8(e, opc >> 8);
    x_u8(e, opc & 0xff);
    x_u8(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

/* mov reg, [base+disp] (64 or 32 bit) */
static inline void x_load(struct rv_jit_buf *e, bool w, int reg, int base, int32_t disp)
{
    x_op_mem(e, 0, w, 0x8b, reg, base, X_NONE, disp, false);
}
/* mov [base+disp], reg */
static inline void x_store(struct rv_jit_buf *e, bool w, int base, int32_t disp, int reg)
{
    x_op_mem(e, 0, w, 0x89, reg, base, X_NONE, disp, false);
}
/* op reg, [base+disp] for the group-1 operations */
static inline void x_alu_mem(struct rv_jit_buf *e, bool w, int op, int reg, int base, int32_t disp)
{
    x_op_mem(e, 0, w, (unsigned)op * 8 + 3, reg, base, X_NONE, disp, false);
}
/* op reg, imm (sign-extended imm32) */
static inline void x_alu_imm(struct rv_jit_buf *e, bool w, int op, int reg, int32_t imm)
{
    if (x_fits8(imm)) {
        x_op_reg(e, w, 0x83, op, reg);
        x_u8(e, (uint8_t)imm);
    } else {
        x_op_reg(e, w, 0x81, op, reg);
        x_u32(e, (uint32_t)imm);
    }
}
/* op qword [base+disp], imm */
static inline void x_alu_mem_imm(struct rv_jit_buf *e, int op, int base, int32_t disp, int32_t imm)
{
    if (x_fits8(imm)) {
        x_op_mem(e, 0, true, 0x83, op, base, X_NONE, disp, false);
        x_u8(e, (uint8_t)imm);
    } else {
        x_op_mem(e, 0, true, 0x81, op, base, X_NONE, disp, false);
        x_u32(e, (uint32_t)imm);
    }
}
/* op dst, src (register to register) */
static inline void x_alu_rr(struct rv_jit_buf *e, bool w, int op, int dst, int src)
{
    x_op_reg(e, w, (unsigned)op * 8 + 1, src, dst);
}
static inline void x_mov_rr(struct rv_jit_buf *e, bool w, int dst, int src)
{
    x_op_reg(e, w, 0x89, src, dst);
}
static inline void x_mov_imm(struct rv_jit_buf *e, int reg, uint64_t imm)
{
    if (imm <= UINT32_MAX) { /* mov r32, imm32 zero-extends */
        x_rex(e, false, 0, X_NONE, reg, false);
        x_u8(e, 0xb8 + (reg & 7));
        x_u32(e, (uint32_t)imm);
    } else if (x_fits32((int64_t)imm)) { /* mov r/m64, imm32 sign-extends */
        x_op_reg(e, true, 0xc7, 0, reg);
        x_u32(e, (uint32_t)imm);
    } else {
        x_rex(e, true, 0, X_NONE, reg, false);
        x_u8(e, 0xb8 + (reg & 7));
        x_u64(e, imm);
    }
}
static inline void x_shift_imm(struct rv_jit_buf *e, bool w, int op, int reg, unsigned n)
{
    x_op_reg(e, w, 0xc1, op, reg);
    x_u8(e, n);
}
static inline void x_shift_cl(struct rv_jit_buf *e, bool w, int op, int reg)
{
    x_op_reg(e, w, 0xd3, op, reg);
}
/* movsxd reg, reg32 */
static inline void x_movsxd(struct rv_jit_buf *e, int dst, int src)
{
    x_op_reg(e, true, 0x63, dst, src);
}
/* setcc al-style byte reg, then zero-extend (reg must be rax..rbx) */
static inline void x_setcc_zx(struct rv_jit_buf *e, int cc, int reg)
{
    x_op_reg(e, false, 0x0f90 + cc, 0, reg);
    x_op_reg(e, false, 0x0fb6, reg, reg);
}
static inline void x_lea(struct rv_jit_buf *e, int reg, int base, int idx, int32_t disp)
{
    x_op_mem(e, 0, true, 0x8d, reg, base, idx, disp, false);
}

/* Jumps: the *_fix forms return the address of the rel32 field to patch later. */
static inline void x_patch_rel32(uint8_t *field, const void *target)
{
    int32_t rel = (int32_t)((const uint8_t *)target - (field + 4));
    memcpy(field, &rel, 4);
}
static inline uint8_t *x_jmp(struct rv_jit_buf *e, const void *target)
{
    x_u8(e, 0xe9);
    uint8_t *f = e->p;
    x_u32(e, 0);
    if (target)
        x_patch_rel32(f, target);
    return f;
}
static inline uint8_t *x_jcc(struct rv_jit_buf *e, int cc, const void *target)
{
    x_u8(e, 0x0f);
    x_u8(e, 0x80 + cc);
    uint8_t *f = e->p;
    x_u32(e, 0);
    if (target)
        x_patch_rel32(f, target);
    return f;
}
/* Calls go through rax: helpers may be further than rel32 from the code buffer. */
static inline void x_call(struct rv_jit_buf *e, const void *fn)
{
    x_mov_imm(e, X_RAX, (uint64_t)(uintptr_t)fn);
    x_op_reg(e, false, 0xff, 2, X_RAX);
}
static inline void x_jmp_reg(struct rv_jit_buf *e, int reg)
{
    x_op_reg(e, false, 0xff, 4, reg);
}

#endif

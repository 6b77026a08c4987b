/*
 * x86-insn.c - decoder and emulator for the MMIO instruction forms of
 * x86-insn.h. The encoding rules followed are those of the AMD64
 * Architecture Programmer's Manual vol. 3, "Instruction Encoding"
 * (legacy prefixes, REX, ModRM/SIB, 16-bit addressing) and the flag
 * definitions of the individual instructions.
 */
#include "targets/x86/x86-insn.h"

#include <errno.h>
#include <string.h>

/* Elements a rep string instruction does per call before letting the guest run again. */
#define X86_REP_BATCH 256

/* Operand-size classes of the opcodes we know. */
enum { OPSZ_BYTE = 1, OPSZ_V = 2 };
/* Immediate kinds. */
enum { IMM_NONE, IMM_8, IMM_8S, IMM_Z, IMM_MOFFS };

struct x86_opinfo {
    bool known, modrm;
    uint8_t size, imm;
};

static struct x86_opinfo x86_op_one(uint8_t op, unsigned mode)
{
    struct x86_opinfo o = {0};

    if (op < 0x40 && (op & 7) < 4) { /* add/or/adc/sbb/and/sub/xor/cmp with ModRM */
        return (struct x86_opinfo){true, true, (op & 1) ? OPSZ_V : OPSZ_BYTE, IMM_NONE};
    }
    switch (op) {
    case 0x63:
        if (mode == 64)
            o = (struct x86_opinfo){true, true, OPSZ_V, IMM_NONE};
        break;
    case 0x80:
    case 0x82:
        if (op == 0x80 || mode != 64)
            o = (struct x86_opinfo){true, true, OPSZ_BYTE, IMM_8};
        break;
    case 0x81:
        o = (struct x86_opinfo){true, true, OPSZ_V, IMM_Z};
        break;
    case 0x83:
        o = (struct x86_opinfo){true, true, OPSZ_V, IMM_8S};
        break;
    case 0x84:
    case 0x86:
    case 0x88:
    case 0x8A:
        o = (struct x86_opinfo){true, true, OPSZ_BYTE, IMM_NONE};
        break;
    case 0x85:
    case 0x87:
    case 0x89:
    case 0x8B:
        o = (struct x86_opinfo){true, true, OPSZ_V, IMM_NONE};
        break;
    case 0xA0:
    case 0xA2:
        o = (struct x86_opinfo){true, false, OPSZ_BYTE, IMM_MOFFS};
        break;
    case 0xA1:
    case 0xA3:
        o = (struct x86_opinfo){true, false, OPSZ_V, IMM_MOFFS};
        break;
    case 0xA4:
    case 0xAA:
    case 0xAC:
        o = (struct x86_opinfo){true, false, OPSZ_BYTE, IMM_NONE};
        break;
    case 0xA5:
    case 0xAB:
    case 0xAD:
        o = (struct x86_opinfo){true, false, OPSZ_V, IMM_NONE};
        break;
    case 0xC6:
    case 0xF6:
        o = (struct x86_opinfo){true, true, OPSZ_BYTE, IMM_8};
        break;
    case 0xC7:
    case 0xF7:
        o = (struct x86_opinfo){true, true, OPSZ_V, IMM_Z};
        break;
    case 0xFE:
        o = (struct x86_opinfo){true, true, OPSZ_BYTE, IMM_NONE};
        break;
    case 0xFF:
        o = (struct x86_opinfo){true, true, OPSZ_V, IMM_NONE};
        break;
    }
    return o;
}

static struct x86_opinfo x86_op_two(uint8_t op)
{
    switch (op) {
    case 0xB6:
    case 0xB7:
    case 0xBE:
    case 0xBF:
        return (struct x86_opinfo){true, true, OPSZ_V, IMM_NONE};
    }
    return (struct x86_opinfo){0};
}

static uint64_t x86_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t x86_sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return size >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

/* Little-endian immediate/displacement of size bytes at *pos; false if past n. */
static bool x86_fetch(const uint8_t *b, unsigned n, unsigned *pos, unsigned size, uint64_t *v)
{
    uint64_t x = 0;

    if (*pos + size > n || *pos + size > X86_INSN_MAX)
        return false;
    for (unsigned i = 0; i < size; i++)
        x |= (uint64_t)b[*pos + i] << (8 * i);
    *pos += size;
    *v = x;
    return true;
}

/* ModRM memory operand in 16-bit addressing. */
static int x86_ea16(const struct x86_insn_ctx *c, struct x86_insn *in, const uint8_t *b, unsigned n,
                    unsigned *pos)
{
    static const int8_t base[8] = {X86_RBX, X86_RBX, X86_RBP, X86_RBP, -1, -1, X86_RBP, X86_RBX};
    static const int8_t index[8] = {X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_RSI, X86_RDI, -1, -1};
    unsigned mod = in->modrm >> 6, rm = in->modrm & 7;
    uint64_t ea = 0, d = 0;

    if (mod == 0 && rm == 6) {
        if (!x86_fetch(b, n, pos, 2, &d))
            return -EINVAL;
        ea = d;
    } else {
        if (base[rm] >= 0)
            ea += c->gpr[base[rm]];
        if (index[rm] >= 0)
            ea += c->gpr[index[rm]];
        if (mod == 1 || mod == 2) {
            if (!x86_fetch(b, n, pos, mod, &d))
                return -EINVAL;
            ea += x86_sext(d, mod);
        }
        if (base[rm] == X86_RBP && in->seg < 0)
            in->seg = X86_SS;
    }
    in->ea = ea & 0xffff;
    return 0;
}

/* ModRM memory operand in 32/64-bit addressing; *riprel set for rip + disp32. */
static int x86_ea32(const struct x86_insn_ctx *c, struct x86_insn *in, const uint8_t *b, unsigned n,
                    unsigned *pos, bool *riprel)
{
    unsigned mod = in->modrm >> 6, rm = in->modrm & 7;
    uint64_t ea = 0, d = 0, sib;
    int basereg = -1;

    if (rm == 4) {
        if (!x86_fetch(b, n, pos, 1, &sib))
            return -EINVAL;
        unsigned idx = ((sib >> 3) & 7) | ((in->rex & 2) << 2);
        unsigned bs = sib & 7;
        if (idx != 4)
            ea += c->gpr[idx] << (sib >> 6);
        if (bs == 5 && mod == 0) {
            if (!x86_fetch(b, n, pos, 4, &d))
                return -EINVAL;
            ea += x86_sext(d, 4);
        } else {
            basereg = (int)(bs | ((in->rex & 1) << 3));
        }
    } else if (rm == 5 && mod == 0) {
        if (!x86_fetch(b, n, pos, 4, &d))
            return -EINVAL;
        ea += x86_sext(d, 4);
        *riprel = c->mode == 64;
    } else {
        basereg = (int)(rm | ((in->rex & 1) << 3));
    }
    if (basereg >= 0) {
        ea += c->gpr[basereg];
        if ((basereg == X86_RSP || basereg == X86_RBP) && in->seg < 0)
            in->seg = X86_SS;
    }
    if (mod == 1 || mod == 2) {
        unsigned sz = mod == 1 ? 1 : 4;
        if (!x86_fetch(b, n, pos, sz, &d))
            return -EINVAL;
        ea += x86_sext(d, sz);
    }
    in->ea = ea;
    return 0;
}

int x86_insn_decode(const struct x86_insn_ctx *c, const uint8_t *b, unsigned n, struct x86_insn *in)
{
    unsigned pos = 0;
    bool opsz = false, adsz = false, riprel = false;
    struct x86_opinfo oi;
    uint64_t v;

    memset(in, 0, sizeof(*in));
    in->seg = -1;
    if (c->mode != 16 && c->mode != 32 && c->mode != 64)
        return -EINVAL;
    for (;; pos++) {
        if (pos >= n || pos >= X86_INSN_MAX)
            return -EINVAL;
        uint8_t p = b[pos];
        if (p == 0x66) {
            opsz = true;
        } else if (p == 0x67) {
            adsz = true;
        } else if (p == 0xF2 || p == 0xF3) {
            in->rep = p;
        } else if (p == 0xF0) {
            /* lock: the device access is atomic here anyway */
        } else if (p == 0x26 || p == 0x2E || p == 0x36 || p == 0x3E) {
            in->seg = (p >> 3) & 3; /* 26 ES, 2E CS, 36 SS, 3E DS */
        } else if (p == 0x64 || p == 0x65) {
            in->seg = p == 0x64 ? X86_FS : X86_GS;
        } else if (c->mode == 64 && (p & 0xF0) == 0x40) {
            in->rex = p; /* counts only directly before the opcode: */
            continue;
        } else {
            break;
        }
        in->rex = 0; /* a legacy prefix after REX cancels it */
    }
    in->opcode = b[pos++];
    if (in->opcode == 0x0F) {
        if (pos >= n)
            return -EINVAL;
        in->twobyte = true;
        in->opcode = b[pos++];
        oi = x86_op_two(in->opcode);
    } else {
        oi = x86_op_one(in->opcode, c->mode);
    }
    if (!oi.known)
        return -EOPNOTSUPP;

    if (c->mode == 64)
        in->addrsize = adsz ? 4 : 8;
    else
        in->addrsize = (c->mode == 32) != adsz ? 4 : 2;
    if (oi.size == OPSZ_BYTE)
        in->opsize = 1;
    else if (c->mode == 64 && (in->rex & 8))
        in->opsize = 8;
    else
        in->opsize = (c->mode != 16) != opsz ? 4 : 2;

    if (oi.modrm) {
        if (pos >= n)
            return -EINVAL;
        in->has_modrm = true;
        in->modrm = b[pos++];
        if ((in->modrm >> 6) != 3) {
            int r = in->addrsize == 2 ? x86_ea16(c, in, b, n, &pos)
                                      : x86_ea32(c, in, b, n, &pos, &riprel);
            if (r < 0)
                return r;
            in->mem = true;
        }
        /*
         * Groups: of their members only mov (C6/C7 /0), test/not/neg (F6/F7 /0-/3)
         * and inc/dec (FE/FF /0-/1). The immediate of F6/F7 is test's alone.
         */
        unsigned reg = (in->modrm >> 3) & 7;
        if (!in->twobyte && (in->opcode == 0xC6 || in->opcode == 0xC7) && reg != 0)
            return -EOPNOTSUPP;
        if (!in->twobyte && (in->opcode == 0xF6 || in->opcode == 0xF7)) {
            if (reg > 3)
                return -EOPNOTSUPP;
            if (reg > 1)
                oi.imm = IMM_NONE;
        }
        if (!in->twobyte && (in->opcode == 0xFE || in->opcode == 0xFF) && reg > 1)
            return -EOPNOTSUPP;
    }
    switch (oi.imm) {
    case IMM_8:
        if (!x86_fetch(b, n, &pos, 1, &v))
            return -EINVAL;
        in->imm = v;
        break;
    case IMM_8S:
        if (!x86_fetch(b, n, &pos, 1, &v))
            return -EINVAL;
        in->imm = x86_sext(v, 1);
        break;
    case IMM_Z: {
        unsigned sz = in->opsize > 4 ? 4 : in->opsize;
        if (!x86_fetch(b, n, &pos, sz, &v))
            return -EINVAL;
        in->imm = x86_sext(v, sz);
        break;
    }
    case IMM_MOFFS:
        if (!x86_fetch(b, n, &pos, in->addrsize, &v))
            return -EINVAL;
        in->ea = v;
        in->mem = true;
        break;
    }
    if (in->opcode >= 0xA4 && in->opcode <= 0xAD && !in->twobyte)
        in->mem = true; /* string operands: addresses taken from rSI/rDI at execution */
    in->len = pos;
    if (riprel)
        in->ea += c->rip + pos;
    in->ea &= x86_mask(in->addrsize);
    if (in->seg < 0)
        in->seg = X86_DS;
    return 0;
}

/* ---- execution ---- */

struct x86_opnd {
    bool mem;
    int reg;     /* register number; byte registers: 4-7 without REX are AH..BH */
    uint64_t la; /* linear address */
    unsigned size;
};

static uint64_t x86_linear(const struct x86_insn_ctx *c, int seg, uint64_t off)
{
    if (c->mode == 64)
        return (seg == X86_FS || seg == X86_GS) ? c->seg_base[seg] + off : off;
    return (c->seg_base[seg] + off) & 0xffffffffull;
}

static uint64_t x86_reg_get(const struct x86_insn_ctx *c, const struct x86_insn *in, int r,
                            unsigned size)
{
    if (size == 1 && !in->rex && r >= 4 && r < 8)
        return (c->gpr[r - 4] >> 8) & 0xff;
    return c->gpr[r] & x86_mask(size);
}

static void x86_reg_set(struct x86_insn_ctx *c, const struct x86_insn *in, int r, unsigned size,
                        uint64_t v)
{
    if (size == 1 && !in->rex && r >= 4 && r < 8) {
        c->gpr[r - 4] = (c->gpr[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
    } else if (size == 4) {
        c->gpr[r] = (uint32_t)v; /* 32-bit results zero-extend in 64-bit mode */
    } else if (size == 8) {
        c->gpr[r] = v;
    } else {
        c->gpr[r] = (c->gpr[r] & ~x86_mask(size)) | (v & x86_mask(size));
    }
}

static int x86_op_read(struct x86_insn_ctx *c, const struct x86_insn *in, const struct x86_opnd *o,
                       uint64_t *v)
{
    uint8_t buf[8] = {0};

    if (!o->mem) {
        *v = x86_reg_get(c, in, o->reg, o->size);
        return 0;
    }
    int r = c->read(c->opaque, o->la, buf, o->size);
    if (r < 0)
        return r;
    *v = 0;
    for (unsigned i = 0; i < o->size; i++)
        *v |= (uint64_t)buf[i] << (8 * i);
    return 0;
}

static int x86_op_write(struct x86_insn_ctx *c, const struct x86_insn *in, const struct x86_opnd *o,
                        uint64_t v)
{
    uint8_t buf[8];

    if (!o->mem) {
        x86_reg_set(c, in, o->reg, o->size, v);
        return 0;
    }
    for (unsigned i = 0; i < o->size; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    return c->write(c->opaque, o->la, buf, o->size);
}

static uint64_t x86_parity(uint64_t r)
{
    r &= 0xff;
    r ^= r >> 4;
    r ^= r >> 2;
    r ^= r >> 1;
    return (r & 1) ? 0 : X86_FLAG_PF;
}

/*
 * One of the eight ALU operations (ModRM reg field order: add or adc sbb
 * and sub xor cmp); sets the six arithmetic flags in *flags.
 */
static uint64_t x86_alu(unsigned op, uint64_t a, uint64_t b, unsigned size, uint64_t *flags)
{
    uint64_t m = x86_mask(size), sign = 1ull << (size * 8 - 1);
    uint64_t cin = (*flags & X86_FLAG_CF) ? 1 : 0, r, f = 0;

    a &= m;
    b &= m;
    switch (op) {
    case 0: /* add */
    case 2: /* adc */
        if (op == 0)
            cin = 0;
        r = (a + b + cin) & m;
        if ((((a & b) | ((a | b) & ~r)) & sign))
            f |= X86_FLAG_CF;
        if ((a ^ r) & (b ^ r) & sign)
            f |= X86_FLAG_OF;
        f |= (a ^ b ^ r) & X86_FLAG_AF;
        break;
    case 3: /* sbb */
    case 5: /* sub */
    case 7: /* cmp */
        if (op != 3)
            cin = 0;
        r = (a - b - cin) & m;
        if ((((~a & b) | ((~a | b) & r)) & sign))
            f |= X86_FLAG_CF;
        if ((a ^ b) & (a ^ r) & sign)
            f |= X86_FLAG_OF;
        f |= (a ^ b ^ r) & X86_FLAG_AF;
        break;
    case 1:
        r = a | b;
        break;
    case 4:
        r = a & b;
        break;
    default: /* 6: xor */
        r = a ^ b;
        break;
    }
    if (!r)
        f |= X86_FLAG_ZF;
    if (r & sign)
        f |= X86_FLAG_SF;
    f |= x86_parity(r);
    *flags = (*flags & ~(uint64_t)X86_FLAGS_ARITH) | f;
    return r;
}

static uint64_t x86_addr_reg(const struct x86_insn_ctx *c, const struct x86_insn *in, int r)
{
    return c->gpr[r] & x86_mask(in->addrsize);
}

static void x86_addr_reg_set(struct x86_insn_ctx *c, const struct x86_insn *in, int r, uint64_t v)
{
    x86_reg_set(c, &(struct x86_insn){.rex = 1}, r, in->addrsize, v);
}

/* movs/stos/lods: up to X86_REP_BATCH elements; rip moves on only when the count is done. */
static int x86_string(struct x86_insn_ctx *c, const struct x86_insn *in)
{
    unsigned sz = in->opsize;
    int64_t step = (c->rflags & X86_FLAG_DF) ? -(int64_t)sz : (int64_t)sz;
    uint64_t count = in->rep ? x86_addr_reg(c, in, X86_RCX) : 1;
    uint8_t op = in->opcode & ~1;

    for (unsigned i = 0; i < X86_REP_BATCH && count; i++) {
        uint64_t si = x86_addr_reg(c, in, X86_RSI), di = x86_addr_reg(c, in, X86_RDI), v;
        struct x86_opnd src = {true, 0, x86_linear(c, in->seg, si), sz};
        struct x86_opnd dst = {true, 0, x86_linear(c, X86_ES, di), sz};
        int r = 0;

        if (op == 0xAA) {
            r = x86_op_write(c, in, &dst, c->gpr[X86_RAX] & x86_mask(sz));
        } else {
            r = x86_op_read(c, in, &src, &v);
            if (r == 0 && op == 0xA4)
                r = x86_op_write(c, in, &dst, v);
            else if (r == 0)
                x86_reg_set(c, in, X86_RAX, sz, v);
        }
        if (r < 0)
            return r; /* registers reflect the elements done, as after a real fault */
        if (op != 0xAA)
            x86_addr_reg_set(c, in, X86_RSI, si + step);
        if (op != 0xAC)
            x86_addr_reg_set(c, in, X86_RDI, di + step);
        count--;
        if (in->rep)
            x86_addr_reg_set(c, in, X86_RCX, count);
    }
    if (!count)
        c->rip += in->len;
    return 0;
}

int x86_insn_emulate(struct x86_insn_ctx *c, const uint8_t *bytes, unsigned n)
{
    struct x86_insn in;
    struct x86_opnd rm = {0}, reg = {0};
    uint64_t a, b, res;
    int r = x86_insn_decode(c, bytes, n, &in);

    if (r < 0)
        return r;
    uint8_t op = in.opcode;
    if (!in.twobyte && op >= 0xA4 && op <= 0xAD) {
        if (c->mode != 64)
            c->rip &= 0xffffffffull;
        r = x86_string(c, &in);
        if (c->mode == 16)
            c->rip &= 0xffff;
        return r;
    }
    unsigned sz = in.opsize;
    if (in.mem)
        rm = (struct x86_opnd){true, 0, x86_linear(c, in.seg, in.ea), sz};
    else
        rm = (struct x86_opnd){false, (in.modrm & 7) | ((in.rex & 1) << 3), 0, sz};
    reg = (struct x86_opnd){false, ((in.modrm >> 3) & 7) | ((in.rex & 4) << 1), 0, sz};

    if (in.twobyte) { /* movzx / movsx: the source is a byte or word */
        rm.size = (op & 1) ? 2 : 1;
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        x86_op_write(c, &in, &reg, op >= 0xBE ? x86_sext(a, rm.size) : a);
    } else if (op < 0x40) {
        unsigned alu = op >> 3;
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        b = x86_reg_get(c, &in, reg.reg, sz);
        if (op & 2) { /* reg = reg op r/m */
            res = x86_alu(alu, b, a, sz, &c->rflags);
            if (alu != 7)
                x86_op_write(c, &in, &reg, res);
        } else {
            res = x86_alu(alu, a, b, sz, &c->rflags);
            if (alu != 7 && (r = x86_op_write(c, &in, &rm, res)) < 0)
                return r;
        }
    } else if (op == 0x63) { /* movsxd */
        rm.size = 4;
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        x86_op_write(c, &in, &reg, x86_sext(a, 4));
    } else if (op >= 0x80 && op <= 0x83) {
        unsigned alu = (in.modrm >> 3) & 7;
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        res = x86_alu(alu, a, in.imm, sz, &c->rflags);
        if (alu != 7 && (r = x86_op_write(c, &in, &rm, res)) < 0)
            return r;
    } else if ((op == 0xF6 || op == 0xF7) && ((in.modrm >> 3) & 7) >= 2) {
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        if (((in.modrm >> 3) & 7) == 2) { /* not: no flags */
            res = ~a;
        } else { /* neg: flags of 0 - a, CF set unless a is 0 */
            res = x86_alu(5, 0, a, sz, &c->rflags);
        }
        if ((r = x86_op_write(c, &in, &rm, res)) < 0)
            return r;
    } else if (op == 0xFE || op == 0xFF) { /* inc/dec: CF is left alone */
        uint64_t cf = c->rflags & X86_FLAG_CF;
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        res = x86_alu(((in.modrm >> 3) & 7) ? 5 : 0, a, 1, sz, &c->rflags);
        c->rflags = (c->rflags & ~(uint64_t)X86_FLAG_CF) | cf;
        if ((r = x86_op_write(c, &in, &rm, res)) < 0)
            return r;
    } else if (op == 0x84 || op == 0x85 || op == 0xF6 || op == 0xF7) {
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        b = op < 0xF0 ? x86_reg_get(c, &in, reg.reg, sz) : in.imm;
        x86_alu(4, a, b, sz, &c->rflags);
    } else if (op == 0x86 || op == 0x87) {
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        b = x86_reg_get(c, &in, reg.reg, sz);
        if ((r = x86_op_write(c, &in, &rm, b)) < 0)
            return r;
        x86_op_write(c, &in, &reg, a);
    } else if (op == 0x88 || op == 0x89) {
        if ((r = x86_op_write(c, &in, &rm, x86_reg_get(c, &in, reg.reg, sz))) < 0)
            return r;
    } else if (op == 0x8A || op == 0x8B) {
        if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
            return r;
        x86_op_write(c, &in, &reg, a);
    } else if (op >= 0xA0 && op <= 0xA3) {
        struct x86_opnd acc = {false, X86_RAX, 0, sz};
        if (op < 0xA2) {
            if ((r = x86_op_read(c, &in, &rm, &a)) < 0)
                return r;
            x86_op_write(c, &in, &acc, a);
        } else if ((r = x86_op_write(c, &in, &rm, x86_reg_get(c, &in, X86_RAX, sz))) < 0) {
            return r;
        }
    } else if (op == 0xC6 || op == 0xC7) {
        if ((r = x86_op_write(c, &in, &rm, in.imm)) < 0)
            return r;
    } else {
        return -EOPNOTSUPP;
    }
    c->rip += in.len;
    if (c->mode == 16)
        c->rip &= 0xffff;
    else if (c->mode == 32)
        c->rip &= 0xffffffffull;
    return 0;
}

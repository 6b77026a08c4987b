/*
 * rv-decode.c - RV64GC instruction decoder. Compressed instructions are
 * expanded into the same operations as their 32-bit forms, so the
 * interpreter (and a later JIT) sees one instruction set. Reserved and
 * unsupported encodings decode to ILLEGAL.
 */
#include "targets/riscv/rv-internal.h"

static inline uint32_t bits(uint32_t x, int hi, int lo)
{
    return (x >> lo) & ((1u << (hi - lo + 1)) - 1);
}
static inline int32_t sext(uint32_t x, int nbits)
{
    return (int32_t)(x << (32 - nbits)) >> (32 - nbits);
}

static inline uint8_t wreg(uint32_t r)
{
    return r ? (uint8_t)r : RV_XDISCARD;
}

static void set(struct rv_insn *in, int op, uint32_t rd, uint32_t rs1, uint32_t rs2, int32_t imm)
{
    in->opc = op;
    in->rd = wreg(rd);
    in->rs1 = rs1;
    in->rs2 = rs2;
    in->imm = imm;
}

static void illegal(struct rv_insn *in)
{
    in->opc = RV_OP_ILLEGAL;
}

/* FP: rd/rs are f registers except where the op says x; int destinations use wreg. */
static void decode_fp(uint32_t raw, struct rv_insn *in)
{
    uint32_t rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), rs2 = bits(raw, 24, 20);
    uint32_t f7 = bits(raw, 31, 25), rm = bits(raw, 14, 12);
    bool dbl = f7 & 1;
    in->rd = rd;
    in->rs1 = rs1;
    in->rs2 = rs2;
    in->aux = rm;
    if ((f7 & 2) != 0) { /* fmt 2 (H) and 3 (Q) not supported */
        illegal(in);
        return;
    }
    switch (f7 >> 2) {
    case 0x00:
        in->opc = dbl ? RV_OP_FADD_D : RV_OP_FADD_S;
        return;
    case 0x01:
        in->opc = dbl ? RV_OP_FSUB_D : RV_OP_FSUB_S;
        return;
    case 0x02:
        in->opc = dbl ? RV_OP_FMUL_D : RV_OP_FMUL_S;
        return;
    case 0x03:
        in->opc = dbl ? RV_OP_FDIV_D : RV_OP_FDIV_S;
        return;
    case 0x0b:
        if (rs2 != 0)
            break;
        in->opc = dbl ? RV_OP_FSQRT_D : RV_OP_FSQRT_S;
        return;
    case 0x04:
        if (rm > 2)
            break;
        in->opc = (dbl ? RV_OP_FSGNJ_D : RV_OP_FSGNJ_S) + rm;
        return;
    case 0x05:
        if (rm > 1)
            break;
        in->opc = (dbl ? RV_OP_FMIN_D : RV_OP_FMIN_S) + rm;
        return;
    case 0x08: /* fcvt.s.d / fcvt.d.s */
        if (dbl && rs2 == 0)
            in->opc = RV_OP_FCVT_D_S;
        else if (!dbl && rs2 == 1)
            in->opc = RV_OP_FCVT_S_D;
        else
            break;
        return;
    case 0x14:
        if (rm > 2)
            break;
        in->opc = (dbl ? RV_OP_FLE_D : RV_OP_FLE_S) - rm; /* fle=0, flt=1, feq=2 */
        in->rd = wreg(rd);
        return;
    case 0x18:
        if (rs2 > 3)
            break;
        in->opc = (dbl ? RV_OP_FCVT_W_D : RV_OP_FCVT_W_S) + rs2;
        in->rd = wreg(rd);
        return;
    case 0x1a:
        if (rs2 > 3)
            break;
        in->opc = (dbl ? RV_OP_FCVT_D_W : RV_OP_FCVT_S_W) + rs2;
        return;
    case 0x1c:
        if (rs2 != 0)
            break;
        if (rm == 0)
            in->opc = dbl ? RV_OP_FMV_X_D : RV_OP_FMV_X_W;
        else if (rm == 1)
            in->opc = dbl ? RV_OP_FCLASS_D : RV_OP_FCLASS_S;
        else
            break;
        in->rd = wreg(rd);
        return;
    case 0x1e:
        if (rs2 != 0 || rm != 0)
            break;
        in->opc = dbl ? RV_OP_FMV_D_X : RV_OP_FMV_W_X;
        return;
    }
    illegal(in);
}

static void decode32(uint32_t raw, struct rv_insn *in)
{
    uint32_t rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), rs2 = bits(raw, 24, 20);
    uint32_t f3 = bits(raw, 14, 12), f7 = bits(raw, 31, 25);
    int32_t imm_i = (int32_t)raw >> 20;
    int32_t imm_s = sext((bits(raw, 31, 25) << 5) | bits(raw, 11, 7), 12);
    int32_t imm_b = sext((bits(raw, 31, 31) << 12) | (bits(raw, 7, 7) << 11) |
                             (bits(raw, 30, 25) << 5) | (bits(raw, 11, 8) << 1),
                         13);
    int32_t imm_u = (int32_t)(raw & 0xfffff000);
    int32_t imm_j = sext((bits(raw, 31, 31) << 20) | (bits(raw, 19, 12) << 12) |
                             (bits(raw, 20, 20) << 11) | (bits(raw, 30, 21) << 1),
                         21);

    switch (bits(raw, 6, 0)) {
    case 0x37:
        set(in, RV_OP_LUI, rd, 0, 0, imm_u);
        return;
    case 0x17:
        set(in, RV_OP_AUIPC, rd, 0, 0, imm_u);
        return;
    case 0x6f:
        set(in, RV_OP_JAL, rd, 0, 0, imm_j);
        return;
    case 0x67:
        if (f3 != 0)
            break;
        set(in, RV_OP_JALR, rd, rs1, 0, imm_i);
        return;
    case 0x63: {
        static const int ops[8] = {RV_OP_BEQ, RV_OP_BNE, -1,         -1,
                                   RV_OP_BLT, RV_OP_BGE, RV_OP_BLTU, RV_OP_BGEU};
        if (ops[f3] < 0)
            break;
        set(in, ops[f3], 0, rs1, rs2, imm_b);
        return;
    }
    case 0x03: {
        static const int ops[8] = {RV_OP_LB,  RV_OP_LH,  RV_OP_LW,  RV_OP_LD,
                                   RV_OP_LBU, RV_OP_LHU, RV_OP_LWU, -1};
        if (ops[f3] < 0)
            break;
        set(in, ops[f3], rd, rs1, 0, imm_i);
        return;
    }
    case 0x23: {
        static const int ops[8] = {RV_OP_SB, RV_OP_SH, RV_OP_SW, RV_OP_SD, -1, -1, -1, -1};
        if (ops[f3] < 0)
            break;
        set(in, ops[f3], 0, rs1, rs2, imm_s);
        return;
    }
    case 0x13:
        switch (f3) {
        case 0:
            if (rs1 == 0)
                set(in, RV_OP_LI, rd, 0, 0, imm_i);
            else if (imm_i == 0)
                set(in, RV_OP_MV, rd, rs1, 0, 0);
            else
                set(in, RV_OP_ADDI, rd, rs1, 0, imm_i);
            return;
        case 2:
            set(in, RV_OP_SLTI, rd, rs1, 0, imm_i);
            return;
        case 3:
            set(in, RV_OP_SLTIU, rd, rs1, 0, imm_i);
            return;
        case 4:
            set(in, RV_OP_XORI, rd, rs1, 0, imm_i);
            return;
        case 6:
            set(in, RV_OP_ORI, rd, rs1, 0, imm_i);
            return;
        case 7:
            set(in, RV_OP_ANDI, rd, rs1, 0, imm_i);
            return;
        case 1:
            if (bits(raw, 31, 26) != 0)
                break;
            set(in, RV_OP_SLLI, rd, rs1, 0, bits(raw, 25, 20));
            return;
        case 5:
            if (bits(raw, 31, 26) == 0)
                set(in, RV_OP_SRLI, rd, rs1, 0, bits(raw, 25, 20));
            else if (bits(raw, 31, 26) == 0x10)
                set(in, RV_OP_SRAI, rd, rs1, 0, bits(raw, 25, 20));
            else
                break;
            return;
        }
        break;
    case 0x1b:
        switch (f3) {
        case 0:
            set(in, RV_OP_ADDIW, rd, rs1, 0, imm_i);
            return;
        case 1:
            if (f7 != 0)
                break;
            set(in, RV_OP_SLLIW, rd, rs1, 0, rs2);
            return;
        case 5:
            if (f7 == 0)
                set(in, RV_OP_SRLIW, rd, rs1, 0, rs2);
            else if (f7 == 0x20)
                set(in, RV_OP_SRAIW, rd, rs1, 0, rs2);
            else
                break;
            return;
        }
        break;
    case 0x33: {
        static const int base[8] = {RV_OP_ADD, RV_OP_SLL, RV_OP_SLT, RV_OP_SLTU,
                                    RV_OP_XOR, RV_OP_SRL, RV_OP_OR,  RV_OP_AND};
        static const int mul[8] = {RV_OP_MUL, RV_OP_MULH, RV_OP_MULHSU, RV_OP_MULHU,
                                   RV_OP_DIV, RV_OP_DIVU, RV_OP_REM,    RV_OP_REMU};
        if (f7 == 0)
            set(in, base[f3], rd, rs1, rs2, 0);
        else if (f7 == 1)
            set(in, mul[f3], rd, rs1, rs2, 0);
        else if (f7 == 0x20 && f3 == 0)
            set(in, RV_OP_SUB, rd, rs1, rs2, 0);
        else if (f7 == 0x20 && f3 == 5)
            set(in, RV_OP_SRA, rd, rs1, rs2, 0);
        else
            break;
        return;
    }
    case 0x3b:
        if (f7 == 0 && f3 == 0)
            set(in, RV_OP_ADDW, rd, rs1, rs2, 0);
        else if (f7 == 0x20 && f3 == 0)
            set(in, RV_OP_SUBW, rd, rs1, rs2, 0);
        else if (f7 == 0 && f3 == 1)
            set(in, RV_OP_SLLW, rd, rs1, rs2, 0);
        else if (f7 == 0 && f3 == 5)
            set(in, RV_OP_SRLW, rd, rs1, rs2, 0);
        else if (f7 == 0x20 && f3 == 5)
            set(in, RV_OP_SRAW, rd, rs1, rs2, 0);
        else if (f7 == 1 && f3 == 0)
            set(in, RV_OP_MULW, rd, rs1, rs2, 0);
        else if (f7 == 1 && f3 == 4)
            set(in, RV_OP_DIVW, rd, rs1, rs2, 0);
        else if (f7 == 1 && f3 == 5)
            set(in, RV_OP_DIVUW, rd, rs1, rs2, 0);
        else if (f7 == 1 && f3 == 6)
            set(in, RV_OP_REMW, rd, rs1, rs2, 0);
        else if (f7 == 1 && f3 == 7)
            set(in, RV_OP_REMUW, rd, rs1, rs2, 0);
        else
            break;
        return;
    case 0x2f: {
        uint32_t f5 = bits(raw, 31, 27);
        if (f3 != 2 && f3 != 3)
            break;
        bool d = f3 == 3;
        in->aux = bits(raw, 26, 25);
        if (f5 == 2) {
            if (rs2 != 0)
                break;
            set(in, d ? RV_OP_LR_D : RV_OP_LR_W, rd, rs1, 0, 0);
        } else if (f5 == 3) {
            set(in, d ? RV_OP_SC_D : RV_OP_SC_W, rd, rs1, rs2, 0);
        } else if (f5 == 0 || f5 == 1 || f5 == 4 || f5 == 8 || f5 == 12 || f5 == 16 || f5 == 20 ||
                   f5 == 24 || f5 == 28) {
            set(in, d ? RV_OP_AMO_D : RV_OP_AMO_W, rd, rs1, rs2, f5);
        } else {
            break;
        }
        return;
    }
    case 0x0f:
        if (f3 == 0) {
            set(in, RV_OP_FENCE, 0, 0, 0, 0);
            return;
        }
        if (f3 == 1) {
            set(in, RV_OP_FENCE_I, 0, 0, 0, 0);
            return;
        }
        break;
    case 0x73:
        if (f3 == 0) {
            if (raw == 0x00000073)
                set(in, RV_OP_ECALL, 0, 0, 0, 0);
            else if (raw == 0x00100073)
                set(in, RV_OP_EBREAK, 0, 0, 0, 0);
            else if (raw == 0x30200073)
                set(in, RV_OP_MRET, 0, 0, 0, 0);
            else if (raw == 0x10200073)
                set(in, RV_OP_SRET, 0, 0, 0, 0);
            else if (raw == 0x10500073)
                set(in, RV_OP_WFI, 0, 0, 0, 0);
            else if (f7 == 0x09 && rd == 0)
                set(in, RV_OP_SFENCE_VMA, 0, rs1, rs2, 0);
            else
                break;
            return;
        }
        if (f3 == 4)
            break;
        /* CSR: rd kept raw (0 means "no read" for csrrw), rs1 is the register or zimm. */
        in->opc = RV_OP_CSR;
        in->rd = rd;
        in->rs1 = rs1;
        in->imm = bits(raw, 31, 20);
        in->aux = f3;
        return;
    case 0x07: /* flw/fld */
        if (f3 != 2 && f3 != 3)
            break;
        set(in, f3 == 2 ? RV_OP_FLW : RV_OP_FLD, 0, rs1, 0, imm_i);
        in->rd = rd;
        return;
    case 0x27:
        if (f3 != 2 && f3 != 3)
            break;
        set(in, f3 == 2 ? RV_OP_FSW : RV_OP_FSD, 0, rs1, rs2, imm_s);
        return;
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: {
        uint32_t fmt = bits(raw, 26, 25);
        if (fmt > 1)
            break;
        int op = (bits(raw, 6, 0) - 0x43) >> 2; /* madd, msub, nmsub, nmadd */
        in->opc = (fmt ? RV_OP_FMADD_D : RV_OP_FMADD_S) + op;
        in->rd = rd;
        in->rs1 = rs1;
        in->rs2 = rs2;
        in->rs3 = bits(raw, 31, 27);
        in->aux = f3;
        return;
    }
    case 0x53:
        decode_fp(raw, in);
        return;
    }
    illegal(in);
}

static void decode16(uint32_t raw, struct rv_insn *in)
{
    uint32_t op = raw & 3, f3 = bits(raw, 15, 13);
    uint32_t rdp = 8 + bits(raw, 4, 2), rs1p = 8 + bits(raw, 9, 7);
    uint32_t rd = bits(raw, 11, 7), rs2 = bits(raw, 6, 2);

    if (op == 0) {
        switch (f3) {
        case 0: { /* c.addi4spn */
            uint32_t imm = (bits(raw, 10, 7) << 6) | (bits(raw, 12, 11) << 4) |
                           (bits(raw, 5, 5) << 3) | (bits(raw, 6, 6) << 2);
            if (imm == 0)
                break;
            set(in, RV_OP_ADDI, rdp, 2, 0, imm);
            return;
        }
        case 1: /* c.fld */
            set(in, RV_OP_FLD, 0, rs1p, 0, (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6));
            in->rd = rdp;
            return;
        case 2: /* c.lw */
            set(in, RV_OP_LW, rdp, rs1p, 0,
                (bits(raw, 12, 10) << 3) | (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 6));
            return;
        case 3: /* c.ld */
            set(in, RV_OP_LD, rdp, rs1p, 0, (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6));
            return;
        case 5: /* c.fsd */
            set(in, RV_OP_FSD, 0, rs1p, rdp, (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6));
            return;
        case 6: /* c.sw */
            set(in, RV_OP_SW, 0, rs1p, rdp,
                (bits(raw, 12, 10) << 3) | (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 6));
            return;
        case 7: /* c.sd */
            set(in, RV_OP_SD, 0, rs1p, rdp, (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6));
            return;
        }
        illegal(in);
        return;
    }
    if (op == 1) {
        int32_t imm6 = sext((bits(raw, 12, 12) << 5) | bits(raw, 6, 2), 6);
        switch (f3) {
        case 0: /* c.addi / c.nop */
            set(in, RV_OP_ADDI, rd, rd, 0, imm6);
            return;
        case 1: /* c.addiw */
            if (rd == 0)
                break;
            set(in, RV_OP_ADDIW, rd, rd, 0, imm6);
            return;
        case 2: /* c.li */
            set(in, RV_OP_LI, rd, 0, 0, imm6);
            return;
        case 3:
            if (rd == 2) { /* c.addi16sp */
                int32_t imm = sext((bits(raw, 12, 12) << 9) | (bits(raw, 4, 3) << 7) |
                                       (bits(raw, 5, 5) << 6) | (bits(raw, 2, 2) << 5) |
                                       (bits(raw, 6, 6) << 4),
                                   10);
                if (imm == 0)
                    break;
                set(in, RV_OP_ADDI, 2, 2, 0, imm);
                return;
            }
            if (imm6 == 0)
                break;
            set(in, RV_OP_LUI, rd, 0, 0, (int32_t)((uint32_t)imm6 << 12));
            return;
        case 4: {
            uint32_t f2 = bits(raw, 11, 10);
            uint32_t shamt = (bits(raw, 12, 12) << 5) | bits(raw, 6, 2);
            if (f2 == 0) {
                set(in, RV_OP_SRLI, rs1p, rs1p, 0, shamt);
                return;
            }
            if (f2 == 1) {
                set(in, RV_OP_SRAI, rs1p, rs1p, 0, shamt);
                return;
            }
            if (f2 == 2) {
                set(in, RV_OP_ANDI, rs1p, rs1p, 0, imm6);
                return;
            }
            static const int ops[8] = {RV_OP_SUB,  RV_OP_XOR,  RV_OP_OR, RV_OP_AND,
                                       RV_OP_SUBW, RV_OP_ADDW, -1,       -1};
            int o = ops[(bits(raw, 12, 12) << 2) | bits(raw, 6, 5)];
            if (o < 0)
                break;
            set(in, o, rs1p, rs1p, rdp, 0);
            return;
        }
        case 5: { /* c.j */
            int32_t imm =
                sext((bits(raw, 12, 12) << 11) | (bits(raw, 8, 8) << 10) | (bits(raw, 10, 9) << 8) |
                         (bits(raw, 6, 6) << 7) | (bits(raw, 7, 7) << 6) | (bits(raw, 2, 2) << 5) |
                         (bits(raw, 11, 11) << 4) | (bits(raw, 5, 3) << 1),
                     12);
            set(in, RV_OP_JAL, 0, 0, 0, imm);
            return;
        }
        case 6:
        case 7: {
            int32_t imm =
                sext((bits(raw, 12, 12) << 8) | (bits(raw, 6, 5) << 6) | (bits(raw, 2, 2) << 5) |
                         (bits(raw, 11, 10) << 3) | (bits(raw, 4, 3) << 1),
                     9);
            set(in, f3 == 6 ? RV_OP_BEQ : RV_OP_BNE, 0, rs1p, 0, imm);
            return;
        }
        }
        illegal(in);
        return;
    }
    /* op == 2 */
    switch (f3) {
    case 0: { /* c.slli */
        uint32_t shamt = (bits(raw, 12, 12) << 5) | bits(raw, 6, 2);
        set(in, RV_OP_SLLI, rd, rd, 0, shamt);
        return;
    }
    case 1: /* c.fldsp */
        set(in, RV_OP_FLD, 0, 2, 0,
            (bits(raw, 12, 12) << 5) | (bits(raw, 6, 5) << 3) | (bits(raw, 4, 2) << 6));
        in->rd = rd;
        return;
    case 2: /* c.lwsp */
        if (rd == 0)
            break;
        set(in, RV_OP_LW, rd, 2, 0,
            (bits(raw, 12, 12) << 5) | (bits(raw, 6, 4) << 2) | (bits(raw, 3, 2) << 6));
        return;
    case 3: /* c.ldsp */
        if (rd == 0)
            break;
        set(in, RV_OP_LD, rd, 2, 0,
            (bits(raw, 12, 12) << 5) | (bits(raw, 6, 5) << 3) | (bits(raw, 4, 2) << 6));
        return;
    case 4:
        if (bits(raw, 12, 12) == 0) {
            if (rs2 == 0) { /* c.jr */
                if (rd == 0)
                    break;
                set(in, RV_OP_JALR, 0, rd, 0, 0);
            } else { /* c.mv */
                set(in, RV_OP_MV, rd, rs2, 0, 0);
            }
        } else {
            if (rs2 == 0) {
                if (rd == 0) /* c.ebreak */
                    set(in, RV_OP_EBREAK, 0, 0, 0, 0);
                else /* c.jalr */
                    set(in, RV_OP_JALR, 1, rd, 0, 0);
            } else { /* c.add */
                set(in, RV_OP_ADD, rd, rd, rs2, 0);
            }
        }
        return;
    case 5: /* c.fsdsp */
        set(in, RV_OP_FSD, 0, 2, rs2, (bits(raw, 12, 10) << 3) | (bits(raw, 9, 7) << 6));
        return;
    case 6: /* c.swsp */
        set(in, RV_OP_SW, 0, 2, rs2, (bits(raw, 12, 9) << 2) | (bits(raw, 8, 7) << 6));
        return;
    case 7: /* c.sdsp */
        set(in, RV_OP_SD, 0, 2, rs2, (bits(raw, 12, 10) << 3) | (bits(raw, 9, 7) << 6));
        return;
    }
    illegal(in);
}

void rv_decode(uint32_t raw, struct rv_insn *in)
{
    in->rd = RV_XDISCARD;
    in->rs1 = in->rs2 = in->rs3 = 0;
    in->imm = 0;
    in->aux = 0;
    in->pad = 0;
    if ((raw & 3) == 3) {
        in->len = 4;
        in->raw = raw;
        decode32(raw, in);
    } else {
        in->len = 2;
        in->raw = raw & 0xffff;
        if (in->raw == 0)
            illegal(in);
        else
            decode16(in->raw, in);
    }
}

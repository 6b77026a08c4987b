/* Helpers to run one instruction on register operands from C. */
#ifndef OPS_H
#define OPS_H
#include "rt.h"

#define OP_RR(insn, a, b)                                                                      \
    ({                                                                                         \
        ulong r_;                                                                              \
        asm volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((ulong)(a)), "r"((ulong)(b)));        \
        r_;                                                                                    \
    })
#define OP_RI(insn, a, imm)                                                                    \
    ({                                                                                         \
        ulong r_;                                                                              \
        asm volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((ulong)(a)), "i"(imm));               \
        r_;                                                                                    \
    })

/* Operand values that hit sign, carry and width edges. */
static const ulong edge_vals[] = {
    0x0UL,
    0x1UL,
    0xffffffffffffffffUL,
    0x8000000000000000UL,
    0x7fffffffffffffffUL,
    0x0000000080000000UL,
    0x000000007fffffffUL,
    0x00000000ffffffffUL,
    0xffffffff80000000UL,
    0x123456789abcdef0UL,
    0xfedcba9876543211UL,
    0x0000000000000003UL,
};
#define N_EDGE (sizeof(edge_vals) / sizeof(edge_vals[0]))

#define FOR_PAIRS(name, insn)                                                                  \
    do {                                                                                       \
        for (unsigned i_ = 0; i_ < N_EDGE; i_++) {                                             \
            pr("%s %lx:", name, edge_vals[i_]);                                                \
            for (unsigned j_ = 0; j_ < N_EDGE; j_++)                                           \
                pr(" %lx", OP_RR(insn, edge_vals[i_], edge_vals[j_]));                         \
            putch('\n');                                                                       \
        }                                                                                      \
    } while (0)

#endif

/*
 * rv-fpu.h - IEEE 754 arithmetic with RISC-V semantics for the F and D
 * extensions: exact results in every rounding mode, exception flags, the
 * canonical NaN (0x7fc00000 / 0x7ff8000000000000) for every NaN result,
 * and RISC-V's saturating float-to-integer conversions.
 *
 * Values are raw bit patterns; NaN-boxing of singles in the 64-bit f
 * registers is the caller's business (unbox before, box after).
 * rm is a static rounding mode (RV_RM_RNE..RV_RM_RMM); the caller resolves
 * DYN from frm and raises illegal-instruction for 5, 6 and invalid frm.
 * Flags are OR-ed into *fflags (RV_FFLAG_*), never cleared.
 */
#ifndef TARGET_RISCV_FPU_H
#define TARGET_RISCV_FPU_H

#include <stdint.h>

enum { RV_RM_RNE = 0, RV_RM_RTZ = 1, RV_RM_RDN = 2, RV_RM_RUP = 3, RV_RM_RMM = 4, RV_RM_DYN = 7 };
enum {
    RV_FFLAG_NX = 1 << 0,
    RV_FFLAG_UF = 1 << 1,
    RV_FFLAG_OF = 1 << 2,
    RV_FFLAG_DZ = 1 << 3,
    RV_FFLAG_NV = 1 << 4,
};

/* Arithmetic: a op b (fma: a*b+c with one rounding; msub a*b-c; nmsub -(a*b)+c; nmadd -(a*b)-c). */
uint32_t rv_f32_add(uint32_t a, uint32_t b, int rm, uint32_t *fflags);
uint32_t rv_f32_sub(uint32_t a, uint32_t b, int rm, uint32_t *fflags);
uint32_t rv_f32_mul(uint32_t a, uint32_t b, int rm, uint32_t *fflags);
uint32_t rv_f32_div(uint32_t a, uint32_t b, int rm, uint32_t *fflags);
uint32_t rv_f32_sqrt(uint32_t a, int rm, uint32_t *fflags);
uint32_t rv_f32_madd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags);
uint32_t rv_f32_msub(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags);
uint32_t rv_f32_nmsub(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags);
uint32_t rv_f32_nmadd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fflags);
/* fmin/fmax per the 2.2 spec (minimumNumber; -0 < +0; NV only for sNaN). */
uint32_t rv_f32_min(uint32_t a, uint32_t b, uint32_t *fflags);
uint32_t rv_f32_max(uint32_t a, uint32_t b, uint32_t *fflags);
/* feq (quiet: NV on sNaN), flt/fle (signaling: NV on any NaN). Return 0/1. */
uint64_t rv_f32_eq(uint32_t a, uint32_t b, uint32_t *fflags);
uint64_t rv_f32_lt(uint32_t a, uint32_t b, uint32_t *fflags);
uint64_t rv_f32_le(uint32_t a, uint32_t b, uint32_t *fflags);
/* fclass: the 10-bit mask. */
uint64_t rv_f32_class(uint32_t a);

uint64_t rv_f64_add(uint64_t a, uint64_t b, int rm, uint32_t *fflags);
uint64_t rv_f64_sub(uint64_t a, uint64_t b, int rm, uint32_t *fflags);
uint64_t rv_f64_mul(uint64_t a, uint64_t b, int rm, uint32_t *fflags);
uint64_t rv_f64_div(uint64_t a, uint64_t b, int rm, uint32_t *fflags);
uint64_t rv_f64_sqrt(uint64_t a, int rm, uint32_t *fflags);
uint64_t rv_f64_madd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags);
uint64_t rv_f64_msub(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags);
uint64_t rv_f64_nmsub(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags);
uint64_t rv_f64_nmadd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fflags);
uint64_t rv_f64_min(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t rv_f64_max(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t rv_f64_eq(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t rv_f64_lt(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t rv_f64_le(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t rv_f64_class(uint64_t a);

/* Conversions between formats. */
uint64_t rv_f32_to_f64(uint32_t a, uint32_t *fflags);
uint32_t rv_f64_to_f32(uint64_t a, int rm, uint32_t *fflags);

/*
 * Float to integer: saturating as RISC-V specifies (NaN and +overflow give
 * the maximum, -overflow the minimum, with NV; inexact gives NX). Results of
 * the 32-bit forms are sign-extended to 64 bits as fcvt.w[u] writes them.
 */
uint64_t rv_f32_to_i32(uint32_t a, int rm, uint32_t *fflags);
uint64_t rv_f32_to_u32(uint32_t a, int rm, uint32_t *fflags);
uint64_t rv_f32_to_i64(uint32_t a, int rm, uint32_t *fflags);
uint64_t rv_f32_to_u64(uint32_t a, int rm, uint32_t *fflags);
uint64_t rv_f64_to_i32(uint64_t a, int rm, uint32_t *fflags);
uint64_t rv_f64_to_u32(uint64_t a, int rm, uint32_t *fflags);
uint64_t rv_f64_to_i64(uint64_t a, int rm, uint32_t *fflags);
uint64_t rv_f64_to_u64(uint64_t a, int rm, uint32_t *fflags);

/* Integer to float (the 32-bit sources are the low 32 bits of x). */
uint32_t rv_i32_to_f32(uint64_t x, int rm, uint32_t *fflags);
uint32_t rv_u32_to_f32(uint64_t x, int rm, uint32_t *fflags);
uint32_t rv_i64_to_f32(uint64_t x, int rm, uint32_t *fflags);
uint32_t rv_u64_to_f32(uint64_t x, int rm, uint32_t *fflags);
uint64_t rv_i32_to_f64(uint64_t x, int rm, uint32_t *fflags);
uint64_t rv_u32_to_f64(uint64_t x, int rm, uint32_t *fflags);
uint64_t rv_i64_to_f64(uint64_t x, int rm, uint32_t *fflags);
uint64_t rv_u64_to_f64(uint64_t x, int rm, uint32_t *fflags);

#endif

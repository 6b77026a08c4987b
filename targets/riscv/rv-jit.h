/*
 * rv-jit.h - the x86-64 backend for decoded blocks (rv-jit.c); the
 * interpreter (rv-exec.c) stays the reference and the fallback.
 */
#ifndef TARGET_RISCV_JIT_H
#define TARGET_RISCV_JIT_H

#include <stdbool.h>
#include <stdint.h>

struct rv_block;
struct rv_cpu;
struct rv_insn;

/* At most this many instructions per block (rv-tb.c's limit, plus its BLOCK_END). */
#define TB_MAX_INSNS_JIT 65

/* Exit codes of host code (low bits of a block pointer; blocks are 16-byte aligned). */
#define RV_JIT_LINK0 1u
#define RV_JIT_LINK1 2u
#define RV_JIT_RESUME 4u
#define RV_JIT_FLAGS 15u

int rv_jit_init(void);            /* 0; without executable memory the JIT stays off */
void rv_jit_set_enabled(bool on); /* before any block is translated */
bool rv_jit_active(void);
bool rv_jit_room(void);                    /* room for one more block (else flush everything) */
void rv_jit_reset(void);                   /* every block was dropped */
void rv_jit_translate(struct rv_block *b); /* sets b->jit, or leaves it NULL */
void rv_jit_link(struct rv_block *from, int slot, struct rv_block *to);
uintptr_t rv_jit_run(struct rv_cpu *c, const void *code);

/* rv-jit-fp.c: one F/D operation (not a load or store); -1, changing nothing, if illegal */
int rv_jit_fp_op(struct rv_cpu *c, const struct rv_insn *in);
bool rv_jit_is_fp_op(unsigned opc);

#endif

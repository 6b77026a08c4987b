/* Runtime for the RISC-V ISA test guests: UART output, printing, trap log,
 * privilege switching. Everything printed must be deterministic: the output is
 * compared byte for byte with QEMU's. */
#ifndef RT_H
#define RT_H


#define UART_BASE 0x10000000UL
#define FINISHER_BASE 0x100000UL
#define CLINT_BASE 0x2000000UL
#define CLINT_MSIP (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)

#define MSTATUS_SIE (1 << 1)
#define MSTATUS_MIE (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP (1 << 8)
#define MSTATUS_MPP (3 << 11)
#define MSTATUS_FS (3 << 13)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM (1 << 18)
#define MSTATUS_MXR (1 << 19)
#define MSTATUS_TVM (1 << 20)
#define MSTATUS_TW (1 << 21)
#define MSTATUS_TSR (1 << 22)

#define MIP_SSIP (1 << 1)
#define MIP_MSIP (1 << 3)
#define MIP_STIP (1 << 5)
#define MIP_MTIP (1 << 7)
#define MIP_SEIP (1 << 9)
#define MIP_MEIP (1 << 11)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* a7 value of the ecall that returns from enter_mode() to M-mode. */
#define RT_EXIT_MAGIC 0x7e57e817

#ifndef __ASSEMBLER__
#include <stdarg.h>
#include <stdint.h>

typedef unsigned long ulong;

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr)                                                                          \
    ({                                                                                         \
        ulong v_;                                                                              \
        asm volatile("csrr %0, " #csr : "=r"(v_)::"memory");                                   \
        v_;                                                                                    \
    })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" ::"rK"((ulong)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" ::"rK"((ulong)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" ::"rK"((ulong)(v)) : "memory")
#define csr_swap(csr, v)                                                                       \
    ({                                                                                         \
        ulong o_;                                                                              \
        asm volatile("csrrw %0, " #csr ", %1" : "=r"(o_) : "rK"((ulong)(v)) : "memory");       \
        o_;                                                                                    \
    })

static inline void mmio_w8(ulong a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void mmio_w32(ulong a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void mmio_w64(ulong a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint8_t mmio_r8(ulong a) { return *(volatile uint8_t *)a; }
static inline uint32_t mmio_r32(ulong a) { return *(volatile uint32_t *)a; }
static inline uint64_t mmio_r64(ulong a) { return *(volatile uint64_t *)a; }

/* Output. pr() understands %[0][width][l]{d,u,x,s,c} and %%. */
void putch(char c);
void putstr(const char *s);
void pr(const char *fmt, ...);
void vpr(const char *fmt, va_list ap);
void poweroff(void) __attribute__((noreturn));

/* One entry per trap taken in M-mode (tr_*) or S-mode (str_*). */
struct trap_rec {
    ulong cause, tval, epc, prev_priv;
};
#define TRAP_LOG_MAX 32
extern volatile int trap_count;       /* traps taken in M since trap_reset() */
extern volatile struct trap_rec trap_log[TRAP_LOG_MAX];
extern volatile int strap_count;      /* traps taken in S since trap_reset() */
extern volatile struct trap_rec strap_log[TRAP_LOG_MAX];
/* If non-zero, the next synchronous trap resumes here (consumed once). */
extern volatile ulong trap_resume;
/* Called for every M-mode trap before the default action; return 1 if it handled
 * the trap completely (mepc etc. already set), 0 for the default. */
extern int (*m_trap_hook)(ulong *regs, ulong cause);
extern int (*s_trap_hook)(ulong *regs, ulong cause);

void trap_reset(void);
/* Prints "<label>: <cause> tval=<tval-tval_base> epc=<epc-epc_base>" for the first
 * logged M-mode trap, or "<label>: no trap". */
void pr_trap(const char *label, ulong tval_base, ulong epc_base);
void pr_strap(const char *label, ulong tval_base, ulong epc_base);
/* Just the causes of every logged trap, in order: "<label>: 2 2 5" / "<label>: none" */
void pr_causes(const char *label);
void pr_causes_sorted(const char *label);

/* Runs fn(arg) in mode (PRV_U/PRV_S) with the current mstatus otherwise unchanged;
 * returns fn's result when it returns (via an ecall with a7=RT_EXIT_MAGIC). */
ulong enter_mode(int mode, ulong (*fn)(ulong), ulong arg);
/* From S/U code: go back to M-mode at enter_mode()'s return with value v. */
void exit_mode(ulong v) __attribute__((noreturn));

/* Length in bytes of the instruction at a (2 or 4), read as halfwords. */
int insn_len(ulong a);

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

extern char __scratch_start[], __scratch_end[];

int main(void);

#endif /* __ASSEMBLER__ */
#endif

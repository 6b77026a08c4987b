/*
 * guest.c - bare-metal RISC-V program for qemu-system-riscv64 -M virt that
 * runs every case of cases.h through the real F/D instructions (dynamic
 * rounding mode from frm) and prints, over the 16550 UART:
 *   V op rm a b c result flags   for the first RVFV_FULL cases of each (op, rm)
 *                                (all of them if RVFV_FULL < 0)
 *   D op rm start count hash     digest of (result, flags) per RVFV_BLOCK cases
 * then powers off through the sifive_test device.
 */
#include <stdint.h>

#include "cases.h"

#ifndef RVFV_FULL
#define RVFV_FULL 8
#endif
#ifndef RVFV_ONLY_OP
#define RVFV_ONLY_OP -1
#endif

#define UART ((volatile uint8_t *)0x10000000)

static void putc_(char c)
{
    while (!(UART[5] & 0x20)) {
    }
    UART[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s) {
        putc_(*s++);
    }
}

static void puthex(uint64_t x)
{
    char buf[17];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[x & 15];
        x >>= 4;
    } while (x);
    while (n) {
        putc_(buf[--n]);
    }
}

static void putdec(uint64_t x)
{
    char buf[21];
    int n = 0;
    do {
        buf[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    while (n) {
        putc_(buf[--n]);
    }
}

#define BIN_D(insn)                                                                                \
    __asm__ volatile("fmv.d.x fa0, %1\n\tfmv.d.x fa1, %2\n\t" insn                                 \
                     " fa0, fa0, fa1\n\tfmv.x.d %0, fa0"                                           \
                     : "=r"(r)                                                                     \
                     : "r"(a), "r"(b)                                                              \
                     : "fa0", "fa1")
#define BIN_S(insn)                                                                                \
    __asm__ volatile("fmv.w.x fa0, %1\n\tfmv.w.x fa1, %2\n\t" insn                                 \
                     " fa0, fa0, fa1\n\tfmv.x.w %0, fa0"                                           \
                     : "=r"(r)                                                                     \
                     : "r"(a), "r"(b)                                                              \
                     : "fa0", "fa1")
#define TER_D(insn)                                                                                \
    __asm__ volatile("fmv.d.x fa0, %1\n\tfmv.d.x fa1, %2\n\tfmv.d.x fa2, %3\n\t" insn              \
                     " fa0, fa0, fa1, fa2\n\tfmv.x.d %0, fa0"                                      \
                     : "=r"(r)                                                                     \
                     : "r"(a), "r"(b), "r"(c)                                                      \
                     : "fa0", "fa1", "fa2")
#define TER_S(insn)                                                                                \
    __asm__ volatile("fmv.w.x fa0, %1\n\tfmv.w.x fa1, %2\n\tfmv.w.x fa2, %3\n\t" insn              \
                     " fa0, fa0, fa1, fa2\n\tfmv.x.w %0, fa0"                                      \
                     : "=r"(r)                                                                     \
                     : "r"(a), "r"(b), "r"(c)                                                      \
                     : "fa0", "fa1", "fa2")
#define CMP_D(insn)                                                                                \
    __asm__ volatile("fmv.d.x fa0, %1\n\tfmv.d.x fa1, %2\n\t" insn " %0, fa0, fa1"                 \
                     : "=r"(r)                                                                     \
                     : "r"(a), "r"(b)                                                              \
                     : "fa0", "fa1")
#define CMP_S(insn)                                                                                \
    __asm__ volatile("fmv.w.x fa0, %1\n\tfmv.w.x fa1, %2\n\t" insn " %0, fa0, fa1"                 \
                     : "=r"(r)                                                                     \
                     : "r"(a), "r"(b)                                                              \
                     : "fa0", "fa1")
#define UN_DD(insn)                                                                                \
    __asm__ volatile("fmv.d.x fa0, %1\n\t" insn " fa0, fa0\n\tfmv.x.d %0, fa0"                     \
                     : "=r"(r)                                                                     \
                     : "r"(a)                                                                      \
                     : "fa0")
#define UN_SS(insn)                                                                                \
    __asm__ volatile("fmv.w.x fa0, %1\n\t" insn " fa0, fa0\n\tfmv.x.w %0, fa0"                     \
                     : "=r"(r)                                                                     \
                     : "r"(a)                                                                      \
                     : "fa0")
#define UN_DX(insn) /* float (double) -> x */                                                      \
    __asm__ volatile("fmv.d.x fa0, %1\n\t" insn " %0, fa0" : "=r"(r) : "r"(a) : "fa0")
#define UN_SX(insn)                                                                                \
    __asm__ volatile("fmv.w.x fa0, %1\n\t" insn " %0, fa0" : "=r"(r) : "r"(a) : "fa0")
#define UN_XD(insn) __asm__ volatile(insn " fa0, %1\n\tfmv.x.d %0, fa0" : "=r"(r) : "r"(a) : "fa0")
#define UN_XS(insn) __asm__ volatile(insn " fa0, %1\n\tfmv.x.w %0, fa0" : "=r"(r) : "r"(a) : "fa0")
#define UN_SD(insn) /* single -> double */                                                         \
    __asm__ volatile("fmv.w.x fa0, %1\n\t" insn " fa0, fa0\n\tfmv.x.d %0, fa0"                     \
                     : "=r"(r)                                                                     \
                     : "r"(a)                                                                      \
                     : "fa0")
#define UN_DS(insn)                                                                                \
    __asm__ volatile("fmv.d.x fa0, %1\n\t" insn " fa0, fa0\n\tfmv.x.w %0, fa0"                     \
                     : "=r"(r)                                                                     \
                     : "r"(a)                                                                      \
                     : "fa0")

/* Print this case in full? (a function: RVFV_FULL may be 0 or negative) */
static int listed(uint32_t i)
{
    volatile int64_t full = RVFV_FULL;
    return full < 0 || (int64_t)i < full;
}

static uint64_t run(int op, int rm, const uint64_t v[3], uint32_t *flags)
{
    uint64_t a = v[0], b = v[1], c = v[2], r = 0, f;
    int single = 0;

    __asm__ volatile("fsrm %0" : : "r"(rm));
    __asm__ volatile("fsflags x0");
    switch (op) {
    case RVFV_f32_add:
        BIN_S("fadd.s");
        single = 1;
        break;
    case RVFV_f32_sub:
        BIN_S("fsub.s");
        single = 1;
        break;
    case RVFV_f32_mul:
        BIN_S("fmul.s");
        single = 1;
        break;
    case RVFV_f32_div:
        BIN_S("fdiv.s");
        single = 1;
        break;
    case RVFV_f32_sqrt:
        UN_SS("fsqrt.s");
        single = 1;
        break;
    case RVFV_f32_madd:
        TER_S("fmadd.s");
        single = 1;
        break;
    case RVFV_f32_msub:
        TER_S("fmsub.s");
        single = 1;
        break;
    case RVFV_f32_nmsub:
        TER_S("fnmsub.s");
        single = 1;
        break;
    case RVFV_f32_nmadd:
        TER_S("fnmadd.s");
        single = 1;
        break;
    case RVFV_f32_min:
        BIN_S("fmin.s");
        single = 1;
        break;
    case RVFV_f32_max:
        BIN_S("fmax.s");
        single = 1;
        break;
    case RVFV_f32_eq:
        CMP_S("feq.s");
        break;
    case RVFV_f32_lt:
        CMP_S("flt.s");
        break;
    case RVFV_f32_le:
        CMP_S("fle.s");
        break;
    case RVFV_f32_class:
        UN_SX("fclass.s");
        break;
    case RVFV_f64_add:
        BIN_D("fadd.d");
        break;
    case RVFV_f64_sub:
        BIN_D("fsub.d");
        break;
    case RVFV_f64_mul:
        BIN_D("fmul.d");
        break;
    case RVFV_f64_div:
        BIN_D("fdiv.d");
        break;
    case RVFV_f64_sqrt:
        UN_DD("fsqrt.d");
        break;
    case RVFV_f64_madd:
        TER_D("fmadd.d");
        break;
    case RVFV_f64_msub:
        TER_D("fmsub.d");
        break;
    case RVFV_f64_nmsub:
        TER_D("fnmsub.d");
        break;
    case RVFV_f64_nmadd:
        TER_D("fnmadd.d");
        break;
    case RVFV_f64_min:
        BIN_D("fmin.d");
        break;
    case RVFV_f64_max:
        BIN_D("fmax.d");
        break;
    case RVFV_f64_eq:
        CMP_D("feq.d");
        break;
    case RVFV_f64_lt:
        CMP_D("flt.d");
        break;
    case RVFV_f64_le:
        CMP_D("fle.d");
        break;
    case RVFV_f64_class:
        UN_DX("fclass.d");
        break;
    case RVFV_f32_to_f64:
        UN_SD("fcvt.d.s");
        break;
    case RVFV_f64_to_f32:
        UN_DS("fcvt.s.d");
        single = 1;
        break;
    case RVFV_f32_to_i32:
        UN_SX("fcvt.w.s");
        break;
    case RVFV_f32_to_u32:
        UN_SX("fcvt.wu.s");
        break;
    case RVFV_f32_to_i64:
        UN_SX("fcvt.l.s");
        break;
    case RVFV_f32_to_u64:
        UN_SX("fcvt.lu.s");
        break;
    case RVFV_f64_to_i32:
        UN_DX("fcvt.w.d");
        break;
    case RVFV_f64_to_u32:
        UN_DX("fcvt.wu.d");
        break;
    case RVFV_f64_to_i64:
        UN_DX("fcvt.l.d");
        break;
    case RVFV_f64_to_u64:
        UN_DX("fcvt.lu.d");
        break;
    case RVFV_i32_to_f32:
        UN_XS("fcvt.s.w");
        single = 1;
        break;
    case RVFV_u32_to_f32:
        UN_XS("fcvt.s.wu");
        single = 1;
        break;
    case RVFV_i64_to_f32:
        UN_XS("fcvt.s.l");
        single = 1;
        break;
    case RVFV_u64_to_f32:
        UN_XS("fcvt.s.lu");
        single = 1;
        break;
    case RVFV_i32_to_f64:
        UN_XD("fcvt.d.w");
        break;
    case RVFV_u32_to_f64:
        UN_XD("fcvt.d.wu");
        break;
    case RVFV_i64_to_f64:
        UN_XD("fcvt.d.l");
        break;
    case RVFV_u64_to_f64:
        UN_XD("fcvt.d.lu");
        break;
    default:
        break;
    }
    __asm__ volatile("frflags %0" : "=r"(f));
    *flags = (uint32_t)f;
    return single ? (uint32_t)r : r;
}

int main(void)
{
    for (int op = 0; op < RVFV_NOPS; op++) {
        if (RVFV_ONLY_OP >= 0 && op != RVFV_ONLY_OP) {
            continue;
        }
        int nrm = rvfv_ops[op].has_rm ? 5 : 1;
        for (int rm = 0; rm < nrm; rm++) {
            uint64_t hash = RVFV_HASH_INIT;
            for (uint32_t i = 0; i < RVFV_CASES; i++) {
                uint64_t v[3];
                uint32_t flags;
                rvfv_case(op, rm, i, v);
                uint64_t r = run(op, rm, v, &flags);
                hash = rvfv_hash(hash, r, flags);
                if (listed(i)) {
                    puts_("V ");
                    puts_(rvfv_ops[op].name);
                    putc_(' ');
                    putdec((uint64_t)rm);
                    for (int k = 0; k < 3; k++) {
                        putc_(' ');
                        puthex(v[k]);
                    }
                    putc_(' ');
                    puthex(r);
                    putc_(' ');
                    puthex(flags);
                    putc_('\n');
                }
                if ((i + 1) % RVFV_BLOCK == 0) {
                    puts_("D ");
                    puts_(rvfv_ops[op].name);
                    putc_(' ');
                    putdec((uint64_t)rm);
                    putc_(' ');
                    putdec(i + 1 - RVFV_BLOCK);
                    putc_(' ');
                    putdec(RVFV_BLOCK);
                    putc_(' ');
                    puthex(hash);
                    putc_('\n');
                    hash = RVFV_HASH_INIT;
                }
            }
        }
    }
    puts_("END\n");
    *(volatile uint32_t *)0x100000 = 0x5555;
    for (;;) {
    }
}

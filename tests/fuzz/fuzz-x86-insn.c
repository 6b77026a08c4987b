/*
 * fuzz-x86-insn.c - libFuzzer target for what a hostile guest controls when
 * an accelerator emulates its MMIO access: the instruction bytes, the
 * registers, the memory the operands and string elements touch, and the
 * page tables the guest walk reads (targets/x86/x86-insn*.c).
 *   input: mode byte, 15 instruction bytes, 16 registers and rflags
 *          (8 bytes each), paging controls, then guest memory
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "targets/x86/x86-insn.h"

#define FUZZ_MEM 8192
static uint8_t fmem[FUZZ_MEM];

static int f_read(void *opaque, uint64_t la, void *buf, unsigned len)
{
    (void)opaque;
    if (la >= FUZZ_MEM || len > FUZZ_MEM - la)
        return X86_INSN_FAULT;
    memcpy(buf, fmem + la, len);
    return 0;
}

static int f_write(void *opaque, uint64_t la, const void *buf, unsigned len)
{
    (void)opaque;
    if (la >= FUZZ_MEM || len > FUZZ_MEM - la)
        return X86_INSN_FAULT;
    memcpy(fmem + la, buf, len);
    return 0;
}

static int f_phys(void *opaque, uint64_t pa, uint64_t *val, unsigned size)
{
    (void)opaque;
    if (pa >= FUZZ_MEM || size > FUZZ_MEM - pa)
        return -5;
    *val = 0;
    memcpy(val, fmem + pa, size);
    return 0;
}

static uint64_t take64(const uint8_t **d, size_t *n)
{
    uint64_t v = 0;
    size_t k = *n < 8 ? *n : 8;
    memcpy(&v, *d, k);
    *d += k;
    *n -= k;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned modes[4] = {16, 32, 64, 64};
    struct x86_insn_ctx c = {.read = f_read, .write = f_write};
    uint8_t code[X86_INSN_MAX] = {0};
    unsigned n;

    if (size < 2)
        return 0;
    c.mode = modes[data[0] & 3];
    n = 1 + (data[0] >> 4) % X86_INSN_MAX;
    data++, size--;
    size_t k = size < X86_INSN_MAX ? size : X86_INSN_MAX;
    memcpy(code, data, k);
    data += k, size -= k;
    for (int i = 0; i < 16; i++)
        c.gpr[i] = take64(&data, &size) % (FUZZ_MEM * 2); /* mostly inside, sometimes out */
    c.rflags = take64(&data, &size);
    struct x86_paging pg = {.read_phys = f_phys};
    pg.cr0 = take64(&data, &size);
    pg.cr3 = take64(&data, &size) % FUZZ_MEM;
    pg.cr4 = take64(&data, &size);
    pg.efer = take64(&data, &size);
    memset(fmem, 0, sizeof(fmem));
    memcpy(fmem, data, size < FUZZ_MEM ? size : FUZZ_MEM);

    uint64_t rip0 = c.rip;
    int r = x86_insn_emulate(&c, code, n);
    if (r == 0 && c.rip - rip0 > n && c.rip != rip0)
        __builtin_trap(); /* an instruction longer than its bytes */
    for (int i = 0; i < 4; i++) {
        uint64_t gpa;
        uint32_t err;
        x86_paging_walk(&pg, c.gpr[i] << (i * 8), (uint32_t)c.gpr[4 + i] & 0x17, &gpa, &err);
    }
    return 0;
}

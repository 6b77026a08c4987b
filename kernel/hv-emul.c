/*
 * hv-emul.c - exits that need the guest's memory by linear address: an
 * instruction that touched MMIO (nested paging left the device unmapped)
 * and string port I/O. The instruction is fetched and its operands
 * accessed through the guest's own page tables (targets/x86/x86-insn-walk.c),
 * then the machine's address spaces, so MMIO reaches the device model.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "kernel/hv.h"

/* Elements of a string I/O instruction per exit before the guest runs again. */
#define HV_STRING_BATCH 1024

void hv_raise(struct hv_guest *g, uint8_t vector, bool has_error, uint32_t error)
{
    if (g->exc)
        return; /* the first one wins; the guest will re-execute into the next */
    g->exc = true;
    g->exc_vector = vector;
    g->exc_has_error = has_error;
    g->exc_error = error;
}

static int hv_read_pte(void *opaque, uint64_t pa, uint64_t *val, unsigned size)
{
    struct hv_guest *g = opaque;

    *val = 0;
    return address_space_read(&g->m->as, pa, val, size) == MEMTX_OK ? 0 : -EIO;
}

/* Translate la for access, raising #PF in the guest on a fault. */
static int hv_translate(struct hv_guest *g, uint64_t la, uint32_t access, uint64_t *gpa)
{
    struct x86_paging pg = {.cr0 = g->cr0,
                            .cr3 = g->cr3,
                            .cr4 = g->cr4,
                            .efer = g->efer,
                            .read_phys = hv_read_pte,
                            .opaque = g};
    uint32_t err = 0;

    if (g->user)
        access |= X86_PF_U;
    int r = x86_paging_walk(&pg, la, access, gpa, &err);
    if (r == X86_INSN_FAULT) {
        hv_raise(g, HV_EXC_PF, true, err);
        g->exc_cr2 = la;
        return X86_INSN_FAULT;
    }
    if (r < 0) {
        /* A page table outside RAM: what a real CPU would make of it is a machine check. */
        log_guest_error("hv: page table of 0x%llx not in RAM", (unsigned long long)la);
        hv_raise(g, HV_EXC_GP, true, 0);
        return X86_INSN_FAULT;
    }
    return 0;
}

/* Page by page: an operand may straddle two pages mapped anywhere. */
static int hv_access_linear(struct hv_guest *g, uint64_t la, void *buf, unsigned len,
                            uint32_t access)
{
    uint8_t *p = buf;

    while (len) {
        unsigned n = 4096 - (la & 4095);
        uint64_t gpa;
        if (n > len)
            n = len;
        int r = hv_translate(g, la, access, &gpa);
        if (r < 0)
            return r;
        if (access & X86_PF_W)
            address_space_write(&g->m->as, gpa, p, n);
        else
            address_space_read(&g->m->as, gpa, p, n);
        p += n;
        la += n;
        len -= n;
    }
    return 0;
}

int hv_read_linear(struct hv_guest *g, uint64_t la, void *buf, unsigned len, uint32_t access)
{
    return hv_access_linear(g, la, buf, len, access & ~X86_PF_W);
}

int hv_write_linear(struct hv_guest *g, uint64_t la, const void *buf, unsigned len)
{
    return hv_access_linear(g, la, (void *)buf, len, X86_PF_W);
}

static int hv_emul_read(void *opaque, uint64_t la, void *buf, unsigned len)
{
    return hv_read_linear(opaque, la, buf, len, 0);
}

static int hv_emul_write(void *opaque, uint64_t la, const void *buf, unsigned len)
{
    return hv_write_linear(opaque, la, buf, len);
}

static uint64_t hv_code_la(const struct hv_guest *g)
{
    uint64_t la = g->mode == 64 ? g->rip : g->seg_base[X86_CS] + g->rip;
    return g->mode == 64 ? la : la & 0xffffffffull;
}

/* Fetch up to X86_INSN_MAX bytes at cs:rip; fewer if the next page is not mapped. */
static unsigned hv_fetch(struct hv_guest *g, uint8_t *buf)
{
    uint64_t la = hv_code_la(g);
    unsigned first = 4096 - (la & 4095);
    struct hv_guest probe = *g;

    if (first > X86_INSN_MAX)
        first = X86_INSN_MAX;
    if (hv_read_linear(g, la, buf, first, X86_PF_I) < 0)
        return 0;
    if (first == X86_INSN_MAX)
        return first;
    /* The rest may be on an unmapped page: the decoder says if it needed it. */
    if (hv_read_linear(&probe, la + first, buf + first, X86_INSN_MAX - first, X86_PF_I) < 0)
        return first;
    return X86_INSN_MAX;
}

int hv_emulate_mmio(struct hv_guest *g, const uint8_t *bytes, unsigned n)
{
    uint8_t buf[X86_INSN_MAX];
    struct x86_insn_ctx c = {
        .rip = g->rip,
        .rflags = g->rflags,
        .mode = g->mode,
        .read = hv_emul_read,
        .write = hv_emul_write,
        .opaque = g,
    };

    if (!bytes || !n) {
        n = hv_fetch(g, buf);
        if (!n)
            return 0; /* the fetch raised #PF: the guest's page tables changed under it */
        bytes = buf;
    }
    memcpy(c.gpr, g->gpr, sizeof(c.gpr));
    memcpy(c.seg_base, g->seg_base, sizeof(c.seg_base));
    int r = x86_insn_emulate(&c, bytes, n);
    if (r == X86_INSN_FAULT) {
        /* Registers may have advanced (string elements done): keep them, as a CPU would. */
        memcpy(g->gpr, c.gpr, sizeof(c.gpr));
        return 0;
    }
    if (r < 0) {
        log_guest_error("hv: cannot emulate the MMIO access of the instruction at rip 0x%llx "
                        "(%02x %02x %02x %02x %02x %02x): #UD",
                        (unsigned long long)g->rip, bytes[0], n > 1 ? bytes[1] : 0,
                        n > 2 ? bytes[2] : 0, n > 3 ? bytes[3] : 0, n > 4 ? bytes[4] : 0,
                        n > 5 ? bytes[5] : 0);
        hv_raise(g, HV_EXC_UD, false, 0);
        return 0;
    }
    memcpy(g->gpr, c.gpr, sizeof(c.gpr));
    g->rip = c.rip;
    g->rflags = c.rflags;
    return 0;
}

static uint64_t hv_areg(const struct hv_guest *g, int r, unsigned asz)
{
    return asz == 8 ? g->gpr[r] : g->gpr[r] & ((1ull << (asz * 8)) - 1);
}

static void hv_areg_set(struct hv_guest *g, int r, unsigned asz, uint64_t v)
{
    if (asz == 8)
        g->gpr[r] = v;
    else if (asz == 4)
        g->gpr[r] = (uint32_t)v;
    else
        g->gpr[r] = (g->gpr[r] & ~0xffffull) | (v & 0xffff);
}

void hv_string_io(struct hv_guest *g, uint16_t port, unsigned size, bool in, bool rep, unsigned asz,
                  int seg, uint64_t next_rip)
{
    int64_t step = (g->rflags & X86_FLAG_DF) ? -(int64_t)size : (int64_t)size;
    uint64_t count = rep ? hv_areg(g, X86_RCX, asz) : 1;
    int idx = in ? X86_RDI : X86_RSI;

    if (in)
        seg = X86_ES; /* ins always writes es:rDI (no override) */
    for (unsigned i = 0; i < HV_STRING_BATCH && count; i++) {
        uint64_t off = hv_areg(g, idx, asz), v = 0;
        uint64_t la =
            g->mode == 64 && seg != X86_FS && seg != X86_GS ? off : g->seg_base[seg] + off;
        if (g->mode != 64)
            la &= 0xffffffffull;
        if (in) {
            address_space_load(&g->m->as_io, port, size, &v);
            if (hv_write_linear(g, la, &v, size) < 0)
                return;
        } else {
            if (hv_read_linear(g, la, &v, size, 0) < 0)
                return;
            address_space_store(&g->m->as_io, port, size, v);
        }
        hv_areg_set(g, idx, asz, off + step);
        count--;
        if (rep)
            hv_areg_set(g, X86_RCX, asz, count);
        if (g->cpu->exit_request)
            break; /* a device asked for the main loop (reset, power-off) */
    }
    if (!count)
        g->rip = next_rip;
}

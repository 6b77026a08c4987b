/*
 * x86-insn-walk.c - the guest's own page-table walk, for the emulator's
 * accesses by linear address (instruction fetch, string and memory
 * operands). Follows AMD64 APM vol. 2, "Page Translation and Protection":
 * legacy 32-bit paging (4 KiB and, with CR4.PSE, 4 MiB pages with PSE-36),
 * PAE (the four PDPTEs are read from memory: under SVM the CPU keeps no
 * copy of them for us), and long mode with 4 or 5 levels.
 */
#include "targets/x86/x86-insn.h"

#include <errno.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

struct walk_perm {
    bool w, u, nx;
};

static void perm_add(struct walk_perm *p, uint64_t e, bool nxe)
{
    p->w = p->w && (e & PTE_W);
    p->u = p->u && (e & PTE_U);
    p->nx = p->nx || (nxe && (e & PTE_NX));
}

/* #PF error code if the accumulated permissions refuse the access, else 0. */
static uint32_t perm_check(const struct x86_paging *pg, const struct walk_perm *p, uint32_t acc)
{
    bool user = acc & X86_PF_U;

    if (user && !p->u)
        return X86_PF_P | acc;
    if ((acc & X86_PF_W) && !p->w && (user || (pg->cr0 & X86_CR0_WP)))
        return X86_PF_P | acc;
    if ((acc & X86_PF_I) && p->nx)
        return X86_PF_P | acc;
    return 0;
}

static int walk_legacy(const struct x86_paging *pg, uint64_t la, uint32_t acc, uint64_t *gpa,
                       uint32_t *err)
{
    struct walk_perm perm = {true, true, false};
    uint64_t e;
    int r;

    la &= 0xffffffffull;
    if ((r = pg->read_phys(pg->opaque, (pg->cr3 & 0xfffff000ull) + ((la >> 22) << 2), &e, 4)) < 0)
        return r;
    if (!(e & PTE_P))
        goto fault;
    perm_add(&perm, e, false);
    if ((e & PTE_PS) && (pg->cr4 & X86_CR4_PSE)) {
        if ((*err = perm_check(pg, &perm, acc)))
            return X86_INSN_FAULT;
        /* PSE-36: bits 13-20 of the entry are physical address bits 32-39. */
        *gpa = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32 | (la & 0x3fffff);
        return 0;
    }
    uint64_t pt = e & 0xfffff000ull;
    if ((r = pg->read_phys(pg->opaque, pt + ((la >> 12) & 0x3ff) * 4, &e, 4)) < 0)
        return r;
    if (!(e & PTE_P))
        goto fault;
    perm_add(&perm, e, false);
    if ((*err = perm_check(pg, &perm, acc)))
        return X86_INSN_FAULT;
    *gpa = (e & 0xfffff000ull) | (la & 0xfff);
    return 0;
fault:
    *err = acc;
    return X86_INSN_FAULT;
}

/* PAE and long mode: 8-byte entries, 9 index bits a level. */
static int walk_wide(const struct x86_paging *pg, uint64_t la, uint32_t acc, uint64_t *gpa,
                     uint32_t *err)
{
    bool nxe = pg->efer & X86_EFER_NXE;
    struct walk_perm perm = {true, true, false};
    uint64_t table, e;
    int level, r;

    if (pg->efer & X86_EFER_LMA) {
        level = (pg->cr4 & X86_CR4_LA57) ? 5 : 4;
        table = pg->cr3 & PTE_ADDR;
    } else {
        la &= 0xffffffffull;
        r = pg->read_phys(pg->opaque, (pg->cr3 & 0xffffffe0ull) + ((la >> 30) & 3) * 8, &e, 8);
        if (r < 0)
            return r;
        if (!(e & PTE_P))
            goto fault;
        /* PDPTEs carry no permissions in PAE mode. */
        table = e & PTE_ADDR;
        level = 2;
    }
    for (; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        if ((r = pg->read_phys(pg->opaque, table + ((la >> shift) & 511) * 8, &e, 8)) < 0)
            return r;
        if (!(e & PTE_P))
            goto fault;
        perm_add(&perm, e, nxe);
        if (level == 1 || ((e & PTE_PS) && level <= 3)) {
            if ((*err = perm_check(pg, &perm, acc)))
                return X86_INSN_FAULT;
            uint64_t off = la & ((1ull << shift) - 1);
            *gpa = (e & PTE_ADDR & ~((1ull << shift) - 1)) | off;
            return 0;
        }
        table = e & PTE_ADDR;
    }
fault:
    *err = acc;
    return X86_INSN_FAULT;
}

int x86_paging_walk(const struct x86_paging *pg, uint64_t la, uint32_t access, uint64_t *gpa,
                    uint32_t *pf_error)
{
    *pf_error = 0;
    if (!(pg->cr0 & X86_CR0_PG) || !(pg->cr0 & X86_CR0_PE)) {
        *gpa = (pg->efer & X86_EFER_LMA) ? la : la & 0xffffffffull;
        return 0;
    }
    if (pg->cr4 & X86_CR4_PAE)
        return walk_wide(pg, la, access, gpa, pf_error);
    return walk_legacy(pg, la, access, gpa, pf_error);
}

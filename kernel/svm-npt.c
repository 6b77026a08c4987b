/*
 * svm-npt.c - the nested page table (APM vol. 2, "Nested Paging"): the
 * long-mode 4-level format, walked by the CPU with guest-physical addresses,
 * every guest access counted as a user access (so U is set everywhere).
 *
 * Built lazily: it starts empty, every first touch of RAM exits as #NPF and
 * hv_gpa_backing() says which host frame to map (2 MiB where the guest and
 * host pages line up, else 4 KiB). MMIO and holes stay unmapped forever, so
 * their accesses keep exiting to be emulated; ROM is mapped read-only.
 * When the machine's memory map changes everything is dropped and relearnt.
 *
 * The tables live in the image's .bss, identity mapped: their virtual
 * address is the physical one the CPU needs.
 */
#include <errno.h>
#include <string.h>

#include "kernel/svm-int.h"

#define NPT_POOL_PAGES 256
#define NPT_P 0x1ull
#define NPT_W 0x2ull
#define NPT_U 0x4ull
#define NPT_PS 0x80ull
#define NPT_ADDR 0x000FFFFFFFFFF000ull

static uint64_t npt_pool[NPT_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned npt_used = 1; /* page 0 is the root (PML4) */

uint64_t svm_npt_root(void)
{
    return (uint64_t)(uintptr_t)npt_pool[0];
}

void svm_npt_clear(void)
{
    memset(npt_pool, 0, (size_t)npt_used * sizeof(npt_pool[0]));
    npt_used = 1;
}

static uint64_t *npt_next(uint64_t *table, unsigned idx)
{
    if (!(table[idx] & NPT_P)) {
        if (npt_used == NPT_POOL_PAGES)
            return NULL;
        uint64_t *t = npt_pool[npt_used++];
        table[idx] = (uint64_t)(uintptr_t)t | NPT_P | NPT_W | NPT_U;
        return t;
    }
    if (table[idx] & NPT_PS)
        return NULL; /* a large page is already there: cannot happen without a map change */
    return (uint64_t *)(uintptr_t)(table[idx] & NPT_ADDR);
}

int svm_npt_map(uint64_t gpa, const struct hv_backing *b)
{
    uint64_t flags = NPT_P | NPT_U | (b->writable ? NPT_W : 0);
    uint64_t *pdpt, *pd, *pt;

    if (gpa >> 48)
        return -EINVAL;
    if (!(pdpt = npt_next(npt_pool[0], (gpa >> 39) & 511)) ||
        !(pd = npt_next(pdpt, (gpa >> 30) & 511)))
        return -ENOMEM;
    if (b->large) {
        pd[(gpa >> 21) & 511] = b->hpa | flags | NPT_PS;
        return 0;
    }
    if (!(pt = npt_next(pd, (gpa >> 21) & 511)))
        return -ENOMEM;
    pt[(gpa >> 12) & 511] = b->hpa | flags;
    return 0;
}

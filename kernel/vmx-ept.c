/*
 * vmx-ept.c - the extended page table (SDM vol. 3C, 29.3 "The Extended
 * Page Table Mechanism (EPT)"): 4 levels, guest-physical to host-physical.
 *
 * Built lazily, as the svm accelerator's NPT: empty at first, every first
 * touch of RAM exits as an EPT violation and hv_gpa_backing() says which
 * host frame to map (2 MiB where guest and host pages line up, else 4 KiB).
 * MMIO and holes stay unmapped, so their accesses keep exiting to be
 * emulated; ROM is mapped readable and executable, not writable. When the
 * machine's memory map changes everything is dropped (and INVEPT'd).
 *
 * The tables live in the image's .bss, identity mapped: their virtual
 * address is the physical one the CPU needs.
 */
#include <errno.h>
#include <string.h>

#include "kernel/vmx-int.h"

#define EPT_POOL_PAGES 256
#define EPT_R 0x1ull
#define EPT_W 0x2ull
#define EPT_X 0x4ull
#define EPT_MT_WB (6ull << 3) /* leaf memory type (29.3.7 "EPT and Memory Typing") */
#define EPT_LARGE 0x80ull
#define EPT_ADDR 0x000FFFFFFFFFF000ull
/* EPTP (25.6.11 "Extended-Page-Table Pointer"): write-back tables, walk length 4 - 1. */
#define EPTP_WB 6ull
#define EPTP_WALK4 (3ull << 3)

static uint64_t ept_pool[EPT_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned ept_used = 1; /* page 0 is the root (PML4) */

uint64_t vmx_ept_pointer(void)
{
    return (uint64_t)(uintptr_t)ept_pool[0] | EPTP_WB | EPTP_WALK4;
}

void vmx_ept_clear(void)
{
    memset(ept_pool, 0, (size_t)ept_used * sizeof(ept_pool[0]));
    ept_used = 1;
}

static uint64_t *ept_next(uint64_t *table, unsigned idx)
{
    if (!(table[idx] & (EPT_R | EPT_W | EPT_X))) {
        if (ept_used == EPT_POOL_PAGES)
            return NULL;
        uint64_t *t = ept_pool[ept_used++];
        /* Non-leaf entries allow everything: the leaf decides. */
        table[idx] = (uint64_t)(uintptr_t)t | EPT_R | EPT_W | EPT_X;
        return t;
    }
    if (table[idx] & EPT_LARGE)
        return NULL; /* a large page is already there: cannot happen without a map change */
    return (uint64_t *)(uintptr_t)(table[idx] & EPT_ADDR);
}

int vmx_ept_map(uint64_t gpa, const struct hv_backing *b)
{
    uint64_t flags = EPT_R | EPT_X | EPT_MT_WB | (b->writable ? EPT_W : 0);
    uint64_t *pdpt, *pd, *pt;

    if (gpa >> 48)
        return -EINVAL;
    if (!(pdpt = ept_next(ept_pool[0], (gpa >> 39) & 511)) ||
        !(pd = ept_next(pdpt, (gpa >> 30) & 511)))
        return -ENOMEM;
    if (b->large && (vmx.ept_cap & EPT_CAP_2M)) {
        pd[(gpa >> 21) & 511] = b->hpa | flags | EPT_LARGE;
        return 0;
    }
    if (!(pt = ept_next(pd, (gpa >> 21) & 511)))
        return -ENOMEM;
    pt[(gpa >> 12) & 511] = (b->hpa + (b->large ? (gpa & 0x1FF000) : 0)) | flags;
    return 0;
}

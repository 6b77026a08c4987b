/*
 * hv-mem.c - guest-physical RAM as host-physical frames, for nested page
 * tables of either vendor (NPT, EPT). Guest RAM is an appliance virtual
 * window backed on first touch (kernel/mem.c): touching a page from ring 3
 * backs it, then the appliance's own page tables say which frame it got.
 */
#include <errno.h>

#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "kernel/hv.h"

#define PTE_P 0x1ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define SZ_2M 0x200000ull

extern uint64_t kern_boot_pml4[512];

uint64_t hv_host_pa(uint64_t va, uint64_t *page_size)
{
    const uint64_t *t = kern_boot_pml4;

    /* Every table is in identity-mapped memory, readable from ring 3 (kernel/mem.c). */
    for (int level = 4; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t e = t[(va >> shift) & 511];
        if (!(e & PTE_P))
            return 0;
        if (level == 1 || ((e & PTE_PS) && level <= 3)) {
            uint64_t size = 1ull << shift;
            if (page_size)
                *page_size = size;
            return (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
        }
        t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR);
    }
    return 0;
}

int hv_gpa_backing(struct machine *m, uint64_t gpa, struct hv_backing *b)
{
    const struct flat_range *fr = address_space_lookup(&m->as, gpa);
    uint64_t psize = 0;

    if (!fr || (fr->mr->kind != MR_RAM && fr->mr->kind != MR_ROM))
        return -ENOENT;
    uint8_t *hva = fr->mr->ram->host + fr->offset + (gpa - fr->start);
    (void)*(volatile uint8_t *)hva; /* back it (a zeroed frame, as on first touch) */
    uint64_t hpa = hv_host_pa((uint64_t)(uintptr_t)hva, &psize);
    if (!hpa)
        return -EFAULT;
    b->writable = fr->mr->kind == MR_RAM;
    b->large = false;
    b->hpa = hpa & PTE_ADDR;

    uint64_t g2 = gpa & ~(SZ_2M - 1);
    uint64_t h2 = (uint64_t)(uintptr_t)hva - (gpa - g2);
    if (psize >= SZ_2M && g2 >= fr->start && g2 + SZ_2M <= fr->start + fr->size &&
        !(h2 & (SZ_2M - 1))) {
        /* The host page holding hva covers [h2, h2 + 2M): one frame, contiguous. */
        b->large = true;
        b->hpa = hpa - (gpa - g2);
    }
    return 0;
}

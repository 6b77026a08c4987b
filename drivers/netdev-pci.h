/*
 * netdev-pci.h - what the NIC drivers share (drivers/netdev.c): PCI BARs and
 * command bits, MMIO accessors. Internal to drivers/.
 */
#ifndef DRIVERS_NETDEV_PCI_H
#define DRIVERS_NETDEV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci.h"

struct pci_bar {
    uint64_t addr; /* bus address: MMIO is identity mapped below 4 GiB, I/O is a port */
    uint64_t size;
    bool io;
};

/*
 * Decode BAR n (0-5) by probing its size. 0, or -ENODEV if the BAR is absent
 * or unassigned, -ERANGE if it is memory above 4 GiB (not mapped).
 */
int netdev_pci_bar(const struct pci_func *f, int n, struct pci_bar *bar);
/* Turn on I/O and memory decoding and bus mastering (DMA). */
void netdev_pci_enable(const struct pci_func *f);

static inline uint32_t mmio_read32(uint64_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}
static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}
static inline uint16_t mmio_read16(uint64_t addr)
{
    return *(volatile uint16_t *)(uintptr_t)addr;
}
static inline void mmio_write16(uint64_t addr, uint16_t v)
{
    *(volatile uint16_t *)(uintptr_t)addr = v;
}
static inline uint8_t mmio_read8(uint64_t addr)
{
    return *(volatile uint8_t *)(uintptr_t)addr;
}
static inline void mmio_write8(uint64_t addr, uint8_t v)
{
    *(volatile uint8_t *)(uintptr_t)addr = v;
}

/*
 * Descriptor rings live in ordinary write-back memory shared with the device:
 * x86 keeps stores in order, so only the compiler must not move them across
 * the doorbell write (or a status read across the data reads after it).
 */
static inline void dma_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

#endif

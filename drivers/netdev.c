/*
 * netdev.c - find the NICs (netdev.h): each PCI function is offered to each
 * driver in turn; also the PCI helpers the drivers share (netdev-pci.h).
 */
#include "drivers/netdev.h"

#include <errno.h>
#include <string.h>

#include "drivers/netdev-pci.h"
#include "drivers/pci.h"
#include "kernel/kernel.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEM 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_BAR0 0x10

void netdev_pci_enable(const struct pci_func *f)
{
    uint32_t v = pci_read32(f->bus, f->dev, f->fn, PCI_COMMAND);

    /* Keep the upper half (status) zero: its bits are write-one-to-clear. */
    v = (v & 0xFFFF) | PCI_COMMAND_IO | PCI_COMMAND_MEM | PCI_COMMAND_MASTER;
    pci_write32(f->bus, f->dev, f->fn, PCI_COMMAND, v);
}

int netdev_pci_bar(const struct pci_func *f, int n, struct pci_bar *bar)
{
    uint8_t off = PCI_BAR0 + 4 * n;
    uint32_t lo = pci_read32(f->bus, f->dev, f->fn, off), hi = 0, mask_lo, mask_hi = ~0u;
    bool is64 = !(lo & 1) && ((lo >> 1) & 3) == 2;

    if (n < 0 || n > 5 || (is64 && n == 5))
        return -ENODEV;
    if (is64)
        hi = pci_read32(f->bus, f->dev, f->fn, off + 4);
    /* Size by writing all-ones with decoding off, so nothing answers at the probe address. */
    uint32_t cmd = pci_read32(f->bus, f->dev, f->fn, PCI_COMMAND) & 0xFFFF;
    pci_write32(f->bus, f->dev, f->fn, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEM));
    pci_write32(f->bus, f->dev, f->fn, off, ~0u);
    mask_lo = pci_read32(f->bus, f->dev, f->fn, off);
    pci_write32(f->bus, f->dev, f->fn, off, lo);
    if (is64) {
        pci_write32(f->bus, f->dev, f->fn, off + 4, ~0u);
        mask_hi = pci_read32(f->bus, f->dev, f->fn, off + 4);
        pci_write32(f->bus, f->dev, f->fn, off + 4, hi);
    }
    pci_write32(f->bus, f->dev, f->fn, PCI_COMMAND, cmd);

    bar->io = lo & 1;
    if (bar->io) {
        bar->addr = lo & ~3u;
        bar->size = (uint32_t)(~(mask_lo & ~3u) + 1) & 0xFFFF;
    } else {
        bar->addr = ((uint64_t)hi << 32) | (lo & ~15u);
        bar->size = ~((((uint64_t)mask_hi) << 32) | (mask_lo & ~15u)) + 1;
        if (!is64)
            bar->size &= 0xFFFFFFFFull;
    }
    if (!bar->addr || !bar->size || mask_lo == 0)
        return -ENODEV;
    /* The boot page tables identity-map the first 4 GiB (kernel/mem.c), where firmware
     * puts NIC BARs. */
    if (!bar->io && bar->addr + bar->size > 0x100000000ull)
        return -ERANGE;
    return 0;
}

int netdev_probe_all(struct netdev **out, int max)
{
    int n = 0;

    pci_scan();
    for (int i = 0; n < max && pci_func_at(i); i++) {
        const struct pci_func *f = pci_func_at(i);
        int (*const probes[])(const struct pci_func *, struct netdev **) = {e1000_probe,
                                                                            virtio_net_probe};
        for (unsigned p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
            int r = probes[p](f, &out[n]);
            if (r == -ENODEV)
                continue;
            if (r < 0) {
                kern_printf("baremu: NIC %04x:%04x at PCI %02x:%02x.%x did not start: %s\r\n",
                            f->vendor, f->device, f->bus, f->dev, f->fn, strerror(-r));
                return r;
            }
            n++;
            break;
        }
    }
    return n;
}

/*
 * pci.c - the generic part of a PCI function: config cycles through write
 * masks, BAR sizing and mapping, INTx (MSI-X is in msix.c).
 */
#include "hw/pci/pci.h"

#include <errno.h>
#include <string.h>

#include "emu-core/log.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void pci_function_init(struct pci_function *f, uint16_t vendor, uint16_t device, uint32_t class,
                       uint8_t revision, uint16_t subsys_vendor, uint16_t subsys)
{
    memset(f, 0, sizeof(*f));
    put16(f->config + PCI_VENDOR_ID, vendor);
    put16(f->config + PCI_DEVICE_ID, device);
    f->config[PCI_REVISION_ID] = revision;
    f->config[PCI_CLASS_PROG] = (uint8_t) class;
    put16(f->config + PCI_CLASS_DEVICE, (uint16_t)(class >> 8));
    put16(f->config + PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
    put16(f->config + PCI_SUBSYSTEM_ID, subsys);
    f->wmask[PCI_COMMAND] = 0x07 | 0x40; /* I/O, memory, master, parity */
    f->wmask[PCI_COMMAND + 1] = 0x05;    /* SERR, interrupt disable */
    f->wmask[0x0c] = 0xff;               /* cache line size; the latency timer reads 0, as QEMU's */
    f->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

void pci_function_set_bar(struct pci_function *f, int n, uint64_t size, bool io,
                          struct mem_region *mr)
{
    struct pci_bar *b = &f->bar[n];

    b->size = size;
    b->io = io;
    b->mr = mr;
    f->config[PCI_BAR0 + 4 * n] = io ? 0x01 : 0x00; /* I/O, or 32-bit non-prefetchable memory */
    /* Address bits below the size are hardwired to zero, so sizing reads back ~(size-1). */
    uint32_t m = ~(uint32_t)(size - 1) & (io ? ~3u : ~15u);
    for (int i = 0; i < 4; i++)
        f->wmask[PCI_BAR0 + 4 * n + i] = (uint8_t)(m >> (8 * i));
}

void pci_function_set_bar64(struct pci_function *f, int n, uint64_t size, bool prefetch,
                            struct mem_region *mr)
{
    uint32_t hi = ~(uint32_t)((size - 1) >> 32);

    pci_function_set_bar(f, n, size, false, mr);
    f->bar[n].mem64 = true;
    f->config[PCI_BAR0 + 4 * n] = PCI_BAR_MEM64 | (prefetch ? PCI_BAR_PREFETCH : 0);
    for (int i = 0; i < 4; i++)
        f->wmask[PCI_BAR0 + 4 * (n + 1) + i] = (uint8_t)(hi >> (8 * i));
}

int pci_bus_attach(struct pci_bus *bus, struct pci_function *f, uint8_t devfn)
{
    if (bus->fn[devfn])
        return -EBUSY;
    bus->fn[devfn] = f;
    f->bus = bus;
    f->devfn = devfn;
    return 0;
}

/* Map or unmap each BAR as the command register and the BAR's address say. */
void pci_function_update_mappings(struct pci_function *f)
{
    uint16_t cmd = (uint16_t)(f->config[PCI_COMMAND] | f->config[PCI_COMMAND + 1] << 8);

    for (int n = 0; n < PCI_NUM_BARS; n++) {
        struct pci_bar *b = &f->bar[n];
        if (!b->size || !f->bus)
            continue;
        uint32_t raw = get32(f->config + PCI_BAR0 + 4 * n);
        uint64_t addr = raw & (b->io ? ~3u : ~15u);
        uint64_t limit = b->io ? 0xffffu : b->mem64 ? PCI_MEM64_LIMIT : 0xffffffffu;
        if (b->mem64)
            addr |= (uint64_t)get32(f->config + PCI_BAR0 + 4 * (n + 1)) << 32;
        bool enabled = (cmd & (b->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) != 0;
        struct mem_region *space = b->io ? f->bus->io : f->bus->mem;
        /* Unassigned (0) or sizing (all ones) BARs are not decoded. */
        bool want = enabled && addr != 0 && addr <= limit - (b->size - 1) && space != NULL;
        if (b->mapped && (!want || addr != b->mapped_at)) {
            mem_region_del_subregion(space, b->mr);
            b->mapped = false;
        }
        if (want && !b->mapped) {
            if (mem_region_add_subregion(space, addr, b->mr, 1) == 0) {
                b->mapped = true;
                b->mapped_at = addr;
            } else {
                log_guest_error("pci %02x.%x: BAR%d at 0x%llx cannot be mapped", f->devfn >> 3,
                                f->devfn & 7, n, (unsigned long long)addr);
            }
        }
    }
}

uint32_t pci_config_read(struct pci_function *f, unsigned off, unsigned size)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < size && off + i < 256; i++)
        v |= (uint32_t)f->config[off + i] << (8 * i);
    return v;
}

void pci_config_write(struct pci_function *f, unsigned off, uint32_t val, unsigned size)
{
    bool remap = false, intx = false, msix = false;

    for (unsigned i = 0; i < size && off + i < 256; i++) {
        unsigned o = off + i;
        uint8_t m = f->wmask[o];
        f->config[o] = (f->config[o] & ~m) | ((uint8_t)(val >> (8 * i)) & m);
        if (o == PCI_COMMAND || (o >= PCI_BAR0 && o < PCI_BAR0 + 4 * PCI_NUM_BARS))
            remap = true;
        if (o == PCI_COMMAND + 1)
            intx = true;
        if (f->msix.nvectors && o == f->msix.cap + PCI_MSIX_FLAGS + 1u)
            msix = true;
    }
    if (remap)
        pci_function_update_mappings(f);
    if (intx)
        pci_intx_update(f);
    if (msix)
        pci_msix_sync(f); /* after the command register: a pending vector may need bus mastering */
    if (f->config_written)
        f->config_written(f, off, size);
}

void pci_function_reset(struct pci_function *f)
{
    f->config[PCI_COMMAND] = f->config[PCI_COMMAND + 1] = 0;
    /* Every BAR register's address bits, the upper halves of 64-bit BARs too. */
    for (int o = PCI_BAR0; o < PCI_BAR0 + 4 * PCI_NUM_BARS; o++)
        f->config[o] &= (uint8_t)~f->wmask[o];
    f->config[PCI_INTERRUPT_LINE] = 0;
    pci_function_update_mappings(f);
    if (f->msix.nvectors)
        pci_msix_reset(f);
    pci_set_irq(f, 0);
}

void pci_function_post_load(struct pci_function *f)
{
    pci_function_update_mappings(f);
    if (f->msix.nvectors) {
        /* Take enable and mask as loaded; nothing is sent while the machine is being loaded. */
        uint8_t hi = f->config[f->msix.cap + PCI_MSIX_FLAGS + 1];
        f->msix.enabled = (hi << 8 & PCI_MSIX_FLAGS_ENABLE) != 0;
        f->msix.masked = (hi << 8 & PCI_MSIX_FLAGS_MASKALL) != 0;
    }
    pci_intx_update(f);
}

void pci_bus_set_msi(struct pci_bus *bus, void (*fn)(void *opaque, uint64_t addr, uint32_t data),
                     void *opaque)
{
    bus->msi = fn;
    bus->msi_opaque = opaque;
}

void pci_intx_update(struct pci_function *f)
{
    int pin = f->config[PCI_INTERRUPT_PIN];
    uint16_t cmd = (uint16_t)(f->config[PCI_COMMAND] | f->config[PCI_COMMAND + 1] << 8);
    /* PCI 3.0 6.2.2: Interrupt Disable holds INTx low; 6.8.2: so does MSI-X enable. */
    bool drive = f->irq_level && !(cmd & PCI_COMMAND_INTX_DISABLE) && !f->msix.enabled;

    /* The status register's Interrupt Status shows the device's request, disabled or not. */
    if (f->irq_level)
        f->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        f->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    if (f->irq_driven == drive)
        return;
    f->irq_driven = drive;
    if (pin && f->bus && f->bus->set_irq)
        f->bus->set_irq(f->bus->irq_opaque, f->devfn, pin, drive);
}

void pci_set_irq(struct pci_function *f, int level)
{
    f->irq_level = level != 0;
    pci_intx_update(f);
}

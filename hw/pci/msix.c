/*
 * msix.c - MSI-X for a PCI function (PCI Local Bus 3.0, 6.8.2): the
 * capability, the vector table and pending bit array in a BAR of their
 * own, the function mask and per-vector masks, and delivery of a vector's
 * message through the bus's msi hook. Everything the guest writes is taken
 * as it comes: a message with a nonsense address or delivery mode is the
 * board's to refuse.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/log.h"
#include "hw/pci/pci.h"

#define MSIX_ENTRY_ADDR_LO 0
#define MSIX_ENTRY_ADDR_HI 4
#define MSIX_ENTRY_DATA 8
#define MSIX_ENTRY_CTRL 12

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *msix_entry(struct pci_function *f, unsigned v)
{
    return f->msix.table + v * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(struct pci_function *f, unsigned v)
{
    return msix_entry(f, v)[MSIX_ENTRY_CTRL] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static bool msix_pending(struct pci_function *f, unsigned v)
{
    return f->msix.pba[v / 8] & (1u << (v % 8));
}

static void msix_set_pending(struct pci_function *f, unsigned v, bool on)
{
    if (on)
        f->msix.pba[v / 8] |= (uint8_t)(1u << (v % 8));
    else
        f->msix.pba[v / 8] &= (uint8_t) ~(1u << (v % 8));
}

/* The message is a memory write by the function: only while it may master the bus. */
static void msix_send(struct pci_function *f, unsigned v)
{
    const uint8_t *e = msix_entry(f, v);
    uint64_t addr = ld32(e + MSIX_ENTRY_ADDR_LO) | (uint64_t)ld32(e + MSIX_ENTRY_ADDR_HI) << 32;

    if (!(f->config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
        log_guest_error("pci %02x.%x: MSI-X vector %u without bus mastering dropped", f->devfn >> 3,
                        f->devfn & 7, v);
        return;
    }
    if (!f->bus || !f->bus->msi) {
        log_guest_error("pci %02x.%x: MSI-X vector %u: the bus takes no MSIs", f->devfn >> 3,
                        f->devfn & 7, v);
        return;
    }
    f->bus->msi(f->bus->msi_opaque, addr, ld32(e + MSIX_ENTRY_DATA));
}

/* Send vector v if it is pending and nothing masks it any more. */
static void msix_release(struct pci_function *f, unsigned v)
{
    if (!f->msix.enabled || f->msix.masked || msix_vector_masked(f, v) || !msix_pending(f, v))
        return;
    msix_set_pending(f, v, false);
    msix_send(f, v);
}

void pci_msix_notify(struct pci_function *f, unsigned v)
{
    if (v >= f->msix.nvectors)
        return;
    if (!f->msix.enabled || f->msix.masked || msix_vector_masked(f, v)) {
        msix_set_pending(f, v, true);
        return;
    }
    msix_send(f, v);
}

bool pci_msix_enabled(const struct pci_function *f)
{
    return f->msix.nvectors && f->msix.enabled;
}

void pci_msix_clear_pending(struct pci_function *f)
{
    memset(f->msix.pba, 0, sizeof(f->msix.pba));
}

void pci_msix_sync(struct pci_function *f)
{
    uint16_t ctrl;
    bool was_enabled = f->msix.enabled;

    if (!f->msix.nvectors)
        return;
    ctrl = (uint16_t)(f->config[f->msix.cap + PCI_MSIX_FLAGS] |
                      f->config[f->msix.cap + PCI_MSIX_FLAGS + 1] << 8);
    f->msix.enabled = (ctrl & PCI_MSIX_FLAGS_ENABLE) != 0;
    f->msix.masked = (ctrl & PCI_MSIX_FLAGS_MASKALL) != 0;
    /* As QEMU: turning MSI-X on drops the function's INTx request for good. */
    if (f->msix.enabled && !was_enabled)
        f->irq_level = false;
    pci_intx_update(f);
    for (unsigned v = 0; v < f->msix.nvectors; v++)
        msix_release(f, v);
}

void pci_msix_reset(struct pci_function *f)
{
    memset(f->msix.table, 0, sizeof(f->msix.table));
    for (unsigned v = 0; v < f->msix.nvectors; v++)
        msix_entry(f, v)[MSIX_ENTRY_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
    pci_msix_clear_pending(f);
    f->config[f->msix.cap + PCI_MSIX_FLAGS + 1] &=
        (uint8_t) ~((PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
    f->msix.enabled = f->msix.masked = false;
    pci_intx_update(f);
}

/* The BAR: table entries of the implemented vectors, then the PBA; the rest reads 0. */
static uint8_t msix_byte(struct pci_function *f, uint64_t off)
{
    if (off < (uint64_t)f->msix.nvectors * PCI_MSIX_ENTRY_SIZE)
        return f->msix.table[off];
    if (off >= PCI_MSIX_PBA_OFFSET && off < PCI_MSIX_PBA_OFFSET + (f->msix.nvectors + 7u) / 8)
        return f->msix.pba[off - PCI_MSIX_PBA_OFFSET];
    return 0;
}

static uint64_t msix_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)msix_byte(opaque, off + i) << (8 * i);
    return v;
}

static void msix_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_function *f = opaque;
    uint64_t end = (uint64_t)f->msix.nvectors * PCI_MSIX_ENTRY_SIZE;
    unsigned first = ~0u, last = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t o = off + i;
        uint8_t b = (uint8_t)(val >> (8 * i));
        if (o >= end)
            continue; /* the PBA is read-only; beyond both, nothing */
        unsigned field = o % PCI_MSIX_ENTRY_SIZE;
        if (field == MSIX_ENTRY_CTRL)
            b &= PCI_MSIX_ENTRY_CTRL_MASKBIT; /* the other vector control bits are reserved */
        else if (field > MSIX_ENTRY_CTRL)
            b = 0;
        f->msix.table[o] = b;
        if (first == ~0u)
            first = (unsigned)(o / PCI_MSIX_ENTRY_SIZE);
        last = (unsigned)(o / PCI_MSIX_ENTRY_SIZE);
    }
    if (first == ~0u)
        return;
    for (unsigned v = first; v <= last; v++)
        msix_release(f, v); /* an unmasked vector sends what it held back */
}

static const struct mem_region_ops msix_ops = {
    .read = msix_mmio_read, .write = msix_mmio_write, .min_access = 1, .max_access = 8};

int pci_msix_init(struct pci_function *f, unsigned cap, unsigned n, int bar_nr)
{
    uint8_t *c = f->config;

    if (n < 1 || n > PCI_MSIX_MAX_VECTORS || cap < 0x40 || cap + PCI_MSIX_CAP_LEN > 256 ||
        bar_nr < 0 || bar_nr >= PCI_NUM_BARS || f->bar[bar_nr].size)
        return -EINVAL;
    f->msix.nvectors = (uint16_t)n;
    f->msix.cap = (uint8_t)cap;
    c[cap] = PCI_CAP_ID_MSIX;
    c[cap + 1] = c[PCI_CAPABILITY_LIST];
    c[PCI_CAPABILITY_LIST] = (uint8_t)cap;
    c[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    c[cap + PCI_MSIX_FLAGS] = (uint8_t)(n - 1);
    c[cap + PCI_MSIX_FLAGS + 1] = (uint8_t)((n - 1) >> 8);
    f->wmask[cap + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
    c[cap + 4] = (uint8_t)bar_nr; /* table at offset 0 */
    c[cap + 8] = (uint8_t)(PCI_MSIX_PBA_OFFSET | bar_nr);
    c[cap + 9] = PCI_MSIX_PBA_OFFSET >> 8;
    mem_region_init_io(&f->msix.mr, "msix", &msix_ops, f, PCI_MSIX_BAR_SIZE);
    pci_function_set_bar(f, bar_nr, PCI_MSIX_BAR_SIZE, false, &f->msix.mr);
    pci_msix_reset(f);
    return 0;
}

/*
 * pci.h - conventional PCI functions on one bus: type 0 configuration
 * space with per-byte write masks, BARs that are sized the PCI way (write
 * all-ones, read the mask) and mapped into the bus's memory or I/O
 * container while the command register enables them, and INTx pins the
 * bus routes to interrupt lines.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/memory.h"

#define PCI_NUM_BARS 6
#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))

enum {
    PCI_VENDOR_ID = 0x00,
    PCI_DEVICE_ID = 0x02,
    PCI_COMMAND = 0x04,
    PCI_STATUS = 0x06,
    PCI_REVISION_ID = 0x08,
    PCI_CLASS_PROG = 0x09,
    PCI_CLASS_DEVICE = 0x0a,
    PCI_HEADER_TYPE = 0x0e,
    PCI_BAR0 = 0x10,
    PCI_SUBSYSTEM_VENDOR_ID = 0x2c,
    PCI_SUBSYSTEM_ID = 0x2e,
    PCI_INTERRUPT_LINE = 0x3c,
    PCI_INTERRUPT_PIN = 0x3d,
};
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2

struct pci_bus;

struct pci_bar {
    uint64_t size; /* power of two; 0: no BAR */
    bool io;
    struct mem_region *mr;
    uint64_t mapped_at; /* valid while mapped */
    bool mapped;
};

struct pci_function {
    uint8_t config[256];
    uint8_t wmask[256];
    uint8_t devfn;
    struct pci_bus *bus;
    struct pci_bar bar[PCI_NUM_BARS];
    bool irq_level;
    /* Called after the guest wrote config bytes [off, off+size). May be NULL. */
    void (*config_written)(struct pci_function *f, unsigned off, unsigned size);
    void *opaque;
};

struct pci_bus {
    struct pci_function *fn[256];
    struct mem_region *mem, *io; /* where BARs are placed */
    /* INTx of devfn (pin 1 = INTA) changed level. */
    void (*set_irq)(void *opaque, uint8_t devfn, int pin, int level);
    void *irq_opaque;
};

/* Zero the function and fill in the IDs; class is base << 16 | sub << 8 | prog-if. */
void pci_function_init(struct pci_function *f, uint16_t vendor, uint16_t device, uint32_t class,
                       uint8_t revision, uint16_t subsys_vendor, uint16_t subsys);
/* Declare BAR n of size (a power of two) backed by mr. */
void pci_function_set_bar(struct pci_function *f, int n, uint64_t size, bool io,
                          struct mem_region *mr);
/* Put f at devfn on bus: 0, -EBUSY (taken), -EINVAL. */
int pci_bus_attach(struct pci_bus *bus, struct pci_function *f, uint8_t devfn);

/* Configuration cycles (little-endian, size 1, 2 or 4, within the 256 bytes). */
uint32_t pci_config_read(struct pci_function *f, unsigned off, unsigned size);
void pci_config_write(struct pci_function *f, unsigned off, uint32_t val, unsigned size);

/* Back to the power-on configuration: command, BARs and interrupt line cleared, BARs unmapped. */
void pci_function_reset(struct pci_function *f);

/* Drive INTx of the function's interrupt pin. */
void pci_set_irq(struct pci_function *f, int level);

/* Re-place the BARs after the config space was loaded (vmstate). */
void pci_function_update_mappings(struct pci_function *f);

#endif

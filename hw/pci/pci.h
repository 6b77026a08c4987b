/*
 * pci.h - conventional PCI functions on one bus: type 0 configuration
 * space with per-byte write masks, BARs that are sized the PCI way (write
 * all-ones, read the mask) and mapped into the bus's memory or I/O
 * container while the command register enables them, INTx pins the bus
 * routes to interrupt lines (held low while the command register's
 * Interrupt Disable or MSI-X is on), and MSI-X (msix.c) delivered through
 * the bus's message hook.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/memory.h"

#define PCI_NUM_BARS 6
#define PCI_BAR_MEM64 0x04
#define PCI_BAR_PREFETCH 0x08
#define PCI_MEM64_LIMIT ((1ull << 52) - 1) /* the most an x86 CPU addresses */
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
    PCI_CAPABILITY_LIST = 0x34,
    PCI_INTERRUPT_LINE = 0x3c,
    PCI_INTERRUPT_PIN = 0x3d,
};
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT 0x08
#define PCI_STATUS_CAP_LIST 0x10

/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2), laid out as QEMU's
 * msix_init_exclusive_bar: a 4 KiB memory BAR of its own with the vector
 * table at 0 and the pending bit array at 0x800. The capability: ID 0x11,
 * message control (table size - 1; bit 14 function mask, bit 15 enable),
 * table offset/BIR, PBA offset/BIR.
 */
#define PCI_CAP_ID_MSIX 0x11
#define PCI_MSIX_CAP_LEN 12
#define PCI_MSIX_FLAGS 2 /* message control, from the capability */
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 1
#define PCI_MSIX_MAX_VECTORS 128 /* what still fits QEMU's 4 KiB layout */
#define PCI_MSIX_BAR_SIZE 0x1000
#define PCI_MSIX_PBA_OFFSET 0x800

struct pci_bus;

struct pci_bar {
    uint64_t size; /* power of two; 0: no BAR (or the upper half of a 64-bit one) */
    bool io;
    bool mem64; /* a 64-bit memory BAR: the next BAR register holds the upper half */
    struct mem_region *mr;
    uint64_t mapped_at; /* valid while mapped */
    bool mapped;
};

/* A function's MSI-X state; table and pba are guest-visible bytes (little-endian). */
struct pci_msix {
    uint16_t nvectors;    /* 0: no MSI-X */
    uint8_t cap;          /* the capability's offset in configuration space */
    bool enabled, masked; /* as the capability said at the last write (see pci_msix_sync) */
    uint8_t table[PCI_MSIX_MAX_VECTORS * PCI_MSIX_ENTRY_SIZE];
    uint8_t pba[PCI_MSIX_MAX_VECTORS / 8];
    struct mem_region mr; /* the BAR */
};

struct pci_function {
    uint8_t config[256];
    uint8_t wmask[256];
    uint8_t devfn;
    struct pci_bus *bus;
    struct pci_bar bar[PCI_NUM_BARS];
    bool irq_level;  /* INTx as the device drives it */
    bool irq_driven; /* INTx as the bus sees it: gated by Interrupt Disable and MSI-X */
    struct pci_msix msix;
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
    /* A message signalled interrupt: the 32-bit data written at addr (NULL: dropped). */
    void (*msi)(void *opaque, uint64_t addr, uint32_t data);
    void *msi_opaque;
};

/* Zero the function and fill in the IDs; class is base << 16 | sub << 8 | prog-if. */
void pci_function_init(struct pci_function *f, uint16_t vendor, uint16_t device, uint32_t class,
                       uint8_t revision, uint16_t subsys_vendor, uint16_t subsys);
/* Declare BAR n of size (a power of two) backed by mr. */
void pci_function_set_bar(struct pci_function *f, int n, uint64_t size, bool io,
                          struct mem_region *mr);
/* The same for a 64-bit memory BAR n (0-4; n + 1 holds the upper half), prefetchable or not. */
void pci_function_set_bar64(struct pci_function *f, int n, uint64_t size, bool prefetch,
                            struct mem_region *mr);
/* Put f at devfn on bus: 0, -EBUSY (taken), -EINVAL. */
int pci_bus_attach(struct pci_bus *bus, struct pci_function *f, uint8_t devfn);

/* Configuration cycles (little-endian, size 1, 2 or 4, within the 256 bytes). */
uint32_t pci_config_read(struct pci_function *f, unsigned off, unsigned size);
void pci_config_write(struct pci_function *f, unsigned off, uint32_t val, unsigned size);

/* Back to the power-on configuration: command, BARs and interrupt line cleared, BARs unmapped. */
void pci_function_reset(struct pci_function *f);

/* Drive INTx of the function's interrupt pin (the bus sees it unless disabled, see above). */
void pci_set_irq(struct pci_function *f, int level);
/* Tell the bus INTx again after Interrupt Disable or MSI-X enable changed. */
void pci_intx_update(struct pci_function *f);

/* Re-place the BARs after the config space was loaded (vmstate). */
void pci_function_update_mappings(struct pci_function *f);
/* After a load of config space and MSI-X state: BARs, MSI-X enable and INTx as they say. */
void pci_function_post_load(struct pci_function *f);

/* Where the bus's MSIs go: the board's interrupt controller. */
void pci_bus_set_msi(struct pci_bus *bus, void (*fn)(void *opaque, uint64_t addr, uint32_t data),
                     void *opaque);

/*
 * msix.c. pci_msix_init: an MSI-X capability of n vectors (1..128) at
 * config offset cap (linked at the head of the capability list, as QEMU's
 * pci_add_capability does) and its 4 KiB memory BAR bar_nr; every vector
 * masked, MSI-X off. 0 or -EINVAL (bad n, cap or BAR: a programming error).
 */
int pci_msix_init(struct pci_function *f, unsigned cap, unsigned n, int bar_nr);
/* Whether the guest enabled MSI-X (then INTx is off for the function). */
bool pci_msix_enabled(const struct pci_function *f);
/*
 * Signal vector v: sent now if MSI-X is enabled and neither the function
 * nor the vector is masked (and the function may master the bus), else
 * its pending bit is set and it is sent when unmasked. Vectors out of
 * range are ignored.
 */
void pci_msix_notify(struct pci_function *f, unsigned v);
/* Clear every pending bit (a device reset: what was pending is stale). */
void pci_msix_clear_pending(struct pci_function *f);
/* Power-on state: every vector masked with address and data 0, nothing pending, MSI-X off. */
void pci_msix_reset(struct pci_function *f);
/* The capability's enable/mask bits changed (config write or load): send what they unmask. */
void pci_msix_sync(struct pci_function *f);

#endif

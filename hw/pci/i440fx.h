/*
 * i440fx.h - the PCI host of the pc machine: configuration mechanism #1
 * (address at 0xcf8, data at 0xcfc-0xcff) on bus 0 with the 440FX host
 * bridge at 00:00.0 (QEMU's subsystem IDs 1af4:1100, which SeaBIOS looks
 * for) and its PAM registers (0x59-0x5f: whether 0xc0000-0xfffff reads the
 * BIOS ROM or RAM), the PIIX3 ISA bridge at 00:01.0 with the PIRQ routing
 * registers (0x60-0x63) that steer PCI INTx to PIC inputs, and the reset
 * control register at 0xcf9.
 *
 * Property "pic" (link to the i8259 device): where routed INTx go; or
 * "isa-irqs" (link to an array of 16 irq lines, preferred when set): the
 * board's ISA IRQ lines, which it may fan out to the PIC and the I/O APIC.
 */
#ifndef HW_PCI_I440FX_H
#define HW_PCI_I440FX_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/memory.h"
#include "hw/pci/pci.h"

#define I440FX_PAM0 0x59
#define I440FX_NPAM 7
#define PIIX3_PIRQRC 0x60

struct i440fx {
    struct device dev;
    struct device *pic;
    struct irq_line *isa_irqs;
    struct pci_bus bus;
    struct pci_function host, isa;
    uint32_t config_addr;
    uint8_t rcr;           /* 0xcf9 */
    uint8_t pirq_count[4]; /* asserted INTx per PIRQ line */
    uint16_t isa_levels;   /* PIC inputs we currently drive high */
    void (*pam_changed)(void *opaque, const uint8_t *pam);
    void *pam_opaque;
    struct mem_region addr_io, data_io;
};

extern const struct device_type i440fx_type;

/* Told at reset and whenever a PAM register changes (the board remaps 0xc0000-0xfffff). */
void i440fx_set_pam_hook(struct device *dev, void (*fn)(void *opaque, const uint8_t *pam),
                         void *opaque);
/* Bus 0, for plugging functions; BARs go into mem and io. */
struct pci_bus *i440fx_bus(struct device *dev, struct mem_region *mem, struct mem_region *io);

/* Board placement: addr_io (4 bytes, also holds 0xcf9) at 0xcf8, data_io at 0xcfc. */
static inline struct mem_region *i440fx_addr_io(struct device *dev)
{
    return &((struct i440fx *)dev)->addr_io;
}
static inline struct mem_region *i440fx_data_io(struct device *dev)
{
    return &((struct i440fx *)dev)->data_io;
}

#endif

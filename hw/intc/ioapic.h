/*
 * ioapic.h - an I/O APIC (Intel 82093AA datasheet; version 0x20 as QEMU's,
 * which adds the EOI register at offset 0x40): 24 inputs, each with a
 * 64-bit redirection entry (vector, delivery mode, physical/logical
 * destination, edge/level, mask) that turns an input into a message to the
 * local APICs. Level-triggered entries keep Remote IRR set from delivery
 * until the local APIC's EOI broadcast (ioapic_eoi) names their vector; an
 * input still asserted then is delivered again.
 *
 * Registers: IOREGSEL at offset 0x00, IOWIN at 0x10 (32-bit), EOI at 0x40;
 * the board maps the 4 KiB page at 0xfec00000. Input polarity is taken as
 * already resolved (our irq lines carry "asserted"), as QEMU does.
 *
 * Property "id" (u32: the I/O APIC ID, 0 by default). Destinations are the
 * local APICs on the bus given to ioapic_set_bus().
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/memory.h"

struct apic_bus;

#define IOAPIC_DEFAULT_BASE 0xfec00000ull
#define IOAPIC_PINS 24

struct ioapic {
    struct device dev;
    uint32_t id;
    uint8_t sel;
    uint64_t redir[IOAPIC_PINS];
    uint32_t levels; /* input levels, one bit per pin */
    struct apic_bus *bus;
    struct irq_line inputs[IOAPIC_PINS];
    struct mem_region mmio;
};

extern const struct device_type ioapic_type;

/* Input pin n (global system interrupt n for the only I/O APIC); n is taken modulo 24. */
struct irq_line *ioapic_irq(struct device *dev, int n);
struct mem_region *ioapic_mmio(struct device *dev);
/* The local APICs messages go to (hw/intc/apic.h); none before this is called. */
void ioapic_set_bus(struct device *dev, struct apic_bus *bus);
/* The local APICs' EOI broadcast for vector (an apic_set_eoi_hook hook; opaque is the device). */
void ioapic_eoi(void *opaque, int vector);

#endif

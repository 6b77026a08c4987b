/*
 * i8259.h - the PC's cascaded pair of 8259A interrupt controllers: master
 * at ports 0x20-0x21, slave at 0xa0-0xa1 on the master's input 2, and the
 * edge/level control registers (ELCR) at 0x4d0-0x4d1.
 *
 * Inputs 0-15 are ISA IRQ lines (pic_irq()); the output goes to the CPU's
 * INTR pin (property "intr", a link), and pic_intack() is the CPU's
 * acknowledge cycle, returning the vector.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/memory.h"

struct pic_chip {
    uint8_t irr, imr, isr;
    uint8_t last_irr;     /* input levels, for edge detection */
    uint8_t priority_add; /* rotation: the IRQ with the highest priority */
    uint8_t irq_base;
    uint8_t init_state; /* 0: ready, 1-3: next ICW expected */
    uint8_t elcr, elcr_mask;
    bool read_isr, poll, special_mask, auto_eoi, rotate_on_auto_eoi;
    bool special_fully_nested, init4, single_mode;
};

struct i8259 {
    struct device dev;
    struct irq_line *intr;   /* property: the CPU's INTR */
    struct pic_chip chip[2]; /* master, slave */
    struct irq_line inputs[16];
    struct mem_region io[2], elcr_io;
};

extern const struct device_type i8259_type;

struct irq_line *pic_irq(struct device *dev, int n);
/* The INTA cycle: vector of the highest-priority request (spurious IRQ 7 if none). */
int pic_intack(void *opaque);
/* Board placement: chip 0 at 0x20, chip 1 at 0xa0, ELCR at 0x4d0. */
struct mem_region *pic_io(struct device *dev, int chip);
struct mem_region *pic_elcr_io(struct device *dev);

#endif

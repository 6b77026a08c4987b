/*
 * i8042.h - the PC keyboard controller at ports 0x60 (data) and 0x64
 * (status/command) with a keyboard that answers its commands (reset, ID,
 * LEDs, scan set, enable) but has no keys: the console is the serial port.
 * It matters for firmware's PS/2 set-up, the A20 gate and the reset line
 * (command 0xfe, or output-port bit 0), which resets the machine.
 *
 * Properties: "irq" (link: IRQ 1).
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"

#define I8042_QUEUE 16

struct irq_line;

struct i8042 {
    struct device dev;
    struct irq_line *irq;
    uint8_t status, mode, outport;
    uint8_t pending_cmd; /* controller command waiting for its data byte */
    uint8_t kbd_pending; /* keyboard command waiting for its argument */
    bool kbd_enabled;
    uint8_t queue[I8042_QUEUE];
    uint8_t qhead, qcount;
    struct mem_region data_io, cmd_io;
};

extern const struct device_type i8042_type;

static inline struct mem_region *i8042_data_io(struct device *dev)
{
    return &((struct i8042 *)dev)->data_io;
}
static inline struct mem_region *i8042_cmd_io(struct device *dev)
{
    return &((struct i8042 *)dev)->cmd_io;
}

#endif

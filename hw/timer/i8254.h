/*
 * i8254.h - the 8254 programmable interval timer (1.193182 MHz, ports
 * 0x40-0x43; channel 0 drives IRQ 0, channel 2 the PC speaker) and the
 * system control port B at 0x61 (speaker gate/data, refresh toggle,
 * channel 2 output), the bits firmware uses for delays.
 *
 * Properties: "clock" (link: the virtual clock, required), "irq" (link:
 * IRQ 0).
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/memory.h"

#define PIT_FREQ 1193182ull

struct irq_line;

struct pit_channel {
    uint32_t count;   /* reload value, 1..0x10000 */
    uint64_t load_ns; /* virtual time the count was loaded (or the gate rose) */
    uint16_t latched_count;
    uint8_t count_latched; /* access mode of a pending latched read, 0: none */
    bool status_latched;
    uint8_t status;
    uint8_t read_state, write_state, write_latch;
    uint8_t rw_mode, mode;
    bool bcd, gate, armed; /* armed: a count was loaded since the mode was set */
};

struct i8254 {
    struct device dev;
    struct vclock *clock;
    struct irq_line *irq;
    struct pit_channel ch[3];
    bool speaker_data;  /* port 0x61 bit 1 */
    struct timer timer; /* channel 0's next output change */
    struct mem_region io, port61;
};

extern const struct device_type i8254_type;

static inline struct mem_region *pit_io(struct device *dev)
{
    return &((struct i8254 *)dev)->io;
}
static inline struct mem_region *pit_port61_io(struct device *dev)
{
    return &((struct i8254 *)dev)->port61;
}

#endif

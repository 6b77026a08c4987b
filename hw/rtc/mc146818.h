/*
 * mc146818.h - the PC's MC146818 real-time clock and 128-byte CMOS RAM at
 * ports 0x70 (index; bit 7 is the NMI mask) and 0x71 (data). The clock
 * starts at the host's wall-clock time and runs on the virtual clock; the
 * periodic, update-ended and alarm interrupts go to "irq" (IRQ 8).
 *
 * Properties: "clock" (link, required), "irq" (link).
 */
#ifndef HW_RTC_MC146818_H
#define HW_RTC_MC146818_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/memory.h"

struct irq_line;

struct mc146818 {
    struct device dev;
    struct vclock *clock;
    struct irq_line *irq;
    uint8_t cmos[128];
    uint8_t index;
    int64_t offset_s;  /* guest time (Unix seconds) = offset_s + virtual seconds */
    uint64_t last_sec; /* guest second of the last update-ended check */
    struct timer periodic, second;
    struct mem_region io;
};

extern const struct device_type mc146818_type;

/* Board-time CMOS contents (memory sizes, equipment, boot order). */
void cmos_set(struct device *dev, int index, uint8_t val);

static inline struct mem_region *cmos_io(struct device *dev)
{
    return &((struct mc146818 *)dev)->io;
}

#endif

/*
 * goldfish-rtc.h - Google's Goldfish RTC: ns since the Unix epoch, one
 * alarm with an interrupt.
 *
 * Properties: "clock" (link to the virtual clock the RTC runs on; it starts
 * at the host's wall-clock time, plat_wallclock_ns(), and stands still
 * while the VM is paused), "irq" (link to the interrupt line).
 */
#ifndef HW_RTC_GOLDFISH_RTC_H
#define HW_RTC_GOLDFISH_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/memory.h"

#define GOLDFISH_RTC_MMIO_SIZE 0x24

struct irq_line;

struct goldfish_rtc {
    struct device dev;
    struct vclock *clock;
    struct irq_line *irq;
    struct mem_region mmio;
    struct timer alarm;

    /* guest state */
    uint64_t tick_offset; /* RTC ns = virtual clock ns + tick_offset */
    uint64_t alarm_next;
    uint32_t time_high;   /* latched by reading TIME_LOW */
    uint32_t irq_pending, irq_enabled, alarm_running;
};

extern const struct device_type goldfish_rtc_type;

static inline struct mem_region *goldfish_rtc_mmio(struct device *dev)
{
    return &((struct goldfish_rtc *)dev)->mmio;
}

#endif

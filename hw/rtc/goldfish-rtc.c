/*
 * goldfish-rtc.c - Goldfish RTC on the virtual clock.
 *
 * Reading TIME_LOW latches the high half for the following TIME_HIGH read,
 * so a 64-bit time read as two words is consistent. The guest may set the
 * time (it moves an offset) and arm one alarm.
 */
#include "hw/rtc/goldfish-rtc.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "emu-core/vmstate.h"

enum {
    RTC_TIME_LOW = 0x00,
    RTC_TIME_HIGH = 0x04,
    RTC_ALARM_LOW = 0x08,
    RTC_ALARM_HIGH = 0x0c,
    RTC_IRQ_ENABLED = 0x10,
    RTC_CLEAR_ALARM = 0x14,
    RTC_ALARM_STATUS = 0x18,
    RTC_CLEAR_INTERRUPT = 0x1c,
};

static uint64_t rtc_now(const struct goldfish_rtc *s) { return vclock_ns(s->clock) + s->tick_offset; }

static void rtc_update_irq(struct goldfish_rtc *s)
{
    irq_set(s->irq, s->irq_pending && s->irq_enabled);
}

static void rtc_clear_alarm(struct goldfish_rtc *s)
{
    timer_del(&s->alarm);
    s->alarm_running = 0;
}

static void rtc_set_alarm(struct goldfish_rtc *s)
{
    uint64_t now = rtc_now(s);

    if (s->alarm_next <= now) {
        rtc_clear_alarm(s);
        s->irq_pending = 1;
        rtc_update_irq(s);
        return;
    }
    timer_mod(&s->alarm, vclock_ns(s->clock) + (s->alarm_next - now));
    s->alarm_running = 1;
}

static void rtc_alarm_cb(void *opaque)
{
    struct goldfish_rtc *s = opaque;

    s->alarm_running = 0;
    s->irq_pending = 1;
    rtc_update_irq(s);
}

static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size)
{
    struct goldfish_rtc *s = opaque;
    uint64_t now;

    (void)size;
    switch (offset) {
    case RTC_TIME_LOW:
        now = rtc_now(s);
        s->time_high = now >> 32;
        return (uint32_t)now;
    case RTC_TIME_HIGH:
        return s->time_high;
    case RTC_ALARM_LOW:
        return (uint32_t)s->alarm_next;
    case RTC_ALARM_HIGH:
        return s->alarm_next >> 32;
    case RTC_IRQ_ENABLED:
        return s->irq_enabled;
    case RTC_ALARM_STATUS:
        return s->alarm_running;
    default:
        log_guest_error("goldfish-rtc: read at bad offset 0x%llx", (unsigned long long)offset);
        return 0;
    }
}

static void rtc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct goldfish_rtc *s = opaque;
    uint64_t now, want;

    (void)size;
    value &= 0xffffffffull;
    switch (offset) {
    case RTC_TIME_LOW:
        now = rtc_now(s);
        want = (now & ~0xffffffffull) | value;
        s->tick_offset += want - now;
        break;
    case RTC_TIME_HIGH:
        now = rtc_now(s);
        want = (now & 0xffffffffull) | (value << 32);
        s->tick_offset += want - now;
        break;
    case RTC_ALARM_LOW:
        s->alarm_next = (s->alarm_next & ~0xffffffffull) | value;
        rtc_set_alarm(s);
        break;
    case RTC_ALARM_HIGH:
        s->alarm_next = (s->alarm_next & 0xffffffffull) | (value << 32);
        break;
    case RTC_IRQ_ENABLED:
        s->irq_enabled = value & 1;
        rtc_update_irq(s);
        break;
    case RTC_CLEAR_ALARM:
        rtc_clear_alarm(s);
        break;
    case RTC_CLEAR_INTERRUPT:
        s->irq_pending = 0;
        rtc_update_irq(s);
        break;
    default:
        log_guest_error("goldfish-rtc: write at bad offset 0x%llx", (unsigned long long)offset);
    }
}

static const struct mem_region_ops rtc_ops = {
    .read = rtc_read,
    .write = rtc_write,
    .min_access = 4,
    .max_access = 4,
};

static void rtc_reset(struct device *dev)
{
    struct goldfish_rtc *s = (struct goldfish_rtc *)dev;

    /* The time keeps running across a reset, as a battery-backed clock does. */
    rtc_clear_alarm(s);
    s->alarm_next = 0;
    s->irq_enabled = 0;
    s->irq_pending = 0;
    rtc_update_irq(s);
}

static int rtc_realize(struct device *dev)
{
    struct goldfish_rtc *s = (struct goldfish_rtc *)dev;

    if (!s->clock) {
        error_report("goldfish-rtc: needs a clock");
        return -EINVAL;
    }
    mem_region_init_io(&s->mmio, "goldfish_rtc", &rtc_ops, s, GOLDFISH_RTC_MMIO_SIZE);
    timer_init(&s->alarm, s->clock, rtc_alarm_cb, s);
    s->tick_offset = plat_wallclock_ns() - vclock_ns(s->clock);
    rtc_reset(dev);
    return 0;
}

static void rtc_unrealize(struct device *dev)
{
    rtc_clear_alarm((struct goldfish_rtc *)dev);
}

static int rtc_post_load(void *opaque, int version_id)
{
    struct goldfish_rtc *s = opaque;

    (void)version_id;
    s->irq_enabled &= 1;
    s->irq_pending &= 1;
    timer_del(&s->alarm);
    if (s->alarm_running)
        rtc_set_alarm(s);
    rtc_update_irq(s);
    return 0;
}

#define F(field, t) {.name = #field, .type = t, .offset = offsetof(struct goldfish_rtc, field)}
static const struct vmstate_field rtc_vmstate_fields[] = {
    F(tick_offset, VMS_U64),   F(alarm_next, VMS_U64),  F(time_high, VMS_U32),
    F(irq_pending, VMS_U32),   F(irq_enabled, VMS_U32), F(alarm_running, VMS_U32),
    {.type = VMS_END},
};
#undef F

static const struct vmstate_desc rtc_vmstate = {
    .name = "goldfish-rtc",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = rtc_vmstate_fields,
    .post_load = rtc_post_load,
};

static const struct device_prop rtc_props[] = {
    {.name = "clock", .type = PROP_LINK, .offset = offsetof(struct goldfish_rtc, clock)},
    {.name = "irq", .type = PROP_LINK, .offset = offsetof(struct goldfish_rtc, irq)},
    {.type = PROP_END},
};

const struct device_type goldfish_rtc_type = {
    .name = "goldfish-rtc",
    .desc = "Goldfish real-time clock",
    .state_size = sizeof(struct goldfish_rtc),
    .props = rtc_props,
    .realize = rtc_realize,
    .reset = rtc_reset,
    .unrealize = rtc_unrealize,
    .vmsd = &rtc_vmstate,
};

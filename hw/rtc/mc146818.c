/*
 * mc146818.c - RTC and CMOS. The time is never stored ticking: it is
 * offset_s plus the virtual clock's seconds, converted to the registers'
 * BCD/binary and 12/24-hour formats when read, so a paused VM's clock
 * stands still and a guest that sets the clock just moves offset_s.
 */
#include "hw/rtc/mc146818.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "emu-core/vmstate.h"

enum {
    RTC_SEC = 0,
    RTC_SEC_ALARM,
    RTC_MIN,
    RTC_MIN_ALARM,
    RTC_HOUR,
    RTC_HOUR_ALARM,
    RTC_DOW,
    RTC_DAY,
    RTC_MONTH,
    RTC_YEAR,
    RTC_REG_A,
    RTC_REG_B,
    RTC_REG_C,
    RTC_REG_D,
    RTC_CENTURY = 0x32,
};
#define REG_B_SET 0x80
#define REG_B_PIE 0x40
#define REG_B_AIE 0x20
#define REG_B_UIE 0x10
#define REG_B_BINARY 0x04
#define REG_B_24H 0x02
#define REG_C_IRQF 0x80
#define REG_C_PF 0x40
#define REG_C_AF 0x20
#define REG_C_UF 0x10
#define NS_PER_S 1000000000ull

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static uint8_t rtc_to_reg(const struct mc146818 *s, unsigned v)
{
    return (s->cmos[RTC_REG_B] & REG_B_BINARY) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned rtc_from_reg(const struct mc146818 *s, uint8_t v)
{
    return (s->cmos[RTC_REG_B] & REG_B_BINARY) ? v : (unsigned)((v >> 4) * 10 + (v & 15));
}

static uint8_t rtc_hour_to_reg(const struct mc146818 *s, unsigned h)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_to_reg(s, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return rtc_to_reg(s, h12) | (h >= 12 ? 0x80 : 0);
}

static unsigned rtc_hour_from_reg(const struct mc146818 *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_from_reg(s, v);
    unsigned h = rtc_from_reg(s, v & 0x7f) % 12;
    return h + ((v & 0x80) ? 12 : 0);
}

static uint64_t rtc_vsec(const struct mc146818 *s)
{
    return vclock_ns(s->clock) / NS_PER_S;
}

static int64_t rtc_now(const struct mc146818 *s)
{
    return s->offset_s + (int64_t)rtc_vsec(s);
}

/* Fill the time registers from a Unix time. */
static void rtc_store_time(struct mc146818 *s, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, y;
    int64_t secs = t - days * 86400;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    s->cmos[RTC_SEC] = rtc_to_reg(s, secs % 60);
    s->cmos[RTC_MIN] = rtc_to_reg(s, (secs / 60) % 60);
    s->cmos[RTC_HOUR] = rtc_hour_to_reg(s, (unsigned)(secs / 3600));
    s->cmos[RTC_DOW] = rtc_to_reg(s, (unsigned)(((days % 7) + 11) % 7) + 1); /* 1 = Sunday */
    s->cmos[RTC_DAY] = rtc_to_reg(s, d);
    s->cmos[RTC_MONTH] = rtc_to_reg(s, m);
    s->cmos[RTC_YEAR] = rtc_to_reg(s, (unsigned)(y % 100));
    s->cmos[RTC_CENTURY] = rtc_to_reg(s, (unsigned)(y / 100));
}

/* The guest wrote the clock: make offset_s say what the registers say. */
static void rtc_load_time(struct mc146818 *s)
{
    unsigned year =
        rtc_from_reg(s, s->cmos[RTC_CENTURY]) * 100 + rtc_from_reg(s, s->cmos[RTC_YEAR]);
    unsigned mon = rtc_from_reg(s, s->cmos[RTC_MONTH]), day = rtc_from_reg(s, s->cmos[RTC_DAY]);

    if (mon < 1 || mon > 12 || day < 1 || day > 31) {
        log_guest_error("mc146818: invalid date %u-%u-%u written", year, mon, day);
        return;
    }
    int64_t t = days_from_civil(year, mon, day) * 86400 +
                rtc_hour_from_reg(s, s->cmos[RTC_HOUR]) * 3600 +
                rtc_from_reg(s, s->cmos[RTC_MIN]) * 60 + rtc_from_reg(s, s->cmos[RTC_SEC]);
    s->offset_s = t - (int64_t)rtc_vsec(s);
}

static void rtc_update_irq(struct mc146818 *s)
{
    uint8_t c = s->cmos[RTC_REG_C] & (REG_C_PF | REG_C_AF | REG_C_UF);
    uint8_t en = s->cmos[RTC_REG_B] & (REG_B_PIE | REG_B_AIE | REG_B_UIE);

    if (c & en) {
        s->cmos[RTC_REG_C] |= REG_C_IRQF;
        irq_raise(s->irq);
    }
}

static void rtc_arm_periodic(struct mc146818 *s)
{
    unsigned rate = s->cmos[RTC_REG_A] & 15;

    timer_del(&s->periodic);
    /* Only with the 32.768 kHz time base (divider 010) and a rate. */
    if (!rate || ((s->cmos[RTC_REG_A] >> 4) & 7) != 2 || !(s->cmos[RTC_REG_B] & REG_B_PIE))
        return;
    if (rate <= 2)
        rate += 7;
    uint64_t period = (NS_PER_S << (rate - 1)) / 32768, now = vclock_ns(s->clock);
    timer_mod(&s->periodic, (now / period + 1) * period);
}

static void rtc_periodic_cb(void *opaque)
{
    struct mc146818 *s = opaque;

    s->cmos[RTC_REG_C] |= REG_C_PF;
    rtc_update_irq(s);
    rtc_arm_periodic(s);
}

static void rtc_arm_second(struct mc146818 *s)
{
    timer_del(&s->second);
    if (s->cmos[RTC_REG_B] & (REG_B_UIE | REG_B_AIE))
        timer_mod(&s->second, (rtc_vsec(s) + 1) * NS_PER_S);
}

static bool rtc_alarm_match(const struct mc146818 *s, int reg, int alarm)
{
    uint8_t a = s->cmos[alarm];
    return (a & 0xc0) == 0xc0 || a == s->cmos[reg]; /* 11xxxxxx: don't care */
}

static void rtc_second_cb(void *opaque)
{
    struct mc146818 *s = opaque;

    if (!(s->cmos[RTC_REG_B] & REG_B_SET)) {
        rtc_store_time(s, rtc_now(s));
        s->cmos[RTC_REG_C] |= REG_C_UF;
        if (rtc_alarm_match(s, RTC_SEC, RTC_SEC_ALARM) &&
            rtc_alarm_match(s, RTC_MIN, RTC_MIN_ALARM) &&
            rtc_alarm_match(s, RTC_HOUR, RTC_HOUR_ALARM))
            s->cmos[RTC_REG_C] |= REG_C_AF;
        rtc_update_irq(s);
    }
    rtc_arm_second(s);
}

static uint64_t cmos_read(void *opaque, uint64_t off, unsigned size)
{
    struct mc146818 *s = opaque;
    int i = s->index;
    uint8_t v;

    (void)size;
    if (off == 0)
        return 0xff; /* the index port is write-only */
    if (i <= RTC_YEAR || i == RTC_CENTURY) {
        if (!(s->cmos[RTC_REG_B] & REG_B_SET) && i != RTC_SEC_ALARM && i != RTC_MIN_ALARM &&
            i != RTC_HOUR_ALARM)
            rtc_store_time(s, rtc_now(s));
        return s->cmos[i];
    }
    switch (i) {
    case RTC_REG_A:
        return s->cmos[i] & 0x7f; /* never "update in progress": reads are atomic here */
    case RTC_REG_C:
        v = s->cmos[i];
        s->cmos[i] = 0;
        irq_lower(s->irq);
        return v;
    default:
        return s->cmos[i];
    }
}

static void cmos_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct mc146818 *s = opaque;
    uint8_t v = (uint8_t)val;
    int i = s->index;

    (void)size;
    if (off == 0) {
        s->index = v & 0x7f; /* bit 7 masks NMIs, which we never raise */
        return;
    }
    switch (i) {
    case RTC_REG_A:
        s->cmos[i] = v & 0x7f;
        rtc_arm_periodic(s);
        break;
    case RTC_REG_B: {
        /* Leaving SET mode starts the clock from what the guest wrote (in the new format). */
        bool was_set = s->cmos[i] & REG_B_SET;
        s->cmos[i] = v;
        if (was_set && !(v & REG_B_SET))
            rtc_load_time(s);
        rtc_arm_periodic(s);
        rtc_arm_second(s);
        rtc_update_irq(s);
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    default:
        s->cmos[i] = v;
        if ((i <= RTC_YEAR || i == RTC_CENTURY) && i != RTC_SEC_ALARM && i != RTC_MIN_ALARM &&
            i != RTC_HOUR_ALARM && !(s->cmos[RTC_REG_B] & REG_B_SET))
            rtc_load_time(s);
        break;
    }
}

static const struct mem_region_ops cmos_ops = {
    .read = cmos_read, .write = cmos_write, .min_access = 1, .max_access = 1};

void cmos_set(struct device *dev, int index, uint8_t val)
{
    struct mc146818 *s = (struct mc146818 *)dev;

    if (index > RTC_REG_D && index < 128 && index != RTC_CENTURY)
        s->cmos[index] = val;
}

static void rtc_reset(struct device *dev)
{
    struct mc146818 *s = (struct mc146818 *)dev;

    /* The clock and the CMOS RAM survive a reset; the interrupt enables do not. */
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE);
    s->cmos[RTC_REG_C] = 0;
    timer_del(&s->periodic);
    timer_del(&s->second);
    irq_lower(s->irq);
}

static int rtc_realize(struct device *dev)
{
    struct mc146818 *s = (struct mc146818 *)dev;

    if (!s->clock) {
        error_report("mc146818: needs the virtual clock");
        return -EINVAL;
    }
    timer_init(&s->periodic, s->clock, rtc_periodic_cb, s);
    timer_init(&s->second, s->clock, rtc_second_cb, s);
    mem_region_init_io(&s->io, "rtc", &cmos_ops, s, 2);
    s->cmos[RTC_REG_A] = 0x26;
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_D] = 0x80; /* valid RAM and time */
    s->offset_s = (int64_t)(plat_wallclock_ns() / NS_PER_S) - (int64_t)rtc_vsec(s);
    rtc_store_time(s, rtc_now(s));
    return 0;
}

static void rtc_unrealize(struct device *dev)
{
    struct mc146818 *s = (struct mc146818 *)dev;

    timer_del(&s->periodic);
    timer_del(&s->second);
}

static int rtc_post_load(void *opaque, int version_id)
{
    struct mc146818 *s = opaque;

    (void)version_id;
    s->index &= 0x7f;
    rtc_arm_periodic(s);
    rtc_arm_second(s);
    return 0;
}

static const struct vmstate_field rtc_fields[] = {
    {.name = "cmos", .type = VMS_BUFFER, .offset = offsetof(struct mc146818, cmos), .size = 128},
    {.name = "index", .type = VMS_U8, .offset = offsetof(struct mc146818, index)},
    {.name = "offset_s", .type = VMS_U64, .offset = offsetof(struct mc146818, offset_s)},
    {.type = VMS_END},
};
static const struct vmstate_desc rtc_vmstate = {.name = "mc146818",
                                                .version_id = 1,
                                                .minimum_version_id = 1,
                                                .fields = rtc_fields,
                                                .post_load = rtc_post_load};

static const struct device_prop rtc_props[] = {
    {"clock", PROP_LINK, offsetof(struct mc146818, clock), 0, NULL},
    {"irq", PROP_LINK, offsetof(struct mc146818, irq), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type mc146818_type = {
    .name = "mc146818rtc",
    .desc = "MC146818 RTC and CMOS RAM",
    .state_size = sizeof(struct mc146818),
    .props = rtc_props,
    .realize = rtc_realize,
    .reset = rtc_reset,
    .unrealize = rtc_unrealize,
    .vmsd = &rtc_vmstate,
};

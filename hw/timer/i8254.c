/*
 * i8254.c - the PC's interval timer on the virtual clock. Counts are not
 * stepped: a channel remembers when its count was loaded and derives the
 * current count and output from the elapsed virtual time, so reading it
 * costs nothing and a paused VM's timer stands still. Only channel 0 has a
 * timer, for IRQ 0.
 */
#include "hw/timer/i8254.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/vmstate.h"

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

#define NS_PER_S 1000000000ull
#define REFRESH_NS 15085 /* port 0x61 bit 4 toggles at this period, as on a PC */

static uint64_t pit_ticks(const struct pit_channel *c, uint64_t now)
{
    if (now <= c->load_ns)
        return 0;
    return (uint64_t)((unsigned __int128)(now - c->load_ns) * PIT_FREQ / NS_PER_S);
}

/* Virtual time at which tick t (since the load) begins; rounded up so the tick has begun. */
static uint64_t pit_tick_ns(const struct pit_channel *c, uint64_t t)
{
    return c->load_ns + (uint64_t)(((unsigned __int128)t * NS_PER_S + PIT_FREQ - 1) / PIT_FREQ);
}

static uint16_t pit_current_count(const struct pit_channel *c, uint64_t now)
{
    uint64_t d = pit_ticks(c, now);

    if (!c->armed)
        return (uint16_t)c->count;
    switch (c->mode) {
    case 2:
        return (uint16_t)(c->count - d % c->count);
    case 3:
        return (uint16_t)(c->count - (2 * d) % c->count);
    default:
        return (uint16_t)(c->count - d);
    }
}

static bool pit_output(const struct pit_channel *c, uint64_t now)
{
    uint64_t d = pit_ticks(c, now);

    if (!c->armed)
        return c->mode != 0;
    switch (c->mode) {
    case 0:
        return d >= c->count;
    case 1:
        return d >= c->count;
    case 2:
        return c->count == 1 || d % c->count != c->count - 1;
    case 3:
        return d % c->count < (c->count + 1) / 2;
    default: /* 4, 5: a one-clock low strobe when the count runs out */
        return d != c->count;
    }
}

/* Channel 0: the next time its output rises, for IRQ 0. */
static void pit_ch0_arm(struct i8254 *s)
{
    struct pit_channel *c = &s->ch[0];
    uint64_t now = vclock_ns(s->clock), d = pit_ticks(c, now);

    timer_del(&s->timer);
    if (!c->armed)
        return;
    switch (c->mode) {
    case 0:
    case 4:
        if (d < c->count)
            timer_mod(&s->timer, pit_tick_ns(c, c->count));
        break;
    case 2:
    case 3:
        timer_mod(&s->timer, pit_tick_ns(c, (d / c->count + 1) * c->count));
        break;
    default: /* 1, 5 wait for a gate edge, and channel 0's gate is tied high */
        break;
    }
}

static void pit_timer_cb(void *opaque)
{
    struct i8254 *s = opaque;
    struct pit_channel *c = &s->ch[0];

    if (c->mode == 0) {
        irq_raise(s->irq); /* stays high until the next count or mode */
    } else {
        /*
         * OUT rests high and drops for the last clock of the count (mode 2), the
         * second half (3) or one clock at the end (4, 5): the rising edge the 8259 and
         * I/O APIC see comes as it goes high again. Lower, then raise: a pulse the
         * other way left the line low, and the first count after a mode write (OUT
         * high) gave no edge at all, so a 250 Hz tick's first interrupt came 8 ms late.
         */
        irq_lower(s->irq);
        irq_raise(s->irq);
    }
    pit_ch0_arm(s);
}

static void pit_load(struct i8254 *s, int n, uint32_t val)
{
    struct pit_channel *c = &s->ch[n];

    c->count = val ? val : 0x10000;
    c->load_ns = vclock_ns(s->clock);
    c->armed = true;
    if (n == 0) {
        if (c->mode == 0)
            irq_lower(s->irq);
        pit_ch0_arm(s);
    }
}

static void pit_latch_count(struct i8254 *s, struct pit_channel *c)
{
    if (c->count_latched)
        return;
    c->latched_count = pit_current_count(c, vclock_ns(s->clock));
    c->count_latched = c->rw_mode;
}

static void pit_latch_status(struct i8254 *s, struct pit_channel *c)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)(pit_output(c, vclock_ns(s->clock)) << 7 | (!c->armed) << 6 |
                          c->rw_mode << 4 | c->mode << 1 | c->bcd);
    c->status_latched = true;
}

static void pit_write_control(struct i8254 *s, uint8_t v)
{
    int sc = v >> 6;

    if (sc == 3) { /* read-back */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x20))
                pit_latch_count(s, &s->ch[i]);
            if (!(v & 0x10))
                pit_latch_status(s, &s->ch[i]);
        }
        return;
    }
    struct pit_channel *c = &s->ch[sc];
    int access = (v >> 4) & 3;
    if (access == RW_LATCH) {
        pit_latch_count(s, c);
        return;
    }
    c->rw_mode = access;
    c->read_state = c->write_state = access;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4; /* 6 and 7 are aliases of 2 and 3 */
    c->bcd = v & 1;
    if (c->bcd)
        log_unimp("i8254: BCD counting (counting in binary)");
    c->armed = false;
    if (sc == 0) {
        timer_del(&s->timer);
        irq_set(s->irq, c->mode != 0); /* mode 0 starts low, the others high */
    }
}

static void pit_write_data(struct i8254 *s, int n, uint8_t v)
{
    struct pit_channel *c = &s->ch[n];

    switch (c->write_state) {
    case RW_LSB:
        pit_load(s, n, v);
        break;
    case RW_MSB:
        pit_load(s, n, (uint32_t)v << 8);
        break;
    case RW_WORD0:
        c->write_latch = v;
        c->write_state = RW_WORD1;
        break;
    default:
        pit_load(s, n, c->write_latch | (uint32_t)v << 8);
        c->write_state = RW_WORD0;
        break;
    }
}

static uint8_t pit_read_data(struct i8254 *s, int n)
{
    struct pit_channel *c = &s->ch[n];
    uint16_t cnt;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        cnt = c->latched_count;
        switch (c->count_latched) {
        case RW_MSB:
            c->count_latched = 0;
            return cnt >> 8;
        case RW_WORD0:
            c->count_latched = RW_MSB;
            return cnt & 0xff;
        default:
            c->count_latched = 0;
            return cnt & 0xff;
        }
    }
    cnt = pit_current_count(c, vclock_ns(s->clock));
    switch (c->read_state) {
    case RW_MSB:
        return cnt >> 8;
    case RW_WORD0:
        c->read_state = RW_WORD1;
        return cnt & 0xff;
    case RW_WORD1:
        c->read_state = RW_WORD0;
        return cnt >> 8;
    default:
        return cnt & 0xff;
    }
}

static uint64_t pit_io_read(void *opaque, uint64_t off, unsigned size)
{
    (void)size;
    if (off == 3)
        return 0xff; /* the control word is write-only */
    return pit_read_data(opaque, (int)off);
}

static void pit_io_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    (void)size;
    if (off == 3)
        pit_write_control(opaque, (uint8_t)v);
    else
        pit_write_data(opaque, (int)off, (uint8_t)v);
}

static uint64_t pit_port61_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8254 *s = opaque;
    uint64_t now = vclock_ns(s->clock);
    const struct pit_channel *c = &s->ch[2];

    (void)off;
    (void)size;
    return (uint8_t)(c->gate | s->speaker_data << 1 | ((now / REFRESH_NS) & 1) << 4 |
                     pit_output(c, now) << 5);
}

static void pit_port61_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct i8254 *s = opaque;
    struct pit_channel *c = &s->ch[2];
    bool gate = v & 1;

    (void)off;
    (void)size;
    /* A rising gate (re)starts modes 1, 2, 3 and 5. */
    if (gate && !c->gate && c->armed && c->mode != 0 && c->mode != 4)
        c->load_ns = vclock_ns(s->clock);
    c->gate = gate;
    s->speaker_data = (v >> 1) & 1;
}

static const struct mem_region_ops pit_ops = {
    .read = pit_io_read, .write = pit_io_write, .min_access = 1, .max_access = 1};
static const struct mem_region_ops pit_port61_ops = {
    .read = pit_port61_read, .write = pit_port61_write, .min_access = 1, .max_access = 1};

static void pit_reset(struct device *dev)
{
    struct i8254 *s = (struct i8254 *)dev;

    timer_del(&s->timer);
    for (int i = 0; i < 3; i++) {
        s->ch[i] = (struct pit_channel){.count = 0x10000, .mode = 3, .gate = i != 2};
    }
    s->speaker_data = false;
}

static int pit_realize(struct device *dev)
{
    struct i8254 *s = (struct i8254 *)dev;

    if (!s->clock) {
        error_report("i8254: needs the virtual clock");
        return -EINVAL;
    }
    timer_init(&s->timer, s->clock, pit_timer_cb, s);
    mem_region_init_io(&s->io, "pit", &pit_ops, s, 4);
    mem_region_init_io(&s->port61, "port61", &pit_port61_ops, s, 1);
    pit_reset(dev);
    return 0;
}

static void pit_unrealize(struct device *dev)
{
    timer_del(&((struct i8254 *)dev)->timer);
}

#define CH_F(f, t)                                                                                 \
    {                                                                                              \
#f, t, offsetof(struct pit_channel, f), 0, 0, NULL, 0, false, 0                            \
    }
static const struct vmstate_field pit_channel_fields[] = {
    CH_F(count, VMS_U32),
    CH_F(load_ns, VMS_U64),
    CH_F(latched_count, VMS_U16),
    CH_F(count_latched, VMS_U8),
    CH_F(status_latched, VMS_BOOL),
    CH_F(status, VMS_U8),
    CH_F(read_state, VMS_U8),
    CH_F(write_state, VMS_U8),
    CH_F(write_latch, VMS_U8),
    CH_F(rw_mode, VMS_U8),
    CH_F(mode, VMS_U8),
    CH_F(bcd, VMS_BOOL),
    CH_F(gate, VMS_BOOL),
    CH_F(armed, VMS_BOOL),
    {.type = VMS_END},
};
static const struct vmstate_desc pit_channel_vmstate = {.name = "i8254-channel",
                                                        .version_id = 1,
                                                        .minimum_version_id = 1,
                                                        .fields = pit_channel_fields};

static int pit_post_load(void *opaque, int version_id)
{
    struct i8254 *s = opaque;

    (void)version_id;
    for (int i = 0; i < 3; i++) {
        struct pit_channel *c = &s->ch[i];
        /* A hostile stream must not divide by zero or pick a mode we do not have. */
        if (c->count == 0 || c->count > 0x10000 || c->mode > 5 || c->read_state > RW_WORD1 ||
            c->write_state > RW_WORD1 || c->write_state == RW_LATCH)
            return -EINVAL;
    }
    pit_ch0_arm(s);
    return 0;
}

static const struct vmstate_field pit_fields[] = {
    {.name = "ch",
     .type = VMS_STRUCT,
     .offset = offsetof(struct i8254, ch),
     .count = 3,
     .size = sizeof(struct pit_channel),
     .sub = &pit_channel_vmstate},
    {.name = "speaker_data", .type = VMS_BOOL, .offset = offsetof(struct i8254, speaker_data)},
    {.type = VMS_END},
};
static const struct vmstate_desc pit_vmstate = {.name = "i8254",
                                                .version_id = 1,
                                                .minimum_version_id = 1,
                                                .fields = pit_fields,
                                                .post_load = pit_post_load};

static const struct device_prop pit_props[] = {
    {"clock", PROP_LINK, offsetof(struct i8254, clock), 0, NULL},
    {"irq", PROP_LINK, offsetof(struct i8254, irq), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type i8254_type = {
    .name = "i8254",
    .desc = "8254 interval timer with port 0x61",
    .state_size = sizeof(struct i8254),
    .props = pit_props,
    .realize = pit_realize,
    .reset = pit_reset,
    .unrealize = pit_unrealize,
    .vmsd = &pit_vmstate,
};

/*
 * apic-timer.c - the local APIC timer (Intel SDM vol. 3A, 11.5.4): a
 * 32-bit down-counter at the bus clock divided by the divide configuration
 * register, one-shot or periodic, raising the timer LVT at zero. The bus
 * clock is 1 GHz of virtual time (one tick per ns before division), as
 * QEMU's; the current count is derived from virtual time on each read, so
 * the timer costs nothing between interrupts.
 */
#include "hw/intc/apic-internal.h"

/*
 * A periodic timer fires no more often than this (virtual ns): a guest
 * asking for a 1 ns period must not turn the main loop into a timer storm.
 * The count register still reads as the guest programmed it.
 */
#define APIC_TIMER_MIN_PERIOD_NS 10000ull

/* 11.5.4, figure 11-10: bits 3,1:0 select 2,4,...,128 and 111b selects 1. */
static unsigned apic_timer_shift(const struct apic *s)
{
    unsigned v = (s->divide_conf & 3) | (s->divide_conf >> 1 & 4);

    return (v + 1) & 7;
}

static uint64_t apic_timer_period_ns(const struct apic *s)
{
    return (uint64_t)s->initial_count << apic_timer_shift(s);
}

static bool apic_timer_periodic(const struct apic *s)
{
    return s->lvt[APIC_LVT_TIMER] & APIC_LVT_TIMER_PERIODIC;
}

uint32_t apic_timer_current(struct apic *s)
{
    uint64_t now = vclock_ns(s->clock), elapsed;

    if (!s->initial_count)
        return 0;
    elapsed = (now > s->count_start_ns ? now - s->count_start_ns : 0) >> apic_timer_shift(s);
    if (apic_timer_periodic(s))
        return s->initial_count - (uint32_t)(elapsed % s->initial_count);
    return elapsed >= s->initial_count ? 0 : s->initial_count - (uint32_t)elapsed;
}

/* Arm the host timer for the next zero crossing, if any is still to come and unmasked. */
static void apic_timer_arm(struct apic *s)
{
    uint64_t now = vclock_ns(s->clock), period = apic_timer_period_ns(s), next;

    timer_del(&s->timer);
    if (!period || (s->lvt[APIC_LVT_TIMER] & APIC_LVT_MASKED))
        return;
    next = s->count_start_ns + period;
    if (apic_timer_periodic(s)) {
        if (now >= next) /* the crossings since then were missed while masked: next one */
            next = s->count_start_ns + ((now - s->count_start_ns) / period + 1) * period;
        if (period < APIC_TIMER_MIN_PERIOD_NS && next < now + APIC_TIMER_MIN_PERIOD_NS)
            next = now + APIC_TIMER_MIN_PERIOD_NS;
    } else if (now >= next) {
        return; /* one-shot already at zero */
    }
    timer_mod(&s->timer, next);
}

void apic_timer_expired(void *opaque)
{
    struct apic *s = opaque;

    apic_local_deliver(s, APIC_LVT_TIMER);
    if (apic_timer_periodic(s))
        apic_timer_arm(s);
}

/* 11.5.4: writing the initial count starts a new count from it (0 stops the timer). */
void apic_timer_set_initial(struct apic *s, uint32_t count)
{
    s->initial_count = count;
    s->count_start_ns = vclock_ns(s->clock);
    apic_timer_arm(s);
}

/* A new divisor applies from now on: keep the current count where it is. */
void apic_timer_set_divide(struct apic *s, uint32_t v)
{
    uint32_t cur = apic_timer_current(s);
    uint64_t now = vclock_ns(s->clock);

    s->divide_conf = v & 0xb;
    if (s->initial_count && cur) {
        uint64_t done = (uint64_t)(s->initial_count - cur) << apic_timer_shift(s);
        s->count_start_ns = now > done ? now - done : 0;
    }
    apic_timer_arm(s);
}

void apic_timer_lvt_changed(struct apic *s, uint32_t old_lvt)
{
    (void)old_lvt;
    apic_timer_arm(s);
}

void apic_timer_restart(struct apic *s)
{
    apic_timer_arm(s);
}

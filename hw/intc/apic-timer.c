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

/*
 * Arm the host timer for the next zero crossing, if any is still to come and
 * unmasked, from the virtual time now. A crossing already due whose timer has
 * not run yet (timers run between vCPU slices, so the guest can write a
 * register first) happened before this change: it is delivered now, not
 * dropped. Dropping it lost a tickless guest its tick for good: Linux arms
 * the next event with a one-shot and waits for it.
 */
static void apic_timer_arm(struct apic *s, uint64_t now)
{
    uint64_t period = apic_timer_period_ns(s), next;
    bool due = timer_pending(&s->timer) && s->timer.expire_ns <= now;

    timer_del(&s->timer);
    if (due)
        apic_local_deliver(s, APIC_LVT_TIMER);
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
        apic_timer_arm(s, vclock_ns(s->clock));
}

/*
 * 11.5.4: writing the initial count starts a new count from it (0 stops the
 * timer). Its crossing is always armed, from the same instant the count
 * starts at: with a later reading of the clock a short count (Linux's
 * one-shots go down to 1 us) could look over already and never fire.
 */
void apic_timer_set_initial(struct apic *s, uint32_t count)
{
    uint64_t now = vclock_ns(s->clock);

    s->initial_count = count;
    s->count_start_ns = now;
    apic_timer_arm(s, now);
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
    apic_timer_arm(s, now);
}

void apic_timer_lvt_changed(struct apic *s, uint32_t old_lvt)
{
    (void)old_lvt;
    apic_timer_arm(s, vclock_ns(s->clock));
}

void apic_timer_restart(struct apic *s)
{
    apic_timer_arm(s, vclock_ns(s->clock));
}

/*
 * clock.c - the virtual clock and its timer list.
 *
 * Timers are kept in one list sorted by expiry (stable: equal expiries fire
 * in arming order), so the next deadline is the head and running expired
 * timers never scans the rest.
 */
#include "emu-core/clock.h"

#include <stddef.h>

#include "emu-core/platform.h"

void vclock_init(struct vclock *c)
{
    c->running = false;
    c->base_ns = 0;
    c->host_at = 0;
    c->head = NULL;
    c->on_new_head = NULL;
    c->on_new_head_opaque = NULL;
}

uint64_t vclock_ns(const struct vclock *c)
{
    if (!c->running)
        return c->base_ns;
    return c->base_ns + (plat_clock_ns() - c->host_at);
}

void vclock_start(struct vclock *c)
{
    if (c->running)
        return;
    c->host_at = plat_clock_ns();
    c->running = true;
}

void vclock_stop(struct vclock *c)
{
    if (!c->running)
        return;
    c->base_ns = vclock_ns(c);
    c->running = false;
}

void vclock_set(struct vclock *c, uint64_t ns)
{
    c->base_ns = ns;
    if (c->running)
        c->host_at = plat_clock_ns();
}

uint64_t vclock_host_deadline(const struct vclock *c, uint64_t ns)
{
    if (!c->running || ns == UINT64_MAX)
        return UINT64_MAX;
    if (ns <= c->base_ns)
        return c->host_at;
    uint64_t delta = ns - c->base_ns;
    if (delta > UINT64_MAX - c->host_at)
        return UINT64_MAX;
    return c->host_at + delta;
}

void timer_init(struct timer *t, struct vclock *c, void (*cb)(void *opaque), void *opaque)
{
    t->clock = c;
    t->expire_ns = 0;
    t->cb = cb;
    t->opaque = opaque;
    t->next = NULL;
    t->armed = false;
}

static void timer_unlink(struct timer *t)
{
    for (struct timer **pp = &t->clock->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = false;
}

void timer_mod(struct timer *t, uint64_t expire_ns)
{
    if (t->armed)
        timer_unlink(t);
    t->expire_ns = expire_ns;
    struct timer **pp = &t->clock->head;
    while (*pp && (*pp)->expire_ns <= expire_ns)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    t->armed = true;
    if (pp == &t->clock->head && t->clock->on_new_head)
        t->clock->on_new_head(t->clock->on_new_head_opaque, expire_ns);
}

void timer_del(struct timer *t)
{
    if (t->armed)
        timer_unlink(t);
}

uint64_t vclock_next_deadline(const struct vclock *c)
{
    return c->head ? c->head->expire_ns : UINT64_MAX;
}

int vclock_run_timers(struct vclock *c)
{
    uint64_t now = vclock_ns(c);
    /*
     * Run at most as many callbacks as timers had expired on entry: a
     * callback that keeps re-arming for the past (a guest programming a zero
     * period) then waits for the next call instead of hanging this one.
     */
    int budget = 0;
    for (struct timer *t = c->head; t && t->expire_ns <= now; t = t->next)
        budget++;
    int ran = 0;
    /* Always take the head afresh: callbacks may re-arm or delete any timer. */
    while (ran < budget && c->head && c->head->expire_ns <= now) {
        struct timer *t = c->head;
        c->head = t->next;
        t->next = NULL;
        t->armed = false;
        ran++;
        t->cb(t->opaque);
    }
    return ran;
}

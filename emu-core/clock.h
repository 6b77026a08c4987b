/*
 * clock.h - the virtual clock and its timers.
 *
 * Virtual time (ns) advances with host time while the VM runs, stands still
 * while it is paused, and is saved/restored by migration. Device timers are
 * set in virtual ns; the main loop runs expired ones and sleeps until the
 * next deadline.
 */
#ifndef EMU_CLOCK_H
#define EMU_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct timer;

struct vclock {
    bool running;
    uint64_t base_ns;   /* virtual time when last started or set */
    uint64_t host_at;   /* host time at that moment (valid while running) */
    struct timer *head; /* armed timers, sorted by expiry */
    /*
     * Told when timer_mod() puts a timer at the head of the list, i.e. its
     * expiry may be the new next deadline (possibly later than the old one,
     * when the head itself was moved on). Lets the owner end a vCPU slice
     * early for a timer armed while the vCPU runs. NULL: nobody listens.
     */
    void (*on_new_head)(void *opaque, uint64_t expire_ns);
    void *on_new_head_opaque;
};

struct timer {
    struct vclock *clock;
    uint64_t expire_ns;
    void (*cb)(void *opaque);
    void *opaque;
    struct timer *next;
    bool armed;
};

/* A clock starts stopped at 0. */
void vclock_init(struct vclock *c);
uint64_t vclock_ns(const struct vclock *c);
void vclock_start(struct vclock *c);
void vclock_stop(struct vclock *c);
/* Jump to ns (migration load). Keeps running state. Timers are not moved. */
void vclock_set(struct vclock *c, uint64_t ns);

/* Host time at which virtual time ns will be reached (UINT64_MAX if stopped or never). */
uint64_t vclock_host_deadline(const struct vclock *c, uint64_t ns);

void timer_init(struct timer *t, struct vclock *c, void (*cb)(void *opaque), void *opaque);
/* Arm (or re-arm) to fire when virtual time reaches expire_ns; see on_new_head. */
void timer_mod(struct timer *t, uint64_t expire_ns);
void timer_del(struct timer *t);
static inline bool timer_pending(const struct timer *t) { return t->armed; }

/* Earliest armed expiry, or UINT64_MAX. */
uint64_t vclock_next_deadline(const struct vclock *c);

/*
 * Run the callbacks of every timer that has expired at the current virtual
 * time; a callback may re-arm its timer or others. Returns how many ran.
 */
int vclock_run_timers(struct vclock *c);

#endif

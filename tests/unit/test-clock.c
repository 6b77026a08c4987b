/*
 * test-clock.c - virtual clock and timers. Timer tests drive a stopped clock
 * with vclock_set() so they do not depend on how fast the host runs; the
 * few real sleeps only check relations that hold however long they take.
 */
#include <string.h>
#include <time.h>

#include "emu-core/clock.h"
#include "emu-core/platform.h"
#include "tests/unit/check.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static char order[64];
static int norder;

struct tctx {
    char tag;
    struct timer *self;
    struct timer *victim; /* deleted from the callback */
    struct timer *arm;    /* armed from the callback */
    uint64_t arm_at;
    uint64_t period; /* re-arm self this far after its expiry */
    int rearms;
};

static void cb(void *opaque)
{
    struct tctx *x = opaque;
    if (norder < (int)sizeof(order) - 1)
        order[norder++] = x->tag;
    if (x->victim)
        timer_del(x->victim);
    if (x->arm)
        timer_mod(x->arm, x->arm_at);
    if (x->period && x->rearms > 0) {
        x->rearms--;
        timer_mod(x->self, x->self->expire_ns + x->period);
    }
}

static void reset_order(void)
{
    memset(order, 0, sizeof(order));
    norder = 0;
}

static void test_clock_runs_and_stops(void)
{
    struct vclock c;
    vclock_init(&c);
    CHECK(!c.running);
    CHECK_EQ(vclock_ns(&c), 0);
    sleep_ms(2);
    CHECK_EQ(vclock_ns(&c), 0); /* stopped: time stands still */
    CHECK_EQ(vclock_host_deadline(&c, 10), UINT64_MAX);

    uint64_t h0 = plat_clock_ns();
    vclock_start(&c);
    sleep_ms(2);
    uint64_t v1 = vclock_ns(&c);
    uint64_t h1 = plat_clock_ns();
    CHECK(v1 >= 2000000);
    CHECK(v1 <= h1 - h0); /* never faster than the host */

    vclock_stop(&c);
    uint64_t v2 = vclock_ns(&c);
    CHECK(v2 >= v1);
    sleep_ms(2);
    CHECK_EQ(vclock_ns(&c), v2);
    uint64_t h2 = plat_clock_ns();
    vclock_start(&c);
    uint64_t v3 = vclock_ns(&c);
    uint64_t h3 = plat_clock_ns();
    CHECK(v3 >= v2);
    CHECK(v3 - v2 <= h3 - h2); /* the paused 2 ms did not count */

    /* Set keeps the running state; the deadline maps virtual to host time. */
    vclock_set(&c, 5000000000ull);
    CHECK(c.running);
    CHECK(vclock_ns(&c) >= 5000000000ull);
    uint64_t now_h = plat_clock_ns();
    uint64_t dl = vclock_host_deadline(&c, vclock_ns(&c) + 1000000);
    CHECK(dl != UINT64_MAX);
    CHECK(dl <= plat_clock_ns() + 1000000);
    CHECK(dl + 0 >= now_h);
    CHECK(vclock_host_deadline(&c, 0) <= plat_clock_ns());
    CHECK_EQ(vclock_host_deadline(&c, UINT64_MAX), UINT64_MAX);
    vclock_stop(&c);
    vclock_set(&c, 7);
    CHECK(!c.running);
    CHECK_EQ(vclock_ns(&c), 7);
}

static void test_timer_order(void)
{
    struct vclock c;
    struct timer t1, t2, t3, t4;
    struct tctx x1 = {.tag = '1', .self = &t1}, x2 = {.tag = '2', .self = &t2},
                x3 = {.tag = '3', .self = &t3}, x4 = {.tag = '4', .self = &t4};
    vclock_init(&c);
    timer_init(&t1, &c, cb, &x1);
    timer_init(&t2, &c, cb, &x2);
    timer_init(&t3, &c, cb, &x3);
    timer_init(&t4, &c, cb, &x4);
    CHECK_EQ(vclock_next_deadline(&c), UINT64_MAX);
    timer_mod(&t1, 100);
    timer_mod(&t2, 50);
    timer_mod(&t3, 200);
    timer_mod(&t4, 100);
    CHECK(timer_pending(&t1));
    CHECK_EQ(vclock_next_deadline(&c), 50);

    reset_order();
    CHECK_EQ(vclock_run_timers(&c), 0);
    vclock_set(&c, 100);
    CHECK_EQ(vclock_run_timers(&c), 3);
    CHECK(!strcmp(order, "214"));
    CHECK(!timer_pending(&t1));
    CHECK(timer_pending(&t3));
    CHECK_EQ(vclock_next_deadline(&c), 200);

    /* Re-arming moves a timer; deleting disarms it. */
    timer_mod(&t3, 150);
    timer_mod(&t1, 160);
    timer_mod(&t3, 170);
    timer_del(&t1);
    timer_del(&t1); /* twice is harmless */
    CHECK_EQ(vclock_next_deadline(&c), 170);
    reset_order();
    vclock_set(&c, 1000);
    CHECK_EQ(vclock_run_timers(&c), 1);
    CHECK(!strcmp(order, "3"));
    CHECK_EQ(vclock_next_deadline(&c), UINT64_MAX);
}

static void test_timer_callbacks_modify(void)
{
    struct vclock c;
    struct timer ta, tb, tc, tp;
    struct tctx xa = {.tag = 'a', .self = &ta}, xb = {.tag = 'b', .self = &tb},
                xc = {.tag = 'c', .self = &tc}, xp = {.tag = 'p', .self = &tp};
    vclock_init(&c);
    timer_init(&ta, &c, cb, &xa);
    timer_init(&tb, &c, cb, &xb);
    timer_init(&tc, &c, cb, &xc);
    timer_init(&tp, &c, cb, &xp);

    /* a deletes b (also expired) and arms c in the future; p re-arms itself. */
    xa.victim = &tb;
    xa.arm = &tc;
    xa.arm_at = 40;
    xp.period = 10;
    xp.rearms = 100;
    timer_mod(&ta, 10);
    timer_mod(&tb, 10);
    timer_mod(&tp, 5);
    reset_order();
    vclock_set(&c, 20);
    int ran = vclock_run_timers(&c);
    /* p@5, a@10 (kills b), p@15 re-armed to 15 <= 20 may run again only within the budget */
    CHECK(!strncmp(order, "pa", 2));
    CHECK(!strchr(order, 'b'));
    CHECK(!timer_pending(&tb));
    CHECK(timer_pending(&tc));
    CHECK(ran <= 3);
    /* Later calls catch up with the periodic timer without ever running b. */
    for (int i = 0; i < 10; i++)
        vclock_run_timers(&c);
    CHECK(!strchr(order, 'b'));
    CHECK_EQ(tp.expire_ns, 25);
    CHECK(timer_pending(&tp));
    vclock_set(&c, 45);
    reset_order();
    for (int i = 0; i < 10; i++)
        vclock_run_timers(&c);
    CHECK(strchr(order, 'c') != NULL);
    CHECK_EQ(tp.expire_ns, 55);

    /* A callback that re-arms into the past cannot hang one run. */
    xp.period = 0;
    xp.arm = &tp;
    xp.arm_at = 0;
    timer_mod(&tp, 0);
    CHECK_EQ(vclock_run_timers(&c), 1);
    CHECK(timer_pending(&tp));
    xp.arm = NULL;
    CHECK_EQ(vclock_run_timers(&c), 1);
    CHECK(!timer_pending(&tp));
}

/* on_new_head: told of a timer that becomes the earliest, and only then. */
static uint64_t heads[8];
static int nheads;

static void new_head(void *opaque, uint64_t expire_ns)
{
    CHECK(opaque == heads);
    if (nheads < 8)
        heads[nheads++] = expire_ns;
}

static void test_timer_new_head(void)
{
    struct vclock c;
    struct timer t1, t2, t3;
    struct tctx x1 = {.tag = '1', .self = &t1}, x2 = {.tag = '2', .self = &t2},
                x3 = {.tag = '3', .self = &t3};
    vclock_init(&c);
    CHECK(c.on_new_head == NULL);
    timer_init(&t1, &c, cb, &x1);
    timer_init(&t2, &c, cb, &x2);
    timer_init(&t3, &c, cb, &x3);
    timer_mod(&t1, 100); /* no listener yet: nothing to call */
    c.on_new_head = new_head;
    c.on_new_head_opaque = heads;
    nheads = 0;
    timer_mod(&t2, 200); /* behind the head: not told */
    CHECK_EQ(nheads, 0);
    timer_mod(&t3, 50); /* the new earliest */
    CHECK_EQ(nheads, 1);
    CHECK_EQ(heads[0], 50);
    timer_mod(&t2, 50); /* equal expiry goes behind: not told */
    CHECK_EQ(nheads, 1);
    timer_mod(&t3, 10); /* the head moved earlier */
    CHECK_EQ(nheads, 2);
    CHECK_EQ(heads[1], 10);
    timer_mod(&t3, 20); /* still the head, later: told (the listener keeps its minimum) */
    CHECK_EQ(nheads, 3);
    CHECK_EQ(heads[2], 20);
    timer_del(&t3);
    timer_del(&t2);
    CHECK_EQ(nheads, 3); /* deleting never calls */
    CHECK_EQ(vclock_next_deadline(&c), 100);
    /* A callback arming a timer at the head, while timers run, is told too. */
    x1.arm = &t3;
    x1.arm_at = 150;
    vclock_set(&c, 100);
    CHECK_EQ(vclock_run_timers(&c), 1);
    CHECK_EQ(nheads, 4);
    CHECK_EQ(heads[3], 150);
}

int main(void)
{
    test_clock_runs_and_stops();
    test_timer_order();
    test_timer_new_head();
    test_timer_callbacks_modify();
    return check_summary("clock");
}

/*
 * test-chardev.c - the chardev registry and input buffering between a back
 * end and a front end that takes input only when it has room.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "tests/unit/check.h"

/* A front end with a small FIFO, as a UART has. */
struct fake_fe {
    uint8_t got[8192];
    size_t len;
    int room; /* what can_receive reports */
    int events[8];
};

static int fe_can_receive(void *opaque)
{
    return ((struct fake_fe *)opaque)->room;
}

static void fe_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct fake_fe *f = opaque;

    memcpy(f->got + f->len, buf, len);
    f->len += len;
    f->room -= (int)len;
}

static void fe_event(void *opaque, enum chardev_event ev)
{
    ((struct fake_fe *)opaque)->events[ev]++;
}

/* A back end that records output and can take only a few bytes per call. */
static uint8_t out[256];
static size_t out_len;
static int out_chunk;

static int be_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    if (out_chunk == 0)
        return 0;
    if (out_chunk < 0)
        return -EIO;
    size_t n = len < (size_t)out_chunk ? len : (size_t)out_chunk;
    memcpy(out + out_len, buf, n);
    out_len += n;
    return (int)n;
}

static int accept_calls;
static void be_accept(struct chardev *chr)
{
    (void)chr;
    accept_calls++;
}

static const struct chardev_ops be_ops = {.write = be_write, .accept_input = be_accept};

static void test_registry(void)
{
    static struct chardev a, b, c;

    chardev_register(&a, "a", &be_ops, NULL);
    chardev_register(&b, "b", &be_ops, NULL);
    chardev_register(&c, NULL, &be_ops, NULL);
    CHECK(chardev_find("a") == &a);
    CHECK(chardev_find("b") == &b);
    CHECK(chardev_find("c") == NULL);
    /* Registration order is iteration order. */
    CHECK(chardev_next(NULL) == &a);
    CHECK(chardev_next(&a) == &b);
    CHECK(chardev_next(&b) == &c);
    CHECK(chardev_next(&c) == NULL);
    chardev_unregister(&b);
    CHECK(chardev_find("b") == NULL);
    CHECK(chardev_next(&a) == &c);
    chardev_unregister(&a);
    chardev_unregister(&c);
    CHECK(chardev_next(NULL) == NULL);
}

static void test_buffering(void)
{
    static struct chardev chr;
    static struct fake_fe f;
    struct chardev_frontend fe = {fe_can_receive, fe_receive, fe_event, &f};
    uint8_t big[CHARDEV_INBUF + 100];

    chardev_register(&chr, "buf", &be_ops, NULL);
    /* No front end yet: everything is held. */
    CHECK_EQ(chardev_input(&chr, (const uint8_t *)"abc", 3), 3);
    CHECK_EQ(chr.in_len, 3);

    /* Attaching delivers what fits (2 bytes), the rest stays. */
    f.room = 2;
    accept_calls = 0;
    chardev_set_frontend(&chr, &fe);
    CHECK_EQ(f.len, 2);
    CHECK(!memcmp(f.got, "ab", 2));
    CHECK_EQ(chr.in_len, 1);
    CHECK_EQ(accept_calls, 0); /* not drained: the back end is not asked for more */

    /* New input queues behind the old, even if the front end has room now. */
    f.room = 0;
    CHECK_EQ(chardev_input(&chr, (const uint8_t *)"de", 2), 2);
    CHECK_EQ(chr.in_len, 3);
    f.room = 100;
    chardev_accept_input(&chr);
    CHECK_EQ(f.len, 5);
    CHECK(!memcmp(f.got, "abcde", 5));
    CHECK_EQ(chr.in_len, 0);
    CHECK_EQ(accept_calls, 1); /* drained: the back end may pass on what it holds */

    /* Direct delivery with an empty buffer. */
    CHECK_EQ(chardev_input(&chr, (const uint8_t *)"fg", 2), 2);
    CHECK_EQ(f.len, 7);
    CHECK_EQ(chr.in_len, 0);

    /* Overflow: CHARDEV_INBUF held, the rest refused and reported short. */
    f.room = 0;
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    CHECK_EQ(chardev_input(&chr, big, sizeof(big)), CHARDEV_INBUF);
    CHECK_EQ(chr.in_len, CHARDEV_INBUF);
    CHECK_EQ(chardev_input(&chr, big, 1), 0);
    /* Drain in odd-sized steps across the ring's wrap; order must hold. */
    f.len = 0;
    f.room = 1000;
    chardev_accept_input(&chr);
    CHECK_EQ(f.len, 1000);
    CHECK_EQ(chardev_input(&chr, big + CHARDEV_INBUF, 100), 100); /* wraps */
    while (chr.in_len) {
        f.room = 333;
        chardev_accept_input(&chr);
    }
    CHECK_EQ(f.len, CHARDEV_INBUF + 100);
    CHECK(!memcmp(f.got, big, CHARDEV_INBUF + 100));

    /* Events reach the front end; none after detaching. */
    chardev_send_event(&chr, CHR_EVENT_BREAK);
    CHECK_EQ(f.events[CHR_EVENT_BREAK], 1);
    chardev_set_frontend(&chr, NULL);
    chardev_send_event(&chr, CHR_EVENT_BREAK);
    CHECK_EQ(f.events[CHR_EVENT_BREAK], 1);
    chardev_unregister(&chr);
}

static void test_write(void)
{
    static struct chardev chr;

    chardev_register(&chr, "w", &be_ops, NULL);
    out_len = 0;
    out_chunk = 3; /* partial writes are completed by chardev_write */
    CHECK_EQ(chardev_write(&chr, "hello world", 11), 11);
    CHECK_EQ(out_len, 11);
    CHECK(!memcmp(out, "hello world", 11));
    out_chunk = -1;
    CHECK_EQ(chardev_write(&chr, "x", 1), -EIO);
    out_chunk = 0;
    CHECK_EQ(chardev_write(&chr, "x", 1), -EAGAIN);
    chardev_unregister(&chr);
}

int main(void)
{
    test_registry();
    test_buffering();
    test_write();
    return check_summary("test-chardev");
}

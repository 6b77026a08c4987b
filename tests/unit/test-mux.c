/*
 * test-mux.c - the console mux: Ctrl-A escapes, what each front end
 * receives, focus switching, timestamps and held-back input.
 */
#include <string.h>

#include "console/console.h"
#include "emu-core/machine.h"
#include "tests/unit/check.h"

struct fake_fe {
    char got[8192];
    size_t len;
    int room;
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
    f->got[f->len] = 0;
    f->room -= (int)len;
}

static void fe_event(void *opaque, enum chardev_event ev)
{
    ((struct fake_fe *)opaque)->events[ev]++;
}

/* The back end: what the user's terminal would show. */
static char screen[8192];
static size_t screen_len;

static int be_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    memcpy(screen + screen_len, buf, len);
    screen_len += len;
    screen[screen_len] = 0;
    return (int)len;
}

static const struct chardev_ops be_ops = {.write = be_write};

static struct chardev backend;

static void type(const char *s)
{
    chardev_input(&backend, (const uint8_t *)s, strlen(s));
}

static void clear(struct fake_fe *f)
{
    f->len = 0;
    f->got[0] = 0;
    screen_len = 0;
    screen[0] = 0;
}

int main(void)
{
    static struct machine fake_machine;
    static struct fake_fe ser = {.room = 1000}, mon = {.room = 1000};
    struct chardev_frontend ser_fe = {fe_can_receive, fe_receive, fe_event, &ser};
    struct chardev_frontend mon_fe = {fe_can_receive, fe_receive, fe_event, &mon};

    chardev_register(&backend, "stdio-fake", &be_ops, NULL);
    struct console_mux *mux = console_mux_new(&backend);
    CHECK(mux != NULL);
    struct chardev *serial0 = console_mux_add_port(mux, "serial0");
    CHECK(serial0 != NULL);
    CHECK(chardev_find("serial0") == serial0);
    CHECK(console_mux_of(serial0) == mux);
    CHECK(console_mux_of(&backend) == NULL);
    CHECK(console_mux_add_port(mux, "serial0") == NULL); /* id taken */
    chardev_set_frontend(serial0, &ser_fe);

    /* Plain input passes through; output goes to the back end. */
    type("hello\r");
    CHECK(!strcmp(ser.got, "hello\r"));
    CHECK_EQ(chardev_write(serial0, "out\r\n", 5), 5);
    CHECK(!strcmp(screen, "out\r\n"));

    /* Ctrl-A Ctrl-A sends one Ctrl-A; unknown escapes are swallowed (QEMU). */
    clear(&ser);
    type("a\x01\x01" "b\x01zc");
    CHECK_EQ(ser.len, 4);
    CHECK(!memcmp(ser.got, "a\x01" "bc", 4));
    CHECK_EQ(screen_len, 0);

    /* An escape split across reads still works. */
    clear(&ser);
    type("\x01");
    type("\x01");
    CHECK_EQ(ser.len, 1);
    CHECK_EQ(ser.got[0], 1);

    /* h and ? print the help on the console, not to the guest. */
    clear(&ser);
    type("\x01h");
    CHECK_EQ(ser.len, 0);
    CHECK(strstr(screen, "C-a x    exit emulator") != NULL);
    CHECK(strstr(screen, "C-a c    switch between console and monitor") != NULL);
    clear(&ser);
    type("\x01?");
    CHECK(strstr(screen, "C-a h    print this help") != NULL);

    /* c with one front end says so; s says there is nothing to save. */
    clear(&ser);
    type("\x01" "c");
    CHECK(strstr(screen, "no monitor") != NULL);
    CHECK_EQ(console_mux_focus(mux), 0);
    clear(&ser);
    type("\x01s");
    CHECK(strstr(screen, "no disks") != NULL);
    CHECK_EQ(ser.len, 0);

    /* b sends a break to the focused front end. */
    type("\x01" "b");
    CHECK_EQ(ser.events[CHR_EVENT_BREAK], 1);

    /* t stamps the start of each line from the next line on. */
    clear(&ser);
    type("\x01t");
    CHECK_EQ(chardev_write(serial0, "first\nsecond\nthi", 16), 16);
    CHECK(!strncmp(screen, "first\n[00:00:00.", 16));
    CHECK(strstr(screen, "] second\n[00:00:00.") != NULL);
    CHECK(strstr(screen, "] thi") != NULL);
    type("\x01t");
    clear(&ser);
    CHECK_EQ(chardev_write(serial0, "x\ny\n", 4), 4);
    CHECK(!strcmp(screen, "x\ny\n"));

    /* A second front end (the monitor): c switches focus and input follows it. */
    struct chardev *monitor0 = console_mux_add_port(mux, "monitor0");
    CHECK(monitor0 != NULL);
    chardev_set_frontend(monitor0, &mon_fe);
    CHECK_EQ(console_mux_port_count(mux), 2);
    clear(&ser);
    type("\x01" "cinfo\r");
    CHECK_EQ(console_mux_focus(mux), 1);
    CHECK_EQ(ser.events[CHR_EVENT_MUX_OUT], 1);
    CHECK_EQ(mon.events[CHR_EVENT_MUX_IN], 1);
    CHECK(!strcmp(mon.got, "info\r"));
    CHECK_EQ(ser.len, 0);
    /* Both front ends' output reaches the console whatever the focus. */
    chardev_write(serial0, "S", 1);
    chardev_write(monitor0, "M", 1);
    CHECK(!strcmp(screen, "SM"));
    type("\x01" "b");
    CHECK_EQ(mon.events[CHR_EVENT_BREAK], 1);
    CHECK_EQ(ser.events[CHR_EVENT_BREAK], 1);
    type("\x01" "cx");
    CHECK_EQ(console_mux_focus(mux), 0);
    CHECK(!strcmp(ser.got, "x"));

    /* A back-end event (stdin closed) reaches every front end. */
    chardev_send_event(&backend, CHR_EVENT_CLOSED);
    CHECK_EQ(ser.events[CHR_EVENT_CLOSED], 1);
    CHECK_EQ(mon.events[CHR_EVENT_CLOSED], 1);

    /* A guest that does not read: input is held, escapes behind it wait, nothing is lost. */
    clear(&ser);
    ser.room = 0;
    type("abc");
    CHECK_EQ(serial0->in_len, 3);
    ser.room = 2;
    chardev_accept_input(serial0);
    CHECK(!strcmp(ser.got, "ab"));
    ser.room = 100;
    chardev_accept_input(serial0);
    CHECK(!strcmp(ser.got, "abc"));
    /* Fill the port's buffer so the back end has to hold the rest. */
    ser.room = 0;
    static char fill[CHARDEV_INBUF + 11];
    memset(fill, 'q', CHARDEV_INBUF);
    memcpy(fill + CHARDEV_INBUF, "z\x01" "cend", 7);
    type(fill);
    CHECK_EQ(serial0->in_len, CHARDEV_INBUF);
    CHECK_EQ(backend.in_len, 6);
    CHECK_EQ(console_mux_focus(mux), 0);
    clear(&ser);
    ser.room = 1 << 30;
    chardev_accept_input(serial0); /* drains the port, then pulls from the back end */
    CHECK_EQ(backend.in_len, 0);
    CHECK_EQ(ser.len, CHARDEV_INBUF + 1);
    CHECK_EQ(ser.got[CHARDEV_INBUF], 'z');
    CHECK_EQ(console_mux_focus(mux), 1); /* the escape was seen once it got through */
    CHECK(!strcmp(mon.got + mon.len - 3, "end"));
    type("\x01" "c");

    /* x quits: a message and a host-quit shutdown request with status 0. */
    current_machine = &fake_machine;
    fake_machine.exit_status = 99;
    clear(&ser);
    type("\x01x");
    CHECK(strstr(screen, "baremu: terminated") != NULL);
    CHECK_EQ(fake_machine.shutdown_request, SHUTDOWN_HOST_QUIT);
    CHECK_EQ(fake_machine.exit_status, 0);
    CHECK_EQ(ser.len, 0);

    console_mux_free(mux);
    CHECK(chardev_find("serial0") == NULL);
    CHECK(!backend.has_fe);
    return check_summary("test-mux");
}

/*
 * chardev-stdio.c - the stdio back end: input from stdin (a terminal in raw
 * mode, or a pipe that tests feed commands through), output to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-core/chardev.h"
#include "host/host.h"

struct stdio_chardev {
    struct chardev chr;
    bool eof;
};

static struct stdio_chardev *stdio_instance;

/* Leave stdin unread while the chardev holds a full buffer: the data waits in the pipe. */
static bool stdio_can_read(void *opaque)
{
    struct stdio_chardev *s = opaque;

    return !s->eof && s->chr.in_len < CHARDEV_INBUF;
}

static void stdio_read(void *opaque)
{
    struct stdio_chardev *s = opaque;
    uint8_t buf[CHARDEV_INBUF];
    size_t room = CHARDEV_INBUF - s->chr.in_len;

    /*
     * One read() after poll() said readable never blocks, so stdin keeps its
     * blocking mode: setting O_NONBLOCK on it would also affect stdout when
     * both are the same terminal, and the shell after we exit.
     */
    ssize_t n = read(STDIN_FILENO, buf, room < sizeof(buf) ? room : sizeof(buf));
    if (n > 0) {
        chardev_input(&s->chr, buf, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    /* End of input (or an error): QEMU keeps the guest running, it just hears no more. */
    s->eof = true;
    host_fd_unwatch(STDIN_FILENO);
    chardev_send_event(&s->chr, CHR_EVENT_CLOSED);
}

static int stdio_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    int r = host_write_all(STDOUT_FILENO, buf, len);
    return r < 0 ? r : (int)len;
}

static void stdio_close(struct chardev *chr)
{
    struct stdio_chardev *s = (struct stdio_chardev *)chr;

    host_fd_unwatch(STDIN_FILENO);
    host_term_restore();
    if (stdio_instance == s)
        stdio_instance = NULL;
    /* chr itself is freed by whoever unregistered it only after this returns. */
}

static const struct chardev_ops stdio_ops = {
    .write = stdio_write,
    .close = stdio_close,
};

struct chardev *host_chardev_stdio(const char *id, bool allow_signals, char *err, size_t errlen)
{
    struct stdio_chardev *s;

    if (stdio_instance) {
        snprintf(err, errlen, "cannot use stdio by multiple character devices");
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int r = host_fd_watch(STDIN_FILENO, stdio_can_read, stdio_read, s);
    if (r < 0) {
        snprintf(err, errlen, "cannot watch stdin: %s", strerror(-r));
        free(s);
        return NULL;
    }
    chardev_register(&s->chr, id, &stdio_ops, s);
    host_term_raw(allow_signals);
    stdio_instance = s;
    return &s->chr;
}

/*
 * mux.c - the console multiplexer (see console.h). Escape handling follows
 * QEMU's char-mux so that fingers trained on QEMU work here.
 */
#include "console/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/machine.h"
#include "emu-core/platform.h"

struct console_mux {
    struct chardev *backend;
    struct chardev ports[CONSOLE_MUX_MAX_PORTS];
    int nports;
    int focus;
    bool got_escape;
    bool timestamps;
    bool linestart;      /* the next output byte starts a line (for timestamps) */
    uint64_t ts_base_ns; /* time of the first stamp since timestamps were enabled */
    bool ts_started;
};

static struct console_mux *port_mux(struct chardev *port)
{
    return port->opaque;
}

/* Text from the mux itself (help, notices) goes straight to the back end. */
static void mux_print(struct console_mux *mux, const char *s)
{
    chardev_write(mux->backend, s, strlen(s));
}

static void mux_stamp(struct console_mux *mux)
{
    uint64_t now = plat_clock_ns();
    char buf[32];

    if (!mux->ts_started) {
        mux->ts_base_ns = now;
        mux->ts_started = true;
    }
    uint64_t ms = (now - mux->ts_base_ns) / 1000000;
    uint64_t secs = ms / 1000;
    snprintf(buf, sizeof(buf), "[%02u:%02u:%02u.%03u] ", (unsigned)(secs / 3600),
             (unsigned)(secs / 60 % 60), (unsigned)(secs % 60), (unsigned)(ms % 1000));
    mux_print(mux, buf);
}

static int mux_port_write(struct chardev *port, const uint8_t *buf, size_t len)
{
    struct console_mux *mux = port_mux(port);
    size_t start = 0;

    if (!mux->timestamps)
        return chardev_write(mux->backend, buf, len);
    /* Stamp each line as it begins, writing the text between stamps in one go. */
    for (size_t i = 0; i < len; i++) {
        if (mux->linestart) {
            if (i > start) {
                int r = chardev_write(mux->backend, buf + start, i - start);
                if (r < 0)
                    return r;
            }
            start = i;
            mux_stamp(mux);
            mux->linestart = false;
        }
        if (buf[i] == '\n')
            mux->linestart = true;
    }
    if (len > start) {
        int r = chardev_write(mux->backend, buf + start, len - start);
        if (r < 0)
            return r;
    }
    return (int)len;
}

/* A port's front end has room again: input held in the back end can come on. */
static void mux_port_accept_input(struct chardev *port)
{
    struct console_mux *mux = port_mux(port);

    if (port == &mux->ports[mux->focus])
        chardev_accept_input(mux->backend);
}

static const struct chardev_ops mux_port_ops = {
    .write = mux_port_write,
    .accept_input = mux_port_accept_input,
};

static void mux_help(struct console_mux *mux)
{
    mux_print(mux, "\r\n"
                   "C-a h    print this help\r\n"
                   "C-a x    exit emulator\r\n"
                   "C-a s    save disk data back to file (if -snapshot)\r\n"
                   "C-a t    toggle console timestamps\r\n"
                   "C-a b    send break (magic sysrq)\r\n"
                   "C-a c    switch between console and monitor\r\n"
                   "C-a C-a  sends C-a\r\n");
}

static void mux_quit(struct console_mux *mux)
{
    mux_print(mux, "baremu: terminated\r\n");
    if (current_machine)
        machine_request_shutdown(current_machine, SHUTDOWN_HOST_QUIT, 0);
    else
        plat_exit(0); /* no machine yet (start-up): nothing to shut down */
}

void console_mux_set_focus(struct console_mux *mux, int n)
{
    if (n < 0 || n >= mux->nports)
        return;
    if (mux->focus >= 0 && mux->focus < mux->nports)
        chardev_send_event(&mux->ports[mux->focus], CHR_EVENT_MUX_OUT);
    mux->focus = n;
    chardev_send_event(&mux->ports[n], CHR_EVENT_MUX_IN);
    /* Input held back for the old port's sake may suit the new one. */
    chardev_accept_input(&mux->ports[n]);
}

/* Returns true when ch is data for the focused port rather than part of an escape. */
static bool mux_escape(struct console_mux *mux, uint8_t ch)
{
    if (!mux->got_escape) {
        if (ch != CONSOLE_ESCAPE_CHAR)
            return true;
        mux->got_escape = true;
        return false;
    }
    mux->got_escape = false;
    switch (ch) {
    case CONSOLE_ESCAPE_CHAR:
        return true;
    case 'h':
    case '?':
        mux_help(mux);
        break;
    case 'x':
        mux_quit(mux);
        break;
    case 's':
        /* No block layer yet: say so rather than pretend something was saved. */
        mux_print(mux, "\r\nbaremu: no disks attached, nothing to save\r\n");
        break;
    case 'b':
        chardev_send_event(&mux->ports[mux->focus], CHR_EVENT_BREAK);
        break;
    case 'c':
        if (mux->nports < 2)
            mux_print(mux, "\r\nbaremu: no monitor on this console "
                           "(-monitor none, or the monitor is elsewhere)\r\n");
        else
            console_mux_set_focus(mux, (mux->focus + 1) % mux->nports);
        break;
    case 't':
        /* As QEMU: the first stamp comes at the start of the next line. */
        mux->timestamps = !mux->timestamps;
        mux->ts_started = false;
        mux->linestart = false;
        break;
    default:
        break; /* QEMU swallows unknown escapes */
    }
    return false;
}

/*
 * Room in the focused port: its own buffer's, since chardev_input() there
 * holds what its front end cannot take yet. When it is full the back end
 * keeps the rest, so nothing typed is lost.
 */
static int mux_can_receive(void *opaque)
{
    struct console_mux *mux = opaque;

    if (!mux->nports)
        return 0;
    return (int)(CHARDEV_INBUF - mux->ports[mux->focus].in_len);
}

static void mux_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct console_mux *mux = opaque;
    size_t start = 0;

    /*
     * Pass runs of data on in one call; escape bytes split them. Of Ctrl-A
     * Ctrl-A the second byte counts as data, so it starts the next run.
     */
    for (size_t i = 0; i < len; i++) {
        if (mux_escape(mux, buf[i]))
            continue;
        if (i > start)
            chardev_input(&mux->ports[mux->focus], buf + start, i - start);
        start = i + 1;
    }
    if (len > start && mux->nports)
        chardev_input(&mux->ports[mux->focus], buf + start, len - start);
}

static void mux_event(void *opaque, enum chardev_event ev)
{
    struct console_mux *mux = opaque;

    /* The back end opening or closing concerns every front end. */
    for (int i = 0; i < mux->nports; i++)
        chardev_send_event(&mux->ports[i], ev);
}

struct console_mux *console_mux_new(struct chardev *backend)
{
    struct console_mux *mux = calloc(1, sizeof(*mux));
    struct chardev_frontend fe = {
        .can_receive = mux_can_receive,
        .receive = mux_receive,
        .event = mux_event,
        .opaque = mux,
    };

    if (!mux)
        return NULL;
    mux->backend = backend;
    chardev_set_frontend(backend, &fe);
    return mux;
}

struct chardev *console_mux_add_port(struct console_mux *mux, const char *id)
{
    if (mux->nports >= CONSOLE_MUX_MAX_PORTS || (id && chardev_find(id)))
        return NULL;
    struct chardev *port = &mux->ports[mux->nports++];
    chardev_register(port, id, &mux_port_ops, mux);
    if (id && !port->id) {
        chardev_unregister(port);
        mux->nports--;
        return NULL;
    }
    return port;
}

struct console_mux *console_mux_of(struct chardev *port)
{
    return port->ops == &mux_port_ops ? port_mux(port) : NULL;
}

int console_mux_port_count(const struct console_mux *mux)
{
    return mux->nports;
}

int console_mux_focus(const struct console_mux *mux)
{
    return mux->focus;
}

void console_mux_free(struct console_mux *mux)
{
    for (int i = 0; i < mux->nports; i++)
        chardev_unregister(&mux->ports[i]);
    chardev_set_frontend(mux->backend, NULL);
    free(mux);
}

/*
 * qmp-server.c - QMP sessions over a chardev (qmp-server.h): messages are
 * split out of the byte stream by bracket depth as QEMU's JSON streamer
 * does, parsed, and dispatched through the monitor. Everything a client
 * sends is bounded: message size, nesting, and per-call work.
 */
#include "net/qmp-server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/json.h"
#include "emu-core/monitor.h"

/* ---- framing ---- */

void qmp_splitter_reset(struct qmp_splitter *s)
{
    free(s->buf);
    memset(s, 0, sizeof(*s));
}

static void splitter_push(struct qmp_splitter *s, char c, qmp_splitter_fn fn, void *opaque)
{
    if (s->discard)
        return;
    if (s->len >= QMP_MAX_MESSAGE) {
        s->discard = true;
        fn(opaque, NULL, 0, "JSON parse error, message too large");
        return;
    }
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        char *n = realloc(s->buf, cap);
        if (!n) {
            s->discard = true;
            fn(opaque, NULL, 0, "JSON parse error, out of memory");
            return;
        }
        s->buf = n;
        s->cap = cap;
    }
    s->buf[s->len++] = c;
}

static void splitter_emit(struct qmp_splitter *s, qmp_splitter_fn fn, void *opaque)
{
    if (!s->discard && s->len)
        fn(opaque, s->buf, s->len, NULL);
    s->len = 0;
    s->depth = 0;
    s->quote = 0;
    s->escape = false;
    s->scalar = false;
    s->discard = false;
    /* Give back what one huge message took. */
    if (s->cap > 65536) {
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
}

void qmp_splitter_feed(struct qmp_splitter *s, const char *data, size_t len, qmp_splitter_fn fn,
                       void *opaque)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (s->quote) {
            splitter_push(s, c, fn, opaque);
            if (s->escape)
                s->escape = false;
            else if (c == '\\')
                s->escape = true;
            else if (c == s->quote) {
                s->quote = 0;
                if (s->depth == 0)
                    splitter_emit(s, fn, opaque); /* a top-level string */
            }
            continue;
        }
        bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (s->depth == 0) {
            if (s->scalar &&
                (ws || c == '{' || c == '[' || c == '"' || c == '\'' || c == '}' || c == ']'))
                splitter_emit(s, fn, opaque);
            if (ws)
                continue;
            if (c == '}' || c == ']') {
                fn(opaque, NULL, 0, "JSON parse error, expecting value");
                continue;
            }
        }
        splitter_push(s, c, fn, opaque);
        switch (c) {
        case '"':
        case '\'':
            s->quote = c;
            break;
        case '{':
        case '[':
            /*
             * Keep counting past the limit so the matching closers end this
             * message rather than each becoming an error of its own.
             */
            if (s->depth < (1 << 30))
                s->depth++;
            if (s->depth > JSON_MAX_DEPTH && !s->discard) {
                s->discard = true;
                fn(opaque, NULL, 0, "JSON parse error, nesting depth limit exceeded");
            }
            break;
        case '}':
        case ']':
            if (--s->depth == 0)
                splitter_emit(s, fn, opaque);
            break;
        default:
            if (s->depth == 0)
                s->scalar = true;
            break;
        }
    }
}

/* ---- sessions ---- */

struct qmp_session {
    struct monitor mon;
    struct chardev *chr;
    struct qmp_splitter split;
    unsigned flags;
    bool closed;
};

static void qmp_output(struct monitor *mon, const char *buf, size_t len)
{
    struct qmp_session *s = mon->opaque;

    if (!s->closed)
        chardev_write(s->chr, buf, len);
}

int (*qmp_take_fd_hook)(struct chardev *chr);

static int qmp_take_fd(struct monitor *mon)
{
    struct qmp_session *s = mon->opaque;

    return qmp_take_fd_hook ? qmp_take_fd_hook(s->chr) : -EBADF;
}

static void qmp_message(void *opaque, const char *msg, size_t len, const char *error)
{
    struct qmp_session *s = opaque;
    char err[200];

    if (error) {
        monitor_qmp_error(&s->mon, QMP_ERR_GENERIC, error);
        return;
    }
    struct json_value *req = json_parse(msg, len, err, sizeof(err));
    if (!req) {
        monitor_qmp_error(&s->mon, QMP_ERR_GENERIC, err);
        return;
    }
    monitor_qmp_request(&s->mon, req);
}

static int qmp_can_receive(void *opaque)
{
    struct qmp_session *s = opaque;

    return s->closed ? 0 : 4096;
}

static void qmp_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct qmp_session *s = opaque;

    qmp_splitter_feed(&s->split, (const char *)buf, len, qmp_message, s);
}

static void qmp_event(void *opaque, enum chardev_event ev)
{
    struct qmp_session *s = opaque;

    switch (ev) {
    case CHR_EVENT_OPENED:
        qmp_splitter_reset(&s->split);
        s->mon.qmp_ready = false;
        s->closed = false;
        monitor_qmp_greeting(&s->mon);
        break;
    case CHR_EVENT_CLOSED:
        s->mon.qmp_ready = false; /* no events to a client that is gone */
        qmp_splitter_reset(&s->split);
        if (s->flags & QMP_SESSION_PER_CONNECTION) {
            /* The back end frees the chardev after this returns. */
            s->closed = true;
            chardev_set_frontend(s->chr, NULL);
            monitor_destroy(&s->mon);
            free(s);
        }
        break;
    default:
        break;
    }
}

int qmp_session_attach(struct chardev *chr, unsigned flags)
{
    struct qmp_session *s = calloc(1, sizeof(*s));
    struct chardev_frontend fe = {
        .can_receive = qmp_can_receive,
        .receive = qmp_receive,
        .event = qmp_event,
    };

    if (!s)
        return -ENOMEM;
    s->chr = chr;
    s->flags = flags;
    monitor_init(&s->mon, MONITOR_QMP, qmp_output, s);
    s->mon.take_fd = qmp_take_fd;
    fe.opaque = s;
    if (flags & QMP_SESSION_GREET_NOW)
        monitor_qmp_greeting(&s->mon);
    chardev_set_frontend(chr, &fe);
    return 0;
}

/*
 * qmp-server.c - QMP sessions over a chardev (qmp-server.h): messages are
 * split out of the byte stream by bracket depth as QEMU's JSON streamer
 * does, parsed, and dispatched through the monitor. Everything a client
 * sends is bounded: message size, nesting, and per-call work. A session
 * with a secret first authenticates the client (qmp-server.h).
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
    size_t max = s->max;

    free(s->buf);
    memset(s, 0, sizeof(*s));
    s->max = max; /* a setting, not state */
}

static void splitter_push(struct qmp_splitter *s, char c, qmp_splitter_fn fn, void *opaque)
{
    if (s->discard)
        return;
    if (s->len >= (s->max ? s->max : QMP_MAX_MESSAGE)) {
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
    char *secret;       /* NULL: no authentication */
    bool authenticated; /* the client presented the secret on this connection */
    bool rejected;      /* it did not: input is ignored until the connection ends */
};

void (*qmp_hangup_hook)(struct chardev *chr, bool auth_failed);

/*
 * Equal or not, in a time that depends on the secret's length only, so a
 * client cannot learn the secret a byte at a time from response times.
 */
static bool secret_equal(const char *given, size_t given_len, const char *secret)
{
    size_t len = strlen(secret);
    unsigned char d = given_len != len;

    for (size_t i = 0; i < len; i++)
        d |= (unsigned char)(secret[i] ^ given[i < given_len ? i : 0]);
    return d == 0;
}

/* The one reply an unauthenticated client gets, then the end of the connection. */
static void qmp_auth_reject(struct qmp_session *s, const char *why)
{
    if (s->rejected)
        return;
    monitor_qmp_error(&s->mon, QMP_ERR_GENERIC, why);
    s->rejected = true;
    if (qmp_hangup_hook)
        qmp_hangup_hook(s->chr, true);
}

static void qmp_auth_message(struct qmp_session *s, const struct json_value *req)
{
    bool obj = req && req->type == JSON_OBJECT;
    const struct json_value *ex = obj ? json_object_get(req, "execute") : NULL;
    const struct json_value *args = obj ? json_object_get(req, "arguments") : NULL;
    const struct json_value *sec =
        args && args->type == JSON_OBJECT ? json_object_get(args, "secret") : NULL;

    if (!ex || ex->type != JSON_STRING || strcmp(ex->str.s, "baremu-authenticate")) {
        qmp_auth_reject(s, "Authentication required: send baremu-authenticate first");
        return;
    }
    if (!sec || sec->type != JSON_STRING || !secret_equal(sec->str.s, sec->str.len, s->secret)) {
        qmp_auth_reject(s, "Authentication failed");
        return;
    }
    s->authenticated = true;
    s->split.max = 0;
    monitor_qmp_greeting(&s->mon);
}

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

    if (s->rejected)
        return;
    if (s->secret && !s->authenticated) {
        struct json_value *req = error ? NULL : json_parse(msg, len, err, sizeof(err));
        qmp_auth_message(s, req);
        json_free(req);
        return;
    }
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

    if (s->rejected)
        return; /* taken and dropped, so the transport sees the client's end */
    qmp_splitter_feed(&s->split, (const char *)buf, len, qmp_message, s);
}

/* A new client on the stream: greet it, or wait for it to authenticate. */
static void qmp_session_restart(struct qmp_session *s)
{
    qmp_splitter_reset(&s->split);
    s->mon.qmp_ready = false;
    s->closed = false;
    s->authenticated = false;
    s->rejected = false;
    s->split.max = s->secret ? QMP_AUTH_MAX_MESSAGE : 0;
    if (!s->secret)
        monitor_qmp_greeting(&s->mon);
}

static void qmp_session_free(struct qmp_session *s)
{
    if (s->secret) {
        volatile char *v = s->secret;
        while (*v)
            *v++ = 0;
        free(s->secret);
    }
    free(s);
}

static void qmp_event(void *opaque, enum chardev_event ev)
{
    struct qmp_session *s = opaque;

    switch (ev) {
    case CHR_EVENT_OPENED:
        qmp_session_restart(s);
        break;
    case CHR_EVENT_CLOSED:
        s->mon.qmp_ready = false; /* no events to a client that is gone */
        qmp_splitter_reset(&s->split);
        if (s->flags & QMP_SESSION_PER_CONNECTION) {
            /* The back end frees the chardev after this returns. */
            s->closed = true;
            chardev_set_frontend(s->chr, NULL);
            monitor_destroy(&s->mon);
            qmp_session_free(s);
        }
        break;
    default:
        break;
    }
}

int qmp_session_attach_secret(struct chardev *chr, unsigned flags, const char *secret)
{
    struct qmp_session *s = calloc(1, sizeof(*s));
    struct chardev_frontend fe = {
        .can_receive = qmp_can_receive,
        .receive = qmp_receive,
        .event = qmp_event,
    };

    if (!s || (secret && !(s->secret = strdup(secret)))) {
        free(s);
        return -ENOMEM;
    }
    s->chr = chr;
    s->flags = flags;
    monitor_init(&s->mon, MONITOR_QMP, qmp_output, s);
    s->mon.take_fd = qmp_take_fd;
    fe.opaque = s;
    if (flags & QMP_SESSION_GREET_NOW)
        qmp_session_restart(s);
    else
        s->split.max = s->secret ? QMP_AUTH_MAX_MESSAGE : 0;
    chardev_set_frontend(chr, &fe);
    return 0;
}

int qmp_session_attach(struct chardev *chr, unsigned flags)
{
    return qmp_session_attach_secret(chr, flags, NULL);
}

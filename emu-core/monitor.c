/*
 * monitor.c - the command registry, QMP request dispatch with QEMU's
 * checks and wording, sessions and events (monitor.h).
 */
#include "emu-core/monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/machine.h"
#include "emu-core/platform.h"

static struct monitor *monitor_list;

void monitor_init(struct monitor *mon, enum monitor_mode mode,
                  void (*output)(struct monitor *mon, const char *buf, size_t len), void *opaque)
{
    monitor_setup();
    memset(mon, 0, sizeof(*mon));
    mon->mode = mode;
    mon->output = output;
    mon->opaque = opaque;
    mon->next = monitor_list;
    monitor_list = mon;
}

struct vcpu *monitor_cpu(struct monitor *mon)
{
    struct machine *m = current_machine;

    if (!m || !m->ncpus)
        return NULL;
    return m->cpus[mon->cpu_index >= 0 && mon->cpu_index < m->ncpus ? mon->cpu_index : 0];
}

void monitor_destroy(struct monitor *mon)
{
    for (struct monitor **pp = &monitor_list; *pp; pp = &(*pp)->next) {
        if (*pp == mon) {
            *pp = mon->next;
            break;
        }
    }
    mon->next = NULL;
}

void monitor_write(struct monitor *mon, const char *buf, size_t len)
{
    if (mon->capture)
        json_buf_append(mon->capture, buf, len);
    else if (mon->output)
        mon->output(mon, buf, len);
}

/* HMP text: "\n" becomes "\r\n" as in QEMU, for raw terminals and human-monitor-command alike. */
static void monitor_puts(struct monitor *mon, const char *s, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n')
            continue;
        monitor_write(mon, s + start, i - start);
        monitor_write(mon, "\r\n", 2);
        start = i + 1;
    }
    monitor_write(mon, s + start, len - start);
}

void monitor_printf(struct monitor *mon, const char *fmt, ...)
{
    char small[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        monitor_puts(mon, small, n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    monitor_puts(mon, big, n);
    free(big);
}

void monitor_error_set(struct monitor_error *err, const char *cls, const char *fmt, ...)
{
    va_list ap;

    err->cls = cls;
    va_start(ap, fmt);
    vsnprintf(err->desc, sizeof(err->desc), fmt, ap);
    va_end(ap);
}

/* ---- registry ---- */

extern const struct monitor_cmd monitor_builtin_cmds[]; /* monitor-cmds.c, ends with name NULL */

#define MONITOR_MAX_EXTRA 32
static const struct monitor_cmd *extra_cmds[MONITOR_MAX_EXTRA];
static int nextra;

int monitor_register(const struct monitor_cmd *cmd)
{
    if (monitor_find(cmd->name))
        return -EEXIST;
    if (nextra >= MONITOR_MAX_EXTRA)
        return -ENOMEM;
    extra_cmds[nextra++] = cmd;
    return 0;
}

const struct monitor_cmd *monitor_find(const char *name)
{
    for (const struct monitor_cmd *c = monitor_builtin_cmds; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    for (int i = 0; i < nextra; i++)
        if (!strcmp(extra_cmds[i]->name, name))
            return extra_cmds[i];
    return NULL;
}

void monitor_for_each(void (*fn)(const struct monitor_cmd *cmd, void *opaque), void *opaque)
{
    for (const struct monitor_cmd *c = monitor_builtin_cmds; c->name; c++)
        fn(c, opaque);
    for (int i = 0; i < nextra; i++)
        fn(extra_cmds[i], opaque);
}

static const char *marg_type_name(enum monitor_arg_type t)
{
    switch (t) {
    case MARG_STR:
        return "string";
    case MARG_INT:
        return "integer";
    case MARG_BOOL:
        return "boolean";
    default:
        return "any";
    }
}

static bool marg_matches(enum monitor_arg_type t, const struct json_value *v)
{
    switch (t) {
    case MARG_STR:
        return v->type == JSON_STRING;
    case MARG_INT:
        return v->type == JSON_INT;
    case MARG_BOOL:
        return v->type == JSON_BOOL;
    default:
        return true;
    }
}

/* QAPI's input visitor checks, in its order: types and presence, then leftovers. */
static int monitor_check_args(const struct monitor_cmd *cmd, const struct json_value *args,
                              struct monitor_error *err)
{
    for (const struct monitor_arg *a = cmd->args; a && a->name; a++) {
        const struct json_value *v = json_object_get(args, a->name);
        if (!v) {
            if (a->optional)
                continue;
            monitor_error_set(err, QMP_ERR_GENERIC, "Parameter '%s' is missing", a->name);
            return -1;
        }
        if (!marg_matches(a->type, v)) {
            monitor_error_set(err, QMP_ERR_GENERIC, "Invalid parameter type for '%s', expected: %s",
                              a->name, marg_type_name(a->type));
            return -1;
        }
    }
    for (size_t i = 0; i < args->obj.n; i++) {
        const struct monitor_arg *a = cmd->args;
        while (a && a->name && strcmp(a->name, args->obj.m[i].key))
            a++;
        if (!a || !a->name) {
            monitor_error_set(err, QMP_ERR_GENERIC, "Parameter '%s' is unexpected",
                              args->obj.m[i].key);
            return -1;
        }
    }
    return 0;
}

int monitor_call(struct monitor *mon, const char *name, const struct json_value *args,
                 struct json_value **ret, struct monitor_error *err)
{
    const struct monitor_cmd *cmd = monitor_find(name);
    struct json_value *empty = NULL;
    int r;

    *ret = NULL;
    err->cls = NULL;
    if (!cmd) {
        monitor_error_set(err, QMP_ERR_NOT_FOUND, "The command %s has not been found", name);
        return -1;
    }
    if (!args) {
        empty = json_object();
        if (!empty) {
            monitor_error_set(err, QMP_ERR_GENERIC, "out of memory");
            return -1;
        }
        args = empty;
    }
    if (monitor_check_args(cmd, args, err) < 0) {
        json_free(empty);
        return -1;
    }
    r = cmd->handler(mon, args, ret, err);
    json_free(empty);
    if (r < 0 && !err->cls)
        monitor_error_set(err, QMP_ERR_GENERIC, "%s failed", name);
    return r < 0 ? -1 : 0;
}

/* ---- QMP ---- */

static void monitor_send_json(struct monitor *mon, const struct json_value *v)
{
    struct json_buf b = {0};

    json_write(&b, v);
    json_buf_append(&b, "\r\n", 2);
    if (!b.oom)
        monitor_write(mon, b.data, b.len);
    json_buf_free(&b);
}

/* {"id", "error": {"class", "desc"}}: QEMU 7.2 puts the id first in errors; id is borrowed. */
static void monitor_send_error(struct monitor *mon, const char *cls, const char *desc,
                               const struct json_value *id)
{
    struct json_value *r = json_object(), *e = json_object();

    if (r && e && (!id || json_object_set(r, "id", json_copy(id)) == 0) &&
        json_object_set(e, "class", json_string(cls)) == 0 &&
        json_object_set(e, "desc", json_string(desc)) == 0) {
        int rc = json_object_set(r, "error", e); /* takes e, even when it fails */
        e = NULL;
        if (rc == 0)
            monitor_send_json(mon, r);
    }
    json_free(e);
    json_free(r);
}

void monitor_qmp_error(struct monitor *mon, const char *cls, const char *desc)
{
    monitor_send_error(mon, cls, desc, NULL);
}

void monitor_qmp_greeting(struct monitor *mon)
{
    char buf[256];

    /* baremu's own version in QEMU's shape; clients only parse the shape. */
    int maj = 0, min = 0, mic = 0;
    sscanf(BAREMU_VERSION, "%d.%d.%d", &maj, &min, &mic);
    snprintf(buf, sizeof(buf),
             "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": %d, \"minor\": %d, \"major\": %d}, "
             "\"package\": \"baremu-%s\"}, \"capabilities\": []}}\r\n",
             mic, min, maj, BAREMU_VERSION);
    monitor_write(mon, buf, strlen(buf));
}

/* qmp_capabilities is the session's, not a registry command: it only makes sense in QMP. */
static int qmp_capabilities(struct monitor *mon, const struct json_value *args,
                            struct monitor_error *err)
{
    for (size_t i = 0; i < args->obj.n; i++) {
        if (strcmp(args->obj.m[i].key, "enable")) {
            monitor_error_set(err, QMP_ERR_GENERIC, "Parameter '%s' is unexpected",
                              args->obj.m[i].key);
            return -1;
        }
    }
    const struct json_value *en = json_object_get(args, "enable");
    if (en && en->type != JSON_ARRAY) {
        monitor_error_set(err, QMP_ERR_GENERIC,
                          "Invalid parameter type for 'enable', expected: array");
        return -1;
    }
    for (size_t i = 0; en && i < en->arr.n; i++) {
        const struct json_value *c = en->arr.items[i];
        if (c->type != JSON_STRING) {
            monitor_error_set(err, QMP_ERR_GENERIC,
                              "Invalid parameter type for 'enable[%zu]', expected: string", i);
            return -1;
        }
        /* We offer no capabilities (no out-of-band execution). */
        monitor_error_set(err, QMP_ERR_GENERIC, "Capability '%s' not available", c->str.s);
        return -1;
    }
    mon->qmp_ready = true;
    return 0;
}

void monitor_qmp_request(struct monitor *mon, struct json_value *req)
{
    struct monitor_error err = {0};
    struct json_value *ret = NULL, *id = NULL, *args, *exec, *resp;

    if (req->type != JSON_OBJECT) {
        monitor_send_error(mon, QMP_ERR_GENERIC, "QMP input must be a JSON object", NULL);
        goto out;
    }
    id = json_object_get(req, "id");
    for (size_t i = 0; i < req->obj.n; i++) {
        const char *k = req->obj.m[i].key;
        if (strcmp(k, "execute") && strcmp(k, "arguments") && strcmp(k, "id")) {
            monitor_error_set(&err, QMP_ERR_GENERIC, "QMP input member '%s' is unexpected", k);
            goto error;
        }
    }
    exec = json_object_get(req, "execute");
    if (!exec) {
        monitor_error_set(&err, QMP_ERR_GENERIC, "QMP input lacks member 'execute'");
        goto error;
    }
    if (exec->type != JSON_STRING) {
        monitor_error_set(&err, QMP_ERR_GENERIC, "QMP input member 'execute' must be a string");
        goto error;
    }
    args = json_object_get(req, "arguments");
    if (args && args->type != JSON_OBJECT) {
        monitor_error_set(&err, QMP_ERR_GENERIC, "QMP input member 'arguments' must be an object");
        goto error;
    }
    if (!strcmp(exec->str.s, "qmp_capabilities")) {
        if (mon->qmp_ready) {
            monitor_error_set(&err, QMP_ERR_NOT_FOUND,
                              "Capabilities negotiation is already complete, command ignored");
            goto error;
        }
        struct json_value *empty = args ? NULL : json_object();
        int r = qmp_capabilities(mon, args ? args : empty, &err);
        json_free(empty);
        if (r < 0)
            goto error;
    } else if (!mon->qmp_ready) {
        monitor_error_set(&err, QMP_ERR_NOT_FOUND,
                          "Expecting capabilities negotiation with 'qmp_capabilities'");
        goto error;
    } else if (monitor_call(mon, exec->str.s, args, &ret, &err) < 0) {
        goto error;
    }
    resp = json_object();
    if (resp && json_object_set(resp, "return", ret ? ret : json_object()) == 0 &&
        (!id || json_object_set(resp, "id", json_copy(id)) == 0))
        monitor_send_json(mon, resp);
    json_free(resp);
    goto out;
error:
    monitor_send_error(mon, err.cls, err.desc, id);
out:
    json_free(req);
}

void monitor_event(const char *name, struct json_value *data)
{
    uint64_t now = plat_wallclock_ns();
    struct json_value *ev = json_object(), *ts = json_object();

    if (ev && ts && json_object_set(ts, "seconds", json_int((int64_t)(now / 1000000000ull))) == 0 &&
        json_object_set(ts, "microseconds", json_int((int64_t)(now / 1000 % 1000000))) == 0 &&
        json_object_set(ev, "timestamp", ts) == 0) {
        ts = NULL;
        if (json_object_set(ev, "event", json_string(name)) == 0 &&
            (!data || json_object_set(ev, "data", data) == 0)) {
            data = NULL;
            for (struct monitor *m = monitor_list; m; m = m->next)
                if (m->mode == MONITOR_QMP && m->qmp_ready && !m->capture)
                    monitor_send_json(m, ev);
        }
    }
    json_free(data);
    json_free(ts);
    json_free(ev);
}

/* ---- run-state events ---- */

bool monitor_guest_shut_down;

static const char *shutdown_reason(enum shutdown_cause c)
{
    switch (c) {
    case SHUTDOWN_GUEST_POWEROFF:
        return "guest-shutdown";
    case SHUTDOWN_GUEST_RESET:
        return "guest-reset";
    case SHUTDOWN_GUEST_PANIC:
        return "guest-panic";
    case SHUTDOWN_HOST_QUIT:
        /* quit, Ctrl-A x and signals all arrive as HOST_QUIT; QEMU's most common reason. */
        return "host-qmp-quit";
    case SHUTDOWN_HOST_ERROR:
        return "host-error";
    default:
        return "none";
    }
}

static void monitor_machine_event(struct machine *m, enum machine_event ev, bool guest,
                                  enum shutdown_cause cause)
{
    struct json_value *d;

    (void)m;
    switch (ev) {
    case MACHINE_EVENT_STOP:
        monitor_event("STOP", NULL);
        break;
    case MACHINE_EVENT_RESUME:
        monitor_event("RESUME", NULL);
        break;
    case MACHINE_EVENT_RESET:
        monitor_guest_shut_down = false;
        d = json_object();
        if (d && json_object_set(d, "guest", json_bool(guest)) == 0 &&
            json_object_set(d, "reason",
                            json_string(guest ? "guest-reset" : "host-qmp-system-reset")) == 0)
            monitor_event("RESET", d);
        else
            json_free(d);
        break;
    case MACHINE_EVENT_SHUTDOWN:
        /* With -no-shutdown the machine stays, powered off, until a reset (QEMU's "shutdown"). */
        monitor_guest_shut_down = guest;
        d = json_object();
        if (d && json_object_set(d, "guest", json_bool(guest)) == 0 &&
            json_object_set(d, "reason", json_string(shutdown_reason(cause))) == 0)
            monitor_event("SHUTDOWN", d);
        else
            json_free(d);
        /* The process exits next: what the sessions hold must reach the clients. */
        monitor_flush_all();
        break;
    }
}

void monitor_setup(void)
{
    machine_event_hook = monitor_machine_event;
}

#define MONITOR_MAX_FLUSHERS 8
static void (*flushers[MONITOR_MAX_FLUSHERS])(void);
static int nflushers;

void monitor_add_flusher(void (*fn)(void))
{
    for (int i = 0; i < nflushers; i++)
        if (flushers[i] == fn)
            return;
    if (nflushers < MONITOR_MAX_FLUSHERS)
        flushers[nflushers++] = fn;
}

void monitor_flush_all(void)
{
    for (int i = 0; i < nflushers; i++)
        flushers[i]();
}

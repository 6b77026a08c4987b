/*
 * fdset.c - QEMU's file descriptor sets: a client passes descriptors with
 * SCM_RIGHTS on a Unix-socket monitor (add-fd) and then names them as
 * /dev/fdset/N wherever a file name is taken, so baremu can use files it
 * could not open itself (a sandboxed or unprivileged emulator).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/monitor.h"
#include "host/monitor-host.h"

struct fdset_fd {
    int fd;
    char *opaque;
    struct fdset_fd *next;
};

struct fdset {
    int64_t id;
    struct fdset_fd *fds;
    struct fdset *next;
};

static struct fdset *fdsets; /* sorted by id */

static struct fdset *fdset_find(int64_t id)
{
    for (struct fdset *s = fdsets; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

static struct fdset *fdset_create(int64_t id)
{
    struct fdset *s = calloc(1, sizeof(*s)), **pp;

    if (!s)
        return NULL;
    s->id = id;
    for (pp = &fdsets; *pp && (*pp)->id < id; pp = &(*pp)->next)
        ;
    s->next = *pp;
    *pp = s;
    return s;
}

static void fdset_drop_if_empty(struct fdset *s)
{
    if (s->fds)
        return;
    for (struct fdset **pp = &fdsets; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            free(s);
            return;
        }
    }
}

/* Append fd to set sid (created if new). 0 or -ENOMEM; fd is the set's afterwards. */
static int fdset_add(int64_t sid, int fd, const char *opaque)
{
    struct fdset *s = fdset_find(sid);

    if (!s)
        s = fdset_create(sid);
    struct fdset_fd *f = s ? calloc(1, sizeof(*f)) : NULL;
    if (!f || (opaque && !(f->opaque = strdup(opaque)))) {
        free(f);
        if (s)
            fdset_drop_if_empty(s);
        return -ENOMEM;
    }
    f->fd = fd;
    struct fdset_fd **pp = &s->fds;
    while (*pp)
        pp = &(*pp)->next;
    *pp = f;
    return 0;
}

/* -add-fd fd=N,set=M[,opaque=S]: an fd inherited from whoever started us, as QEMU. */
int host_fdset_add_option(const char *arg)
{
    struct opts o = {0};
    char err[200], *end;
    int ret = -EINVAL;

    if (opts_parse(&o, arg, NULL, err, sizeof(err)) < 0) {
        error_report("-add-fd %s: %s", arg, err);
        return -EINVAL;
    }
    for (size_t i = 0; i < o.count; i++) {
        const char *k = o.items[i].key;
        if (strcmp(k, "fd") && strcmp(k, "set") && strcmp(k, "opaque")) {
            error_report("-add-fd %s: invalid parameter '%s'", arg, k);
            goto out;
        }
    }
    const char *fds = opts_get(&o, "fd"), *sets = opts_get(&o, "set");
    if (!fds || !sets) {
        error_report("-add-fd %s: fd= and set= are required", arg);
        goto out;
    }
    long fd = strtol(fds, &end, 10);
    if (*end || end == fds || fd <= STDERR_FILENO || fcntl((int)fd, F_GETFD) < 0) {
        error_report("-add-fd %s: fd=%s is not an open descriptor above 2", arg, fds);
        goto out;
    }
    long long sid = strtoll(sets, &end, 10);
    if (*end || end == sets || sid < 0) {
        error_report("-add-fd %s: invalid set '%s'", arg, sets);
        goto out;
    }
    /* Keep our own close-on-exec copy and let go of the inherited number, as QEMU does. */
    int dup = fcntl((int)fd, F_DUPFD_CLOEXEC, 3);
    if (dup < 0 || fdset_add(sid, dup, opts_get(&o, "opaque")) < 0) {
        if (dup >= 0)
            close(dup);
        error_report("-add-fd %s: out of resources", arg);
        goto out;
    }
    close((int)fd);
    ret = 0;
out:
    opts_free(&o);
    return ret;
}

static int qmp_add_fd(struct monitor *mon, const struct json_value *args, struct json_value **ret,
                      struct monitor_error *err)
{
    const struct json_value *id = json_object_get(args, "fdset-id");
    const struct json_value *op = json_object_get(args, "opaque");
    int fd = mon->take_fd ? mon->take_fd(mon) : -EBADF;
    int64_t sid;

    if (fd < 0) {
        monitor_error_set(err, QMP_ERR_GENERIC, "No file descriptor supplied via SCM_RIGHTS");
        return -1;
    }
    if (id && id->i < 0) {
        close(fd);
        monitor_error_set(err, QMP_ERR_GENERIC, "Invalid parameter 'fdset-id'");
        return -1;
    }
    if (id) {
        sid = id->i;
    } else {
        /* The lowest free id, as QEMU picks one. */
        sid = 0;
        for (struct fdset *s = fdsets; s && s->id == sid; s = s->next)
            sid++;
    }
    struct json_value *r = json_object();
    if (!r || fdset_add(sid, fd, op ? op->str.s : NULL) < 0) {
        close(fd);
        json_free(r);
        monitor_error_set(err, QMP_ERR_GENERIC, "out of memory");
        return -1;
    }
    json_object_set(r, "fdset-id", json_int(sid));
    json_object_set(r, "fd", json_int(fd));
    *ret = r;
    return 0;
}

static int qmp_remove_fd(struct monitor *mon, const struct json_value *args,
                         struct json_value **ret, struct monitor_error *err)
{
    int64_t sid = json_object_get(args, "fdset-id")->i;
    const struct json_value *fdv = json_object_get(args, "fd");
    struct fdset *s = fdset_find(sid);
    bool found = false;

    (void)mon, (void)ret;
    for (struct fdset_fd **pp = s ? &s->fds : NULL; pp && *pp;) {
        struct fdset_fd *f = *pp;
        if (fdv && f->fd != fdv->i) {
            pp = &f->next;
            continue;
        }
        *pp = f->next;
        close(f->fd);
        free(f->opaque);
        free(f);
        found = true;
    }
    if (!found) {
        if (fdv)
            monitor_error_set(err, QMP_ERR_GENERIC,
                              "File descriptor named 'fdset-id:%lld, fd:%lld' not found",
                              (long long)sid, (long long)fdv->i);
        else
            monitor_error_set(err, QMP_ERR_GENERIC,
                              "File descriptor named 'fdset-id:%lld' not found", (long long)sid);
        return -1;
    }
    fdset_drop_if_empty(s);
    return 0;
}

static int qmp_query_fdsets(struct monitor *mon, const struct json_value *args,
                            struct json_value **ret, struct monitor_error *err)
{
    struct json_value *list = json_array();

    (void)mon, (void)args;
    for (struct fdset *s = fdsets; list && s; s = s->next) {
        struct json_value *o = json_object(), *fds = json_array();
        for (struct fdset_fd *f = s->fds; fds && f; f = f->next) {
            struct json_value *e = json_object();
            if (!e || json_object_set(e, "fd", json_int(f->fd)) ||
                (f->opaque && json_object_set(e, "opaque", json_string(f->opaque))) ||
                json_array_append(fds, e)) {
                json_free(fds);
                fds = NULL;
            }
        }
        if (!o || !fds || json_object_set(o, "fdset-id", json_int(s->id)) ||
            json_object_set(o, "fds", fds) || json_array_append(list, o)) {
            json_free(list);
            list = NULL;
        }
    }
    if (!list) {
        monitor_error_set(err, QMP_ERR_GENERIC, "out of memory");
        return -1;
    }
    *ret = list;
    return 0;
}

static const struct monitor_arg add_fd_args[] = {
    {"fdset-id", MARG_INT, true}, {"opaque", MARG_STR, true}, {NULL, 0, false}};
static const struct monitor_arg remove_fd_args[] = {
    {"fdset-id", MARG_INT, false}, {"fd", MARG_INT, true}, {NULL, 0, false}};

static const struct monitor_cmd fdset_cmds[] = {
    {"add-fd", add_fd_args, qmp_add_fd},
    {"remove-fd", remove_fd_args, qmp_remove_fd},
    {"query-fdsets", NULL, qmp_query_fdsets},
};

void host_fdset_register(void)
{
    for (size_t i = 0; i < sizeof(fdset_cmds) / sizeof(fdset_cmds[0]); i++)
        monitor_register(&fdset_cmds[i]);
}

int host_open(const char *name, int flags, int mode)
{
    if (strncmp(name, "/dev/fdset/", 11)) {
        int fd = open(name, flags | O_CLOEXEC, mode);
        return fd < 0 ? -errno : fd;
    }
    char *end;
    long long id = strtoll(name + 11, &end, 10);
    if (end == name + 11 || *end || id < 0)
        return -EINVAL;
    struct fdset *s = fdset_find(id);
    if (!s)
        return -ENOENT;
    /*
     * A dup shares its file status flags with the set's descriptor, so O_DIRECT cannot be
     * switched on for one user: it must be one the caller opened that way (cache=none).
     * O_CREAT/O_TRUNC/O_APPEND are the opener's business and not applied.
     */
    bool any_mode = false;
    for (int want_direct = 1; want_direct >= 0; want_direct--) {
        for (struct fdset_fd *f = s->fds; f; f = f->next) {
            int fl = fcntl(f->fd, F_GETFL);
            if (fl < 0 || (fl & O_ACCMODE) != (flags & O_ACCMODE))
                continue;
            any_mode = true;
            if (!!(fl & O_DIRECT) != want_direct || !!(flags & O_DIRECT) != want_direct)
                continue;
            int fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
            return fd < 0 ? -errno : fd;
        }
    }
    return any_mode ? -EINVAL : -EACCES;
}

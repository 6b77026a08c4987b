/*
 * monitor-host.c - the hosted monitors from the command line, as QEMU
 * spells them: -qmp SPEC, -monitor SPEC, -chardev + -mon, and HMP on the
 * console mux's second port for mon:stdio / -nographic. Also where
 * dump-guest-memory writes (paths or /dev/fdset/N).
 */
#define _GNU_SOURCE
#include "host/monitor-host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console.h"
#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/dump.h"
#include "emu-core/log.h"
#include "emu-core/monitor.h"
#include "host/chardev-socket.h"
#include "host/host.h"
#include "net/qmp-server.h"

void host_fdset_register(void); /* fdset.c */
int host_fdset_add_option(const char *arg);
void blk_monitor_register(void); /* block/qmp-block.c */

/* ---- dump output ---- */

static int dump_open(const char *name, void **h)
{
    int fd = host_open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0)
        return fd;
    *h = (void *)(intptr_t)fd;
    return 0;
}

static int dump_write(void *h, const void *buf, size_t len)
{
    return host_write_all((int)(intptr_t)h, buf, len);
}

static int dump_close(void *h)
{
    return close((int)(intptr_t)h) < 0 ? -errno : 0;
}

static const struct dump_file_ops host_dump_ops = {dump_open, dump_write, dump_close};

static long host_thread_id(void)
{
    return (long)gettid();
}

/* ---- transports ---- */

static void on_qmp_connect(struct chardev *conn, void *opaque)
{
    (void)opaque;
    /* With secret=, the session stays silent until the client authenticates. */
    if (qmp_session_attach_secret(conn, QMP_SESSION_GREET_NOW | QMP_SESSION_PER_CONNECTION,
                                  host_socket_secret(conn)) < 0)
        warn_report("monitor: out of memory for a new QMP session");
}

static void on_hmp_connect(struct chardev *conn, void *opaque)
{
    (void)opaque;
    if (hmp_console_attach(conn, HMP_CONSOLE_GREET_NOW | HMP_CONSOLE_PER_CONNECTION) < 0)
        warn_report("monitor: out of memory for a new HMP session");
}

static bool spec_is_socket(const char *spec)
{
    return !strncmp(spec, "tcp:", 4) || !strncmp(spec, "unix:", 5);
}

/* A monitor of mode on a QEMU device spec (stdio, tcp:..., unix:...). */
static int monitor_on_spec(const char *opt, const char *id, const char *spec, bool qmp)
{
    char err[300];

    if (spec_is_socket(spec)) {
        if (host_socket_listen_spec(id, spec, qmp ? HOST_SOCKET_SECRET_OK : 0,
                                    qmp ? on_qmp_connect : on_hmp_connect, NULL, err,
                                    sizeof(err)) < 0) {
            error_report("%s %s", opt, err);
            return -EINVAL;
        }
        return 0;
    }
    if (!strcmp(spec, "stdio")) {
        struct chardev *c = host_chardev_stdio(id, true, err, sizeof(err));
        if (!c) {
            error_report("%s stdio: %s", opt, err);
            return -EINVAL;
        }
        monitor_chardev_describe(c, "stdio");
        int r = qmp ? qmp_session_attach(c, QMP_SESSION_GREET_NOW)
                    : hmp_console_attach(c, HMP_CONSOLE_GREET_NOW);
        return r;
    }
    error_report("%s %s: not supported (use stdio, tcp:HOST:PORT,server=on,wait=off, "
                 "unix:PATH,server=on,wait=off or none)",
                 opt, spec);
    return -EINVAL;
}

/* -mon chardev=ID[,mode=readline|control] on a -chardev socket/stdio with that id. */
static int monitor_on_mon(const struct emu_config *cfg, const char *arg)
{
    struct opts mo = {0}, co = {0};
    char err[300];
    int ret = -EINVAL;

    if (opts_parse(&mo, arg, "chardev", err, sizeof(err)) < 0) {
        error_report("-mon %s: %s", arg, err);
        goto out;
    }
    const char *id = opts_get(&mo, "chardev"), *mode = opts_get(&mo, "mode");
    bool pretty;
    if (!id) {
        error_report("-mon %s: chardev= is required", arg);
        goto out;
    }
    if (mode && strcmp(mode, "readline") && strcmp(mode, "control")) {
        error_report("-mon %s: mode must be readline or control", arg);
        goto out;
    }
    if (opts_get_bool(&mo, "pretty", false, &pretty) < 0 || pretty) {
        error_report("-mon %s: pretty=on is not supported", arg);
        goto out;
    }
    bool qmp = mode && !strcmp(mode, "control");
    const char *spec = NULL;
    for (int i = 0; i < cfg->nchardevs && !spec; i++) {
        struct opts t = {0};
        if (opts_parse(&t, cfg->chardevs[i], "backend", err, sizeof(err)) == 0 &&
            opts_get(&t, "id") && !strcmp(opts_get(&t, "id"), id))
            spec = cfg->chardevs[i];
        opts_free(&t);
    }
    if (!spec) {
        error_report("-mon %s: no -chardev with id=%s", arg, id);
        goto out;
    }
    if (opts_parse(&co, spec, "backend", err, sizeof(err)) < 0) {
        error_report("-chardev %s: %s", spec, err);
        goto out;
    }
    const char *be = opts_get(&co, "backend");
    if (be && !strcmp(be, "socket")) {
        if (host_socket_listen_opts(id, &co, qmp ? HOST_SOCKET_SECRET_OK : 0,
                                    qmp ? on_qmp_connect : on_hmp_connect, NULL, err,
                                    sizeof(err)) < 0) {
            error_report("-chardev %s: %s", spec, err);
            goto out;
        }
        ret = 0;
    } else if (be && !strcmp(be, "stdio")) {
        ret = monitor_on_spec("-chardev", id, "stdio", qmp);
    } else {
        error_report("-chardev %s: backend '%s' is not supported for a monitor (socket, stdio)",
                     spec, be ? be : "");
    }
out:
    opts_free(&mo);
    opts_free(&co);
    return ret;
}

/* Every -chardev must be used by a -mon: nothing else takes one yet. */
static int check_chardevs_used(const struct emu_config *cfg)
{
    char err[200];

    for (int i = 0; i < cfg->nchardevs; i++) {
        struct opts t = {0};
        if (opts_parse(&t, cfg->chardevs[i], "backend", err, sizeof(err)) < 0) {
            error_report("-chardev %s: %s", cfg->chardevs[i], err);
            return -EINVAL;
        }
        const char *id = opts_get(&t, "id");
        bool used = false;
        for (int j = 0; id && j < cfg->nmons && !used; j++) {
            struct opts m = {0};
            if (opts_parse(&m, cfg->mons[j], "chardev", err, sizeof(err)) == 0 &&
                opts_get(&m, "chardev"))
                used = !strcmp(opts_get(&m, "chardev"), id);
            opts_free(&m);
        }
        opts_free(&t);
        if (!id) {
            error_report("-chardev %s: id= is required", cfg->chardevs[i]);
            return -EINVAL;
        }
        if (!used) {
            error_report("-chardev %s: only -mon can use a -chardev so far", cfg->chardevs[i]);
            return -ENOTSUP;
        }
    }
    return 0;
}

static const char *monitor_id(void)
{
    return hmp_console_free_id();
}

int host_fdset_options(const struct emu_config *cfg)
{
    for (int i = 0; i < cfg->nadd_fds; i++) {
        int r = host_fdset_add_option(cfg->add_fds[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

bool host_monitor_wants_stdio(const struct emu_config *cfg)
{
    if (cfg->monitor && !strcmp(cfg->monitor, "stdio"))
        return true;
    for (int i = 0; i < cfg->nqmps; i++)
        if (!strcmp(cfg->qmps[i], "stdio"))
            return true;
    for (int i = 0; i < cfg->nchardevs; i++)
        if (!strncmp(cfg->chardevs[i], "stdio", 5) &&
            (cfg->chardevs[i][5] == ',' || !cfg->chardevs[i][5]))
            return true;
    return false;
}

int host_monitor_setup(const struct emu_config *cfg)
{
    int r;

    monitor_setup();
    host_fdset_register();
    blk_monitor_register();
    dump_set_file_ops(&host_dump_ops);
    monitor_thread_id = host_thread_id;
    qmp_take_fd_hook = host_socket_take_fd;
    qmp_hangup_hook = host_socket_hangup;

    if ((r = check_chardevs_used(cfg)) < 0)
        return r;
    /* query-chardev names the serial back ends as the user spelled them. */
    for (int i = 0; i < (cfg->nserial ? cfg->nserial : 1); i++) {
        char id[24];
        snprintf(id, sizeof(id), "serial%d", i);
        struct chardev *c = chardev_find(id);
        if (c)
            monitor_chardev_describe(c, cfg->nserial                    ? cfg->serial[i]
                                        : host_monitor_wants_stdio(cfg) ? "null"
                                                                        : "mon:stdio");
    }
    for (int i = 0; i < cfg->nqmps; i++)
        if ((r = monitor_on_spec("-qmp", monitor_id(), cfg->qmps[i], true)) < 0)
            return r;
    for (int i = 0; i < cfg->nmons; i++)
        if ((r = monitor_on_mon(cfg, cfg->mons[i])) < 0)
            return r;
    if (cfg->monitor && strcmp(cfg->monitor, "none"))
        return monitor_on_spec("-monitor", monitor_id(), cfg->monitor, false);
    if (cfg->monitor)
        return 0; /* -monitor none: not even on the console */
    r = hmp_console_attach_mux("serial0");
    if (r < 0)
        error_report("cannot add the monitor to the console: %s", strerror(-r));
    return r;
}

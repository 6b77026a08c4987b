/*
 * monitor-cmds.c - the built-in QMP commands, with QEMU 7.2's argument and
 * return shapes. HMP (hmp.c) reaches the same handlers through
 * monitor_call(), so each behaviour exists once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/dump.h"
#include "emu-core/machine.h"
#include "emu-core/monitor.h"

#define ENOMEM_RET(err)                                                                            \
    do {                                                                                           \
        monitor_error_set(err, QMP_ERR_GENERIC, "out of memory");                                  \
        return -1;                                                                                 \
    } while (0)

static struct machine *need_machine(struct monitor_error *err)
{
    if (!current_machine)
        monitor_error_set(err, QMP_ERR_GENERIC, "no machine is running");
    return current_machine;
}

static int qmp_query_version(struct monitor *mon, const struct json_value *args,
                             struct json_value **ret, struct monitor_error *err)
{
    struct json_value *r = json_object(), *q = json_object();
    int maj = 0, min = 0, mic = 0;

    (void)mon, (void)args;
    sscanf(BAREMU_VERSION, "%d.%d.%d", &maj, &min, &mic);
    if (!r || !q || json_object_set(q, "micro", json_int(mic)) ||
        json_object_set(q, "minor", json_int(min)) || json_object_set(q, "major", json_int(maj)) ||
        json_object_set(r, "qemu", q)) {
        json_free(r);
        ENOMEM_RET(err);
    }
    if (json_object_set(r, "package", json_string("baremu-" BAREMU_VERSION))) {
        json_free(r);
        ENOMEM_RET(err);
    }
    *ret = r;
    return 0;
}

static void add_cmd_name(const struct monitor_cmd *cmd, void *opaque)
{
    struct json_value *list = opaque, *o = json_object();

    if (o && json_object_set(o, "name", json_string(cmd->name)) == 0)
        json_array_append(list, o);
    else
        json_free(o);
}

static int qmp_query_commands(struct monitor *mon, const struct json_value *args,
                              struct json_value **ret, struct monitor_error *err)
{
    struct json_value *list = json_array(), *o = json_object();

    (void)mon, (void)args;
    if (!list || !o || json_object_set(o, "name", json_string("qmp_capabilities")) ||
        json_array_append(list, o)) {
        json_free(list);
        ENOMEM_RET(err);
    }
    monitor_for_each(add_cmd_name, list);
    *ret = list;
    return 0;
}

static int qmp_query_name(struct monitor *mon, const struct json_value *args,
                          struct json_value **ret, struct monitor_error *err)
{
    (void)mon, (void)args, (void)err;
    *ret = json_object(); /* no -name option: QEMU returns {} then */
    return *ret ? 0 : -1;
}

static const char *run_state_name(enum run_state s)
{
    switch (s) {
    case RUN_STATE_PRELAUNCH:
        return "prelaunch";
    case RUN_STATE_RUNNING:
        return "running";
    case RUN_STATE_PAUSED:
        return "paused";
    default:
        return "shutdown";
    }
}

static int qmp_query_status(struct monitor *mon, const struct json_value *args,
                            struct json_value **ret, struct monitor_error *err)
{
    struct machine *m = need_machine(err);
    struct json_value *r;

    (void)mon, (void)args;
    if (!m)
        return -1;
    r = json_object();
    if (!r ||
        json_object_set(
            r, "status",
            json_string(monitor_guest_shut_down ? "shutdown" : run_state_name(m->state))) ||
        json_object_set(r, "singlestep", json_bool(false)) ||
        json_object_set(r, "running", json_bool(m->state == RUN_STATE_RUNNING))) {
        json_free(r);
        ENOMEM_RET(err);
    }
    *ret = r;
    return 0;
}

static int qmp_stop(struct monitor *mon, const struct json_value *args, struct json_value **ret,
                    struct monitor_error *err)
{
    struct machine *m = need_machine(err);

    (void)mon, (void)args, (void)ret;
    if (!m)
        return -1;
    machine_pause(m);
    return 0;
}

static int qmp_cont(struct monitor *mon, const struct json_value *args, struct json_value **ret,
                    struct monitor_error *err)
{
    struct machine *m = need_machine(err);

    (void)mon, (void)args, (void)ret;
    if (!m)
        return -1;
    if (m->state == RUN_STATE_SHUTDOWN || m->shutdown_request != SHUTDOWN_NONE ||
        monitor_guest_shut_down) {
        monitor_error_set(err, QMP_ERR_GENERIC, "Resetting the Virtual Machine is required");
        return -1;
    }
    machine_resume(m);
    return 0;
}

static int qmp_system_reset(struct monitor *mon, const struct json_value *args,
                            struct json_value **ret, struct monitor_error *err)
{
    struct machine *m = need_machine(err);

    (void)mon, (void)args, (void)ret;
    if (!m)
        return -1;
    machine_request_reset(m);
    return 0;
}

/*
 * As QEMU 7.2 on RISC-V virt: the request is announced (POWERDOWN) but the
 * board has no ACPI or power button to pass it to, so the guest never hears
 * of it. Use quit, or the guest's own poweroff, to stop it.
 */
static int qmp_system_powerdown(struct monitor *mon, const struct json_value *args,
                                struct json_value **ret, struct monitor_error *err)
{
    (void)mon, (void)args, (void)ret;
    if (!need_machine(err))
        return -1;
    monitor_event("POWERDOWN", NULL);
    return 0;
}

static int qmp_quit(struct monitor *mon, const struct json_value *args, struct json_value **ret,
                    struct monitor_error *err)
{
    struct machine *m = need_machine(err);

    (void)mon, (void)args, (void)ret;
    if (!m)
        return -1;
    machine_request_shutdown(m, SHUTDOWN_HOST_QUIT, 0);
    return 0;
}

/*
 * As QEMU's: an NMI for the machine (on x86 each CPU's LINT1, so a guest
 * that masked it sees nothing and the command still succeeds); a machine
 * without an NMI gives QERR_UNSUPPORTED's text, as QEMU 7.2 on riscv64 virt.
 */
static int qmp_inject_nmi(struct monitor *mon, const struct json_value *args,
                          struct json_value **ret, struct monitor_error *err)
{
    struct machine *m = need_machine(err);
    int r;

    (void)mon, (void)args, (void)ret;
    if (!m)
        return -1;
    r = machine_inject_nmi(m);
    if (r == -ENOTSUP) {
        monitor_error_set(err, QMP_ERR_GENERIC,
                          "this feature or command is not currently supported");
        return -1;
    }
    if (r < 0) {
        monitor_error_set(err, QMP_ERR_GENERIC, "inject-nmi: %s", strerror(-r));
        return -1;
    }
    return 0;
}

long (*monitor_thread_id)(void);

static int qmp_query_cpus_fast(struct monitor *mon, const struct json_value *args,
                               struct json_value **ret, struct monitor_error *err)
{
    struct machine *m = need_machine(err);
    const struct dump_arch *arch;
    struct json_value *list;
    char path[64];

    (void)mon, (void)args;
    if (!m)
        return -1;
    arch = dump_arch_of(m);
    list = json_array();
    if (!list)
        ENOMEM_RET(err);
    for (int i = 0; i < m->ncpus; i++) {
        struct json_value *c = json_object(), *props = json_object();
        snprintf(path, sizeof(path), arch ? arch->cpu_path_fmt : "/machine/cpu[%d]", i);
        int socket = 0, core = i, thread = 0;
        if (arch && arch->cpu_topo)
            arch->cpu_topo(m->cpus[i], &socket, &core, &thread);
        /* vCPUs run on the main thread, so all report its id. */
        if (!c || !props || json_object_set(props, "core-id", json_int(core)) ||
            (arch && arch->cpu_topo &&
             (json_object_set(props, "thread-id", json_int(thread)) ||
              json_object_set(props, "socket-id", json_int(socket)))) ||
            json_object_set(c, "thread-id",
                            json_int(monitor_thread_id ? monitor_thread_id() : 0)) ||
            json_object_set(c, "props", props) ||
            json_object_set(c, "qom-path", json_string(path)) ||
            json_object_set(c, "cpu-index", json_int(i)) ||
            json_object_set(c, "target", json_string(arch ? arch->target : "unknown")) ||
            json_array_append(list, c)) {
            json_free(list);
            ENOMEM_RET(err);
        }
    }
    *ret = list;
    return 0;
}

/* What query-chardev shows as "filename", set by whoever created the back end. */
struct chardev_label {
    const struct chardev *chr;
    char *filename;
    struct chardev_label *next;
};
static struct chardev_label *chardev_labels;

void monitor_chardev_describe(const struct chardev *chr, const char *filename)
{
    struct chardev_label *l;

    for (l = chardev_labels; l; l = l->next)
        if (l->chr == chr)
            break;
    if (!l) {
        l = calloc(1, sizeof(*l));
        if (!l)
            return;
        l->chr = chr;
        l->next = chardev_labels;
        chardev_labels = l;
    }
    free(l->filename);
    l->filename = strdup(filename);
}

const char *monitor_chardev_filename(const struct chardev *chr)
{
    for (struct chardev_label *l = chardev_labels; l; l = l->next)
        if (l->chr == chr && l->filename)
            return l->filename;
    return "unknown";
}

static int qmp_query_chardev(struct monitor *mon, const struct json_value *args,
                             struct json_value **ret, struct monitor_error *err)
{
    struct json_value *list = json_array();

    (void)mon, (void)args;
    if (!list)
        ENOMEM_RET(err);
    for (struct chardev *c = chardev_next(NULL); c; c = chardev_next(c)) {
        if (!c->id)
            continue; /* anonymous: per-connection chardevs of a listener */
        struct json_value *o = json_object();
        if (!o || json_object_set(o, "frontend-open", json_bool(c->has_fe)) ||
            json_object_set(o, "filename", json_string(monitor_chardev_filename(c))) ||
            json_object_set(o, "label", json_string(c->id)) || json_array_append(list, o)) {
            json_free(list);
            ENOMEM_RET(err);
        }
    }
    *ret = list;
    return 0;
}

static int qmp_human_monitor_command(struct monitor *mon, const struct json_value *args,
                                     struct json_value **ret, struct monitor_error *err)
{
    struct json_buf out = {0};
    struct monitor hmp;
    const struct json_value *cl = json_object_get(args, "command-line");
    const struct json_value *ci = json_object_get(args, "cpu-index");

    if (ci && (!current_machine || ci->i < 0 || ci->i >= current_machine->ncpus)) {
        monitor_error_set(err, QMP_ERR_GENERIC, "Parameter 'cpu-index' expects a CPU number");
        return -1;
    }
    /* A throwaway HMP session whose output is the command's return value. */
    memset(&hmp, 0, sizeof(hmp));
    hmp.cpu_index = ci ? (int)ci->i : 0;
    hmp.mode = MONITOR_HMP;
    hmp.capture = &out;
    hmp.take_fd = mon->take_fd;
    hmp.opaque = mon->opaque;
    hmp_execute(&hmp, cl->str.s);
    *ret = json_string_len(out.data ? out.data : "", out.len);
    json_buf_free(&out);
    if (!*ret)
        ENOMEM_RET(err);
    return 0;
}

static int qmp_dump_guest_memory(struct monitor *mon, const struct json_value *args,
                                 struct json_value **ret, struct monitor_error *err)
{
    struct machine *m = need_machine(err);
    const struct json_value *paging = json_object_get(args, "paging");
    const char *proto = json_object_get(args, "protocol")->str.s;
    const struct json_value *begin = json_object_get(args, "begin");
    const struct json_value *length = json_object_get(args, "length");
    const struct json_value *format = json_object_get(args, "format");
    char msg[300];

    (void)mon, (void)ret;
    if (!m)
        return -1;
    if (paging->b) {
        monitor_error_set(err, QMP_ERR_GENERIC,
                          "paging=true is not supported: baremu dumps guest-physical memory");
        return -1;
    }
    if (format && strcmp(format->str.s, "elf")) {
        monitor_error_set(err, QMP_ERR_GENERIC, "unsupported dump format '%s' (only 'elf')",
                          format->str.s);
        return -1;
    }
    if (!begin != !length) {
        monitor_error_set(err, QMP_ERR_GENERIC, "Missing parameter '%s'",
                          begin ? "length" : "begin");
        return -1;
    }
    if (length && (length->i <= 0 || begin->i < 0)) {
        monitor_error_set(err, QMP_ERR_GENERIC, "Invalid parameter '%s'",
                          length->i <= 0 ? "length" : "begin");
        return -1;
    }
    if (strncmp(proto, "file:", 5)) {
        monitor_error_set(err, QMP_ERR_GENERIC,
                          "unsupported protocol '%s': use file:PATH (PATH may be /dev/fdset/N)",
                          proto);
        return -1;
    }
    if (dump_guest_memory(m, proto + 5, begin ? (uint64_t)begin->i : 0,
                          length ? (uint64_t)length->i : 0, msg, sizeof(msg)) < 0) {
        monitor_error_set(err, QMP_ERR_GENERIC, "%s", msg);
        return -1;
    }
    return 0;
}

static int qmp_query_dump(struct monitor *mon, const struct json_value *args,
                          struct json_value **ret, struct monitor_error *err)
{
    static const char *const names[] = {"none", "active", "completed", "failed"};
    const struct dump_state *s = dump_query();
    struct json_value *r = json_object();

    (void)mon, (void)args;
    if (!r || json_object_set(r, "total", json_int((int64_t)s->total)) ||
        json_object_set(r, "status", json_string(names[s->status])) ||
        json_object_set(r, "completed", json_int((int64_t)s->completed))) {
        json_free(r);
        ENOMEM_RET(err);
    }
    *ret = r;
    return 0;
}

static const struct monitor_arg hmc_args[] = {
    {"command-line", MARG_STR, false},
    {"cpu-index", MARG_INT, true},
    {NULL, 0, false},
};
static const struct monitor_arg dump_args[] = {
    {"paging", MARG_BOOL, false},
    {"protocol", MARG_STR, false},
    {"detach", MARG_BOOL, true},
    {"begin", MARG_INT, true},
    {"length", MARG_INT, true},
    {"format", MARG_STR, true},
    {NULL, 0, false},
};

const struct monitor_cmd monitor_builtin_cmds[] = {
    {"query-version", NULL, qmp_query_version},
    {"query-commands", NULL, qmp_query_commands},
    {"query-name", NULL, qmp_query_name},
    {"query-status", NULL, qmp_query_status},
    {"stop", NULL, qmp_stop},
    {"cont", NULL, qmp_cont},
    {"system_reset", NULL, qmp_system_reset},
    {"system_powerdown", NULL, qmp_system_powerdown},
    {"quit", NULL, qmp_quit},
    {"inject-nmi", NULL, qmp_inject_nmi},
    {"query-cpus-fast", NULL, qmp_query_cpus_fast},
    {"query-chardev", NULL, qmp_query_chardev},
    {"human-monitor-command", hmc_args, qmp_human_monitor_command},
    {"dump-guest-memory", dump_args, qmp_dump_guest_memory},
    {"query-dump", NULL, qmp_query_dump},
    {NULL, NULL, NULL},
};

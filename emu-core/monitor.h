/*
 * monitor.h - the monitor: one command registry serving QMP (QEMU's JSON
 * protocol) and HMP (text), the sessions that talk them, and events.
 *
 * Transports live elsewhere and only move bytes: net/qmp-server.c frames
 * QMP over any chardev (a socket connection hosted, lwIP TCP on the
 * appliance), console/hmp-readline.c gives HMP a line editor on a chardev
 * (the console mux's monitor port, -monitor stdio). Commands run from the
 * main loop between vCPU slices, so they may look at vCPU registers and
 * guest memory directly.
 *
 * The monitor is root access to every guest: whoever reaches a session can
 * read and write guest memory, stop the machine and write files as the
 * emulator's user. Transports decide who reaches it (see README).
 */
#ifndef EMU_MONITOR_H
#define EMU_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "emu-core/json.h"

enum monitor_mode { MONITOR_QMP, MONITOR_HMP };

struct monitor;

/* A session. The transport embeds or allocates it and calls monitor_init(). */
struct monitor {
    enum monitor_mode mode;
    /* Where this session's output goes (the transport's writer). */
    void (*output)(struct monitor *mon, const char *buf, size_t len);
    /*
     * The next file descriptor passed with the current command (SCM_RIGHTS),
     * taken by add-fd; -EBADF if none came. NULL: the transport cannot pass
     * descriptors.
     */
    int (*take_fd)(struct monitor *mon);
    void *opaque;   /* the transport's */
    bool qmp_ready; /* capabilities negotiated: commands run, events are sent */
    int cpu_index; /* the CPU HMP's info registers and x look at (human-monitor-command's cpu-index)
                    */
    struct json_buf *capture; /* non-NULL: HMP output is collected here instead */
    struct monitor *next;
};

/* Register the session (for events) with its output. */
void monitor_init(struct monitor *mon, enum monitor_mode mode,
                  void (*output)(struct monitor *mon, const char *buf, size_t len), void *opaque);
void monitor_destroy(struct monitor *mon);

/* HMP-style text output (to the session, or its capture buffer). */
void monitor_printf(struct monitor *mon, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void monitor_write(struct monitor *mon, const char *buf, size_t len);

/* ---- errors, with QEMU's classes ---- */

#define QMP_ERR_GENERIC "GenericError"
#define QMP_ERR_NOT_FOUND "CommandNotFound"
#define QMP_ERR_DEVICE_NOT_FOUND "DeviceNotFound"

struct monitor_error {
    const char *cls; /* NULL: no error */
    char desc[512];
};

void monitor_error_set(struct monitor_error *err, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the command registry ---- */

/* Argument types as QAPI names them in errors. */
enum monitor_arg_type { MARG_STR, MARG_INT, MARG_BOOL, MARG_ANY };

struct monitor_arg {
    const char *name; /* NULL ends the list */
    enum monitor_arg_type type;
    bool optional;
};

struct monitor_cmd {
    const char *name;               /* QMP name */
    const struct monitor_arg *args; /* NULL: takes none */
    /*
     * args is an object already checked against the argument list (types,
     * no unknown or missing members). Returns 0 with *ret set (NULL means
     * {}), or -1 with err set.
     */
    int (*handler)(struct monitor *mon, const struct json_value *args, struct json_value **ret,
                   struct monitor_error *err);
};

/*
 * Add a command (the hosted platform adds add-fd/remove-fd/query-fdsets).
 * cmd must stay valid. Returns 0, -EEXIST or -ENOMEM.
 */
int monitor_register(const struct monitor_cmd *cmd);
const struct monitor_cmd *monitor_find(const char *name);
/* Visit every command (query-commands, HMP help); built-ins first. */
void monitor_for_each(void (*fn)(const struct monitor_cmd *cmd, void *opaque), void *opaque);

/*
 * Run command name with args (may be NULL: none): checks the arguments
 * against the command's list, then calls it. Returns 0 and *ret, or -1 and
 * err (CommandNotFound for an unknown name).
 */
int monitor_call(struct monitor *mon, const char *name, const struct json_value *args,
                 struct json_value **ret, struct monitor_error *err);

/*
 * One QMP request object from a client, as QEMU handles it: capabilities
 * negotiation first, then "execute" with optional "arguments" and "id". The
 * response (or error) line is written to the session. Takes ownership of req.
 */
void monitor_qmp_request(struct monitor *mon, struct json_value *req);
/* Send an error not tied to a request (parse errors): {"error": {...}}. */
void monitor_qmp_error(struct monitor *mon, const char *cls, const char *desc);
/* The greeting a QMP session starts with. */
void monitor_qmp_greeting(struct monitor *mon);

/*
 * Send an event to every negotiated QMP session with a timestamp. data may
 * be NULL (QEMU then omits "data"); ownership is taken.
 */
void monitor_event(const char *name, struct json_value *data);

/* ---- HMP ---- */

/* Run one HMP command line; output goes to mon (monitor_printf). */
void hmp_execute(struct monitor *mon, const char *line);
/* The session's current CPU (cpu_index, clamped to the machine's), or NULL without a machine. */
struct vcpu *monitor_cpu(struct monitor *mon);
/* "QEMU-compatible monitor" banner line printed when an HMP session opens. */
void hmp_banner(struct monitor *mon);

/*
 * query-chardev's "filename" for chr ("stdio", "unix:/tmp/q,server=on"),
 * set by whoever created the back end; "unknown" if nobody did.
 */
struct chardev;
void monitor_chardev_describe(const struct chardev *chr, const char *filename);
const char *monitor_chardev_filename(const struct chardev *chr);

/*
 * The guest powered off under -no-shutdown and has not been reset since:
 * query-status says "shutdown" and cont is refused, as in QEMU.
 */
extern bool monitor_guest_shut_down;

/* The host thread id query-cpus-fast reports (set by the platform; NULL: 0). */
extern long (*monitor_thread_id)(void);

/*
 * Install the run-state event hook (STOP/RESUME/RESET/SHUTDOWN from
 * machine.c and main-loop.c) and the built-in commands. Idempotent.
 */
void monitor_setup(void);

/*
 * Flush what sessions still hold before the process exits (the SHUTDOWN
 * event after quit). Transports register one flusher each.
 */
void monitor_add_flusher(void (*fn)(void));
void monitor_flush_all(void);

#endif

/*
 * host.h - internals of the hosted (Linux) platform shared between host/
 * files: the input-fd registry behind plat_wait()/plat_poll(), the terminal,
 * and the chardev back ends.
 */
#ifndef HOST_HOST_H
#define HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct chardev;

/*
 * Watch fd for input. Before each poll can_read(opaque) (NULL: always) says
 * whether to include fd now, so a back end whose chardev buffer is full is
 * left alone instead of waking the loop in vain. read_cb(opaque) runs from
 * plat_wait()/plat_poll() when fd is readable or hung up; it must read (or
 * unwatch) or the loop spins. Returns 0, -EEXIST or -ENOSPC.
 */
int host_fd_watch(int fd, bool (*can_read)(void *opaque), void (*read_cb)(void *opaque),
                  void *opaque);
/* Stop watching fd; safe from inside its own read_cb. */
void host_fd_unwatch(int fd);

/*
 * Put the terminal on stdin in raw mode (restored by plat_exit, atexit and
 * the termination signals). allow_signals keeps ISIG so Ctrl-C kills the
 * process, as QEMU's plain -serial stdio; the console mux turns it off so
 * Ctrl-C reaches the guest. No-op if stdin is not a terminal.
 */
void host_term_raw(bool allow_signals);
void host_term_restore(void);

/*
 * Install handlers for SIGINT/SIGTERM/SIGHUP: the first asks the running
 * machine to quit (exit status 0, as QEMU), a second one while that is still
 * pending restores the terminal and exits at once.
 */
int host_signals_init(void);

/*
 * -D FILE: the diagnostic stream (logs) goes to path; errors and warnings
 * ("baremu: ..." lines) go to stderr as well. Returns 0 or -errno.
 */
int host_diag_set_file(const char *path);

/* Write all of buf to fd, waiting out EAGAIN (stdout may be a non-blocking pipe). */
int host_write_all(int fd, const void *buf, size_t len);

/*
 * Back ends. Each returns a registered chardev or NULL after writing the
 * reason to err. stdio may exist once per process, as in QEMU.
 */
struct chardev *host_chardev_stdio(const char *id, bool allow_signals, char *err, size_t errlen);
struct chardev *host_chardev_file(const char *id, const char *path, char *err, size_t errlen);
struct chardev *host_chardev_null(const char *id, char *err, size_t errlen);

/*
 * Create chardev id ("serial0") from a QEMU -serial/-monitor spec: stdio,
 * mon:SPEC (a console mux with escapes; id becomes its port 0), file:PATH,
 * null. "none" creates nothing and returns 0. Returns 0 or -errno with a
 * one-line message in err naming the spec.
 */
int host_chardev_from_spec(const char *id, const char *spec, char *err, size_t errlen);

#endif

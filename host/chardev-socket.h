/*
 * chardev-socket.h - listening TCP and Unix sockets for the monitor. Each
 * accepted connection is a chardev of its own, handed to a callback that
 * puts a QMP or HMP session on it, so clients come and go independently
 * and a slow or vanished client never holds up the guest.
 */
#ifndef HOST_CHARDEV_SOCKET_H
#define HOST_CHARDEV_SOCKET_H

#include <stdbool.h>
#include <stddef.h>

struct chardev;
struct opts;

/* Concurrent connections per listener; more are accepted and closed at once. */
#define HOST_SOCKET_MAX_CONN 8
/* Output a connection may hold unread before it is dropped as a slow reader. */
#define HOST_SOCKET_MAX_PENDING (1u << 20)

/* A client on a listener with a secret that has had no reply by then is dropped. */
#define HOST_SOCKET_AUTH_TIMEOUT_NS (10 * 1000000000ull)
/* After a failed authentication, unauthenticated clients' input waits this long. */
#define HOST_SOCKET_AUTH_BACKOFF_NS (200 * 1000000ull)

typedef void (*host_socket_connect_fn)(struct chardev *conn, void *opaque);

/* The listener's clients can authenticate (QMP): secret=ID is allowed. */
#define HOST_SOCKET_SECRET_OK 1u

/*
 * Listen as QEMU's -qmp/-monitor spelling says: "tcp:[HOST]:PORT,server=on
 * [,wait=off][,secret=ID]" or "unix:PATH,server=on[,wait=off][,secret=ID]".
 * A chardev id (QEMU's "compat_monitor0") is registered for query-chardev.
 * Each connection is passed to fn. wait=on (QEMU's default) blocks until the
 * first client connects. secret=ID names an -object secret (only with
 * HOST_SOCKET_SECRET_OK); a TCP listener on other than a loopback address
 * needs one and is refused without. Returns 0 or -errno with a one-line
 * message in err (which never shows a secret).
 */
int host_socket_listen_spec(const char *id, const char *spec, unsigned flags,
                            host_socket_connect_fn fn, void *opaque, char *err, size_t errlen);

/* The same from -chardev socket,id=..,host=..,port=.. / path=.. options. */
int host_socket_listen_opts(const char *id, const struct opts *o, unsigned flags,
                            host_socket_connect_fn fn, void *opaque, char *err, size_t errlen);

/* The secret of the listener conn came from (its session must ask for it), or NULL. */
const char *host_socket_secret(struct chardev *conn);

/*
 * qmp_hangup_hook for socket connections: send what is queued, then close
 * (reading and dropping input meanwhile, so the client gets the reply
 * rather than a reset). auth_failed starts the listener's back-off.
 */
void host_socket_hangup(struct chardev *conn, bool auth_failed);

/* A descriptor received with SCM_RIGHTS on conn (oldest first), or -EBADF. */
int host_socket_take_fd(struct chardev *conn);

/* Push out what connections still hold (before exit); waits at most ~1 s in all. */
void host_socket_flush_all(void);

#endif

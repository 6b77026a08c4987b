/*
 * chardev-socket.h - listening TCP and Unix sockets for the monitor. Each
 * accepted connection is a chardev of its own, handed to a callback that
 * puts a QMP or HMP session on it, so clients come and go independently
 * and a slow or vanished client never holds up the guest.
 */
#ifndef HOST_CHARDEV_SOCKET_H
#define HOST_CHARDEV_SOCKET_H

#include <stddef.h>

struct chardev;
struct opts;

/* Concurrent connections per listener; more are accepted and closed at once. */
#define HOST_SOCKET_MAX_CONN 8
/* Output a connection may hold unread before it is dropped as a slow reader. */
#define HOST_SOCKET_MAX_PENDING (1u << 20)

typedef void (*host_socket_connect_fn)(struct chardev *conn, void *opaque);

/*
 * Listen as QEMU's -qmp/-monitor spelling says: "tcp:[HOST]:PORT,server=on
 * [,wait=off]" or "unix:PATH,server=on[,wait=off]". A chardev id (QEMU's
 * "compat_monitor0") is registered for query-chardev. Each connection is
 * passed to fn. wait=on (QEMU's default) blocks until the first client
 * connects. Returns 0 or -errno with a one-line message in err.
 */
int host_socket_listen_spec(const char *id, const char *spec, host_socket_connect_fn fn,
                            void *opaque, char *err, size_t errlen);

/* The same from -chardev socket,id=..,host=..,port=.. / path=.. options. */
int host_socket_listen_opts(const char *id, const struct opts *o, host_socket_connect_fn fn,
                            void *opaque, char *err, size_t errlen);

/* A descriptor received with SCM_RIGHTS on conn (oldest first), or -EBADF. */
int host_socket_take_fd(struct chardev *conn);

/* Push out what connections still hold (before exit); waits at most ~1 s in all. */
void host_socket_flush_all(void);

#endif

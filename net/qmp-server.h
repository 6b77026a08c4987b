/*
 * qmp-server.h - a QMP session over any byte stream (a chardev): the hosted
 * socket back end hands each accepted connection here, and the appliance's
 * lwIP glue will do the same with its TCP connections.
 */
#ifndef NET_QMP_SERVER_H
#define NET_QMP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct chardev;

/* Largest QMP message accepted; a longer one gets an error and is skipped. */
#define QMP_MAX_MESSAGE (1u << 20)

/* Greet at once (the stream is already connected): a socket connection, stdio. */
#define QMP_SESSION_GREET_NOW 1u
/* The chardev is one connection: free the session when it reports CLOSED. */
#define QMP_SESSION_PER_CONNECTION 2u

/*
 * Become chr's front end and serve QMP on it. Without PER_CONNECTION the
 * session lives as long as the process and starts afresh (greeting, new
 * negotiation) at each CHR_EVENT_OPENED. Returns 0 or -ENOMEM.
 */
int qmp_session_attach(struct chardev *chr, unsigned flags);

/*
 * How a session gets a descriptor passed with the current message
 * (SCM_RIGHTS on a hosted Unix socket): set by the transport that can;
 * returns the fd or -EBADF.
 */
extern int (*qmp_take_fd_hook)(struct chardev *chr);

/*
 * The framing alone, for tests and fuzzing: feed bytes, get complete
 * messages (or errors) through the callbacks.
 */
struct qmp_splitter {
    int depth;
    char quote; /* inside a string: its quote character */
    bool escape;
    bool scalar;  /* collecting a top-level scalar */
    bool discard; /* the message exceeded a limit: skip to its end */
    char *buf;
    size_t len, cap;
};

/* Called with each complete message (not NUL-terminated), or with NULL and an error text. */
typedef void (*qmp_splitter_fn)(void *opaque, const char *msg, size_t len, const char *error);
void qmp_splitter_feed(struct qmp_splitter *s, const char *data, size_t len, qmp_splitter_fn fn,
                       void *opaque);
void qmp_splitter_reset(struct qmp_splitter *s);

#endif

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
/* Largest first message of a session with a secret: an unauthenticated client gets little. */
#define QMP_AUTH_MAX_MESSAGE 4096u

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
 * The same, but a client must prove it knows secret before anything else
 * (secret NULL: qmp_session_attach). The session sends nothing, not even the
 * greeting, until the first message is
 *   {"execute": "baremu-authenticate", "arguments": {"secret": "..."}}
 * with the right secret (compared in constant time); then the greeting
 * follows and QMP goes on as usual (qmp_capabilities next). Anything else
 * first - another command, bad JSON, a first message over
 * QMP_AUTH_MAX_MESSAGE, a wrong secret - gets exactly one
 * {"error": {"class": "GenericError", "desc": ...}} line, and then the
 * session ignores all input and calls qmp_hangup_hook(chr, true). secret is
 * copied. Returns 0 or -ENOMEM.
 */
int qmp_session_attach_secret(struct chardev *chr, unsigned flags, const char *secret);

/*
 * How a session asks its transport to end a connection, after the output it
 * has written so far is sent (set by a transport that can; NULL leaves the
 * connection open but mute, input ignored, until the client goes).
 * auth_failed: a wrong or missing secret - the transport should slow down
 * further attempts on that listener. Called from inside the session's
 * receive callback: the transport must not free the chardev before it
 * returns (it sends CHR_EVENT_CLOSED later, as for any close).
 */
extern void (*qmp_hangup_hook)(struct chardev *chr, bool auth_failed);

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
    size_t max;   /* largest message; 0 means QMP_MAX_MESSAGE */
    char *buf;
    size_t len, cap;
};

/* Called with each complete message (not NUL-terminated), or with NULL and an error text. */
typedef void (*qmp_splitter_fn)(void *opaque, const char *msg, size_t len, const char *error);
void qmp_splitter_feed(struct qmp_splitter *s, const char *data, size_t len, qmp_splitter_fn fn,
                       void *opaque);
void qmp_splitter_reset(struct qmp_splitter *s);

#endif

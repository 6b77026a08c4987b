/*
 * chardev-socket.c - listening sockets whose connections are chardevs
 * (chardev-socket.h). Everything is non-blocking: output a client does not
 * read is kept (up to a limit, then the client is dropped), input is read
 * only when the session can take it. A listener with a secret drops
 * clients that stay silent and, after a failed authentication, accepts
 * nobody for a moment (chardev-socket.h).
 */
#define _GNU_SOURCE
#include "host/chardev-socket.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/monitor.h"
#include "host/host.h"

#define CONN_MAX_FDS 16

struct sock_listener;

struct sock_conn {
    struct chardev chr;
    struct sock_listener *l;
    int fd;
    bool dead; /* write failed or too slow: closed at the next read callback */
    bool closing;      /* the session hung up: close once the client has its reply */
    bool shut_wr;      /* our side is shut down (after the last output) */
    uint64_t deadline; /* CLOCK_MONOTONIC ns: close then (silent or lingering client); 0: none */
    char *out;
    size_t out_len, out_cap;
    int fds[CONN_MAX_FDS];
    int nfds;
    struct sock_conn *next;
};

struct sock_listener {
    struct chardev chr;
    int fd;
    host_socket_connect_fn fn;
    void *opaque;
    int nconn;
    const char *secret;     /* -object secret the clients must present, or NULL */
    uint64_t backoff_until; /* CLOCK_MONOTONIC ns: no accepts before then */
    struct sock_listener *next;
};

/* How long a rejected client has to read its error before we close anyway. */
#define CONN_LINGER_NS (2 * 1000000000ull)

static struct sock_conn *all_conns;
static struct sock_listener *all_listeners;

/*
 * The main loop only polls for input, and sleeps indefinitely while the
 * guest is paused and idle. Output a client has not taken yet would then
 * wait for that client's next command; a timer fd wakes the loop every
 * few ms while any connection holds output, to push it on, and at the
 * connections' deadlines and the end of a listener's back-off.
 */
static int flush_tfd = -1;
static bool flush_armed;

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sock_timer_update(void)
{
    uint64_t now = mono_ns(), next = UINT64_MAX;

    if (flush_tfd < 0)
        return;
    for (struct sock_conn *c = all_conns; c; c = c->next) {
        if (c->out_len && !c->dead && now + 10000000ull < next)
            next = now + 10000000ull;
        if (c->deadline && c->deadline < next)
            next = c->deadline;
    }
    for (struct sock_listener *l = all_listeners; l; l = l->next)
        if (l->backoff_until > now && l->backoff_until < next)
            next = l->backoff_until;
    struct itimerspec its = {0};
    if (next != UINT64_MAX) {
        next = next > now ? next : now + 1; /* 0 would disarm it */
        its.it_value.tv_sec = (time_t)(next / 1000000000ull);
        its.it_value.tv_nsec = (long)(next % 1000000000ull);
    }
    if (timerfd_settime(flush_tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        flush_armed = next != UINT64_MAX;
}

static void flush_timer_arm(void)
{
    if (!flush_armed)
        sock_timer_update();
}

/* ---- connections ---- */

static int conn_flush(struct sock_conn *c)
{
    while (c->out_len) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            c->dead = true;
            c->out_len = 0;
            shutdown(c->fd, SHUT_RDWR); /* poll reports it, and the read callback closes */
            return -EPIPE;
        }
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
    }
    return 0;
}

static int conn_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    struct sock_conn *c = chr->opaque;

    if (c->dead)
        return -EPIPE;
    if (c->out_len + len > HOST_SOCKET_MAX_PENDING) {
        /* A client that does not read its replies cannot make us hold unbounded output. */
        c->dead = true;
        c->out_len = 0;
        shutdown(c->fd, SHUT_RDWR);
        return -EPIPE;
    }
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len)
            cap *= 2;
        char *n = realloc(c->out, cap);
        if (!n)
            return -ENOMEM;
        c->out = n;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, buf, len);
    c->out_len += len;
    if (!c->closing)
        c->deadline = 0; /* the session answered: the client has authenticated (or needs not) */
    conn_flush(c);
    if (c->out_len)
        flush_timer_arm();
    return c->dead ? -EPIPE : (int)len;
}

static void conn_free(struct sock_conn *c)
{
    for (struct sock_conn **pp = &all_conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    host_fd_unwatch(c->fd);
    close(c->fd);
    for (int i = 0; i < c->nfds; i++)
        close(c->fds[i]);
    c->l->nconn--;
    free(c->out);
    free(c);
}

static void conn_close(struct sock_conn *c)
{
    /* The session frees itself on CLOSED; after that nobody holds the chardev. */
    chardev_send_event(&c->chr, CHR_EVENT_CLOSED);
    chardev_unregister(&c->chr);
    conn_free(c);
}

/* Called before every poll: a good moment to push out what a slow reader left. */
static bool conn_can_read(void *opaque)
{
    struct sock_conn *c = opaque;

    if (c->out_len)
        conn_flush(c);
    /*
     * After a failed authentication, what clients not yet authenticated send waits out the
     * listener's back-off (they are still accepted, so the kernel's queue does not fill and
     * a good client gets in): a guesser gets a few tries per back-off, not thousands.
     */
    if (c->deadline && !c->closing && c->l->backoff_until && mono_ns() < c->l->backoff_until)
        return false;
    return c->dead || c->chr.in_len < CHARDEV_INBUF;
}

static void conn_keep_fds(struct sock_conn *c, struct msghdr *msg)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        int n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *fds = (int *)CMSG_DATA(cm);
        for (int i = 0; i < n; i++) {
            if (c->nfds < CONN_MAX_FDS)
                c->fds[c->nfds++] = fds[i];
            else
                close(fds[i]); /* more than any command can use */
        }
    }
}

/* One read of at most what the chardev can hold; 1 if more may follow, 0 if not, -1 if closed. */
static int conn_read_once(struct sock_conn *c)
{
    uint8_t buf[4096];
    union {
        char b[CMSG_SPACE(sizeof(int) * CONN_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    size_t room = CHARDEV_INBUF - c->chr.in_len;

    if (!room)
        return 0;
    if (room < sizeof(buf))
        iov.iov_len = room;
    msg.msg_control = ctl.b;
    msg.msg_controllen = sizeof(ctl.b);
    ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0) {
        conn_close(c);
        return -1;
    }
    conn_keep_fds(c, &msg);
    chardev_input(&c->chr, buf, (size_t)n);
    return (size_t)n == iov.iov_len;
}

static void conn_read(void *opaque)
{
    struct sock_conn *c = opaque;

    if (c->dead) {
        conn_close(c);
        return;
    }
    /*
     * The loop polls between vCPU slices; taking up to 64 KiB per wake-up
     * keeps a big request from trickling in at 4 KiB a slice, yet bounds
     * the time one client holds the loop.
     */
    for (int i = 0; i < 16; i++)
        if (conn_read_once(c) <= 0)
            return;
}

static const struct chardev_ops conn_ops = {.write = conn_write};

int host_socket_take_fd(struct chardev *chr)
{
    if (chr->ops != &conn_ops)
        return -EBADF;
    struct sock_conn *c = chr->opaque;
    if (!c->nfds)
        return -EBADF;
    int fd = c->fds[0];
    memmove(c->fds, c->fds + 1, (size_t)(c->nfds - 1) * sizeof(int));
    c->nfds--;
    return fd;
}

/* A hung-up connection's reply has gone out: send our FIN after it. */
static void conn_shut_if_done(struct sock_conn *c)
{
    if (c->closing && !c->shut_wr && !c->out_len) {
        shutdown(c->fd, SHUT_WR);
        c->shut_wr = true;
    }
}

static void flush_timer_fired(void *opaque)
{
    uint64_t ticks, now = mono_ns();
    struct sock_conn *next;

    (void)opaque;
    if (read(flush_tfd, &ticks, sizeof(ticks)) < 0) {
        /* Not expired yet (EAGAIN): poll woke us for nothing; flushing is still harmless. */
    }
    flush_armed = false;
    for (struct sock_conn *c = all_conns; c; c = next) {
        next = c->next;
        conn_flush(c);
        conn_shut_if_done(c);
        if (c->deadline && now >= c->deadline)
            conn_close(c);
    }
    sock_timer_update();
}

const char *host_socket_secret(struct chardev *chr)
{
    if (chr->ops != &conn_ops)
        return NULL;
    return ((struct sock_conn *)chr->opaque)->l->secret;
}

void host_socket_hangup(struct chardev *chr, bool auth_failed)
{
    if (chr->ops != &conn_ops)
        return;
    struct sock_conn *c = chr->opaque;
    uint64_t now = mono_ns();
    c->closing = true;
    c->deadline = now + CONN_LINGER_NS;
    if (auth_failed)
        c->l->backoff_until = now + HOST_SOCKET_AUTH_BACKOFF_NS;
    conn_flush(c);
    conn_shut_if_done(c);
    sock_timer_update();
}

static void flush_timer_init(void)
{
    if (flush_tfd >= 0)
        return;
    flush_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (flush_tfd >= 0 && host_fd_watch(flush_tfd, NULL, flush_timer_fired, NULL) < 0) {
        close(flush_tfd);
        flush_tfd = -1; /* output then moves on at the next poll instead */
    }
}

void host_socket_flush_all(void)
{
    uint64_t tries = 0;

    for (struct sock_conn *c = all_conns; c; c = c->next) {
        while (c->out_len && !c->dead && tries++ < 10) {
            struct pollfd p = {.fd = c->fd, .events = POLLOUT};
            if (poll(&p, 1, 100) <= 0)
                break;
            conn_flush(c);
        }
    }
}

/* ---- listeners ---- */

/*
 * At the connection cap: close the connections whose clients have gone but
 * whose end we have not read yet (a flood of connect-and-close leaves many),
 * so a client arriving now gets a slot. An unauthenticated one is dropped
 * unread (its input could only be refused); others have what they sent served.
 */
static void listener_reap(struct sock_listener *l)
{
    struct sock_conn *next;

    for (struct sock_conn *c = all_conns; c; c = next) {
        next = c->next;
        if (c->l != l)
            continue;
        struct pollfd p = {.fd = c->fd, .events = POLLIN | POLLRDHUP};
        if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
            continue;
        if (c->dead || c->closing || c->deadline)
            conn_close(c);
        else
            conn_read(c);
    }
}

static void listener_accept(void *opaque)
{
    struct sock_listener *l = opaque;

    /* A few per wake-up, so a connect flood cannot monopolise the loop. */
    for (int i = 0; i < 16; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (l->nconn >= HOST_SOCKET_MAX_CONN)
            listener_reap(l);
        struct sock_conn *c = l->nconn < HOST_SOCKET_MAX_CONN ? calloc(1, sizeof(*c)) : NULL;
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->l = l;
        if (l->secret)
            c->deadline = mono_ns() + HOST_SOCKET_AUTH_TIMEOUT_NS;
        if (host_fd_watch(fd, conn_can_read, conn_read, c) < 0) {
            close(fd);
            free(c);
            continue;
        }
        l->nconn++;
        c->next = all_conns;
        all_conns = c;
        chardev_register(&c->chr, NULL, &conn_ops, c);
        l->fn(&c->chr, l->opaque);
        if (c->deadline)
            sock_timer_update();
    }
}

static int listener_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr, (void)buf;
    return (int)len; /* the listener itself carries no data */
}

static const struct chardev_ops listener_ops = {.write = listener_write};

static int listener_fe_can_receive(void *opaque)
{
    (void)opaque;
    return 0;
}

static int sock_bind_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "unix:%s: path too long", path);
        return -ENAMETOOLONG;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(path); /* a stale socket from an earlier run, as QEMU does */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        snprintf(err, errlen, "unix:%s: cannot bind: %s", path, strerror(e));
        close(fd);
        return -e;
    }
    /* The monitor is root over the guest: only our user may connect. */
    chmod(path, 0600);
    return fd;
}

static int sock_bind_tcp(const char *host, const char *port, char *err, size_t errlen)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res, *ai;
    int fd = -1, e = 0, one = 1;

    int r = getaddrinfo(host && *host ? host : NULL, port, &hints, &res);
    if (r) {
        snprintf(err, errlen, "tcp:%s:%s: %s", host ? host : "", port, gai_strerror(r));
        return -EINVAL;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            e = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "tcp:%s:%s: cannot bind: %s", host ? host : "", port, strerror(e));
        return -e;
    }
    return fd;
}

static bool sock_is_loopback(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return false;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

int host_socket_listen_opts(const char *id, const struct opts *o, unsigned flags,
                            host_socket_connect_fn fn, void *opaque, char *err, size_t errlen)
{
    const char *path = opts_get(o, "path"), *host = opts_get(o, "host"),
               *port = opts_get(o, "port"), *secret_id = opts_get(o, "secret"), *secret = NULL;
    bool server, wait;
    char desc[300];
    int fd;

    if (opts_get_bool(o, "server", false, &server) < 0 ||
        opts_get_bool(o, "wait", true, &wait) < 0) {
        snprintf(err, errlen, "server= and wait= take on or off");
        return -EINVAL;
    }
    if (!server) {
        snprintf(err, errlen, "only server=on sockets are supported (baremu does not connect out)");
        return -ENOTSUP;
    }
    if (secret_id && !(flags & HOST_SOCKET_SECRET_OK)) {
        snprintf(err, errlen,
                 "secret= is for QMP only (-qmp, or -mon mode=control): HMP has "
                 "no way to present it");
        return -EINVAL;
    }
    if (secret_id && !(secret = config_secret_lookup(secret_id))) {
        snprintf(err, errlen,
                 "secret=%s: No secret with id '%s' (define it with -object "
                 "secret,id=%s,file=PATH)",
                 secret_id, secret_id, secret_id);
        return -EINVAL;
    }
    if (path) {
        fd = sock_bind_unix(path, err, errlen);
        snprintf(desc, sizeof(desc), "unix:%s,server=on", path);
    } else if (port) {
        fd = sock_bind_tcp(host, port, err, errlen);
        snprintf(desc, sizeof(desc), "tcp:%s:%s,server=on", host ? host : "", port);
    } else {
        snprintf(err, errlen, "a socket needs path= (Unix) or port= (TCP)");
        return -EINVAL;
    }
    if (fd < 0)
        return fd;
    if (!path && !secret && !sock_is_loopback(fd)) {
        /* The monitor is root over the guest: not for anyone on the network to take. */
        snprintf(err, errlen,
                 "%s: a monitor on a network address other than loopback needs "
                 "secret=ID (an -object secret, QMP only); for no secret bind 127.0.0.1 or "
                 "use a Unix socket",
                 desc);
        close(fd);
        return -EACCES;
    }
    /* Room for a burst of clients arriving during one vCPU slice (the loop accepts between). */
    if (listen(fd, 128) < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot listen: %s", desc, strerror(e));
        close(fd);
        return -e;
    }
    struct sock_listener *l = calloc(1, sizeof(*l));
    if (!l) {
        close(fd);
        return -ENOMEM;
    }
    l->fd = fd;
    l->fn = fn;
    l->opaque = opaque;
    l->secret = secret;
    int r = host_fd_watch(fd, NULL, listener_accept, l);
    if (r < 0) {
        snprintf(err, errlen, "%s: cannot watch: %s", desc, strerror(-r));
        close(fd);
        free(l);
        return r;
    }
    chardev_register(&l->chr, id, &listener_ops, l);
    struct chardev_frontend fe = {.can_receive = listener_fe_can_receive};
    chardev_set_frontend(&l->chr, &fe); /* the monitor is its user: "frontend-open" */
    monitor_chardev_describe(&l->chr, desc);
    l->next = all_listeners;
    all_listeners = l;
    flush_timer_init();
    monitor_add_flusher(host_socket_flush_all);
    if (wait) {
        /* QEMU's default: start only once the first client is there. */
        fprintf(stderr, "baremu: waiting for connection on %s\n", desc);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
            ;
        listener_accept(l);
    }
    return 0;
}

int host_socket_listen_spec(const char *id, const char *spec, unsigned flags,
                            host_socket_connect_fn fn, void *opaque, char *err, size_t errlen)
{
    struct opts o = {0};
    const char *rest;
    char msg[200];
    int r = -EINVAL;

    if (!strncmp(spec, "unix:", 5)) {
        size_t n = strcspn(spec + 5, ",");
        /* "path=" plus the path with ',' doubled: opts_parse's escape, as QEMU's. */
        char *kv = malloc(n * 2 + 8), *d;
        if (!kv) {
            snprintf(err, errlen, "out of memory");
            r = -ENOMEM;
            goto out;
        }
        d = kv + sprintf(kv, "path=");
        memcpy(d, spec + 5, n);
        d[n] = 0;
        rest = spec + 5 + n;
        int pr = opts_parse(&o, kv, NULL, msg, sizeof(msg));
        free(kv);
        if (pr < 0 || opts_parse(&o, *rest ? rest + 1 : "", NULL, msg, sizeof(msg)) < 0) {
            snprintf(err, errlen, "'%s': %s", spec, msg);
            goto out;
        }
    } else if (!strncmp(spec, "tcp:", 4)) {
        const char *hp = spec + 4;
        size_t n = strcspn(hp, ",");
        const char *colon = memrchr(hp, ':', n);
        if (!colon) {
            snprintf(err, errlen, "'%s': expected tcp:[HOST]:PORT", spec);
            goto out;
        }
        char *host = strndup(hp, (size_t)(colon - hp)),
             *port = strndup(colon + 1, n - (size_t)(colon - hp) - 1);
        char kv[600];
        rest = hp + n;
        /* [::1]:4444 names an IPv6 host as QEMU writes it. */
        if (host && host[0] == '[' && host[strlen(host) - 1] == ']') {
            memmove(host, host + 1, strlen(host));
            host[strlen(host) - 1] = 0;
        }
        snprintf(kv, sizeof(kv), "host=%s,port=%s", host ? host : "", port ? port : "");
        free(host);
        free(port);
        if (opts_parse(&o, kv, NULL, msg, sizeof(msg)) < 0 ||
            opts_parse(&o, *rest ? rest + 1 : "", NULL, msg, sizeof(msg)) < 0) {
            snprintf(err, errlen, "'%s': %s", spec, msg);
            goto out;
        }
    } else {
        snprintf(err, errlen, "'%s': expected tcp:HOST:PORT,server=on or unix:PATH,server=on",
                 spec);
        goto out;
    }
    r = host_socket_listen_opts(id, &o, flags, fn, opaque, msg, sizeof(msg));
    if (r < 0)
        snprintf(err, errlen, "'%s': %s", spec, msg);
out:
    opts_free(&o);
    return r;
}

/*
 * net-slirp.c - "-netdev user": QEMU's user-mode network (libslirp, the same
 * library QEMU uses), hosted only. The guest sees 10.0.2.0/24 with a gateway
 * at .2 that NATs to the host's sockets, DNS at .3, DHCP handing out .15
 * onwards, optional TFTP, and hostfwd= ports on the host forwarded in.
 *
 * libslirp is single-threaded and wants its own poll set (it connects and
 * writes, so it needs POLLOUT), which the main loop's read-only fd registry
 * does not give. So each back end runs libslirp on a thread of its own that
 * owns every call into it; frames cross between that thread and the main
 * loop through two mutex-protected queues, each with an eventfd to wake the
 * other side. The guest side never blocks on the host's network.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "host/host.h"
#include "net/net.h"

#define SLIRP_QUEUE_MAX 512 /* frames waiting per direction; more are dropped */
#define SLIRP_MAX_FWD 16
#define SLIRP_MAX_POLL 1024

struct slirp_frame {
    struct slirp_frame *next;
    size_t len;
    uint8_t data[];
};

struct slirp_fifo {
    struct slirp_frame *head, *tail;
    unsigned len;
};

struct slirp_timer {
    struct slirp_timer *next;
    SlirpTimerId id;
    void *cb_opaque;
    int64_t expire_ms; /* -1: not armed */
};

struct slirp_net {
    struct net_backend nb;
    Slirp *slirp;
    pthread_t thread;
    pthread_mutex_t lock; /* the two fifos and `stop` */
    struct slirp_fifo to_net, to_guest;
    int wake_thread, wake_main; /* eventfds */
    bool stop;
    bool running; /* the thread was started: close() must join it */
    /* Owned by the thread. */
    struct slirp_timer *timers;
    struct pollfd pfd[SLIRP_MAX_POLL];
    int npfd;
    /* Configuration strings kept alive for libslirp. */
    char *tftp, *bootfile, *hostname;
};

static int64_t slirp_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fifo_push(struct slirp_fifo *f, const void *buf, size_t len)
{
    struct slirp_frame *fr = f->len < SLIRP_QUEUE_MAX ? malloc(sizeof(*fr) + len) : NULL;

    if (!fr)
        return; /* a full link drops; TCP on either side retransmits */
    fr->next = NULL;
    fr->len = len;
    memcpy(fr->data, buf, len);
    if (f->tail)
        f->tail->next = fr;
    else
        f->head = fr;
    f->tail = fr;
    f->len++;
}

/* Take the whole list (caller frees each frame). */
static struct slirp_frame *fifo_take_all(struct slirp_fifo *f)
{
    struct slirp_frame *h = f->head;

    f->head = f->tail = NULL;
    f->len = 0;
    return h;
}

static void wake(int efd)
{
    uint64_t one = 1;

    /* Only a counter at its maximum refuses, and then the other side is awake anyway. */
    if (write(efd, &one, sizeof(one)) < 0)
        return;
}

static void drain(int efd)
{
    uint64_t v;

    while (read(efd, &v, sizeof(v)) > 0)
        ;
}

/* ---- callbacks from libslirp: all on the slirp thread ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct slirp_net *s = opaque;

    pthread_mutex_lock(&s->lock);
    fifo_push(&s->to_guest, buf, len);
    pthread_mutex_unlock(&s->lock);
    wake(s->wake_main);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    log_guest_error("netdev user: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return slirp_now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct slirp_net *s = opaque;
    struct slirp_timer *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    t->next = s->timers;
    s->timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct slirp_net *s = opaque;

    for (struct slirp_timer **pp = &s->timers; *pp; pp = &(*pp)->next)
        if (*pp == timer) {
            *pp = ((struct slirp_timer *)timer)->next;
            free(timer);
            return;
        }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    if (timer)
        ((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    struct slirp_net *s = opaque;
    short ev = 0;

    if (s->npfd >= SLIRP_MAX_POLL)
        return -1; /* libslirp then skips the socket this round */
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    s->pfd[s->npfd] = (struct pollfd){.fd = fd, .events = ev};
    return s->npfd++;
}

static int cb_get_revents(int idx, void *opaque)
{
    struct slirp_net *s = opaque;
    short r;
    int ev = 0;

    if (idx < 0 || idx >= s->npfd)
        return 0;
    r = s->pfd[idx].revents;
    if (r & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (r & POLLERR)
        ev |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_register_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- the slirp thread ---- */

static void *slirp_thread(void *opaque)
{
    struct slirp_net *s = opaque;

    for (;;) {
        pthread_mutex_lock(&s->lock);
        bool stop = s->stop;
        struct slirp_frame *in = fifo_take_all(&s->to_net);
        pthread_mutex_unlock(&s->lock);
        while (in) {
            struct slirp_frame *n = in->next;
            if (!stop)
                slirp_input(s->slirp, in->data, (int)in->len);
            free(in);
            in = n;
        }
        if (stop)
            return NULL;

        uint32_t timeout = 1000;
        int64_t now_ms = slirp_now_ns() / 1000000;
        for (struct slirp_timer *t = s->timers; t; t = t->next)
            if (t->expire_ms >= 0) {
                int64_t d = t->expire_ms - now_ms;
                timeout = d <= 0 ? 0 : (d < timeout ? (uint32_t)d : timeout);
            }
        s->npfd = 0;
        s->pfd[s->npfd++] = (struct pollfd){.fd = s->wake_thread, .events = POLLIN};
        slirp_pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
        int r = poll(s->pfd, (nfds_t)s->npfd, (int)timeout);
        if (r > 0 && (s->pfd[0].revents & POLLIN))
            drain(s->wake_thread);
        slirp_pollfds_poll(s->slirp, r < 0, cb_get_revents, s);

        /* Fire expired timers; a callback may re-arm or free timers, so rescan after each. */
        now_ms = slirp_now_ns() / 1000000;
        for (bool fired = true; fired;) {
            fired = false;
            for (struct slirp_timer *t = s->timers; t; t = t->next)
                if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
                    t->expire_ms = -1;
                    slirp_handle_timer(s->slirp, t->id, t->cb_opaque);
                    fired = true;
                    break;
                }
        }
    }
}

/* ---- the main loop's side ---- */

static void slirp_main_read(void *opaque)
{
    struct slirp_net *s = opaque;

    drain(s->wake_main);
    pthread_mutex_lock(&s->lock);
    struct slirp_frame *f = fifo_take_all(&s->to_guest);
    pthread_mutex_unlock(&s->lock);
    while (f) {
        struct slirp_frame *n = f->next;
        net_receive(&s->nb, f->data, f->len);
        free(f);
        f = n;
    }
}

static int slirp_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
    struct slirp_net *s = (struct slirp_net *)nb;

    pthread_mutex_lock(&s->lock);
    fifo_push(&s->to_net, frame, len);
    pthread_mutex_unlock(&s->lock);
    wake(s->wake_thread);
    return 0;
}

static void slirp_close(struct net_backend *nb)
{
    struct slirp_net *s = (struct slirp_net *)nb;

    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_mutex_unlock(&s->lock);
    wake(s->wake_thread);
    if (s->running)
        pthread_join(s->thread, NULL);
    host_fd_unwatch(s->wake_main);
    slirp_cleanup(s->slirp);
    for (struct slirp_frame *f = fifo_take_all(&s->to_guest); f;) {
        struct slirp_frame *n = f->next;
        free(f);
        f = n;
    }
    while (s->timers) {
        struct slirp_timer *t = s->timers;
        s->timers = t->next;
        free(t);
    }
    close(s->wake_thread);
    close(s->wake_main);
    free(s->tftp);
    free(s->bootfile);
    free(s->hostname);
    free(s);
}

static const struct net_backend_ops slirp_ops = {.send = slirp_send, .close = slirp_close};

/* "10.0.2.0/24" or "10.0.2.0/255.255.255.0" or "10.0.2.0" (a /24, as QEMU). */
static int parse_net(const char *v, struct in_addr *net, struct in_addr *mask)
{
    char buf[64];
    char *slash;

    if (strlen(v) >= sizeof(buf))
        return -EINVAL;
    strcpy(buf, v);
    slash = strchr(buf, '/');
    if (slash)
        *slash++ = 0;
    if (!inet_aton(buf, net))
        return -EINVAL;
    if (!slash) {
        mask->s_addr = htonl(0xffffff00);
    } else if (strchr(slash, '.')) {
        if (!inet_aton(slash, mask))
            return -EINVAL;
    } else {
        char *end;
        long bits = strtol(slash, &end, 10);
        if (*end || bits < 0 || bits > 32)
            return -EINVAL;
        mask->s_addr = htonl(bits ? 0xffffffffu << (32 - bits) : 0);
    }
    net->s_addr &= mask->s_addr;
    return 0;
}

/* One hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT rule, as QEMU spells it. */
static int add_hostfwd(struct slirp_net *s, const char *rule, struct in_addr guest_net, char *err,
                       size_t errlen)
{
    char proto[8] = "tcp", haddr[64] = "", gaddr[64] = "";
    unsigned hport, gport;
    const char *p = rule, *dash = strchr(rule, '-');
    struct in_addr ha = {.s_addr = INADDR_ANY}, ga = {0};
    int is_udp;

    if (!dash)
        goto bad;
    /* proto (optional, then ':'), host address (may be empty), host port. */
    if (!strncmp(p, "tcp:", 4) || !strncmp(p, "udp:", 4)) {
        memcpy(proto, p, 3);
        proto[3] = 0;
        p += 4;
    } else if (*p == ':') {
        p++;
    }
    const char *colon = memchr(p, ':', (size_t)(dash - p));
    if (!colon || (size_t)(colon - p) >= sizeof(haddr))
        goto bad;
    memcpy(haddr, p, (size_t)(colon - p));
    haddr[colon - p] = 0;
    if (sscanf(colon + 1, "%u", &hport) != 1 || hport > 65535)
        goto bad;
    p = dash + 1;
    colon = strchr(p, ':');
    if (!colon || (size_t)(colon - p) >= sizeof(gaddr))
        goto bad;
    memcpy(gaddr, p, (size_t)(colon - p));
    gaddr[colon - p] = 0;
    char *end;
    unsigned long g = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || g == 0 || g > 65535)
        goto bad;
    gport = (unsigned)g;
    if (*haddr && !inet_aton(haddr, &ha))
        goto bad;
    if (*gaddr) {
        if (!inet_aton(gaddr, &ga))
            goto bad;
    } else {
        ga.s_addr = htonl(ntohl(guest_net.s_addr) | 15); /* the first DHCP address */
    }
    is_udp = !strcmp(proto, "udp");
    if (slirp_add_hostfwd(s->slirp, is_udp, ha, (int)hport, ga, (int)gport) < 0) {
        snprintf(err, errlen, "could not set up host forwarding rule '%s' (port in use?)", rule);
        return -EADDRINUSE;
    }
    return 0;
bad:
    snprintf(err, errlen,
             "invalid host forwarding rule '%s' (expected [tcp|udp]:[haddr]:hport-"
             "[gaddr]:gport)",
             rule);
    return -EINVAL;
}

static const char *const slirp_known[] = {"type", "id",       "net",      "host",     "dhcpstart",
                                          "dns",  "restrict", "hostname", "tftp",     "bootfile",
                                          "ipv4", "ipv6",     "hostfwd",  "ipv6-net", NULL};

static int slirp_create(const char *id, const struct opts *o, const char *raw, char *err,
                        size_t errlen)
{
    struct in_addr net, mask, host, dhcp, dns;
    bool restrict_ = false, ipv6 = false;
    const char *v;
    int ret;

    const char *bad = opts_unknown_key(o, slirp_known);
    if (bad) {
        snprintf(err, errlen, "Invalid parameter '%s'", bad);
        return -EINVAL;
    }
    if (parse_net(opts_get(o, "net") ? opts_get(o, "net") : "10.0.2.0/24", &net, &mask) < 0) {
        snprintf(err, errlen, "invalid net= (expected ADDR/BITS or ADDR/MASK)");
        return -EINVAL;
    }
    /* Defaults inside the guest network, as QEMU: gateway .2, DNS .3, DHCP from .15. */
    host.s_addr = htonl(ntohl(net.s_addr) | 2);
    dns.s_addr = htonl(ntohl(net.s_addr) | 3);
    dhcp.s_addr = htonl(ntohl(net.s_addr) | 15);
    if (((v = opts_get(o, "host")) && !inet_aton(v, &host)) ||
        ((v = opts_get(o, "dns")) && !inet_aton(v, &dns)) ||
        ((v = opts_get(o, "dhcpstart")) && !inet_aton(v, &dhcp))) {
        snprintf(err, errlen, "invalid address in host=, dns= or dhcpstart=");
        return -EINVAL;
    }
    if ((host.s_addr & mask.s_addr) != net.s_addr || (dns.s_addr & mask.s_addr) != net.s_addr ||
        (dhcp.s_addr & mask.s_addr) != net.s_addr) {
        snprintf(err, errlen, "host=, dns= and dhcpstart= must be inside net=");
        return -EINVAL;
    }
    if (opts_get_bool(o, "restrict", false, &restrict_) < 0 ||
        opts_get_bool(o, "ipv6", false, &ipv6) < 0) {
        snprintf(err, errlen, "restrict= and ipv6= take on or off");
        return -EINVAL;
    }
    if (ipv6) {
        snprintf(err, errlen, "ipv6=on: baremu's user network is IPv4 only so far");
        return -ENOTSUP;
    }

    struct slirp_net *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->tftp = opts_get(o, "tftp") ? strdup(opts_get(o, "tftp")) : NULL;
    s->bootfile = opts_get(o, "bootfile") ? strdup(opts_get(o, "bootfile")) : NULL;
    s->hostname = opts_get(o, "hostname") ? strdup(opts_get(o, "hostname")) : NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->wake_thread = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    s->wake_main = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    SlirpConfig cfg = {
        .version = 4,
        .restricted = restrict_,
        .in_enabled = true,
        .vnetwork = net,
        .vnetmask = mask,
        .vhost = host,
        .in6_enabled = false,
        .vhostname = s->hostname,
        .tftp_server_name = NULL,
        .tftp_path = s->tftp,
        .bootfile = s->bootfile,
        .vdhcp_start = dhcp,
        .vnameserver = dns,
    };
    if (s->wake_thread < 0 || s->wake_main < 0 ||
        !(s->slirp = slirp_new(&cfg, &slirp_callbacks, s))) {
        snprintf(err, errlen, "cannot start the user network");
        ret = -ENOMEM;
        goto fail;
    }
    /* hostfwd= may repeat (QEMU's syntax), which the parsed opts cannot hold: scan raw. */
    for (const char *p = raw; (p = strstr(p, "hostfwd=")); p += 8) {
        if (p != raw && p[-1] != ',')
            continue;
        char rule[128];
        size_t n = strcspn(p + 8, ",");
        if (n >= sizeof(rule)) {
            snprintf(err, errlen, "hostfwd rule too long");
            ret = -EINVAL;
            goto fail;
        }
        memcpy(rule, p + 8, n);
        rule[n] = 0;
        if ((ret = add_hostfwd(s, rule, net, err, errlen)) < 0)
            goto fail;
    }
    snprintf(s->nb.info, sizeof(s->nb.info), "net=%s,restrict=%s", inet_ntoa(net),
             restrict_ ? "on" : "off");
    if ((ret = net_backend_register(&s->nb, id, "user", &slirp_ops, s)) < 0) {
        snprintf(err, errlen, "cannot register netdev '%s'", id);
        goto fail;
    }
    if ((ret = host_fd_watch(s->wake_main, NULL, slirp_main_read, s)) < 0) {
        snprintf(err, errlen, "cannot watch the user network's events");
        return ret; /* registered: net_destroy_all() frees it */
    }
    if ((ret = -pthread_create(&s->thread, NULL, slirp_thread, s)) < 0) {
        snprintf(err, errlen, "cannot start the user network's thread");
        return ret; /* registered: net_destroy_all() frees it */
    }
    s->running = true;
    return 0;
fail:
    if (s->slirp)
        slirp_cleanup(s->slirp);
    if (s->wake_thread >= 0)
        close(s->wake_thread);
    if (s->wake_main >= 0)
        close(s->wake_main);
    free(s->tftp);
    free(s->bootfile);
    free(s->hostname);
    free(s);
    return ret;
}

static const struct net_backend_type slirp_type = {
    .name = "user",
    .desc = "user-mode network (NAT, DHCP, DNS, TFTP, hostfwd=), as QEMU's",
    .create = slirp_create,
};
NET_BACKEND_TYPE_REGISTER(slirp_type);

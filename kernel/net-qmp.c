/*
 * net-qmp.c - QMP over lwIP TCP on the appliance (net.h): each -qmp
 * tcp::PORT,server=on,wait=off,secret=ID is a listener, each accepted
 * connection a chardev handed to the QMP session layer (net/qmp-server.h),
 * which asks for the secret before anything else. As the hosted listeners
 * (host/chardev-socket.c) do, a client that stays silent is dropped, and a
 * failed authentication holds the listener's next clients back for a moment.
 *
 * Everything runs from metal_net_poll(): lwIP's callbacks only queue and
 * mark; a connection is torn down later, in metal_net_qmp_poll(), so that no
 * callback frees what its caller still uses (a session may close its
 * chardev from inside its own receive callback).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/monitor.h"
#include "kernel/kernel.h"
#include "kernel/net.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "net/qmp-server.h"

#define QMP_NET_MAX_LISTENERS 4
#define QMP_NET_MAX_CONN 4             /* per listener; lwIP's pool has room for a few more */
#define QMP_NET_MAX_PENDING (1u << 20) /* output a client leaves unread before it is dropped */
#define QMP_NET_FLUSH_NS 200000000ull  /* how long quit waits for replies to leave */
/* A client that has had no reply by then (never authenticated) is dropped. */
#define QMP_NET_AUTH_TIMEOUT_NS (10 * 1000000000ull)
/* After a failed authentication, new clients wait this long before they are served. */
#define QMP_NET_AUTH_BACKOFF_NS (200 * 1000000ull)
/* Dead peers (no FIN, no RST) found by keepalives: idle, interval in ms, probes. */
#define QMP_NET_KEEPIDLE_MS 60000
#define QMP_NET_KEEPINTVL_MS 10000
#define QMP_NET_KEEPCNT 3

struct qmp_listener {
    struct tcp_pcb *pcb;
    const char *secret; /* config_secret_lookup()'s, for the life of the appliance */
    unsigned port;
    uint64_t backoff_until; /* kern_time_ns(): clients accepted before then wait */
};

struct net_conn {
    struct chardev chr;
    struct qmp_listener *l;
    struct tcp_pcb *pcb;  /* NULL once lwIP has freed it (reset, error) */
    struct pbuf *pending; /* received, not yet taken by the chardev */
    uint8_t *out;         /* output lwIP had no room for yet */
    size_t out_len, out_cap;
    bool closing;    /* to be torn down at the next poll */
    bool registered; /* still in the chardev registry */
    bool attached;   /* the QMP session is its front end (after any back-off) */
    bool delivering;
    uint64_t deadline; /* kern_time_ns(): dropped then unless the session has answered; 0: none */
    struct net_conn *next;
};

static struct qmp_listener listeners[QMP_NET_MAX_LISTENERS];
static int nlisteners;
static struct net_conn *conns;

static void conn_flush(struct net_conn *c)
{
    if (!c->pcb || !c->out_len)
        return;
    size_t n = c->out_len, room = tcp_sndbuf(c->pcb);
    if (n > room)
        n = room;
    if (n > 0xFFFF)
        n = 0xFFFF;
    if (n && tcp_write(c->pcb, c->out, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
        memmove(c->out, c->out + n, c->out_len - n);
        c->out_len -= n;
    }
    tcp_output(c->pcb);
}

static int conn_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    struct net_conn *c = chr->opaque;

    if (c->closing || !c->pcb)
        return -EPIPE;
    c->deadline = 0; /* the session answered: the client has authenticated */
    if (c->out_len + len > QMP_NET_MAX_PENDING) {
        c->closing = true; /* a client that does not read cannot make us hold its replies */
        return -EPIPE;
    }
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len)
            cap *= 2;
        uint8_t *n = realloc(c->out, cap);
        if (!n)
            return -ENOMEM;
        c->out = n;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, buf, len);
    c->out_len += len;
    conn_flush(c);
    return (int)len;
}

/* Pass received bytes on as far as the chardev has room; the TCP window follows. */
static void conn_deliver(struct net_conn *c)
{
    if (c->delivering)
        return;
    c->delivering = true;
    while (c->pending && !c->closing && c->attached) {
        size_t room = CHARDEV_INBUF - c->chr.in_len;
        if (!room)
            break;
        size_t n = c->pending->len < room ? c->pending->len : room;
        size_t took = chardev_input(&c->chr, c->pending->payload, n);
        if (c->pcb)
            tcp_recved(c->pcb, (u16_t)took);
        c->pending = pbuf_free_header(c->pending, (u16_t)took);
        if (took < n)
            break;
    }
    c->delivering = false;
}

static void conn_accept_input(struct chardev *chr)
{
    conn_deliver(chr->opaque);
}

/* chardev_unregister() calls this; the session may do so itself (failed authentication). */
static void conn_chr_close(struct chardev *chr)
{
    struct net_conn *c = chr->opaque;

    c->registered = false;
    c->closing = true;
}

static const struct chardev_ops conn_ops = {
    .write = conn_write,
    .close = conn_chr_close,
    .accept_input = conn_accept_input,
};

/* qmp_hangup_hook: called from inside the session's receive callback, so only mark. */
static void qmp_net_hangup(struct chardev *chr, bool auth_failed)
{
    if (chr->ops != &conn_ops)
        return;
    struct net_conn *c = chr->opaque;
    c->closing = true; /* conn_teardown() sends what the session wrote, then our FIN */
    if (auth_failed)
        c->l->backoff_until = kern_time_ns() + QMP_NET_AUTH_BACKOFF_NS;
}

static err_t conn_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct net_conn *c = arg;

    (void)err;
    if (!p) {
        c->closing = true; /* the client closed its side */
        return ERR_OK;
    }
    if (c->closing) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    if (c->pending)
        pbuf_cat(c->pending, p);
    else
        c->pending = p;
    conn_deliver(c);
    return ERR_OK;
}

static err_t conn_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    conn_flush(arg);
    return ERR_OK;
}

static void conn_err(void *arg, err_t err)
{
    struct net_conn *c = arg;

    (void)err;
    c->pcb = NULL; /* lwIP has freed it already */
    c->closing = true;
}

static void conn_teardown(struct net_conn *c)
{
    if (c->registered) {
        /* The session frees itself on CLOSED; nobody holds the chardev after that. */
        chardev_send_event(&c->chr, CHR_EVENT_CLOSED);
        chardev_unregister(&c->chr);
    }
    if (c->pcb) {
        conn_flush(c); /* an error reply before a refused login still goes out */
        /* Input nobody read would make lwIP answer the close with a reset, which may cost the
         * client that reply. */
        if (c->pending)
            tcp_recved(c->pcb, c->pending->tot_len);
        tcp_arg(c->pcb, NULL);
        tcp_recv(c->pcb, NULL);
        tcp_sent(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        if (tcp_close(c->pcb) != ERR_OK)
            tcp_abort(c->pcb);
    }
    if (c->pending)
        pbuf_free(c->pending);
    free(c->out);
    free(c);
}

/* Hand the connection to a QMP session unless its listener is backing off. */
static void conn_attach(struct net_conn *c, uint64_t now)
{
    if (c->attached || c->closing || now < c->l->backoff_until)
        return;
    c->attached = true;
    if (qmp_session_attach_secret(&c->chr, QMP_SESSION_GREET_NOW | QMP_SESSION_PER_CONNECTION,
                                  c->l->secret) < 0) {
        c->closing = true;
        return;
    }
    conn_deliver(c);
}

static err_t listener_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct qmp_listener *l = arg;
    struct net_conn *c;

    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    /* Connections already closing (their client has gone) are torn down at the next poll:
     * they do not count. */
    int live = 0;
    for (struct net_conn *o = conns; o; o = o->next)
        live += o->l == l && !o->closing;
    if (live >= QMP_NET_MAX_CONN || !(c = calloc(1, sizeof(*c)))) {
        tcp_abort(pcb); /* a reset: the client knows at once */
        return ERR_ABRT;
    }
    c->l = l;
    c->pcb = pcb;
    c->next = conns;
    conns = c;
    tcp_arg(pcb, c);
    tcp_recv(pcb, conn_recv);
    tcp_sent(pcb, conn_sent);
    tcp_err(pcb, conn_err);
    tcp_nagle_disable(pcb); /* QMP is request/response: answers should not wait */
    ip_set_option(pcb, SOF_KEEPALIVE);
    pcb->keep_idle = QMP_NET_KEEPIDLE_MS;
    pcb->keep_intvl = QMP_NET_KEEPINTVL_MS;
    pcb->keep_cnt = QMP_NET_KEEPCNT;
    chardev_register(&c->chr, NULL, &conn_ops, c);
    c->registered = true;
    c->deadline = kern_time_ns() + QMP_NET_AUTH_TIMEOUT_NS;
    conn_attach(c, kern_time_ns());
    return ERR_OK;
}

void metal_net_qmp_poll(void)
{
    uint64_t now = kern_time_ns();

    for (struct net_conn **pp = &conns; *pp;) {
        struct net_conn *c = *pp;
        if (c->deadline && now >= c->deadline)
            c->closing = true;
        conn_attach(c, now);
        if (c->closing) {
            *pp = c->next;
            conn_teardown(c);
            continue;
        }
        conn_flush(c);
        conn_deliver(c);
        pp = &c->next;
    }
}

bool metal_net_qmp_busy(void)
{
    return conns != NULL;
}

/* Before the appliance powers off (quit): let the last replies leave. */
static void qmp_net_flush(void)
{
    uint64_t end = kern_time_ns() + QMP_NET_FLUSH_NS;
    bool pending = true;

    while (pending && kern_time_ns() < end) {
        metal_net_poll();
        pending = false;
        for (struct net_conn *c = conns; c; c = c->next)
            pending |= c->pcb && (c->out_len || tcp_sndqueuelen(c->pcb));
    }
}

/* "tcp:[HOST]:PORT,server=on,wait=off,secret=ID" into a listener. */
static int listener_from_spec(const char *spec, bool have_netif)
{
    struct opts o = {0};
    char err[200];
    const char *comma = strchr(spec, ','), *colon;
    int ret = -EINVAL;

    if (strncmp(spec, "tcp:", 4) || !(colon = strchr(spec + 4, ':')) || (comma && colon > comma)) {
        error_report("-qmp %s: the appliance serves QMP on tcp::PORT,server=on,wait=off,"
                     "secret=ID only",
                     spec);
        return -EINVAL;
    }
    size_t hostlen = colon - (spec + 4);
    if (hostlen && !(hostlen == 7 && !strncmp(spec + 4, "0.0.0.0", 7))) {
        error_report("-qmp %s: the appliance listens on its own address, whatever DHCP gives: "
                     "leave the host out (tcp::PORT)",
                     spec);
        return -EINVAL;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || (*end && *end != ',') || port < 1 || port > 65535) {
        error_report("-qmp %s: the port must be a number from 1 to 65535", spec);
        return -EINVAL;
    }
    if (comma && opts_parse(&o, comma + 1, NULL, err, sizeof(err)) < 0) {
        error_report("-qmp %s: %s", spec, err);
        return -EINVAL;
    }
    bool server = false, wait = true;
    for (size_t i = 0; i < o.count; i++) {
        const char *k = o.items[i].key;
        if (strcmp(k, "server") && strcmp(k, "wait") && strcmp(k, "secret")) {
            error_report("-qmp %s: unknown key '%s' (server, wait, secret)", spec, k);
            goto out;
        }
    }
    if (opts_get_bool(&o, "server", false, &server) < 0 || !server ||
        opts_get_bool(&o, "wait", true, &wait) < 0 || wait) {
        error_report("-qmp %s: the appliance only listens without waiting: add server=on,wait=off",
                     spec);
        goto out;
    }
    const char *sid = opts_get(&o, "secret");
    if (!sid) {
        error_report("-qmp %s: a network QMP listener needs a secret (secret=ID with -object "
                     "secret,id=ID,data=...): anyone on the network could drive the appliance",
                     spec);
        goto out;
    }
    const char *secret = config_secret_lookup(sid);
    if (!secret) {
        error_report("-qmp %s: No secret with id '%s' (define it with -object secret,id=%s,"
                     "data=...)",
                     spec, sid, sid);
        goto out;
    }
    if (!have_netif) {
        error_report("-qmp %s: the appliance has no network (no NIC it drives, or "
                     "-net-appliance ip=off)",
                     spec);
        goto out;
    }
    if (nlisteners == QMP_NET_MAX_LISTENERS) {
        error_report("-qmp %s: at most %d network QMP listeners", spec, QMP_NET_MAX_LISTENERS);
        goto out;
    }
    struct qmp_listener *l = &listeners[nlisteners];
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, (u16_t)port) != ERR_OK) {
        error_report("-qmp %s: cannot listen on port %ld%s", spec, port,
                     pcb ? " (given twice?)" : " (out of memory)");
        if (pcb)
            tcp_close(pcb);
        goto out;
    }
    /* SYNs beyond the backlog are dropped and their clients resend only seconds later: room
     * for a burst, so that extra clients get a quick reset from listener_accept() instead. */
    struct tcp_pcb *lpcb = tcp_listen_with_backlog(pcb, 2 * QMP_NET_MAX_CONN);
    if (!lpcb) {
        tcp_close(pcb);
        error_report("-qmp %s: cannot listen (out of memory)", spec);
        goto out;
    }
    l->pcb = lpcb;
    l->secret = secret;
    l->port = (unsigned)port;
    tcp_arg(lpcb, l);
    tcp_accept(lpcb, listener_accept);
    nlisteners++;
    ret = 0;
out:
    opts_free(&o);
    return ret;
}

int metal_net_qmp_start(const struct emu_config *cfg, bool have_netif)
{
    int r;

    for (int i = 0; i < cfg->nqmps; i++)
        if ((r = listener_from_spec(cfg->qmps[i], have_netif)) < 0)
            return r;
    if (nlisteners) {
        monitor_setup();
        qmp_hangup_hook = qmp_net_hangup;
        monitor_add_flusher(qmp_net_flush);
    }
    return 0;
}

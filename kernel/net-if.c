/*
 * net-if.c - lwIP on the appliance's first NIC (net.h): the netif glue
 * (frames between drivers/netdev.h and lwIP), DHCP or a static address from
 * -net-appliance, lwIP's clock, and the poll the main loop calls.
 */
#include "kernel/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/netdev.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "kernel/kernel.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define NET_DEFAULT_DHCP_TIMEOUT_S 10
#define NET_LINK_CHECK_NS 500000000ull
#define NET_POLL_FRAMES 32 /* per poll: a flood cannot hold the main loop */

enum net_mode { NET_AUTO, NET_OFF, NET_DHCP, NET_STATIC };

static struct {
    enum net_mode mode;
    bool explicit; /* -net-appliance was given: a missing NIC is an error */
    ip4_addr_t ip, mask, gw;
    bool fallback; /* DHCP, then ip/mask/gw after timeout_ns */
    uint64_t timeout_ns;
    char *arg;
} opt;

static struct netdev *nd;
static struct netif netif;
static bool active, dhcp_running, polling, printed;
static uint64_t dhcp_deadline_ns, next_link_check_ns;
static uint8_t frame[NETDEV_FRAME_MAX + 2];
static const char *addr_source = "dhcp";

/* ---- what lwIP needs from the platform ---- */

u32_t sys_now(void)
{
    return (u32_t)(kern_time_ns() / 1000000);
}

uint32_t kern_net_rand(void)
{
    static uint64_t s;

    if (!s)
        s = rdtsc() | 1;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s >> 11) ^ (uint32_t)rdtsc();
}

_Noreturn void kern_net_assert(const char *msg, int line, const char *file)
{
    kern_panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

/* ---- options ---- */

/* "A.B.C.D/N" into addr and mask. */
static int parse_cidr(const char *s, ip4_addr_t *addr, ip4_addr_t *mask)
{
    char buf[32];
    const char *slash = strchr(s, '/');
    char *end;

    if (!slash || (size_t)(slash - s) >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, s, slash - s);
    buf[slash - s] = 0;
    long n = strtol(slash + 1, &end, 10);
    if (!ip4addr_aton(buf, addr) || *end || end == slash + 1 || n < 1 || n > 32)
        return -EINVAL;
    ip4_addr_set_u32(mask, lwip_htonl(n == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> n)));
    return 0;
}

static void options_parse(const char *arg)
{
    struct opts o = {0};
    char err[200];
    const char *v;

    if (opts_parse(&o, arg, "ip", err, sizeof(err)) < 0)
        kern_panic("-net-appliance %s: %s", arg, err);
    for (size_t i = 0; i < o.count; i++) {
        const char *k = o.items[i].key;
        if (strcmp(k, "ip") && strcmp(k, "gw") && strcmp(k, "fallback") &&
            strcmp(k, "dhcp-timeout"))
            kern_panic("-net-appliance %s: unknown key '%s' (ip, gw, fallback, dhcp-timeout)", arg,
                       k);
    }
    v = opts_get(&o, "ip");
    if (!v || !strcmp(v, "dhcp")) {
        opt.mode = NET_DHCP;
    } else if (!strcmp(v, "off")) {
        opt.mode = NET_OFF;
    } else if (parse_cidr(v, &opt.ip, &opt.mask) == 0) {
        opt.mode = NET_STATIC;
    } else {
        kern_panic("-net-appliance %s: ip=%s: write ip=dhcp, ip=off or ip=ADDRESS/PREFIX "
                   "(ip=10.0.2.15/24)",
                   arg, v);
    }
    if ((v = opts_get(&o, "fallback"))) {
        if (opt.mode != NET_DHCP)
            kern_panic("-net-appliance %s: fallback= goes with ip=dhcp", arg);
        if (parse_cidr(v, &opt.ip, &opt.mask) < 0)
            kern_panic("-net-appliance %s: fallback=%s: write ADDRESS/PREFIX", arg, v);
        opt.fallback = true;
    }
    if ((v = opts_get(&o, "gw"))) {
        if (opt.mode != NET_STATIC && !opt.fallback)
            kern_panic("-net-appliance %s: gw= goes with a static address (ip= or fallback=)", arg);
        if (!ip4addr_aton(v, &opt.gw))
            kern_panic("-net-appliance %s: gw=%s is not an IPv4 address", arg, v);
    }
    if ((v = opts_get(&o, "dhcp-timeout"))) {
        char *end;
        long s = strtol(v, &end, 10);
        if (*end || end == v || s < 1 || s > 3600)
            kern_panic("-net-appliance %s: dhcp-timeout=%s: seconds, 1 to 3600", arg, v);
        opt.timeout_ns = (uint64_t)s * 1000000000ull;
    }
    opts_free(&o);
}

int metal_net_options(int argc, char **argv)
{
    int out = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-net-appliance") && strcmp(argv[i], "--net-appliance")) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= argc)
            kern_panic("-net-appliance: needs an argument (ip=dhcp, ip=off, ip=ADDRESS/PREFIX)");
        if (opt.arg)
            kern_panic("-net-appliance: given twice (%s, %s)", opt.arg, argv[i + 1]);
        opt.arg = argv[++i];
        opt.explicit = true;
        options_parse(opt.arg);
    }
    argv[out] = NULL;
    return out;
}

/* ---- the netif ---- */

static err_t link_output(struct netif *ni, struct pbuf *p)
{
    (void)ni;
    if (p->tot_len > NETDEV_FRAME_MAX)
        return ERR_BUF;
    uint16_t len = pbuf_copy_partial(p, frame, p->tot_len, 0);
    /* A full ring drains in microseconds; past that the frame is lost and TCP resends. */
    for (int i = 0; i < 100; i++) {
        int r = nd->ops->send(nd, frame, len);
        if (r == 0)
            return ERR_OK;
        if (r != -EAGAIN)
            return ERR_IF;
        kern_udelay(10);
    }
    return ERR_MEM;
}

static err_t netif_setup(struct netif *ni)
{
    ni->name[0] = 'e';
    ni->name[1] = 'n';
    ni->mtu = NETDEV_MTU;
    ni->hwaddr_len = 6;
    memcpy(ni->hwaddr, nd->mac, 6);
    ni->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    ni->output = etharp_output;
    ni->linkoutput = link_output;
    netif_set_hostname(ni, "baremu");
    return ERR_OK;
}

static int prefix_len(const ip4_addr_t *mask)
{
    return __builtin_popcount(ip4_addr_get_u32(mask));
}

static void print_address(void)
{
    const ip4_addr_t *a = netif_ip4_addr(&netif), *gw = netif_ip4_gw(&netif);
    char ip[16], g[16];

    if (ip4_addr_isany(a))
        return;
    ip4addr_ntoa_r(a, ip, sizeof(ip));
    ip4addr_ntoa_r(gw, g, sizeof(g));
    kern_printf("baremu: net0 %s %02x:%02x:%02x:%02x:%02x:%02x %s/%d (%s)%s%s\r\n", nd->model,
                nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5], ip,
                prefix_len(netif_ip4_netmask(&netif)), addr_source,
                ip4_addr_isany(gw) ? "" : " gw ", ip4_addr_isany(gw) ? "" : g);
    printed = true;
}

static void status_changed(struct netif *ni)
{
    (void)ni;
    print_address();
}

static void use_static(const char *source)
{
    addr_source = source;
    netif_set_addr(&netif, &opt.ip, &opt.mask, &opt.gw);
}

int metal_net_start(const struct emu_config *cfg)
{
    struct netdev *nds[1]; /* net0 only: a NIC nobody polls is better left unstarted */
    int n;

    /*
     * Without -net-appliance the NIC stays untouched unless a -qmp listener needs it: an
     * address nothing uses is only noise on the console (and on the LAN).
     */
    if (opt.mode == NET_OFF || (opt.mode == NET_AUTO && !cfg->nqmps))
        return cfg->nqmps ? metal_net_qmp_start(cfg, false) : 0;
    n = netdev_probe_all(nds, 1);
    if (n < 0)
        return n;
    if (n == 0) {
        if (opt.explicit) {
            error_report("-net-appliance %s: no NIC this appliance drives (e1000 82540EM, "
                         "e1000e 82574L, virtio-net)",
                         opt.arg);
            return -ENODEV;
        }
        return metal_net_qmp_start(cfg, false);
    }
    nd = nds[0]; /* the first in PCI order; more NICs wait for a way to say which one to use */
    if (opt.mode == NET_AUTO)
        opt.mode = NET_DHCP;

    lwip_init();
    if (!netif_add(&netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, netif_setup,
                   ethernet_input)) {
        error_report("net0 %s: lwIP refused the interface", nd->model);
        return -EIO;
    }
    netif_set_default(&netif);
    netif_set_status_callback(&netif, status_changed);
    netif_set_up(&netif);
    if (nd->ops->link_up(nd))
        netif_set_link_up(&netif);
    active = true;
    if (opt.mode == NET_STATIC) {
        use_static("static");
    } else {
        if (dhcp_start(&netif) != ERR_OK) {
            error_report("net0 %s: cannot start DHCP (out of memory)", nd->model);
            return -ENOMEM;
        }
        dhcp_running = true;
        dhcp_deadline_ns =
            kern_time_ns() +
            (opt.timeout_ns ? opt.timeout_ns : NET_DEFAULT_DHCP_TIMEOUT_S * 1000000000ull);
    }
    return metal_net_qmp_start(cfg, true);
}

/* A client's request waits at most this long in the NIC's ring; a new client's SYN, DHCP and
 * ARP can wait longer. */
#define NET_POLL_BUSY_NS 2000000ull
#define NET_POLL_IDLE_NS 10000000ull

uint64_t metal_net_poll_interval_ns(void)
{
    if (!active)
        return UINT64_MAX;
    return metal_net_qmp_busy() ? NET_POLL_BUSY_NS : NET_POLL_IDLE_NS;
}

/* Once a second at most: lease deadline and link state. */
static void net_housekeeping(uint64_t now)
{
    if (dhcp_running && !printed && now >= dhcp_deadline_ns) {
        if (opt.fallback) {
            dhcp_release_and_stop(&netif);
            dhcp_running = false;
            use_static("static, no DHCP answer");
        } else {
            kern_printf("baremu: net0 %s: no DHCP answer yet (still asking)\r\n", nd->model);
            dhcp_deadline_ns = UINT64_MAX;
        }
    }
    if (now >= next_link_check_ns) {
        next_link_check_ns = now + NET_LINK_CHECK_NS;
        bool up = nd->ops->link_up(nd);
        if (up && !netif_is_link_up(&netif))
            netif_set_link_up(&netif);
        else if (!up && netif_is_link_up(&netif))
            netif_set_link_down(&netif);
    }
}

int metal_net_poll(void)
{
    int n = 0;

    /* lwIP is not reentrant: a QMP command run from a receive callback may poll again. */
    if (!active || polling)
        return 0;
    polling = true;
    for (; n < NET_POLL_FRAMES; n++) {
        int len = nd->ops->recv(nd, frame, sizeof(frame));
        if (len <= 0)
            break;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (!p)
            break; /* the pool is full of queued data: the frame is lost, as on a busy PC */
        pbuf_take(p, frame, (u16_t)len);
        if (netif.input(p, &netif) != ERR_OK)
            pbuf_free(p);
    }
    sys_check_timeouts();
    net_housekeeping(kern_time_ns());
    metal_net_qmp_poll();
    polling = false;
    return n;
}

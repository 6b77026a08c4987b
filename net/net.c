/*
 * net.c - the -netdev registry and the frame path between back ends and
 * NICs (net.h).
 */
#include "net/net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"

struct net_queued {
    struct net_queued *next;
    size_t len;
    uint8_t data[];
};

static struct net_backend *net_backends;

/* Weak, so a program with no back end type (the appliance today) still links. */
extern const struct net_backend_type *const __start_baremu_netdev_types[] __attribute__((weak));
extern const struct net_backend_type *const __stop_baremu_netdev_types[] __attribute__((weak));

static const struct net_backend_type *net_type_find(const char *name)
{
    for (const struct net_backend_type *const *t = __start_baremu_netdev_types;
         t && t < __stop_baremu_netdev_types; t++)
        if (*t && !strcmp((*t)->name, name))
            return *t;
    return NULL;
}

void net_backend_type_list(void)
{
    printf("Available netdev backend types:\n");
    for (const struct net_backend_type *const *t = __start_baremu_netdev_types;
         t && t < __stop_baremu_netdev_types; t++)
        if (*t)
            printf("%-10s %s\n", (*t)->name, (*t)->desc ? (*t)->desc : "");
}

int net_backend_register(struct net_backend *nb, const char *id, const char *type,
                         const struct net_backend_ops *ops, void *opaque)
{
    if (net_backend_find(id))
        return -EEXIST;
    nb->id = strdup(id);
    if (!nb->id)
        return -ENOMEM;
    nb->type = type;
    nb->ops = ops;
    nb->opaque = opaque;
    /* Keep -netdev order (query and info output list them as given). */
    struct net_backend **pp = &net_backends;
    while (*pp)
        pp = &(*pp)->next;
    nb->next = NULL;
    *pp = nb;
    return 0;
}

struct net_backend *net_backend_find(const char *id)
{
    for (struct net_backend *nb = net_backends; nb; nb = nb->next)
        if (!strcmp(nb->id, id))
            return nb;
    return NULL;
}

struct net_backend *net_backend_next(struct net_backend *prev)
{
    return prev ? prev->next : net_backends;
}

int net_create_all(const struct emu_config *cfg)
{
    for (int i = 0; i < cfg->nnetdevs; i++) {
        const char *raw = cfg->netdevs[i];
        struct opts o = {0};
        char err[256];
        const char *type, *id;
        const struct net_backend_type *t;
        int ret;

        if (opts_parse(&o, raw, "type", err, sizeof(err)) < 0) {
            error_report("-netdev %s: %s", raw, err);
            return -EINVAL;
        }
        type = opts_get(&o, "type");
        id = opts_get(&o, "id");
        if (!type || !(t = net_type_find(type))) {
            error_report("-netdev %s: %s%s (see -netdev help)", raw,
                         type ? "unknown netdev type " : "a type is required", type ? type : "");
            ret = -EINVAL;
        } else if (!id || !*id) {
            error_report("-netdev %s: Parameter 'id' is missing", raw);
            ret = -EINVAL;
        } else if (net_backend_find(id)) {
            error_report("-netdev %s: Duplicate ID '%s' for netdev", raw, id);
            ret = -EEXIST;
        } else if ((ret = t->create(id, &o, raw, err, sizeof(err))) < 0) {
            error_report("-netdev %s: %s", raw, err);
        }
        opts_free(&o);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Append ",key=value" to buf (size cap), commas in value doubled as the option syntax wants. */
static bool nic_append(char *buf, size_t cap, const char *key, const char *value)
{
    size_t len = strlen(buf);
    int n = snprintf(buf + len, cap - len, ",%s=", key);

    if (n < 0 || (size_t)n >= cap - len)
        return false;
    len += (size_t)n;
    for (const char *v = value ? value : "on"; *v; v++) {
        if (len + 3 > cap)
            return false;
        if (*v == ',')
            buf[len++] = ',';
        buf[len++] = *v;
    }
    buf[len] = 0;
    return true;
}

int net_expand_nics(struct emu_config *cfg, const char *default_model)
{
    for (int i = 0; i < cfg->nnics; i++) {
        const char *raw = cfg->nics[i];
        struct opts o = {0};
        char err[256], id[16];
        const char *type, *model;

        if (opts_parse(&o, raw, "type", err, sizeof(err)) < 0) {
            error_report("-nic %s: %s", raw, err);
            return -EINVAL;
        }
        type = opts_get(&o, "type");
        model = opts_get(&o, "model") ? opts_get(&o, "model") : default_model;
        if (type && !strcmp(type, "none")) {
            opts_free(&o);
            continue;
        }
        if (!model) {
            error_report("-nic %s: this machine has no default NIC model; add model=", raw);
            opts_free(&o);
            return -EINVAL;
        }
        if (cfg->nnetdevs >= CONFIG_MAX_LIST || cfg->ndevices >= CONFIG_MAX_LIST) {
            error_report("-nic %s: too many NICs", raw);
            opts_free(&o);
            return -EINVAL;
        }
        snprintf(id, sizeof(id), "nic%d", i);
        /* The strings live as long as the process, as the argv they stand for. */
        size_t cap = 2 * strlen(raw) + 64;
        char *nd = malloc(cap), *dev = malloc(cap);
        bool ok = nd && dev;
        if (ok) {
            snprintf(nd, cap, "%s,id=%s", type ? type : "user", id);
            snprintf(dev, cap, "%s,netdev=%s", model, id);
        }
        for (size_t k = 0; ok && k < o.count; k++) {
            const char *key = o.items[k].key, *val = o.items[k].value;
            if (!strcmp(key, "type") || !strcmp(key, "model"))
                continue;
            if (!strcmp(key, "id")) {
                error_report("-nic %s: -nic takes no id= (it makes one)", raw);
                ok = false;
                break;
            }
            /* hostfwd= may repeat: the back end reads those from the raw text below. */
            if (!strcmp(key, "hostfwd"))
                continue;
            /* The NIC's own properties go to -device, the rest to -netdev. */
            ok = !strcmp(key, "mac") || !strcmp(key, "romfile") ? nic_append(dev, cap, key, val)
                                                                : nic_append(nd, cap, key, val);
        }
        for (const char *p = raw; ok && (p = strstr(p, "hostfwd=")); p += 8) {
            if (p != raw && p[-1] != ',')
                continue;
            char rule[128];
            size_t n = strcspn(p + 8, ",");
            if (n >= sizeof(rule)) {
                error_report("-nic %s: hostfwd rule too long", raw);
                ok = false;
                break;
            }
            memcpy(rule, p + 8, n);
            rule[n] = 0;
            ok = nic_append(nd, cap, "hostfwd", rule);
        }
        opts_free(&o);
        if (!ok) {
            if (!nd || !dev)
                error_report("-nic %s: out of memory", raw);
            free(nd);
            free(dev);
            return -EINVAL;
        }
        cfg->netdevs[cfg->nnetdevs++] = nd;
        cfg->devices[cfg->ndevices++] = dev;
    }
    return 0;
}

struct net_backend *net_backend_claim(const char *id, const struct net_frontend *fe)
{
    struct net_backend *nb = net_backend_find(id);

    if (!nb) {
        error_report("netdev=%s: no -netdev with that id", id);
        return NULL;
    }
    if (nb->has_fe) {
        error_report("netdev=%s: already used by another NIC", id);
        return NULL;
    }
    nb->fe = *fe;
    nb->has_fe = true;
    return nb;
}

int net_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
    if (len < 14 || len > NET_FRAME_MAX)
        return -EINVAL;
    return nb->ops->send(nb, frame, len);
}

int net_receive(struct net_backend *nb, const uint8_t *frame, size_t len)
{
    if (!nb->has_fe || len < 14 || len > NET_FRAME_MAX)
        return -ENOBUFS; /* no NIC: the cable is unplugged */
    /* Frames queued earlier go first, so order is kept. */
    if (!nb->q_head && nb->fe.can_receive(nb->fe.opaque)) {
        nb->fe.receive(nb->fe.opaque, frame, len);
        return 0;
    }
    struct net_queued *q = nb->q_len < NET_QUEUE_MAX ? malloc(sizeof(*q) + len) : NULL;
    if (!q) {
        nb->dropped++;
        return -ENOBUFS;
    }
    q->next = NULL;
    q->len = len;
    memcpy(q->data, frame, len);
    if (nb->q_tail)
        nb->q_tail->next = q;
    else
        nb->q_head = q;
    nb->q_tail = q;
    nb->q_len++;
    return 0;
}

void net_flush_queue(struct net_backend *nb)
{
    while (nb->q_head && nb->fe.can_receive(nb->fe.opaque)) {
        struct net_queued *q = nb->q_head;
        nb->q_head = q->next;
        if (!nb->q_head)
            nb->q_tail = NULL;
        nb->q_len--;
        nb->fe.receive(nb->fe.opaque, q->data, q->len);
        free(q);
    }
}

void net_info(void (*out)(void *opaque, const char *line), void *opaque)
{
    char line[256];
    int i = 0;

    for (struct net_backend *nb = net_backends; nb; nb = nb->next, i++) {
        if (nb->has_fe) {
            const uint8_t *m = nb->fe.mac;
            snprintf(line, sizeof(line),
                     "%s: index=%d,type=nic,model=%s,macaddr=%02x:%02x:%02x:%02x:%02x:%02x",
                     nb->fe.name ? nb->fe.name : "?", i, nb->fe.model ? nb->fe.model : "?",
                     m ? m[0] : 0, m ? m[1] : 0, m ? m[2] : 0, m ? m[3] : 0, m ? m[4] : 0,
                     m ? m[5] : 0);
            out(opaque, line);
        }
        snprintf(line, sizeof(line), "%s%s: index=%d,type=%s%s%s", nb->has_fe ? " \\ " : "", nb->id,
                 i, nb->type, nb->info[0] ? "," : "", nb->info);
        out(opaque, line);
    }
}

void net_destroy_all(void)
{
    while (net_backends) {
        struct net_backend *nb = net_backends;
        net_backends = nb->next;
        while (nb->q_head) {
            struct net_queued *q = nb->q_head;
            nb->q_head = q->next;
            free(q);
        }
        char *id = nb->id;
        if (nb->ops->close)
            nb->ops->close(nb); /* may free nb */
        free(id);
    }
}

int net_parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;

    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) !=
            6 ||
        strlen(s) != 17)
        return -EINVAL;
    if (v[0] & 1)
        return -EINVAL; /* multicast bit */
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return 0;
}

void net_default_mac(unsigned n, uint8_t mac[6])
{
    static const uint8_t base[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    memcpy(mac, base, 6);
    mac[5] = (uint8_t)(base[5] + n);
}

/*
 * virtio-net.c - virtio network device model (virtio-net.h). Frames move
 * synchronously: a transmit kick sends every queued frame to the back end at
 * once, a received frame is written into the next receive buffer as it
 * arrives. What the guest gives (chains, lengths, header sizes) is checked;
 * a bad frame is dropped and counted, never half-sent.
 */
#include "hw/virtio/virtio-net.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "emu-core/vmstate.h"
#include "net/net.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_QUEUE_SIZE 256
/* mac[6], status (le16), max_virtqueue_pairs (le16). */
#define VNET_CONFIG_SIZE 10
/*
 * struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size, csum_start,
 * csum_offset (10 bytes), plus num_buffers once VERSION_1 is negotiated
 * (spec 5.1.6: the field is always there for modern drivers).
 */
#define VNET_HDR_LEGACY 10
#define VNET_HDR_V1 12

struct virtio_net {
    struct device dev;
    struct virtio_device vdev;
    char *netdev;
    char *mac_str;
    uint8_t mac[6];
    struct net_backend *nb;
    uint8_t *buf; /* NET_FRAME_MAX + header: one frame in flight */
    uint64_t dropped;
};

static unsigned vnet_count; /* NICs made so far: the default MAC of the next */

static struct virtio_net *vnet_of(struct virtio_device *vd)
{
    return (struct virtio_net *)((char *)vd - offsetof(struct virtio_net, vdev));
}

static unsigned vnet_hdr_len(const struct virtio_device *vd)
{
    return vd->guest_features & (1ull << VIRTIO_F_VERSION_1) ? VNET_HDR_V1 : VNET_HDR_LEGACY;
}

static uint64_t vnet_get_features(struct virtio_device *vd)
{
    (void)vd;
    return 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;
}

static uint32_t vnet_config_read(struct virtio_device *vd, uint32_t off, unsigned size)
{
    struct virtio_net *s = vnet_of(vd);
    uint8_t c[VNET_CONFIG_SIZE] = {0};
    uint32_t v = 0;

    memcpy(c, s->mac, 6);
    c[6] = VIRTIO_NET_S_LINK_UP; /* the cable is always in */
    c[8] = 1;                    /* one queue pair */
    for (unsigned i = 0; i < size && off + i < VNET_CONFIG_SIZE; i++)
        v |= (uint32_t)c[off + i] << (8 * i);
    return v;
}

static void vnet_config_write(struct virtio_device *vd, uint32_t off, uint32_t val, unsigned size)
{
    struct virtio_net *s = vnet_of(vd);

    /* Legacy drivers may set the MAC through config space (no VIRTIO_NET_F_CTRL_MAC_ADDR). */
    if (vd->guest_features & (1ull << VIRTIO_F_VERSION_1))
        return;
    for (unsigned i = 0; i < size && off + i < 6; i++)
        s->mac[off + i] = (uint8_t)(val >> (8 * i));
}

/* Send every frame the driver queued; each chain is header + frame, device-readable. */
static void vnet_tx(struct virtio_net *s)
{
    struct virtio_device *vd = &s->vdev;
    struct virtqueue_elem *e = malloc(sizeof(*e));
    unsigned hdr = vnet_hdr_len(vd);
    bool any = false;

    if (!e)
        return;
    while (virtqueue_pop(vd, VNET_TXQ, e) == 1) {
        uint64_t len = virtio_seg_total(e->out, e->n_out);
        if (len < hdr + 14 || len > hdr + NET_FRAME_MAX ||
            !virtio_seg_copy(vd, e->out, e->n_out, 0, s->buf, len, false)) {
            log_guest_error("virtio-net: transmit chain of %llu bytes dropped",
                            (unsigned long long)len);
            s->dropped++;
        } else if (net_send(s->nb, s->buf + hdr, len - hdr) < 0) {
            s->dropped++;
        }
        virtqueue_push(vd, VNET_TXQ, e, 0);
        any = true;
    }
    if (any)
        virtio_notify(vd, VNET_TXQ);
    free(e);
}

static void vnet_queue_notify(struct virtio_device *vd, int q)
{
    struct virtio_net *s = vnet_of(vd);

    if (q == VNET_TXQ)
        vnet_tx(s);
    else if (q == VNET_RXQ)
        net_flush_queue(s->nb); /* new receive buffers: take what waited */
}

/* Whether the receive ring has a buffer the device has not taken (avail.idx moved). */
static bool vnet_rx_has_buffer(struct virtio_net *s)
{
    struct virtqueue *vq = &s->vdev.vq[VNET_RXQ];
    uint8_t idx[2];

    if (!vq->ready || !vq->num || address_space_read(s->vdev.as, vq->avail + 2, idx, 2) != MEMTX_OK)
        return false;
    return (uint16_t)(idx[0] | idx[1] << 8) != vq->last_avail_idx;
}

static bool vnet_can_receive(void *opaque)
{
    struct virtio_net *s = opaque;

    /* A driver that is not running takes frames to drop them, as a NIC with rx off does. */
    if (!(s->vdev.status & VIRTIO_STATUS_DRIVER_OK) || (s->vdev.status & VIRTIO_STATUS_NEEDS_RESET))
        return true;
    return vnet_rx_has_buffer(s);
}

static void vnet_receive(void *opaque, const uint8_t *frame, size_t len)
{
    struct virtio_net *s = opaque;
    struct virtio_device *vd = &s->vdev;
    struct virtqueue_elem *e;
    unsigned hdr = vnet_hdr_len(vd);
    int r;

    if (!(vd->status & VIRTIO_STATUS_DRIVER_OK) || (vd->status & VIRTIO_STATUS_NEEDS_RESET) ||
        !(e = malloc(sizeof(*e)))) {
        s->dropped++;
        return;
    }
    r = virtqueue_pop(vd, VNET_RXQ, e);
    if (r == 1) {
        uint8_t h[VNET_HDR_V1] = {0};
        h[10] = 1; /* num_buffers (modern header only) */
        /* Without mergeable buffers one chain must hold the whole frame (spec 5.1.6.3.1). */
        if (virtio_seg_total(e->in, e->n_in) < hdr + len ||
            !virtio_seg_copy(vd, e->in, e->n_in, 0, h, hdr, true) ||
            !virtio_seg_copy(vd, e->in, e->n_in, hdr, (void *)frame, len, true)) {
            log_guest_error("virtio-net: receive buffer too small for a %zu-byte frame", len);
            s->dropped++;
            virtqueue_push(vd, VNET_RXQ, e, 0);
        } else {
            virtqueue_push(vd, VNET_RXQ, e, (uint32_t)(hdr + len));
        }
        virtio_notify(vd, VNET_RXQ);
    } else {
        s->dropped++; /* can_receive said yes, but the ring was malformed or empty */
    }
    free(e);
}

static const struct virtio_device_ops vnet_ops = {
    .device_id = VIRTIO_ID_NET,
    .num_queues = 2,
    .queue_max = VNET_QUEUE_SIZE,
    .config_size = VNET_CONFIG_SIZE,
    .get_features = vnet_get_features,
    .config_read = vnet_config_read,
    .config_write = vnet_config_write,
    .queue_notify = vnet_queue_notify,
};

static int vnet_realize(struct device *dev)
{
    struct virtio_net *s = (struct virtio_net *)dev;
    const struct net_frontend fe = {.can_receive = vnet_can_receive,
                                    .receive = vnet_receive,
                                    .opaque = s,
                                    .name = dev->id ? dev->id : dev->type->name,
                                    .model = dev->type->name,
                                    .mac = s->mac};

    if (!s->netdev) {
        error_report("virtio-net: netdev= is required (a -netdev id)");
        return -EINVAL;
    }
    if (s->mac_str) {
        if (net_parse_mac(s->mac_str, s->mac) < 0) {
            error_report("virtio-net: mac=%s: expected six hex bytes, unicast "
                         "(52:54:00:12:34:56)",
                         s->mac_str);
            return -EINVAL;
        }
    } else {
        net_default_mac(vnet_count, s->mac);
    }
    s->buf = malloc(NET_FRAME_MAX + VNET_HDR_V1);
    if (!s->buf) {
        error_report("virtio-net: out of memory");
        return -ENOMEM;
    }
    s->nb = net_backend_claim(s->netdev, &fe);
    if (!s->nb) {
        free(s->buf);
        s->buf = NULL;
        return -ENOENT;
    }
    vnet_count++;
    s->vdev.ops = &vnet_ops;
    if (dev->machine)
        s->vdev.as = &dev->machine->as;
    return 0;
}

static void vnet_unrealize(struct device *dev)
{
    struct virtio_net *s = (struct virtio_net *)dev;

    if (s->nb)
        s->nb->has_fe = false;
    free(s->buf);
    s->buf = NULL;
}

struct virtio_device *virtio_net_vdev(struct device *dev)
{
    return &((struct virtio_net *)dev)->vdev;
}

uint64_t virtio_net_dropped(struct device *dev)
{
    return ((struct virtio_net *)dev)->dropped;
}

struct device *virtio_net_from_opts(struct machine *m, const struct opts *o, const char *optstr)
{
    static const char *const known[] = {"driver", "id", "netdev", "mac", "romfile", NULL};
    const char *bad = opts_unknown_key(o, known);
    struct device *dev;

    if (bad) {
        error_report("-device %s: %s has no property '%s'", optstr, opts_get(o, "driver"), bad);
        return NULL;
    }
    dev = device_new(m, &virtio_net_type, opts_get(o, "id"));
    if (!dev) {
        error_report("virtio-net: out of memory");
        return NULL;
    }
    if (opts_get(o, "netdev"))
        device_prop_set_str(dev, "netdev", opts_get(o, "netdev"));
    if (opts_get(o, "mac"))
        device_prop_set_str(dev, "mac", opts_get(o, "mac"));
    /* realize reports its own errors (netdev, mac). */
    if (device_realize(dev) < 0) {
        device_destroy(dev);
        return NULL;
    }
    return dev;
}

/* Frames are never held by the device, so the rings, features and MAC are its state. */
static const struct vmstate_field vnet_vmstate_fields[] = {
    {.name = "vdev",
     .type = VMS_STRUCT,
     .offset = offsetof(struct virtio_net, vdev),
     .count = 1,
     .size = sizeof(struct virtio_device),
     .sub = &virtio_device_vmstate},
    {.name = "mac", .type = VMS_BUFFER, .offset = offsetof(struct virtio_net, mac), .size = 6},
    {.type = VMS_END},
};

static const struct vmstate_desc vnet_vmstate = {
    .name = "virtio-net",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vnet_vmstate_fields,
};

static const struct device_prop vnet_props[] = {
    {.name = "netdev", .type = PROP_STR, .offset = offsetof(struct virtio_net, netdev)},
    {.name = "mac", .type = PROP_STR, .offset = offsetof(struct virtio_net, mac_str)},
    {.type = PROP_END},
};

const struct device_type virtio_net_type = {
    .name = "virtio-net-device",
    .desc = "virtio network device (on a virtio-mmio transport)",
    .state_size = sizeof(struct virtio_net),
    .props = vnet_props,
    .realize = vnet_realize,
    .unrealize = vnet_unrealize,
    .vmsd = &vnet_vmstate,
};

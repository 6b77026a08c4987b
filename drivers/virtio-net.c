/*
 * virtio-net.c - virtio-net-pci, polled: the legacy interface (virtio 0.9.5,
 * I/O BAR 0; QEMU's default transitional device) and the modern one (virtio
 * 1.0 PCI capabilities, a memory BAR) through virtio-pci.c's transport.
 * Queue 0 receives, queue 1 sends. The device is hostile as the network is:
 * used-ring ids and lengths are checked before use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/netdev-pci.h"
#include "drivers/netdev.h"
#include "drivers/virtio-pci.h"
#include "kernel/kernel.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

/*
 * struct virtio_net_hdr: 10 bytes on the legacy interface without mergeable
 * buffers; virtio 1.0 always has num_buffers too, 12 bytes. Buffers are sized
 * for the larger.
 */
#define NET_HDR_MAX 12
#define RX_BUF (NET_HDR_MAX + NETDEV_FRAME_MAX)
#define TX_BUF (NET_HDR_MAX + NETDEV_FRAME_MAX + 2)

struct vnet {
    struct netdev nd;
    struct virtio_pci vp;
    struct virtq rx, tx;
    uint8_t *rxbuf, *txbuf; /* one buffer per descriptor */
    bool has_status;
    unsigned hdr; /* the header's size on this interface */
};

static int vnet_send(struct netdev *nd, const void *frame, size_t len)
{
    struct vnet *v = nd->priv;
    int id;

    if (len > NETDEV_FRAME_MAX)
        return -EINVAL;
    /* Take back what the device has sent. */
    while (virtq_get_used(&v->tx, NULL) >= 0)
        ;
    if ((id = virtq_take_free(&v->tx)) < 0)
        return -EAGAIN;
    uint8_t *buf = v->txbuf + (size_t)id * TX_BUF;
    memset(buf, 0, v->hdr);
    memcpy(buf + v->hdr, frame, len);
    virtq_submit(&v->tx, id, buf, v->hdr + len, false);
    virtio_pci_notify(&v->vp, &v->tx);
    return 0;
}

static int vnet_recv(struct netdev *nd, void *out, size_t size)
{
    struct vnet *v = nd->priv;

    for (int n = 0; n < 64; n++) {
        uint32_t len;
        int id = virtq_get_used(&v->rx, &len);
        if (id < 0)
            return 0;
        uint8_t *buf = v->rxbuf + (size_t)id * RX_BUF;
        bool ok = len >= v->hdr + 14 && len <= RX_BUF && len - v->hdr <= size;
        if (ok)
            memcpy(out, buf + v->hdr, len - v->hdr);
        virtq_submit(&v->rx, id, buf, RX_BUF, true);
        virtio_pci_notify(&v->vp, &v->rx);
        if (ok)
            return (int)(len - v->hdr);
    }
    return 0;
}

static bool vnet_link_up(struct netdev *nd)
{
    struct vnet *v = nd->priv;

    if (!v->has_status)
        return true;
    return virtio_pci_config16(&v->vp, 6) & VIRTIO_NET_S_LINK_UP;
}

static const struct netdev_ops vnet_ops = {
    .send = vnet_send,
    .recv = vnet_recv,
    .link_up = vnet_link_up,
};

int virtio_net_probe(const struct pci_func *f, struct netdev **out)
{
    int r;

    /* 0x1000: transitional, 0x1041: modern only (virtio 1.0 device id 1). */
    if (f->vendor != 0x1AF4 || (f->device != 0x1000 && f->device != 0x1041))
        return -ENODEV;
    struct vnet *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    if ((r = virtio_pci_init(&v->vp, f)) < 0)
        goto fail;
    uint64_t want = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;
    uint64_t got = virtio_pci_negotiate(&v->vp, want);
    if (!(got & (1ull << VIRTIO_NET_F_MAC))) {
        r = -ENOTSUP; /* we would have to invent an address */
        goto fail;
    }
    v->has_status = got & (1ull << VIRTIO_NET_F_STATUS);
    v->hdr = v->vp.modern ? 12 : 10;
    if ((r = virtio_pci_features_ok(&v->vp)) < 0)
        goto fail;
    if ((r = virtio_pci_queue_setup(&v->vp, &v->rx, 0)) < 0 ||
        (r = virtio_pci_queue_setup(&v->vp, &v->tx, 1)) < 0)
        goto fail;
    v->rxbuf = kern_mem_dma_alloc((size_t)v->rx.size * RX_BUF, 4096);
    v->txbuf = kern_mem_dma_alloc((size_t)v->tx.size * TX_BUF, 4096);
    if (!v->rxbuf || !v->txbuf) {
        r = -ENOMEM;
        goto fail;
    }
    for (int i = 0; i < 6; i++)
        v->nd.mac[i] = virtio_pci_config8(&v->vp, i);
    for (unsigned i = 0; i < v->rx.size; i++) {
        int id = virtq_take_free(&v->rx);
        virtq_submit(&v->rx, id, v->rxbuf + (size_t)id * RX_BUF, RX_BUF, true);
    }
    virtio_pci_driver_ok(&v->vp);
    virtio_pci_notify(&v->vp, &v->rx);

    v->nd.ops = &vnet_ops;
    v->nd.model = "virtio-net";
    v->nd.pci_bus = f->bus;
    v->nd.pci_dev = f->dev;
    v->nd.pci_fn = f->fn;
    v->nd.priv = v;
    *out = &v->nd;
    return 0;
fail:
    virtio_pci_fail(&v->vp);
    free(v);
    return r;
}

/*
 * test-virtio-net.c - the virtio-net model between a split ring in a RAM
 * address space and a recording -netdev back end: transmit with modern and
 * legacy headers, receive now or after buffers arrive (in order), frames too
 * big for the buffer, a stopped driver, the back end's bounded queue, MAC
 * defaults, and the -netdev registry's errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest-mem.h"
#include "emu-core/config.h"
#include "emu-core/memory.h"
#include "hw/virtio/virtio-net.h"
#include "net/net.h"

/* Queue 0 (rx) and 1 (tx) rings, 16 entries each. */
#define RX_DESC 0x1000
#define RX_AVAIL 0x2000
#define RX_USED 0x3000
#define TX_DESC 0x4000
#define TX_AVAIL 0x5000
#define TX_USED 0x6000
#define BUF 0x10000

static struct address_space as;
static struct virtio_device *vd;
static uint16_t rx_avail, tx_avail;

static uint8_t sent[2048];
static size_t sent_len;
static int nsent;

static int rec_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
    (void)nb;
    memcpy(sent, frame, len < sizeof(sent) ? len : sizeof(sent));
    sent_len = len;
    nsent++;
    return 0;
}

static const struct net_backend_ops rec_ops = {.send = rec_send};

#define st(addr, v, n) gm_st(&as, addr, v, n)
#define ld(addr, n) gm_ld(&as, addr, n)

#define desc(table, i, addr, len, flags) gm_vring_desc(&as, table, i, addr, len, flags, 0)

/* Send one chain of len bytes at addr; returns the used length. */
static uint32_t tx(uint64_t addr, uint32_t len)
{
    int i = tx_avail % 16;
    desc(TX_DESC, i, addr, len, 0);
    st(TX_AVAIL + 4 + 2 * i, i, 2);
    st(TX_AVAIL + 2, ++tx_avail, 2);
    vd->ops->queue_notify(vd, 1);
    CHECK_EQ(ld(TX_USED + 2, 2), tx_avail);
    return (uint32_t)ld(TX_USED + 4 + 8 * i + 4, 4);
}

/* Offer one receive buffer of len bytes at addr (no kick). */
static void rx_offer(uint64_t addr, uint32_t len)
{
    int i = rx_avail % 16;
    desc(RX_DESC, i, addr, len, 2 /* WRITE */);
    st(RX_AVAIL + 4 + 2 * i, i, 2);
    st(RX_AVAIL + 2, ++rx_avail, 2);
}

static uint32_t rx_used_len(int nth)
{
    return (uint32_t)ld(RX_USED + 4 + 8 * (nth % 16) + 4, 4);
}

static void frame_of(uint8_t *f, size_t len, uint8_t tag)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(tag + i);
}

int main(void)
{
    struct mem_region root, ram;
    struct net_backend nb = {0}, nb2 = {0};
    uint8_t f[1600], got[1600];
    struct device *dev, *dev2;

    mem_region_init_container(&root, "root", UINT64_MAX);
    address_space_init(&as, &root, "mem");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 0x40000), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0, &ram, 0), 0);

    CHECK_EQ(net_backend_register(&nb, "t0", "test", &rec_ops, NULL), 0);
    CHECK_EQ(net_backend_register(&nb2, "t0", "test", &rec_ops, NULL), -EEXIST);
    CHECK_EQ(net_backend_register(&nb2, "t1", "test", &rec_ops, NULL), 0);

    /* Realize errors: no netdev=, unknown netdev, bad MAC. */
    dev = device_new(NULL, &virtio_net_type, "bad");
    CHECK(dev && device_realize(dev) < 0);
    device_destroy(dev);
    dev = device_new(NULL, &virtio_net_type, "bad2");
    CHECK_EQ(device_prop_set_str(dev, "netdev", "nothere"), 0);
    CHECK(device_realize(dev) < 0);
    device_destroy(dev);
    dev = device_new(NULL, &virtio_net_type, "bad3");
    CHECK_EQ(device_prop_set_str(dev, "netdev", "t1"), 0);
    CHECK_EQ(device_prop_set_str(dev, "mac", "01:00:00:00:00:01"), 0); /* multicast */
    CHECK(device_realize(dev) < 0);
    device_destroy(dev);

    dev = device_new(NULL, &virtio_net_type, "nic0");
    CHECK_EQ(device_prop_set_str(dev, "netdev", "t0"), 0);
    CHECK_EQ(device_realize(dev), 0);
    /* A back end serves one NIC. */
    dev2 = device_new(NULL, &virtio_net_type, "nic1");
    CHECK_EQ(device_prop_set_str(dev2, "netdev", "t0"), 0);
    CHECK(device_realize(dev2) < 0);
    device_destroy(dev2);
    dev2 = device_new(NULL, &virtio_net_type, "nic1");
    CHECK_EQ(device_prop_set_str(dev2, "netdev", "t1"), 0);
    CHECK_EQ(device_prop_set_str(dev2, "mac", "02:11:22:33:44:55"), 0);
    CHECK_EQ(device_realize(dev2), 0);

    vd = virtio_net_vdev(dev);
    vd->as = &as;
    /* MAC in config space: QEMU's default for the first NIC; the second's as given. */
    CHECK_EQ(vd->ops->config_read(vd, 0, 4), 0x12005452u); /* 52:54:00:12 */
    CHECK_EQ(vd->ops->config_read(vd, 4, 2), 0x5634);
    CHECK_EQ(vd->ops->config_read(vd, 6, 2), 1); /* link up */
    CHECK_EQ(virtio_net_vdev(dev2)->ops->config_read(virtio_net_vdev(dev2), 5, 1), 0x55);
    CHECK(vd->ops->get_features(vd) & (1ull << 5)); /* VIRTIO_NET_F_MAC */

    vd->guest_features = 1ull << VIRTIO_F_VERSION_1;
    vd->vq[0] = (struct virtqueue){
        .num = 16, .ready = true, .desc = RX_DESC, .avail = RX_AVAIL, .used = RX_USED};
    vd->vq[1] = (struct virtqueue){
        .num = 16, .ready = true, .desc = TX_DESC, .avail = TX_AVAIL, .used = TX_USED};

    /* A stopped driver: received frames are dropped, not queued for later. */
    frame_of(f, 60, 1);
    CHECK_EQ(net_receive(&nb, f, 60), 0);
    CHECK_EQ(virtio_net_dropped(dev), 1);
    CHECK_EQ(nb.q_len, 0);
    vd->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                 VIRTIO_STATUS_DRIVER_OK;

    /* Transmit, modern header (12 bytes): the frame after it reaches the back end. */
    frame_of(f, 74, 0x40);
    address_space_write(&as, BUF, (uint8_t[12]){0}, 12);
    address_space_write(&as, BUF + 12, f, 74);
    CHECK_EQ(tx(BUF, 86), 0);
    CHECK_EQ(nsent, 1);
    CHECK_EQ(sent_len, 74);
    CHECK(!memcmp(sent, f, 74));
    /* A chain shorter than header + Ethernet header is dropped. */
    CHECK_EQ(tx(BUF, 12 + 13), 0);
    CHECK_EQ(nsent, 1);
    CHECK_EQ(virtio_net_dropped(dev), 2);

    /* Receive with no buffer: the back end queues; buffers and a kick deliver in order. */
    for (int i = 0; i < 3; i++) {
        frame_of(f, 100 + i, (uint8_t)(0x10 * i));
        CHECK_EQ(net_receive(&nb, f, 100 + i), 0);
    }
    CHECK_EQ(nb.q_len, 3);
    for (int i = 0; i < 3; i++)
        rx_offer(BUF + 0x2000 * i, 2048);
    vd->ops->queue_notify(vd, 0);
    CHECK_EQ(nb.q_len, 0);
    CHECK_EQ(ld(RX_USED + 2, 2), 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(rx_used_len(i), 12 + 100 + i);
        CHECK_EQ(ld(BUF + 0x2000 * i + 10, 2), 1); /* num_buffers */
        address_space_read(&as, BUF + 0x2000 * i + 12, got, 100 + i);
        frame_of(f, 100 + i, (uint8_t)(0x10 * i));
        CHECK(!memcmp(got, f, 100 + i));
    }

    /* A buffer smaller than the frame: dropped, the buffer returned empty. */
    rx_offer(BUF, 64);
    frame_of(f, 200, 7);
    CHECK_EQ(net_receive(&nb, f, 200), 0);
    CHECK_EQ(rx_used_len(3), 0);
    CHECK_EQ(virtio_net_dropped(dev), 3);

    /* Legacy driver: 10-byte header both ways. */
    vd->guest_features = 0;
    rx_offer(BUF, 2048);
    frame_of(f, 64, 9);
    CHECK_EQ(net_receive(&nb, f, 64), 0);
    CHECK_EQ(rx_used_len(4), 10 + 64);
    address_space_read(&as, BUF + 10, got, 64);
    CHECK(!memcmp(got, f, 64));
    address_space_write(&as, BUF, (uint8_t[10]){0}, 10);
    address_space_write(&as, BUF + 10, f, 64);
    CHECK_EQ(tx(BUF, 74), 0);
    CHECK_EQ(sent_len, 64);

    /* The back end's queue is bounded: the NIC has no buffers, extra frames are dropped. */
    int refused = 0;
    for (int i = 0; i < NET_QUEUE_MAX + 10; i++)
        refused += net_receive(&nb, f, 64) == -ENOBUFS;
    CHECK_EQ(refused, 10);
    CHECK_EQ(nb.q_len, NET_QUEUE_MAX);
    CHECK_EQ(nb.dropped, 10);
    /* Runts and giants never reach a NIC. */
    CHECK_EQ(net_receive(&nb, f, 10), -ENOBUFS);
    CHECK_EQ(net_send(&nb, f, 10), -EINVAL);

    /* MAC parsing. */
    uint8_t mac[6];
    CHECK_EQ(net_parse_mac("52:54:00:ab:cd:ef", mac), 0);
    CHECK_EQ(mac[5], 0xef);
    CHECK_EQ(net_parse_mac("52:54:00:ab:cd", mac), -EINVAL);
    CHECK_EQ(net_parse_mac("52:54:00:ab:cd:ef:00", mac), -EINVAL);
    CHECK_EQ(net_parse_mac("zz:54:00:ab:cd:ef", mac), -EINVAL);

    /* The -netdev registry's errors (no back end types linked into this test but "user"). */
    struct emu_config cfg = {0};
    cfg.netdevs[0] = "nosuchtype,id=x";
    cfg.nnetdevs = 1;
    CHECK_EQ(net_create_all(&cfg), -EINVAL);
    cfg.netdevs[0] = "user";
    CHECK_EQ(net_create_all(&cfg), -EINVAL); /* id missing */
    cfg.netdevs[0] = "user,id=t0";
    CHECK_EQ(net_create_all(&cfg), -EEXIST);

    device_destroy(dev);
    device_destroy(dev2);
    return check_summary("test-virtio-net");
}

/*
 * test-virtio-console.c - the one-port virtio console between split rings
 * in RAM and a recording chardev: output goes out whole, input waits in the
 * chardev until the guest offers buffers and is split across them in order.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "guest-mem.h"
#include "emu-core/chardev.h"
#include "emu-core/log.h"
#include "emu-core/memory.h"
#include "hw/virtio/virtio-console.h"

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
static char out[256];
static size_t out_len;

static int rec_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    memcpy(out + out_len, buf, len);
    out_len += len;
    return (int)len;
}
static const struct chardev_ops rec_ops = {.write = rec_write};

static void queue_setup(int q, uint64_t desc, uint64_t avail, uint64_t used)
{
    vd->vq[q].num = 16;
    vd->vq[q].desc = desc;
    vd->vq[q].avail = avail;
    vd->vq[q].used = used;
    vd->vq[q].ready = true;
}

static void tx(uint64_t addr, const char *s)
{
    int i = tx_avail % 16;
    address_space_write(&as, addr, s, strlen(s));
    gm_vring_desc(&as, TX_DESC, i, addr, (uint32_t)strlen(s), 0, 0);
    gm_st(&as, TX_AVAIL + 4 + 2 * i, i, 2);
    gm_st(&as, TX_AVAIL + 2, ++tx_avail, 2);
    vd->ops->queue_notify(vd, 1);
}

static void rx_offer(uint64_t addr, uint32_t len)
{
    int i = rx_avail % 16;
    gm_vring_desc(&as, RX_DESC, i, addr, len, 2 /* WRITE */, 0);
    gm_st(&as, RX_AVAIL + 4 + 2 * i, i, 2);
    gm_st(&as, RX_AVAIL + 2, ++rx_avail, 2);
    vd->ops->queue_notify(vd, 0);
}

int main(void)
{
    struct mem_region root, ram;
    struct chardev chr;
    char got[16] = {0};

    log_enabled = 0;
    mem_region_init_container(&root, "sys", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 1 << 20), 0);
    mem_region_add_subregion(&root, 0, &ram, 0);
    memset(&chr, 0, sizeof(chr));
    chardev_register(&chr, "vcon-test", &rec_ops, NULL);

    struct device *d = device_new(NULL, &virtio_console_type, "con");
    CHECK(d != NULL);
    CHECK_EQ(device_realize(d), 0);
    vd = virtio_console_vdev(d);
    vd->as = &as;
    CHECK_EQ(vd->ops->device_id, 3);
    CHECK_EQ(vd->ops->num_queues, 2);
    CHECK_EQ(virtio_console_set_chardev(d, &chr), 0);
    CHECK_EQ(virtio_console_set_chardev(d, &chr), -EBUSY);
    queue_setup(0, RX_DESC, RX_AVAIL, RX_USED);
    queue_setup(1, TX_DESC, TX_AVAIL, TX_USED);

    /* Before DRIVER_OK nothing is taken from the chardev. */
    CHECK_EQ(chardev_input(&chr, (const uint8_t *)"early", 5), 5);
    vd->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK;

    tx(BUF, "hello, ");
    tx(BUF + 0x100, "hvc0\n");
    CHECK_EQ(out_len, 12);
    CHECK(!memcmp(out, "hello, hvc0\n", 12));
    CHECK_EQ(gm_ld(&as, TX_USED + 2, 2), 2);
    CHECK(vd->isr & VIRTIO_ISR_QUEUE);

    /* "early" waited; a 3-byte buffer takes "ear", the next "ly" and then "xyz" arrives at once. */
    rx_offer(BUF + 0x200, 3);
    CHECK_EQ(gm_ld(&as, RX_USED + 2, 2), 1);
    CHECK_EQ(gm_ld(&as, RX_USED + 4 + 4, 4), 3);
    address_space_read(&as, BUF + 0x200, got, 3);
    CHECK(!memcmp(got, "ear", 3));
    rx_offer(BUF + 0x300, 8);
    CHECK_EQ(gm_ld(&as, RX_USED + 2, 2), 2);
    CHECK_EQ(gm_ld(&as, RX_USED + 4 + 8 + 4, 4), 2);
    address_space_read(&as, BUF + 0x300, got, 2);
    CHECK(!memcmp(got, "ly", 2));
    rx_offer(BUF + 0x400, 8);
    CHECK_EQ(gm_ld(&as, RX_USED + 2, 2), 2); /* held, nothing to give yet */
    CHECK_EQ(chardev_input(&chr, (const uint8_t *)"xyz", 3), 3);
    CHECK_EQ(gm_ld(&as, RX_USED + 2, 2), 3);
    CHECK_EQ(gm_ld(&as, RX_USED + 4 + 16 + 4, 4), 3);
    address_space_read(&as, BUF + 0x400, got, 3);
    CHECK(!memcmp(got, "xyz", 3));

    /* A transmit buffer at an unmapped address is returned, nothing written, no crash. */
    int i = tx_avail % 16;
    gm_vring_desc(&as, TX_DESC, i, 0x40000000, 100, 0, 0);
    gm_st(&as, TX_AVAIL + 4 + 2 * i, i, 2);
    gm_st(&as, TX_AVAIL + 2, ++tx_avail, 2);
    vd->ops->queue_notify(vd, 1);
    CHECK_EQ(out_len, 12);
    CHECK_EQ(gm_ld(&as, TX_USED + 2, 2), 3);

    device_destroy(d);
    return check_summary("virtio-console");
}

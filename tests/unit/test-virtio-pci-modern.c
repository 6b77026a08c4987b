/*
 * test-virtio-pci-modern.c - the modern virtio PCI transport from the
 * driver's side: IDs and the capability list, BAR 4 placed by the BAR
 * protocol, feature negotiation (FEATURES_OK refused without VERSION_1),
 * queue setup and notification, ISR read-to-clear with INTx, reset, and
 * the PCI configuration access window. MSI-X: test-virtio-pci-msix.c.
 */
#include <string.h>

#include "check.h"
#include "emu-core/log.h"
#include "emu-core/memory.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-pci-modern.h"

#define BAR_AT 0xfe000000u

static int notified = -1, irq_level;
static uint64_t accepted;

static uint64_t fake_features(struct virtio_device *vd)
{
    (void)vd;
    return 1ull << 5 | 1ull << 40;
}
static void fake_set_features(struct virtio_device *vd, uint64_t f)
{
    (void)vd;
    accepted = f;
}
static uint32_t fake_config_read(struct virtio_device *vd, uint32_t off, unsigned size)
{
    (void)vd;
    (void)size;
    return 0xa0 + off;
}
static void fake_notify(struct virtio_device *vd, int q)
{
    (void)vd;
    notified = q;
}
static const struct virtio_device_ops fake_ops = {
    .device_id = 2,
    .num_queues = 2,
    .queue_max = 128,
    .config_size = 8,
    .get_features = fake_features,
    .set_features = fake_set_features,
    .config_read = fake_config_read,
    .queue_notify = fake_notify,
};

static void set_irq(void *opaque, uint8_t devfn, int pin, int level)
{
    (void)opaque;
    (void)devfn;
    (void)pin;
    irq_level = level;
}

static struct address_space as;
static uint32_t rd(uint32_t off, unsigned n)
{
    uint64_t v;
    address_space_load(&as, BAR_AT + off, n, &v);
    return (uint32_t)v;
}
static void wr(uint32_t off, uint32_t v, unsigned n)
{
    address_space_store(&as, BAR_AT + off, n, v);
}

int main(void)
{
    struct mem_region root, io;
    struct pci_bus bus;
    struct virtio_device vd;

    log_enabled = 0;
    mem_region_init_container(&root, "sys", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    mem_region_init_container(&io, "io", 0x10000);
    memset(&bus, 0, sizeof(bus));
    bus.mem = &root;
    bus.io = &io;
    bus.set_irq = set_irq;
    memset(&vd, 0, sizeof(vd));
    vd.ops = &fake_ops;
    vd.as = &as;

    struct device *d = device_new(NULL, &virtio_pci_modern_type, "vpm");
    device_prop_set_link(d, "backend", &vd);
    device_prop_set_link(d, "bus", &bus);
    device_prop_set_u64(d, "addr", 3 << 3);
    CHECK_EQ(device_realize(d), 0);
    struct pci_function *f = bus.fn[3 << 3];
    CHECK(f != NULL);
    CHECK_EQ(pci_config_read(f, 0, 4), 0x10421af4);
    CHECK_EQ(pci_config_read(f, 8, 1), 1);
    CHECK_EQ(pci_config_read(f, 6, 2) & 0x10, 0x10);

    /*
     * Walk the capabilities in QEMU's order (the last added first): MSI-X at 0x98, then the
     * vendor-specific ones of types 5, 2 (multiplier 4), 4, 3, 1.
     */
    CHECK_EQ(pci_config_read(f, 0x34, 1), 0x98);
    CHECK_EQ(pci_config_read(f, 0x98, 1), 0x11);
    int types[8], n = 0;
    for (unsigned p = pci_config_read(f, 0x99, 1); p && n < 8; p = pci_config_read(f, p + 1, 1)) {
        CHECK_EQ(pci_config_read(f, p, 1), 9);
        types[n++] = (int)pci_config_read(f, p + 3, 1);
        if (types[n - 1] == 2)
            CHECK_EQ(pci_config_read(f, p + 16, 4), 4);
        if (types[n - 1] != 5)
            CHECK_EQ(pci_config_read(f, p + 4, 1), 4);
    }
    CHECK_EQ(n, 5);
    CHECK(types[0] == 5 && types[1] == 2 && types[2] == 4 && types[3] == 3 && types[4] == 1);

    /* BAR 4: 16 KiB of 64-bit prefetchable memory (BAR 5 the upper half); place it above
     * 4 GiB, then below, and enable it. */
    pci_config_write(f, 0x20, 0xffffffff, 4);
    pci_config_write(f, 0x24, 0xffffffff, 4);
    CHECK_EQ(pci_config_read(f, 0x20, 4), 0xffffc00c);
    CHECK_EQ(pci_config_read(f, 0x24, 4), 0xffffffff);
    pci_config_write(f, 4, 2, 2); /* decoding while sized: all ones is no address */
    pci_config_write(f, 0x20, BAR_AT, 4);
    pci_config_write(f, 0x24, 0x10, 4);
    uint64_t hi;
    address_space_load(&as, 0x10ull << 32 | BAR_AT | 0x12, 2, &hi);
    CHECK_EQ(hi, 2); /* num_queues */
    pci_config_write(f, 0x24, 0, 4);
    CHECK_EQ(rd(0x12, 2), 2);      /* num_queues */
    CHECK_EQ(rd(0x10, 2), 0xffff); /* no MSI-X vector */
    CHECK_EQ(rd(0x2000 + 4, 1), 0xa4);

    /* Features: the device's plus VERSION_1; without VERSION_1 FEATURES_OK does not stick. */
    wr(0x00, 1, 4);
    CHECK_EQ(rd(0x04, 4), (1u << 8) | 1u); /* bits 40 and 32 */
    wr(0x00, 0, 4);
    CHECK_EQ(rd(0x04, 4), 1u << 5);
    wr(0x14, 1 | 2, 1);
    wr(0x08, 0, 4);
    wr(0x0c, 1u << 5 | 1u << 6, 4); /* bit 6 was not offered */
    wr(0x14, 1 | 2 | 8, 1);
    CHECK_EQ(rd(0x14, 1), 3);
    wr(0x08, 1, 4);
    wr(0x0c, 1, 4);
    wr(0x14, 1 | 2 | 8, 1);
    CHECK_EQ(rd(0x14, 1), 0xb);
    CHECK_EQ(accepted, 1ull << 5 | 1ull << 32);

    /* Queue 1: size (max after reset; a non-power of two is refused), addresses, enable. */
    wr(0x16, 1, 2);
    CHECK_EQ(rd(0x18, 2), 128);
    wr(0x18, 100, 2);
    CHECK_EQ(rd(0x18, 2), 128);
    wr(0x18, 64, 2);
    CHECK_EQ(rd(0x18, 2), 64);
    CHECK_EQ(rd(0x1e, 2), 1); /* queue_notify_off */
    wr(0x20, 0x1000, 4);
    wr(0x24, 0x1, 4);
    CHECK_EQ(vd.vq[1].desc, 0x100001000ull);
    wr(0x1c, 1, 2);
    CHECK(vd.vq[1].ready);
    wr(0x20, 0x2000, 4); /* ignored once enabled */
    CHECK_EQ(vd.vq[1].desc, 0x100001000ull);
    wr(0x3000 + 4, 1, 2); /* not DRIVER_OK yet: no notification */
    CHECK_EQ(notified, -1);
    wr(0x14, 0xf, 1);
    wr(0x3000 + 4, 1, 2);
    CHECK_EQ(notified, 1);
    wr(0x3000 + 8 * 4, 8, 2); /* no queue 8 */
    CHECK_EQ(notified, 1);

    /* ISR: INTx follows it, a read clears both. */
    vd.isr = 1;
    vd.transport.update_irq(vd.transport.opaque);
    CHECK_EQ(irq_level, 1);
    CHECK_EQ(rd(0x1000, 1), 1);
    CHECK_EQ(irq_level, 0);
    CHECK_EQ(rd(0x1000, 1), 0);

    /* The configuration window (cap at 0x84): read num_queues, write queue_select. */
    pci_config_write(f, 0x88, 4, 1);
    pci_config_write(f, 0x8c, 0x12, 4);
    pci_config_write(f, 0x90, 2, 4);
    CHECK_EQ(pci_config_read(f, 0x94, 2), 2);
    pci_config_write(f, 0x8c, 0x16, 4);
    pci_config_write(f, 0x94, 0, 2);
    CHECK_EQ(rd(0x16, 2), 0);
    /* ... and notify through it; a bad window does nothing. */
    notified = -1;
    pci_config_write(f, 0x8c, 0x3004, 4);
    pci_config_write(f, 0x94, 1, 2);
    CHECK_EQ(notified, 1);
    pci_config_write(f, 0x8c, 0x3005, 4); /* misaligned */
    notified = -1;
    pci_config_write(f, 0x94, 1, 2);
    CHECK_EQ(notified, -1);
    pci_config_write(f, 0x88, 0, 1); /* BAR 0 is not ours */
    pci_config_write(f, 0x8c, 0x12, 4);
    CHECK_EQ(pci_config_read(f, 0x94, 4), 0);

    /* Reset through status 0: queues back to the maximum size, not ready. */
    wr(0x14, 0, 1);
    CHECK_EQ(rd(0x14, 1), 0);
    CHECK(!vd.vq[1].ready);
    wr(0x16, 1, 2);
    CHECK_EQ(rd(0x18, 2), 128);

    device_destroy(d);
    return check_summary("virtio-pci-modern");
}

/*
 * test-virtio-pci-msix.c - MSI-X on the virtio PCI transports, driven as
 * Linux's virtio_pci does: the capability (QEMU's place and layout), the
 * table and PBA in BAR 1, enable with the function masked, vectors for
 * configuration changes and each queue, the (address, data) each
 * notification sends to the bus's MSI hook, vector and function masks
 * holding a message pending until unmasked, INTx off while MSI-X is on
 * (and under Interrupt Disable), resets, vectors=, the legacy header's
 * shift by 4, migration of the table and vectors, and garbage from the
 * guest or a stream; the legacy functions' device IDs.
 */
#include <string.h>

#include "check.h"
#include "emu-core/log.h"
#include "emu-core/memory.h"
#include "emu-core/vmstate.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-pci-modern.h"
#include "hw/virtio/virtio-pci.h"

#define BAR4_AT 0xfe000000u
#define BAR1_AT 0xfebf1000u
#define IO_AT 0xc000u

static int irq_level;
static int nmsi;
static uint64_t msi_addr;
static uint32_t msi_data;

static uint64_t fake_features(struct virtio_device *vd)
{
    (void)vd;
    return 0;
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
    (void)q;
}
/* A block device with two queues: QEMU's default is then 3 vectors. */
static const struct virtio_device_ops fake_ops = {
    .device_id = 2,
    .num_queues = 2,
    .queue_max = 128,
    .config_size = 8,
    .get_features = fake_features,
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
static void msi(void *opaque, uint64_t addr, uint32_t data)
{
    (void)opaque;
    nmsi++;
    msi_addr = addr;
    msi_data = data;
}

static struct address_space as, io_as;
static uint32_t rd(uint32_t a, unsigned n)
{
    uint64_t v;
    address_space_load(&as, a, n, &v);
    return (uint32_t)v;
}
static void wr(uint32_t a, uint32_t v, unsigned n)
{
    address_space_store(&as, a, n, v);
}
static uint32_t iord(uint32_t a, unsigned n)
{
    uint64_t v;
    address_space_load(&io_as, a, n, &v);
    return (uint32_t)v;
}
static void iowr(uint32_t a, uint32_t v, unsigned n)
{
    address_space_store(&io_as, a, n, v);
}

/* Program table entry v: address 0xfee00000 | dest << 12, data = vector, masked or not. */
static void entry(unsigned v, unsigned dest, unsigned vec, bool masked)
{
    wr(BAR1_AT + 16 * v, 0xfee00000u | dest << 12, 4);
    wr(BAR1_AT + 16 * v + 4, 0, 4);
    wr(BAR1_AT + 16 * v + 8, vec, 4);
    wr(BAR1_AT + 16 * v + 12, masked, 4);
}

static void msix_ctrl(struct pci_function *f, unsigned cap, uint16_t bits)
{
    pci_config_write(f, cap + 2, bits, 2);
}

static struct device *new_transport(const struct device_type *t, struct pci_bus *bus,
                                    struct virtio_device *vd, int slot, const char *vectors)
{
    struct device *d = device_new(NULL, t, t->name);
    device_prop_set_link(d, "backend", vd);
    device_prop_set_link(d, "bus", bus);
    device_prop_set_u64(d, "addr", (uint64_t)slot << 3);
    if (vectors)
        CHECK_EQ(device_prop_parse(d, "vectors", vectors), 0);
    return d;
}

/* Unmap the BARs (a reset clears the command register) before the function goes away. */
static void done(struct pci_bus *bus, struct device *d, int slot)
{
    device_reset(d);
    device_destroy(d);
    bus->fn[slot << 3] = NULL;
}

static void test_modern(struct pci_bus *bus)
{
    struct virtio_device vd;
    memset(&vd, 0, sizeof(vd));
    vd.ops = &fake_ops;
    vd.as = &as;
    struct device *d = new_transport(&virtio_pci_modern_type, bus, &vd, 3, NULL);
    CHECK_EQ(device_realize(d), 0);
    struct pci_function *f = bus->fn[3 << 3];
    struct virtio_pci_modern *s = (struct virtio_pci_modern *)d;

    /* The capability where QEMU has it: 0x98, at the head of the list, 3 vectors, BAR 1. */
    CHECK_EQ(pci_config_read(f, 0x34, 1), 0x98);
    CHECK_EQ(pci_config_read(f, 0x98, 2), 0x8411);
    CHECK_EQ(pci_config_read(f, 0x9a, 2), 2);
    CHECK_EQ(pci_config_read(f, 0x9c, 4), 1);     /* table: BAR 1, offset 0 */
    CHECK_EQ(pci_config_read(f, 0xa0, 4), 0x801); /* PBA: BAR 1, offset 0x800 */
    pci_config_write(f, 0x9a, 0x07ff, 2);         /* the table size is read-only */
    CHECK_EQ(pci_config_read(f, 0x9a, 2), 2);
    pci_config_write(f, 0x14, 0xffffffff, 4);
    CHECK_EQ(pci_config_read(f, 0x14, 4), 0xfffff000); /* 4 KiB, 32-bit memory */
    pci_config_write(f, 0x14, BAR1_AT, 4);
    pci_config_write(f, 0x20, BAR4_AT, 4);
    pci_config_write(f, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    /* After reset every vector is masked, nothing is pending, no vector is assigned. */
    for (unsigned v = 0; v < 3; v++)
        CHECK_EQ(rd(BAR1_AT + 16 * v + 12, 4), 1);
    CHECK_EQ(rd(BAR1_AT + 0x800, 8), 0);
    CHECK_EQ(rd(BAR4_AT + 0x10, 2), 0xffff);

    /* INTx works while MSI-X is off. */
    vd.isr = 1;
    vd.transport.update_irq(vd.transport.opaque);
    CHECK_EQ(irq_level, 1);
    CHECK(pci_config_read(f, 6, 2) & PCI_STATUS_INTERRUPT);

    /* Linux: enable with the function masked, program the table, unmask the function. */
    msix_ctrl(f, 0x98, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    CHECK(pci_msix_enabled(f));
    CHECK_EQ(irq_level, 0); /* INTx is off */
    CHECK(!(pci_config_read(f, 6, 2) & PCI_STATUS_INTERRUPT));
    entry(0, 0, 0x21, false);
    entry(1, 1, 0x22, false);
    entry(2, 3, 0x4023, false); /* vector 0x23, level trigger bit: the APIC's business */
    CHECK_EQ(rd(BAR1_AT + 16 * 1, 4), 0xfee01000);
    CHECK_EQ(rd(BAR1_AT + 16 * 2 + 8, 4), 0x4023);
    CHECK_EQ(rd(BAR1_AT + 16 * 1, 8), 0xfee01000ull); /* 64-bit reads too */
    msix_ctrl(f, 0x98, PCI_MSIX_FLAGS_ENABLE);

    /* Vectors: config 0, queue 0 -> 1, queue 1 -> 2; beyond the table reads NO_VECTOR. */
    wr(BAR4_AT + 0x10, 0, 2);
    CHECK_EQ(rd(BAR4_AT + 0x10, 2), 0);
    wr(BAR4_AT + 0x10, 3, 2);
    CHECK_EQ(rd(BAR4_AT + 0x10, 2), 0xffff);
    wr(BAR4_AT + 0x10, 0, 2);
    wr(BAR4_AT + 0x16, 0, 2);
    wr(BAR4_AT + 0x1a, 1, 2);
    CHECK_EQ(rd(BAR4_AT + 0x1a, 2), 1);
    wr(BAR4_AT + 0x16, 1, 2);
    wr(BAR4_AT + 0x1a, 77, 2);
    CHECK_EQ(rd(BAR4_AT + 0x1a, 2), 0xffff);
    wr(BAR4_AT + 0x1a, 2, 2);
    CHECK_EQ(rd(BAR4_AT + 0x1a, 2), 2);
    wr(BAR4_AT + 0x16, 9, 2); /* no queue 9: writes are ignored, reads say NO_VECTOR */
    wr(BAR4_AT + 0x1a, 1, 2);
    CHECK_EQ(rd(BAR4_AT + 0x1a, 2), 0xffff);
    CHECK_EQ(s->msix.queue_vector[0], 1);

    /* Each notification sends its vector's message; INTx stays low. */
    nmsi = 0;
    virtio_notify(&vd, 0);
    CHECK_EQ(nmsi, 1);
    CHECK_EQ(msi_addr, 0xfee01000);
    CHECK_EQ(msi_data, 0x22);
    virtio_notify(&vd, 1);
    CHECK_EQ(nmsi, 2);
    CHECK_EQ(msi_addr, 0xfee03000);
    CHECK_EQ(msi_data, 0x4023);
    virtio_notify_config(&vd);
    CHECK_EQ(nmsi, 3);
    CHECK_EQ(msi_addr, 0xfee00000);
    CHECK_EQ(msi_data, 0x21);
    CHECK_EQ(irq_level, 0);
    CHECK_EQ(rd(BAR4_AT + 0x1000, 1), 3); /* the ISR bits are still set, as in QEMU */
    CHECK_EQ(irq_level, 0);

    /* A masked vector holds its message pending; unmasking sends it. */
    wr(BAR1_AT + 16 * 2 + 12, 1, 4);
    virtio_notify(&vd, 1);
    CHECK_EQ(nmsi, 3);
    CHECK_EQ(rd(BAR1_AT + 0x800, 4), 4);
    wr(BAR1_AT + 0x800, 0, 4); /* the PBA is read-only */
    CHECK_EQ(rd(BAR1_AT + 0x800, 4), 4);
    wr(BAR1_AT + 16 * 2 + 12, 0, 4);
    CHECK_EQ(nmsi, 4);
    CHECK_EQ(msi_data, 0x4023);
    CHECK_EQ(rd(BAR1_AT + 0x800, 4), 0);
    /* The function mask holds them all, and releases each once. */
    msix_ctrl(f, 0x98, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    virtio_notify(&vd, 0);
    virtio_notify(&vd, 0);
    virtio_notify_config(&vd);
    CHECK_EQ(nmsi, 4);
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 3);
    msix_ctrl(f, 0x98, PCI_MSIX_FLAGS_ENABLE);
    CHECK_EQ(nmsi, 6);
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 0);
    /* No vector for the configuration: a change raises nothing. */
    wr(BAR4_AT + 0x10, 0xffff, 2);
    virtio_notify_config(&vd);
    CHECK_EQ(nmsi, 6);
    wr(BAR4_AT + 0x10, 0, 2);
    /* Without bus mastering the message cannot be written: dropped, not pending. */
    pci_config_write(f, 4, PCI_COMMAND_MEMORY, 2);
    virtio_notify(&vd, 0);
    CHECK_EQ(nmsi, 6);
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 0);
    pci_config_write(f, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);

    /* MSI-X off again: INTx from the ISR, nothing sent; held back by Interrupt Disable. */
    msix_ctrl(f, 0x98, 0);
    CHECK(!pci_msix_enabled(f));
    CHECK_EQ(irq_level, 0); /* the old request was dropped when MSI-X came on */
    virtio_notify(&vd, 0);
    CHECK_EQ(nmsi, 6);
    CHECK_EQ(irq_level, 1);
    pci_config_write(f, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE, 2);
    CHECK_EQ(irq_level, 0);
    CHECK(pci_config_read(f, 6, 2) & PCI_STATUS_INTERRUPT); /* still requested */
    pci_config_write(f, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    CHECK_EQ(irq_level, 1);
    rd(BAR4_AT + 0x1000, 1);
    CHECK_EQ(irq_level, 0);
    /* While disabled a notification only marks the vector pending; enabling sends it. */
    msix_ctrl(f, 0x98, PCI_MSIX_FLAGS_ENABLE);
    msix_ctrl(f, 0x98, 0);
    pci_msix_notify(f, 1);
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 2);
    msix_ctrl(f, 0x98, PCI_MSIX_FLAGS_ENABLE);
    CHECK_EQ(nmsi, 7);
    CHECK_EQ(msi_data, 0x22);

    /* Migration: the table, pending bits and vectors travel; a bad vector fails the load. */
    wr(BAR1_AT + 16 * 1 + 12, 1, 4);
    virtio_notify(&vd, 0);
    struct vm_buf out;
    vm_buf_init_writer(&out);
    CHECK_EQ(vmstate_save(d->type->vmsd, d, &out), 0);
    device_reset(d); /* machine reset: MSI-X off, every vector masked, no vectors */
    CHECK(!pci_msix_enabled(f));
    CHECK_EQ(s->msix.queue_vector[0], 0xffff);
    CHECK_EQ(s->fn.msix.table[16 + 0], 0);
    CHECK_EQ(s->fn.msix.table[16 * 2 + 12], 1);
    struct vm_buf in;
    vm_buf_init_reader(&in, out.data, out.len);
    CHECK_EQ(vmstate_load(d->type->vmsd, d, &in), 0);
    CHECK(pci_msix_enabled(f));
    CHECK_EQ(s->msix.queue_vector[0], 1);
    CHECK_EQ(s->msix.queue_vector[1], 2);
    CHECK_EQ(s->msix.config_vector, 0);
    CHECK_EQ(rd(BAR1_AT + 16, 4), 0xfee01000); /* BAR 1 placed again */
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 2);
    nmsi = 0;
    wr(BAR1_AT + 16 * 1 + 12, 0, 4); /* the pending one goes out on unmask */
    CHECK_EQ(nmsi, 1);
    CHECK_EQ(msi_addr, 0xfee01000);
    vm_buf_free(&out);
    s->msix.queue_vector[1] = 3; /* beyond the table: a hostile stream */
    vm_buf_init_writer(&out);
    CHECK_EQ(vmstate_save(d->type->vmsd, d, &out), 0);
    vm_buf_init_reader(&in, out.data, out.len);
    CHECK(vmstate_load(d->type->vmsd, d, &in) < 0);
    vm_buf_free(&out);
    s->msix.queue_vector[1] = 2;

    /* Driver reset (status 0): vectors unassigned and pending bits dropped; MSI-X stays on. */
    wr(BAR1_AT + 16 * 0 + 12, 1, 4);
    virtio_notify_config(&vd);
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 1);
    wr(BAR4_AT + 0x14, 0, 1);
    CHECK_EQ(rd(BAR4_AT + 0x10, 2), 0xffff);
    wr(BAR4_AT + 0x16, 0, 2);
    CHECK_EQ(rd(BAR4_AT + 0x1a, 2), 0xffff);
    CHECK_EQ(rd(BAR1_AT + 0x800, 1), 0);
    CHECK(pci_msix_enabled(f));

    /* Garbage: every width at every offset of BAR 1, enable toggling, notifications between. */
    uint64_t x = 0x243f6a8885a308d3ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned sz = 1u << (x % 4);
        uint32_t off = (uint32_t)(x >> 8) % PCI_MSIX_BAR_SIZE;
        if ((x >> 20) & 1)
            address_space_store(&as, BAR1_AT + off, sz, x >> 24);
        else
            rd(BAR1_AT + off, sz > 4 ? 4 : sz);
        if (((x >> 40) & 15) == 0)
            msix_ctrl(f, 0x98, (uint16_t)(x >> 44));
        if (((x >> 48) & 7) == 0)
            wr(BAR4_AT + ((x >> 51) & 1 ? 0x10 : 0x1a), (uint32_t)(x >> 52) & 0xffff, 2);
        if (((x >> 52) & 3) == 0)
            wr(BAR4_AT + 0x16, (uint32_t)(x >> 54) & 3, 2);
        if (((x >> 56) & 3) == 0)
            virtio_notify(&vd, (int)((x >> 58) & 3) - 1);
        if (((x >> 60) & 15) == 0)
            virtio_notify_config(&vd);
        pci_msix_notify(f, (unsigned)(x >> 32) & 0xffff); /* out of range: ignored */
    }
    /* Bits a driver may not set stay clear: vector control's reserved bits, the table size. */
    for (unsigned v = 0; v < 3; v++)
        CHECK_EQ(rd(BAR1_AT + 16 * v + 12, 4) & ~1u, 0);
    CHECK_EQ(pci_config_read(f, 0x9a, 2) & 0x3fff, 2);
    CHECK_EQ(rd(BAR1_AT + 16 * 3, 4), 0); /* beyond the table */
    CHECK_EQ(rd(BAR1_AT + 0x800, 4) & ~7u, 0);
    /* The MSI-X control word in config space too, with the function still answering. */
    device_reset(d);
    pci_config_write(f, 0x14, BAR1_AT, 4);
    pci_config_write(f, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    CHECK_EQ(rd(BAR1_AT + 12, 4), 1);
    done(bus, d, 3);
}

static void test_vectors_prop(struct pci_bus *bus)
{
    struct virtio_device vd;
    memset(&vd, 0, sizeof(vd));
    vd.ops = &fake_ops;
    vd.as = &as;

    /* vectors=0: no capability, no BAR 1; notifications use INTx. */
    struct device *d = new_transport(&virtio_pci_modern_type, bus, &vd, 4, "0");
    CHECK_EQ(device_realize(d), 0);
    struct pci_function *f = bus->fn[4 << 3];
    CHECK_EQ(pci_config_read(f, 0x34, 1), 0x84);
    pci_config_write(f, 0x14, 0xffffffff, 4);
    CHECK_EQ(pci_config_read(f, 0x14, 4), 0);
    CHECK(!pci_msix_enabled(f));
    irq_level = 0;
    virtio_notify(&vd, 0);
    CHECK_EQ(irq_level, 1);
    done(bus, d, 4);

    /* vectors=8 (more than the queues need) and vectors beyond the table limit. */
    d = new_transport(&virtio_pci_modern_type, bus, &vd, 4, "8");
    CHECK_EQ(device_realize(d), 0);
    CHECK_EQ(pci_config_read(bus->fn[4 << 3], 0x9a, 2), 7);
    done(bus, d, 4);
    d = new_transport(&virtio_pci_modern_type, bus, &vd, 4, "129");
    CHECK(device_realize(d) < 0);
    CHECK(bus->fn[4 << 3] == NULL);
    device_destroy(d);
}

/* The legacy header: vector registers at 20 and 22 and the config at 24 while MSI-X is on. */
static void test_legacy(struct pci_bus *bus)
{
    struct virtio_device vd;
    memset(&vd, 0, sizeof(vd));
    vd.ops = &fake_ops;
    vd.as = &as;
    struct device *d = new_transport(&virtio_pci_type, bus, &vd, 5, NULL);
    CHECK_EQ(device_realize(d), 0);
    struct pci_function *f = bus->fn[5 << 3];
    CHECK_EQ(pci_config_read(f, 0x34, 1), 0x40); /* QEMU's with disable-modern=on */
    CHECK_EQ(pci_config_read(f, 0x40, 2), 0x0011);
    CHECK_EQ(pci_config_read(f, 0x42, 2), 2);
    pci_config_write(f, 0x10, 0xffffffff, 4);
    CHECK_EQ(pci_config_read(f, 0x10, 4), 0xffffffe1); /* 32 bytes: 24 + 8 of config */
    pci_config_write(f, 0x10, IO_AT, 4);
    pci_config_write(f, 0x14, BAR1_AT, 4);
    pci_config_write(f, 4, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    CHECK_EQ(iord(IO_AT + 20, 1), 0xa0); /* MSI-X off: config at 20 */
    msix_ctrl(f, 0x40, PCI_MSIX_FLAGS_ENABLE);
    CHECK_EQ(iord(IO_AT + 24, 1), 0xa0); /* on: at 24 */
    CHECK_EQ(iord(IO_AT + 20, 2), 0xffff);
    iowr(IO_AT + 20, 0, 2);
    CHECK_EQ(iord(IO_AT + 20, 2), 0);
    iowr(IO_AT + 14, 1, 2); /* queue select */
    iowr(IO_AT + 22, 2, 2);
    CHECK_EQ(iord(IO_AT + 22, 2), 2);
    iowr(IO_AT + 22, 3, 2);
    CHECK_EQ(iord(IO_AT + 22, 2), 0xffff);
    iowr(IO_AT + 22, 2, 2);
    iowr(IO_AT + 14, 7, 2); /* no queue 7 */
    iowr(IO_AT + 22, 1, 2);
    CHECK_EQ(iord(IO_AT + 22, 2), 0xffff);
    entry(0, 0, 0x31, false);
    entry(2, 1, 0x32, false);
    nmsi = 0;
    virtio_notify(&vd, 1);
    CHECK_EQ(nmsi, 1);
    CHECK_EQ(msi_addr, 0xfee01000);
    CHECK_EQ(msi_data, 0x32);
    virtio_notify_config(&vd);
    CHECK_EQ(nmsi, 2);
    CHECK_EQ(msi_data, 0x31);
    virtio_notify(&vd, 0); /* queue 0 has no vector */
    CHECK_EQ(nmsi, 2);
    CHECK_EQ(irq_level, 0);
    /* Status 0 resets the vectors; MSI-X off again puts the config back at 20. */
    iowr(IO_AT + 18, 0, 1);
    CHECK_EQ(iord(IO_AT + 20, 2), 0xffff);
    msix_ctrl(f, 0x40, 0);
    CHECK_EQ(iord(IO_AT + 20, 1), 0xa0);
    /* Migration of the legacy transport's MSI-X state. */
    msix_ctrl(f, 0x40, PCI_MSIX_FLAGS_ENABLE);
    iowr(IO_AT + 20, 2, 2);
    struct vm_buf out, in;
    vm_buf_init_writer(&out);
    CHECK_EQ(vmstate_save(d->type->vmsd, d, &out), 0);
    device_reset(d);
    vm_buf_init_reader(&in, out.data, out.len);
    CHECK_EQ(vmstate_load(d->type->vmsd, d, &in), 0);
    vm_buf_free(&out);
    CHECK_EQ(iord(IO_AT + 20, 2), 2);
    nmsi = 0;
    virtio_notify_config(&vd);
    CHECK_EQ(nmsi, 1);
    CHECK_EQ(msi_data, 0x32);
    done(bus, d, 5);
}

/* The legacy functions' device IDs are the spec's transitional table (lspci names them so). */
static void test_legacy_ids(struct pci_bus *bus)
{
    static const uint16_t want[] = {0, 0x1000, 0x1001, 0x1003, 0x1005};
    for (uint32_t type = 1; type <= 4; type++) {
        struct virtio_device_ops ops = fake_ops;
        struct virtio_device vd;
        memset(&vd, 0, sizeof(vd));
        ops.device_id = type;
        vd.ops = &ops;
        vd.as = &as;
        struct device *d = new_transport(&virtio_pci_type, bus, &vd, 6, NULL);
        CHECK_EQ(device_realize(d), 0);
        CHECK_EQ(pci_config_read(bus->fn[6 << 3], 0, 4), (uint32_t)want[type] << 16 | 0x1af4);
        CHECK_EQ(pci_config_read(bus->fn[6 << 3], 0x2e, 2), type);
        done(bus, d, 6);
    }
}

int main(void)
{
    struct mem_region root, io;
    struct pci_bus bus;

    log_enabled = 0;
    mem_region_init_container(&root, "sys", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    mem_region_init_container(&io, "io", 0x10000);
    address_space_init(&io_as, &io, "io");
    memset(&bus, 0, sizeof(bus));
    bus.mem = &root;
    bus.io = &io;
    bus.set_irq = set_irq;
    pci_bus_set_msi(&bus, msi, NULL);

    test_modern(&bus);
    test_vectors_prop(&bus);
    test_legacy(&bus);
    test_legacy_ids(&bus);
    return check_summary("virtio-pci-msix");
}

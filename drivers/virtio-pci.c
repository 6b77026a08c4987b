/*
 * virtio-pci.c - the virtio PCI transport (virtio-pci.h), after the virtio
 * 1.x specification's "Virtio Over PCI Bus" and its legacy interface.
 */
#include "drivers/virtio-pci.h"

#include <errno.h>
#include <string.h>

#include "drivers/netdev-pci.h"
#include "kernel/kernel.h"

#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 0x80
#define VIRTIO_F_VERSION_1 32

#define DESC_F_WRITE 2
#define AVAIL_F_NO_INTERRUPT 1

/* Legacy I/O registers. */
#define L_HOST_FEATURES 0x00
#define L_GUEST_FEATURES 0x04
#define L_QUEUE_PFN 0x08
#define L_QUEUE_SIZE 0x0C
#define L_QUEUE_SEL 0x0E
#define L_QUEUE_NOTIFY 0x10
#define L_STATUS 0x12
#define L_CONFIG 0x14 /* without MSI-X, which we leave off */

/* Modern common configuration. */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0C
#define C_STATUS 0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_ENABLE 0x1C
#define C_Q_NOFF 0x1E
#define C_Q_DESC 0x20
#define C_Q_AVAIL 0x28
#define C_Q_USED 0x30

#define CAP_VENDOR 0x09
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

static void set_status(struct virtio_pci *vp, uint8_t s)
{
    if (vp->modern)
        mmio_write8(vp->common + C_STATUS, s);
    else
        outb(vp->io + L_STATUS, s);
}

static uint8_t get_status(struct virtio_pci *vp)
{
    return vp->modern ? mmio_read8(vp->common + C_STATUS) : inb(vp->io + L_STATUS);
}

/* The modern structures, from the vendor capabilities; false if any is missing or unmapped. */
static bool find_modern(struct virtio_pci *vp, const struct pci_func *f)
{
    uint64_t *where[5] = {NULL, &vp->common, &vp->notify_base, &vp->isr, &vp->device};
    bool found[5] = {false};

    if (!(pci_read16(f->bus, f->dev, f->fn, 0x06) & 0x10))
        return false; /* no capability list */
    uint8_t p = pci_read8(f->bus, f->dev, f->fn, 0x34) & 0xFC;
    /* A bounded walk: a looping list must not hang the boot. */
    for (int n = 0; p >= 0x40 && n < 48; n++) {
        uint8_t id = pci_read8(f->bus, f->dev, f->fn, p);
        uint8_t next = pci_read8(f->bus, f->dev, f->fn, p + 1) & 0xFC;
        uint8_t type = pci_read8(f->bus, f->dev, f->fn, p + 3);
        if (id == CAP_VENDOR && type >= CFG_COMMON && type <= CFG_DEVICE && !found[type]) {
            struct pci_bar bar;
            uint8_t bi = pci_read8(f->bus, f->dev, f->fn, p + 4);
            uint32_t off = pci_read32(f->bus, f->dev, f->fn, p + 8);
            uint32_t len = pci_read32(f->bus, f->dev, f->fn, p + 12);
            if (bi <= 5 && netdev_pci_bar(f, bi, &bar) == 0 && !bar.io &&
                (uint64_t)off + len <= bar.size) {
                *where[type] = bar.addr + off;
                found[type] = true;
                if (type == CFG_NOTIFY)
                    vp->notify_mult = pci_read32(f->bus, f->dev, f->fn, p + 16);
            }
        }
        p = next;
    }
    return found[CFG_COMMON] && found[CFG_NOTIFY] && found[CFG_DEVICE];
}

int virtio_pci_init(struct virtio_pci *vp, const struct pci_func *f)
{
    struct pci_bar bar;

    memset(vp, 0, sizeof(*vp));
    if (find_modern(vp, f)) {
        vp->modern = true;
    } else {
        if (netdev_pci_bar(f, 0, &bar) < 0 || !bar.io || bar.size < L_CONFIG + 8)
            return -ENXIO;
        vp->io = (uint16_t)bar.addr;
    }
    netdev_pci_enable(f);
    set_status(vp, 0);
    for (int i = 0; i < 1000 && get_status(vp); i++)
        kern_udelay(100);
    set_status(vp, STATUS_ACK);
    set_status(vp, STATUS_ACK | STATUS_DRIVER);
    return 0;
}

uint64_t virtio_pci_negotiate(struct virtio_pci *vp, uint64_t want)
{
    uint64_t have;

    if (!vp->modern) {
        have = inl(vp->io + L_HOST_FEATURES) & want;
        outl(vp->io + L_GUEST_FEATURES, (uint32_t)have);
        return have;
    }
    want |= 1ull << VIRTIO_F_VERSION_1;
    mmio_write32(vp->common + C_DFSELECT, 0);
    have = mmio_read32(vp->common + C_DF);
    mmio_write32(vp->common + C_DFSELECT, 1);
    have |= (uint64_t)mmio_read32(vp->common + C_DF) << 32;
    have &= want;
    mmio_write32(vp->common + C_GFSELECT, 0);
    mmio_write32(vp->common + C_GF, (uint32_t)have);
    mmio_write32(vp->common + C_GFSELECT, 1);
    mmio_write32(vp->common + C_GF, (uint32_t)(have >> 32));
    return have;
}

int virtio_pci_features_ok(struct virtio_pci *vp)
{
    if (!vp->modern)
        return 0;
    set_status(vp, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
    return get_status(vp) & STATUS_FEATURES_OK ? 0 : -ENOTSUP;
}

static void queue_init_free(struct virtq *q)
{
    q->nfree = 0;
    for (int i = q->size - 1; i >= 0; i--)
        q->free[q->nfree++] = (uint16_t)i;
}

int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *q, uint16_t index)
{
    uint16_t size;

    memset(q, 0, sizeof(*q));
    q->index = index;
    if (vp->modern) {
        mmio_write16(vp->common + C_Q_SELECT, index);
        size = mmio_read16(vp->common + C_Q_SIZE);
        if (!size)
            return -ENXIO;
        if (size > VIRTQ_MAX)
            size = VIRTQ_MAX; /* the driver may choose a smaller queue */
        if (size & (size - 1))
            return -ENXIO;
        q->size = size;
        q->desc = kern_mem_dma_alloc(16u * size, 16);
        q->avail = kern_mem_dma_alloc(6u + 2u * size, 2);
        q->used = kern_mem_dma_alloc(6u + 8u * size, 4);
        if (!q->desc || !q->avail || !q->used)
            return -ENOMEM;
        mmio_write16(vp->common + C_Q_SIZE, size);
        mmio_write32(vp->common + C_Q_DESC, (uint32_t)(uintptr_t)q->desc);
        mmio_write32(vp->common + C_Q_DESC + 4, (uint32_t)((uint64_t)(uintptr_t)q->desc >> 32));
        mmio_write32(vp->common + C_Q_AVAIL, (uint32_t)(uintptr_t)q->avail);
        mmio_write32(vp->common + C_Q_AVAIL + 4, (uint32_t)((uint64_t)(uintptr_t)q->avail >> 32));
        mmio_write32(vp->common + C_Q_USED, (uint32_t)(uintptr_t)q->used);
        mmio_write32(vp->common + C_Q_USED + 4, (uint32_t)((uint64_t)(uintptr_t)q->used >> 32));
        q->notify =
            vp->notify_base + (uint64_t)mmio_read16(vp->common + C_Q_NOFF) * vp->notify_mult;
        mmio_write16(vp->common + C_Q_ENABLE, 1);
    } else {
        outw(vp->io + L_QUEUE_SEL, index);
        size = inw(vp->io + L_QUEUE_SIZE);
        /* Legacy queues have the device's size, and the layout follows from it. */
        if (!size || size > VIRTQ_MAX || (size & (size - 1)))
            return -ENXIO;
        q->size = size;
        size_t used_off = (16u * size + 6u + 2u * size + 4095) & ~4095u;
        uint8_t *mem = kern_mem_dma_alloc(used_off + 6u + 8u * size, 4096);
        if (!mem)
            return -ENOMEM;
        q->desc = (void *)mem;
        q->avail = (void *)(mem + 16u * size);
        q->used = (void *)(mem + used_off);
        outl(vp->io + L_QUEUE_PFN, (uint32_t)((uint64_t)(uintptr_t)mem >> 12));
    }
    q->avail[0] = AVAIL_F_NO_INTERRUPT; /* polled: an INTx nobody acknowledges would stay up */
    queue_init_free(q);
    return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *vp)
{
    set_status(vp, STATUS_ACK | STATUS_DRIVER | (vp->modern ? STATUS_FEATURES_OK : 0) |
                       STATUS_DRIVER_OK);
}

void virtio_pci_fail(struct virtio_pci *vp)
{
    if (vp->modern || vp->io)
        set_status(vp, get_status(vp) | STATUS_FAILED);
}

void virtio_pci_notify(struct virtio_pci *vp, struct virtq *q)
{
    dma_barrier();
    if (vp->modern)
        mmio_write16(q->notify, q->index);
    else
        outw(vp->io + L_QUEUE_NOTIFY, q->index);
}

uint8_t virtio_pci_config8(struct virtio_pci *vp, unsigned off)
{
    return vp->modern ? mmio_read8(vp->device + off) : inb(vp->io + L_CONFIG + off);
}

uint16_t virtio_pci_config16(struct virtio_pci *vp, unsigned off)
{
    return vp->modern ? mmio_read16(vp->device + off) : inw(vp->io + L_CONFIG + off);
}

int virtq_take_free(struct virtq *q)
{
    return q->nfree ? q->free[--q->nfree] : -1;
}

void virtq_submit(struct virtq *q, int id, void *buf, uint32_t len, bool writable)
{
    uint16_t idx = q->avail[1];

    q->desc[id].addr = (uint64_t)(uintptr_t)buf;
    q->desc[id].len = len;
    q->desc[id].flags = writable ? DESC_F_WRITE : 0;
    q->desc[id].next = 0;
    q->busy[id] = true;
    q->avail[2 + (idx & (q->size - 1))] = (uint16_t)id;
    dma_barrier(); /* the ring entry before the index that publishes it */
    q->avail[1] = idx + 1;
}

int virtq_get_used(struct virtq *q, uint32_t *len)
{
    /* A bounded loop: entries with ids we never gave are skipped, not trusted. */
    for (int n = 0; n < q->size; n++) {
        uint16_t idx = (uint16_t)(q->used[0] >> 16);
        if (idx == q->last_used)
            return -1;
        dma_barrier();
        volatile uint32_t *e = &q->used[1 + 2 * (q->last_used & (q->size - 1))];
        uint32_t id = e[0], l = e[1];
        q->last_used++;
        if (id >= q->size || !q->busy[id])
            continue;
        q->busy[id] = false;
        if (len) {
            *len = l;
        } else if (q->nfree < q->size) {
            q->free[q->nfree++] = (uint16_t)id;
        }
        return (int)id;
    }
    return -1;
}

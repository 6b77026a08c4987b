/*
 * virtio-mmio.c - virtio over MMIO, register layout version 1 (legacy,
 * QEMU 7.2's default) or 2 (virtio 1.x).
 *
 * Without a backend the slot answers only magic, version and vendor and
 * reads device ID 0, which drivers skip, exactly as QEMU's empty slots.
 */
#include "hw/virtio/virtio-mmio.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/vmstate.h"

enum {
    VMMIO_MAGIC = 0x000,
    VMMIO_VERSION = 0x004,
    VMMIO_DEVICE_ID = 0x008,
    VMMIO_VENDOR_ID = 0x00c,
    VMMIO_DEVICE_FEATURES = 0x010,
    VMMIO_DEVICE_FEATURES_SEL = 0x014,
    VMMIO_DRIVER_FEATURES = 0x020,
    VMMIO_DRIVER_FEATURES_SEL = 0x024,
    VMMIO_GUEST_PAGE_SIZE = 0x028, /* legacy */
    VMMIO_QUEUE_SEL = 0x030,
    VMMIO_QUEUE_NUM_MAX = 0x034,
    VMMIO_QUEUE_NUM = 0x038,
    VMMIO_QUEUE_ALIGN = 0x03c, /* legacy */
    VMMIO_QUEUE_PFN = 0x040,   /* legacy */
    VMMIO_QUEUE_READY = 0x044,
    VMMIO_QUEUE_NOTIFY = 0x050,
    VMMIO_INTERRUPT_STATUS = 0x060,
    VMMIO_INTERRUPT_ACK = 0x064,
    VMMIO_STATUS = 0x070,
    VMMIO_QUEUE_DESC_LOW = 0x080,
    VMMIO_QUEUE_DESC_HIGH = 0x084,
    VMMIO_QUEUE_AVAIL_LOW = 0x090,
    VMMIO_QUEUE_AVAIL_HIGH = 0x094,
    VMMIO_QUEUE_USED_LOW = 0x0a0,
    VMMIO_QUEUE_USED_HIGH = 0x0a4,
    VMMIO_CONFIG_GENERATION = 0x0fc,
    VMMIO_CONFIG = 0x100,
};

static void vmmio_update_irq(void *opaque)
{
    struct virtio_mmio *s = opaque;

    irq_set(s->irq, s->vdev && s->vdev->isr != 0);
}

static uint64_t vmmio_features(struct virtio_mmio *s)
{
    uint64_t f = s->vdev->ops->get_features ? s->vdev->ops->get_features(s->vdev) : 0;

    if (s->force_legacy)
        return f & 0xffffffffull;
    return f | (1ull << VIRTIO_F_VERSION_1);
}

static struct virtqueue *vmmio_cur_queue(struct virtio_mmio *s)
{
    if (s->queue_sel >= (uint32_t)s->vdev->ops->num_queues)
        return NULL;
    return &s->vdev->vq[s->queue_sel];
}

/* Legacy layout: descriptors, avail ring, then the used ring at the next queue_align boundary. */
static void vmmio_legacy_set_pfn(struct virtio_mmio *s, struct virtqueue *vq, uint32_t pfn)
{
    uint64_t align = s->queue_align[s->queue_sel] ? s->queue_align[s->queue_sel] : 4096;

    s->queue_pfn[s->queue_sel] = pfn;
    if (!pfn || !vq->num) {
        vq->ready = false;
        vq->desc = vq->avail = vq->used = 0;
        return;
    }
    vq->desc = (uint64_t)pfn * s->guest_page_size;
    vq->avail = vq->desc + 16ull * vq->num;
    vq->used = (vq->avail + 6 + 2ull * vq->num + align - 1) & ~(align - 1);
    vq->ready = true;
}

static void vmmio_reset_transport(struct virtio_mmio *s)
{
    s->host_features_sel = s->guest_features_sel = 0;
    s->guest_page_size = 4096;
    s->queue_sel = 0;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        s->queue_align[i] = 4096;
        s->queue_pfn[i] = 0;
    }
}

static void vmmio_reset_device(struct virtio_mmio *s)
{
    if (!s->vdev)
        return;
    virtio_device_reset(s->vdev);
    if (s->vdev->ops->reset)
        s->vdev->ops->reset(s->vdev);
}

static uint64_t vmmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct virtio_mmio *s = opaque;
    struct virtio_device *vd = s->vdev;
    struct virtqueue *vq;

    if (offset == VMMIO_MAGIC && size == 4)
        return VIRTIO_MMIO_MAGIC;
    if (offset == VMMIO_VERSION && size == 4)
        return s->force_legacy ? 1 : 2;
    if (offset == VMMIO_VENDOR_ID && size == 4)
        return VIRTIO_MMIO_VENDOR;
    if (!vd)
        return 0; /* an empty slot: device ID 0 and nothing else */
    if (offset >= VMMIO_CONFIG) {
        uint64_t off = offset - VMMIO_CONFIG;
        if (size > 4 || off + size > vd->ops->config_size || !vd->ops->config_read)
            goto bad;
        return vd->ops->config_read(vd, off, size);
    }
    if (size != 4 || (offset & 3))
        goto bad;
    switch (offset) {
    case VMMIO_DEVICE_ID:
        return vd->ops->device_id;
    case VMMIO_DEVICE_FEATURES:
        return s->host_features_sel > 1 ? 0 : vmmio_features(s) >> (32 * s->host_features_sel);
    case VMMIO_QUEUE_NUM_MAX:
        vq = vmmio_cur_queue(s);
        return vq ? vd->ops->queue_max : 0;
    case VMMIO_QUEUE_PFN:
        if (!s->force_legacy)
            goto bad;
        return vmmio_cur_queue(s) ? s->queue_pfn[s->queue_sel] : 0;
    case VMMIO_QUEUE_READY:
        if (s->force_legacy)
            goto bad;
        vq = vmmio_cur_queue(s);
        return vq ? vq->ready : 0;
    case VMMIO_INTERRUPT_STATUS:
        return vd->isr;
    case VMMIO_STATUS:
        return vd->status;
    case VMMIO_CONFIG_GENERATION:
        if (s->force_legacy)
            goto bad;
        return vd->config_generation;
    default:
        break;
    }
bad:
    log_guest_error("virtio-mmio: bad read of %u bytes at 0x%llx", size,
                    (unsigned long long)offset);
    return 0;
}

static void vmmio_set_addr(uint64_t *a, bool high, uint32_t v)
{
    *a = high ? (*a & 0xffffffffull) | ((uint64_t)v << 32) : (*a & ~0xffffffffull) | v;
}

static void vmmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct virtio_mmio *s = opaque;
    struct virtio_device *vd = s->vdev;
    struct virtqueue *vq;
    uint32_t v = (uint32_t)value;

    if (!vd) {
        log_guest_error("virtio-mmio: write at 0x%llx to an empty slot",
                        (unsigned long long)offset);
        return;
    }
    if (offset >= VMMIO_CONFIG) {
        uint64_t off = offset - VMMIO_CONFIG;
        if (size > 4 || off + size > vd->ops->config_size || !vd->ops->config_write)
            goto bad;
        vd->ops->config_write(vd, off, v, size);
        return;
    }
    if (size != 4 || (offset & 3))
        goto bad;
    switch (offset) {
    case VMMIO_DEVICE_FEATURES_SEL:
        s->host_features_sel = v;
        return;
    case VMMIO_DRIVER_FEATURES:
        if (s->guest_features_sel > 1)
            return;
        vmmio_set_addr(&vd->guest_features, s->guest_features_sel == 1, v);
        /* The driver can only accept what was offered. */
        vd->guest_features &= vmmio_features(s);
        if (s->force_legacy && vd->ops->set_features)
            vd->ops->set_features(vd, vd->guest_features); /* legacy has no FEATURES_OK */
        return;
    case VMMIO_DRIVER_FEATURES_SEL:
        s->guest_features_sel = v;
        return;
    case VMMIO_GUEST_PAGE_SIZE:
        if (!s->force_legacy)
            goto bad;
        /* A page size the legacy layout cannot use would put rings anywhere: refuse it. */
        if (v == 0 || (v & (v - 1)))
            goto bad;
        s->guest_page_size = v;
        return;
    case VMMIO_QUEUE_SEL:
        s->queue_sel = v;
        return;
    case VMMIO_QUEUE_NUM:
        vq = vmmio_cur_queue(s);
        if (!vq || v > vd->ops->queue_max || (v & (v - 1)))
            goto bad;
        vq->num = v;
        if (s->force_legacy && s->queue_pfn[s->queue_sel])
            vmmio_legacy_set_pfn(s, vq, s->queue_pfn[s->queue_sel]);
        return;
    case VMMIO_QUEUE_ALIGN:
        if (!s->force_legacy || !vmmio_cur_queue(s) || v == 0 || (v & (v - 1)))
            goto bad;
        s->queue_align[s->queue_sel] = v;
        return;
    case VMMIO_QUEUE_PFN:
        vq = vmmio_cur_queue(s);
        if (!s->force_legacy || !vq)
            goto bad;
        vmmio_legacy_set_pfn(s, vq, v);
        return;
    case VMMIO_QUEUE_READY:
        vq = vmmio_cur_queue(s);
        if (s->force_legacy || !vq)
            goto bad;
        vq->ready = v & 1;
        return;
    case VMMIO_QUEUE_NOTIFY:
        if (v < (uint32_t)vd->ops->num_queues && vd->vq[v].ready && vd->ops->queue_notify &&
            !(vd->status & VIRTIO_STATUS_NEEDS_RESET))
            vd->ops->queue_notify(vd, v);
        return;
    case VMMIO_INTERRUPT_ACK:
        vd->isr &= ~v;
        vmmio_update_irq(s);
        return;
    case VMMIO_STATUS:
        if (v == 0) {
            vmmio_reset_device(s);
            vmmio_reset_transport(s);
            return;
        }
        if (!s->force_legacy && (v & VIRTIO_STATUS_FEATURES_OK) &&
            !(vd->status & VIRTIO_STATUS_FEATURES_OK)) {
            if (!(vd->guest_features & (1ull << VIRTIO_F_VERSION_1)))
                v &= ~VIRTIO_STATUS_FEATURES_OK; /* a modern device refuses a legacy driver */
            else if (vd->ops->set_features)
                vd->ops->set_features(vd, vd->guest_features);
        }
        vd->status = (uint8_t)v | (vd->status & VIRTIO_STATUS_NEEDS_RESET);
        return;
    case VMMIO_QUEUE_DESC_LOW:
    case VMMIO_QUEUE_DESC_HIGH:
    case VMMIO_QUEUE_AVAIL_LOW:
    case VMMIO_QUEUE_AVAIL_HIGH:
    case VMMIO_QUEUE_USED_LOW:
    case VMMIO_QUEUE_USED_HIGH:
        vq = vmmio_cur_queue(s);
        if (s->force_legacy || !vq)
            goto bad;
        if (offset < VMMIO_QUEUE_AVAIL_LOW)
            vmmio_set_addr(&vq->desc, offset == VMMIO_QUEUE_DESC_HIGH, v);
        else if (offset < VMMIO_QUEUE_USED_LOW)
            vmmio_set_addr(&vq->avail, offset == VMMIO_QUEUE_AVAIL_HIGH, v);
        else
            vmmio_set_addr(&vq->used, offset == VMMIO_QUEUE_USED_HIGH, v);
        return;
    default:
        break;
    }
bad:
    log_guest_error("virtio-mmio: bad write of %u bytes at 0x%llx", size,
                    (unsigned long long)offset);
}

static const struct mem_region_ops vmmio_ops = {
    .read = vmmio_read,
    .write = vmmio_write,
    .min_access = 1,
    .max_access = 4,
};

static void vmmio_reset(struct device *dev)
{
    struct virtio_mmio *s = (struct virtio_mmio *)dev;

    vmmio_reset_transport(s);
    vmmio_reset_device(s);
    vmmio_update_irq(s);
}

static int vmmio_realize(struct device *dev)
{
    struct virtio_mmio *s = (struct virtio_mmio *)dev;

    if (s->vdev) {
        const struct virtio_device_ops *ops = s->vdev->ops;
        if (!ops || ops->num_queues < 1 || ops->num_queues > VIRTIO_MAX_QUEUES ||
            !ops->queue_max || ops->queue_max > VIRTIO_QUEUE_MAX_SIZE ||
            (ops->queue_max & (ops->queue_max - 1)) || ops->config_size > 0x100) {
            error_report("virtio-mmio: backend device has an invalid description");
            return -EINVAL;
        }
        s->vdev->transport.update_irq = vmmio_update_irq;
        s->vdev->transport.opaque = s;
    }
    mem_region_init_io(&s->mmio, "virtio-mmio", &vmmio_ops, s, VIRTIO_MMIO_SIZE);
    vmmio_reset(dev);
    return 0;
}

static int vmmio_post_load(void *opaque, int version_id)
{
    struct virtio_mmio *s = opaque;

    (void)version_id;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        uint32_t a = s->queue_align[i];
        if (a == 0 || (a & (a - 1)))
            return -EINVAL;
    }
    if (s->guest_page_size == 0 || (s->guest_page_size & (s->guest_page_size - 1)))
        return -EINVAL;
    vmmio_update_irq(s);
    return 0;
}

#define F(field, t) {.name = #field, .type = t, .offset = offsetof(struct virtio_mmio, field)}
static const struct vmstate_field vmmio_vmstate_fields[] = {
    F(host_features_sel, VMS_U32),
    F(guest_features_sel, VMS_U32),
    F(guest_page_size, VMS_U32),
    F(queue_sel, VMS_U32),
    {.name = "queue_align", .type = VMS_U32, .offset = offsetof(struct virtio_mmio, queue_align),
     .count = VIRTIO_MAX_QUEUES},
    {.name = "queue_pfn", .type = VMS_U32, .offset = offsetof(struct virtio_mmio, queue_pfn),
     .count = VIRTIO_MAX_QUEUES},
    {.type = VMS_END},
};
#undef F

static const struct vmstate_desc vmmio_vmstate = {
    .name = "virtio-mmio",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmmio_vmstate_fields,
    .post_load = vmmio_post_load,
};

static const struct device_prop vmmio_props[] = {
    {.name = "irq", .type = PROP_LINK, .offset = offsetof(struct virtio_mmio, irq)},
    {.name = "backend", .type = PROP_LINK, .offset = offsetof(struct virtio_mmio, vdev)},
    {.name = "force-legacy", .type = PROP_BOOL, .offset = offsetof(struct virtio_mmio, force_legacy),
     .defval = 1},
    {.type = PROP_END},
};

const struct device_type virtio_mmio_type = {
    .name = "virtio-mmio",
    .desc = "virtio MMIO transport",
    .state_size = sizeof(struct virtio_mmio),
    .props = vmmio_props,
    .realize = vmmio_realize,
    .reset = vmmio_reset,
    .vmsd = &vmmio_vmstate,
};

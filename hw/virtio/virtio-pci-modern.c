/*
 * virtio-pci-modern.c - virtio 1.x over PCI (virtio spec 1.2, 4.1.4: the
 * capabilities; 4.1.4.3: the common configuration structure).
 */
#include "hw/virtio/virtio-pci-modern.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

#define VPM_BAR 4
#define VPM_BAR_SIZE 0x4000
#define VPM_COMMON 0x0000
#define VPM_ISR 0x1000
#define VPM_DEVICE 0x2000
#define VPM_NOTIFY 0x3000
#define VPM_NOTIFY_MULT 4
#define VPM_MSIX_CAP 0x98 /* QEMU's: the first free byte after the vendor capabilities */

/* Capability types (4.1.4) and where ours sit in configuration space. */
enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4, CAP_PCI_CFG = 5 };
#define CAP_PCI_CFG_AT 0x84 /* its bar, offset, length and data are guest-writable */
#define PCI_CFG_BAR (CAP_PCI_CFG_AT + 4)
#define PCI_CFG_OFFSET (CAP_PCI_CFG_AT + 8)
#define PCI_CFG_LENGTH (CAP_PCI_CFG_AT + 12)
#define PCI_CFG_DATA (CAP_PCI_CFG_AT + 16)

/* Common configuration offsets (4.1.4.3). */
enum {
    CC_DFSELECT = 0x00,
    CC_DF = 0x04,
    CC_GFSELECT = 0x08,
    CC_GF = 0x0c,
    CC_MSIX = 0x10,
    CC_NUMQ = 0x12,
    CC_STATUS = 0x14,
    CC_CFGGEN = 0x15,
    CC_Q_SELECT = 0x16,
    CC_Q_SIZE = 0x18,
    CC_Q_MSIX = 0x1a,
    CC_Q_ENABLE = 0x1c,
    CC_Q_NOFF = 0x1e,
    CC_Q_DESC = 0x20,
    CC_Q_AVAIL = 0x28,
    CC_Q_USED = 0x30,
    CC_SIZE = 0x38,
};

static uint64_t vpm_features(struct virtio_pci_modern *s)
{
    struct virtio_device *vd = s->vdev;
    uint64_t f = vd->ops->get_features ? vd->ops->get_features(vd) : 0;

    return f | 1ull << VIRTIO_F_VERSION_1;
}

static struct virtqueue *vpm_queue(struct virtio_pci_modern *s)
{
    return s->queue_sel < s->vdev->ops->num_queues ? &s->vdev->vq[s->queue_sel] : NULL;
}

static void vpm_update_irq(void *opaque)
{
    struct virtio_pci_modern *s = opaque;

    virtio_pci_msix_update_irq(&s->fn, s->vdev);
}

static void vpm_notify(void *opaque, int q)
{
    struct virtio_pci_modern *s = opaque;

    virtio_pci_msix_notify(&s->msix, &s->fn, s->vdev, q);
}

static void vpm_reset_device(struct virtio_pci_modern *s)
{
    virtio_device_reset(s->vdev);
    if (s->vdev->ops->reset)
        s->vdev->ops->reset(s->vdev);
    /* 4.1.4.3.2: queue_size reads the maximum after reset; a driver may lower it, or keep it. */
    for (int i = 0; i < s->vdev->ops->num_queues; i++)
        s->vdev->vq[i].num = s->vdev->ops->queue_max;
    s->dfselect = s->gfselect = 0;
    s->queue_sel = 0;
    virtio_pci_msix_reset(&s->msix, &s->fn);
    pci_set_irq(&s->fn, 0);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The common configuration as the driver sees it now, for reads of any width. */
static void vpm_common_image(struct virtio_pci_modern *s, uint8_t *c)
{
    struct virtio_device *vd = s->vdev;
    struct virtqueue *vq = vpm_queue(s);

    memset(c, 0, CC_SIZE);
    put_le(c + CC_DFSELECT, s->dfselect, 4);
    put_le(c + CC_DF, s->dfselect < 2 ? vpm_features(s) >> (32 * s->dfselect) : 0, 4);
    put_le(c + CC_GFSELECT, s->gfselect, 4);
    put_le(c + CC_GF, s->gfselect < 2 ? vd->guest_features >> (32 * s->gfselect) : 0, 4);
    put_le(c + CC_MSIX, s->msix.config_vector, 2);
    put_le(c + CC_NUMQ, (uint64_t)vd->ops->num_queues, 2);
    c[CC_STATUS] = vd->status;
    c[CC_CFGGEN] = (uint8_t)vd->config_generation;
    put_le(c + CC_Q_SELECT, s->queue_sel, 2);
    put_le(c + CC_Q_MSIX, VIRTIO_MSI_NO_VECTOR, 2);
    if (vq) {
        put_le(c + CC_Q_MSIX, s->msix.queue_vector[s->queue_sel], 2);
        put_le(c + CC_Q_SIZE, vq->num, 2);
        put_le(c + CC_Q_ENABLE, vq->ready, 2);
        put_le(c + CC_Q_NOFF, s->queue_sel, 2);
        put_le(c + CC_Q_DESC, vq->desc, 8);
        put_le(c + CC_Q_AVAIL, vq->avail, 8);
        put_le(c + CC_Q_USED, vq->used, 8);
    }
}

static void vpm_set_half(uint64_t *field, uint64_t off, uint64_t base, uint32_t v)
{
    if (off == base)
        *field = (*field & ~0xffffffffull) | v;
    else
        *field = (*field & 0xffffffffull) | (uint64_t)v << 32;
}

static void vpm_status_write(struct virtio_pci_modern *s, uint8_t v)
{
    struct virtio_device *vd = s->vdev;

    if (v == 0) {
        vpm_reset_device(s);
        return;
    }
    /* 3.1.1: FEATURES_OK only sticks if we accept the features: a modern device needs VERSION_1. */
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(vd->status & VIRTIO_STATUS_FEATURES_OK)) {
        if (!(vd->guest_features & (1ull << VIRTIO_F_VERSION_1)))
            v &= ~VIRTIO_STATUS_FEATURES_OK;
        else if (vd->ops->set_features)
            vd->ops->set_features(vd, vd->guest_features);
    }
    vd->status = v | (vd->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void vpm_common_write(struct virtio_pci_modern *s, uint64_t off, uint32_t v, unsigned size)
{
    struct virtio_device *vd = s->vdev;
    struct virtqueue *vq = vpm_queue(s);

    switch (off) {
    case CC_DFSELECT:
        s->dfselect = v;
        return;
    case CC_GFSELECT:
        s->gfselect = v;
        return;
    case CC_GF:
        if (s->gfselect > 1 || (vd->status & VIRTIO_STATUS_FEATURES_OK))
            return;
        vpm_set_half(&vd->guest_features, s->gfselect ? 1 : 0, 0, v);
        vd->guest_features &= vpm_features(s); /* only what was offered */
        return;
    case CC_MSIX:
        if (size != 2)
            break;
        s->msix.config_vector = virtio_pci_msix_vector(&s->msix, v);
        return;
    case CC_Q_MSIX:
        if (size != 2)
            break;
        if (vq) /* a queue the device does not have keeps reading NO_VECTOR */
            s->msix.queue_vector[s->queue_sel] = virtio_pci_msix_vector(&s->msix, v);
        return;
    case CC_STATUS:
        vpm_status_write(s, (uint8_t)v);
        return;
    case CC_Q_SELECT:
        s->queue_sel = (uint16_t)v;
        return;
    case CC_Q_SIZE:
        /* Split rings need a power of two no larger than offered (2.7). */
        if (vq && v && v <= vd->ops->queue_max && !(v & (v - 1)) && !vq->ready)
            vq->num = (uint16_t)v;
        return;
    case CC_Q_ENABLE:
        if (vq && v == 1 && vq->num) /* 4.1.4.3.2: the driver never writes 0 */
            vq->ready = true;
        return;
    case CC_Q_DESC:
    case CC_Q_DESC + 4:
    case CC_Q_AVAIL:
    case CC_Q_AVAIL + 4:
    case CC_Q_USED:
    case CC_Q_USED + 4:
        if (!vq || vq->ready || size != 4)
            break;
        if (off < CC_Q_AVAIL)
            vpm_set_half(&vq->desc, off, CC_Q_DESC, v);
        else if (off < CC_Q_USED)
            vpm_set_half(&vq->avail, off, CC_Q_AVAIL, v);
        else
            vpm_set_half(&vq->used, off, CC_Q_USED, v);
        return;
    default:
        break;
    }
    log_guest_error("virtio-pci-modern: %u-byte write of 0x%x at common +0x%llx ignored", size, v,
                    (unsigned long long)off);
}

/* A BAR read; through the configuration window (isr_clears false) the ISR keeps its bits. */
static uint64_t vpm_bar_read(struct virtio_pci_modern *s, uint64_t off, unsigned size,
                             bool isr_clears)
{
    struct virtio_device *vd = s->vdev;
    uint8_t c[CC_SIZE];
    uint64_t v = 0;

    if (off < VPM_COMMON + CC_SIZE) {
        vpm_common_image(s, c);
        for (unsigned i = 0; i < size && off + i < CC_SIZE; i++)
            v |= (uint64_t)c[off + i] << (8 * i);
        return v;
    }
    if (off == VPM_ISR) {
        v = vd->isr;
        if (isr_clears) {
            vd->isr = 0;
            vpm_update_irq(s);
        }
        return v;
    }
    if (off >= VPM_DEVICE && off < VPM_DEVICE + 0x1000) {
        uint64_t c2 = off - VPM_DEVICE;
        if (c2 + size > vd->ops->config_size || !vd->ops->config_read || size > 4)
            return (1ull << (8 * size)) - 1;
        return vd->ops->config_read(vd, (uint32_t)c2, size);
    }
    return 0;
}

static void vpm_bar_write(struct virtio_pci_modern *s, uint64_t off, uint64_t v, unsigned size)
{
    struct virtio_device *vd = s->vdev;

    if (off < VPM_COMMON + CC_SIZE) {
        vpm_common_write(s, off, (uint32_t)v, size);
    } else if (off >= VPM_DEVICE && off < VPM_DEVICE + 0x1000) {
        uint64_t c = off - VPM_DEVICE;
        if (c + size <= vd->ops->config_size && vd->ops->config_write && size <= 4)
            vd->ops->config_write(vd, (uint32_t)c, (uint32_t)v, size);
    } else if (off >= VPM_NOTIFY && off < VPM_NOTIFY + 0x1000) {
        /* 4.1.4.4: queue q notifies at q * multiplier (queue_notify_off is q). */
        uint64_t q = (off - VPM_NOTIFY) / VPM_NOTIFY_MULT;
        if (q < (uint64_t)vd->ops->num_queues && vd->vq[q].ready && vd->ops->queue_notify &&
            !(vd->status & VIRTIO_STATUS_NEEDS_RESET) && (vd->status & VIRTIO_STATUS_DRIVER_OK))
            vd->ops->queue_notify(vd, (int)q);
    } else {
        log_guest_error("virtio-pci-modern: %u-byte write at BAR +0x%llx ignored", size,
                        (unsigned long long)off);
    }
}

static uint64_t vpm_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    return vpm_bar_read(opaque, off, size, true);
}

static void vpm_mmio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    vpm_bar_write(opaque, off, v, size);
}

static const struct mem_region_ops vpm_ops = {
    .read = vpm_mmio_read, .write = vpm_mmio_write, .min_access = 1, .max_access = 4};

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * 4.1.4.9: the configuration access window. A write of pci_cfg_data is a
 * BAR write of `length` bytes at `offset`; a read of it must give the BAR's
 * data, so the data bytes are refreshed whenever the window moves (our
 * configuration space has no read hook). Only BAR 4 and widths 1/2/4.
 */
static void vpm_config_written(struct pci_function *f, unsigned off, unsigned size)
{
    struct virtio_pci_modern *s = f->opaque;
    uint8_t *c = f->config;
    uint32_t at = rd32(c + PCI_CFG_OFFSET), len = rd32(c + PCI_CFG_LENGTH);
    bool ok = c[PCI_CFG_BAR] == VPM_BAR && (len == 1 || len == 2 || len == 4) &&
              at < VPM_BAR_SIZE && at % len == 0;

    if (off + size <= PCI_CFG_BAR || off >= PCI_CFG_DATA + 4)
        return;
    if (off >= PCI_CFG_DATA) {
        if (ok)
            vpm_bar_write(s, at, rd32(c + PCI_CFG_DATA) & (len == 4 ? ~0u : (1u << 8 * len) - 1),
                          len);
        return;
    }
    put_le(c + PCI_CFG_DATA, ok ? vpm_bar_read(s, at, len, false) : 0, 4);
}

static uint32_t vpm_class(uint32_t device_id)
{
    switch (device_id) {
    case VIRTIO_ID_BLOCK:
        return 0x010000;
    case VIRTIO_ID_NET:
        return 0x020000;
    case VIRTIO_ID_CONSOLE:
        return 0x078000;
    default:
        return 0x00ff00;
    }
}

/* One vendor capability (4.1.4): cfg_type, its window in BAR 4, and the next pointer. */
static void vpm_cap(uint8_t *c, unsigned at, unsigned next, unsigned len, uint8_t type,
                    uint32_t offset, uint32_t length)
{
    c[at] = 0x09; /* vendor-specific */
    c[at + 1] = (uint8_t)next;
    c[at + 2] = (uint8_t)len;
    c[at + 3] = type;
    c[at + 4] = type == CAP_PCI_CFG ? 0 : VPM_BAR;
    put_le(c + at + 8, offset, 4);
    put_le(c + at + 12, length, 4);
}

static void vpm_reset(struct device *dev)
{
    struct virtio_pci_modern *s = (struct virtio_pci_modern *)dev;

    vpm_reset_device(s);
    pci_function_reset(&s->fn);
}

static int vpm_realize(struct device *dev)
{
    struct virtio_pci_modern *s = (struct virtio_pci_modern *)dev;
    const struct virtio_device_ops *ops = s->vdev ? s->vdev->ops : NULL;

    if (!ops || !s->bus || ops->num_queues < 1 || ops->num_queues > VIRTIO_MAX_QUEUES ||
        !ops->queue_max || ops->config_size > 0x1000) {
        error_report("virtio-pci-modern: needs a valid backend and a bus");
        return -EINVAL;
    }
    pci_function_init(&s->fn, 0x1af4, (uint16_t)(0x1040 + ops->device_id),
                      vpm_class(ops->device_id), 1, 0x1af4, 0x1100);
    uint8_t *c = s->fn.config;
    c[PCI_INTERRUPT_PIN] = 1;
    c[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    /* Each new capability goes to the head of the list, as QEMU's pci_add_capability. */
    c[PCI_CAPABILITY_LIST] = CAP_PCI_CFG_AT;
    vpm_cap(c, 0x40, 0, 16, CAP_COMMON, VPM_COMMON, 0x1000);
    vpm_cap(c, 0x50, 0x40, 16, CAP_ISR, VPM_ISR, 0x1000);
    vpm_cap(c, 0x60, 0x50, 16, CAP_DEVICE, VPM_DEVICE, 0x1000);
    vpm_cap(c, 0x70, 0x60, 20, CAP_NOTIFY, VPM_NOTIFY, 0x1000);
    put_le(c + 0x70 + 16, VPM_NOTIFY_MULT, 4);
    vpm_cap(c, CAP_PCI_CFG_AT, 0x70, 20, CAP_PCI_CFG, 0, 0);
    memset(s->fn.wmask + PCI_CFG_BAR, 0xff, 1);
    memset(s->fn.wmask + PCI_CFG_OFFSET, 0xff, 12);
    s->fn.config_written = vpm_config_written;
    s->fn.opaque = s;
    mem_region_init_io(&s->bar, "virtio-pci-modern", &vpm_ops, s, VPM_BAR_SIZE);
    /* 64-bit prefetchable, as QEMU's (SeaBIOS still places it below 4 GiB). */
    pci_function_set_bar64(&s->fn, VPM_BAR, VPM_BAR_SIZE, true, &s->bar);
    if (virtio_pci_msix_realize(&s->msix, &s->fn, s->vdev, VPM_MSIX_CAP, "virtio-pci-modern") < 0)
        return -EINVAL;
    s->vdev->transport.update_irq = vpm_update_irq;
    s->vdev->transport.notify = vpm_notify;
    s->vdev->transport.opaque = s;
    int ret = pci_bus_attach(s->bus, &s->fn, (uint8_t)s->addr);
    if (ret < 0) {
        error_report("virtio-pci-modern: PCI address %02x.%x is taken", s->addr >> 3, s->addr & 7);
        return ret;
    }
    vpm_reset_device(s);
    return 0;
}

static int vpm_post_load(void *opaque, int version_id)
{
    struct virtio_pci_modern *s = opaque;

    (void)version_id;
    if (virtio_pci_msix_post_load(&s->msix) < 0)
        return -EINVAL;
    pci_function_post_load(&s->fn);
    return 0;
}

static bool vpm_msix_needed(void *opaque)
{
    return ((struct virtio_pci_modern *)opaque)->fn.msix.nvectors != 0;
}

static const struct vmstate_field vpm_fields[] = {
    {.name = "config",
     .type = VMS_BUFFER,
     .offset = offsetof(struct virtio_pci_modern, fn.config),
     .size = 256},
    {.name = "dfselect", .type = VMS_U32, .offset = offsetof(struct virtio_pci_modern, dfselect)},
    {.name = "gfselect", .type = VMS_U32, .offset = offsetof(struct virtio_pci_modern, gfselect)},
    {.name = "queue_sel", .type = VMS_U16, .offset = offsetof(struct virtio_pci_modern, queue_sel)},
    {.type = VMS_END},
};
/* The MSI-X table, pending bits and vector assignments, sent when the device has MSI-X. */
static const struct vmstate_field vpm_msix_fields[] = {
    {.name = "table",
     .type = VMS_BUFFER,
     .offset = offsetof(struct virtio_pci_modern, fn.msix.table),
     .size = sizeof(((struct pci_msix *)0)->table)},
    {.name = "pba",
     .type = VMS_BUFFER,
     .offset = offsetof(struct virtio_pci_modern, fn.msix.pba),
     .size = sizeof(((struct pci_msix *)0)->pba)},
    {.name = "vectors",
     .type = VMS_STRUCT,
     .offset = offsetof(struct virtio_pci_modern, msix),
     .size = sizeof(struct virtio_pci_msix),
     .sub = &virtio_pci_msix_vmstate},
    {.type = VMS_END},
};
static const struct vmstate_desc vpm_msix_vmstate = {.name = "virtio-pci-modern/msix",
                                                     .version_id = 1,
                                                     .minimum_version_id = 1,
                                                     .fields = vpm_msix_fields,
                                                     .needed = vpm_msix_needed};
static const struct vmstate_desc *const vpm_subsections[] = {&vpm_msix_vmstate, NULL};
static const struct vmstate_desc vpm_vmstate = {.name = "virtio-pci-modern",
                                                .version_id = 1,
                                                .minimum_version_id = 1,
                                                .fields = vpm_fields,
                                                .subsections = vpm_subsections,
                                                .post_load = vpm_post_load};

static const struct device_prop vpm_props[] = {
    {"backend", PROP_LINK, offsetof(struct virtio_pci_modern, vdev), 0, NULL},
    {"bus", PROP_LINK, offsetof(struct virtio_pci_modern, bus), 0, NULL},
    {"addr", PROP_U32, offsetof(struct virtio_pci_modern, addr), 0, NULL},
    {"vectors", PROP_U32, offsetof(struct virtio_pci_modern, msix.nvectors),
     VIRTIO_PCI_VECTORS_UNSET, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type virtio_pci_modern_type = {
    .name = "virtio-pci-modern",
    .desc = "modern (virtio 1.x) virtio PCI transport",
    .state_size = sizeof(struct virtio_pci_modern),
    .props = vpm_props,
    .realize = vpm_realize,
    .reset = vpm_reset,
    .vmsd = &vpm_vmstate,
};

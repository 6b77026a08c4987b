/*
 * virtio-pci.c - legacy virtio over PCI. Register block in I/O BAR 0:
 * host features, guest features, queue PFN (4 KiB pages, rings laid out
 * with 4 KiB alignment), queue size (fixed by the device: legacy drivers
 * cannot choose), queue select, notify, status, ISR (read clears), with
 * MSI-X on the configuration and queue vectors, then the device's config
 * space.
 */
#include "hw/virtio/virtio-pci.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

enum {
    VPCI_HOST_FEATURES = 0,
    VPCI_GUEST_FEATURES = 4,
    VPCI_QUEUE_PFN = 8,
    VPCI_QUEUE_NUM = 12,
    VPCI_QUEUE_SEL = 14,
    VPCI_QUEUE_NOTIFY = 16,
    VPCI_STATUS = 18,
    VPCI_ISR = 19,
    VPCI_MSI_CONFIG_VECTOR = 20, /* while MSI-X is on */
    VPCI_MSI_QUEUE_VECTOR = 22,
    VPCI_CONFIG = 20,
    VPCI_CONFIG_MSIX = 24,
};
#define VPCI_MSIX_CAP 0x40 /* QEMU's: the first free byte */
#define VPCI_ALIGN 4096u
#define VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VIRTIO_F_ANY_LAYOUT 27

static uint32_t vpci_features(struct virtio_pci *s)
{
    struct virtio_device *vd = s->vdev;
    uint64_t f = vd->ops->get_features ? vd->ops->get_features(vd) : 0;

    /* A legacy device offers only the low 32 bits, plus what QEMU's legacy transport adds. */
    return (uint32_t)f | 1u << VIRTIO_F_NOTIFY_ON_EMPTY | 1u << VIRTIO_F_ANY_LAYOUT;
}

static void vpci_update_irq(void *opaque)
{
    struct virtio_pci *s = opaque;

    virtio_pci_msix_update_irq(&s->fn, s->vdev);
}

static void vpci_notify(void *opaque, int q)
{
    struct virtio_pci *s = opaque;

    virtio_pci_msix_notify(&s->msix, &s->fn, s->vdev, q);
}

/* Where the device's configuration starts now. */
static uint64_t vpci_config_off(struct virtio_pci *s)
{
    return pci_msix_enabled(&s->fn) ? VPCI_CONFIG_MSIX : VPCI_CONFIG;
}

static void vpci_set_pfn(struct virtio_pci *s, uint32_t pfn)
{
    struct virtqueue *vq = &s->vdev->vq[s->queue_sel];

    s->queue_pfn[s->queue_sel] = pfn;
    if (!pfn) {
        vq->ready = false;
        vq->desc = vq->avail = vq->used = 0;
        return;
    }
    vq->num = s->vdev->ops->queue_max;
    vq->desc = (uint64_t)pfn * VPCI_ALIGN;
    vq->avail = vq->desc + 16ull * vq->num;
    vq->used = (vq->avail + 6 + 2ull * vq->num + VPCI_ALIGN - 1) & ~(uint64_t)(VPCI_ALIGN - 1);
    vq->ready = true;
}

static void vpci_reset_device(struct virtio_pci *s)
{
    virtio_device_reset(s->vdev);
    if (s->vdev->ops->reset)
        s->vdev->ops->reset(s->vdev);
    s->queue_sel = 0;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
        s->queue_pfn[i] = 0;
    virtio_pci_msix_reset(&s->msix, &s->fn);
    pci_set_irq(&s->fn, 0);
}

static bool vpci_queue_ok(struct virtio_pci *s)
{
    return s->queue_sel < s->vdev->ops->num_queues;
}

static uint64_t vpci_read(void *opaque, uint64_t off, unsigned size)
{
    struct virtio_pci *s = opaque;
    struct virtio_device *vd = s->vdev;
    uint32_t v;

    if (off >= vpci_config_off(s)) {
        uint64_t c = off - vpci_config_off(s);
        if (c + size > vd->ops->config_size || !vd->ops->config_read)
            return (1ull << (8 * size)) - 1;
        return vd->ops->config_read(vd, (uint32_t)c, size);
    }
    switch (off) {
    case VPCI_MSI_CONFIG_VECTOR:
        return s->msix.config_vector;
    case VPCI_MSI_QUEUE_VECTOR:
        return virtio_pci_msix_queue_vector(&s->msix, s->queue_sel);
    case VPCI_HOST_FEATURES:
        return vpci_features(s);
    case VPCI_GUEST_FEATURES:
        return (uint32_t)vd->guest_features;
    case VPCI_QUEUE_PFN:
        return vpci_queue_ok(s) ? s->queue_pfn[s->queue_sel] : 0;
    case VPCI_QUEUE_NUM:
        return vpci_queue_ok(s) ? vd->ops->queue_max : 0;
    case VPCI_QUEUE_SEL:
        return s->queue_sel;
    case VPCI_STATUS:
        return vd->status;
    case VPCI_ISR:
        v = vd->isr;
        vd->isr = 0;
        vpci_update_irq(s);
        return v;
    default:
        return 0;
    }
}

static void vpci_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct virtio_pci *s = opaque;
    struct virtio_device *vd = s->vdev;

    if (off >= vpci_config_off(s)) {
        uint64_t c = off - vpci_config_off(s);
        if (c + size <= vd->ops->config_size && vd->ops->config_write)
            vd->ops->config_write(vd, (uint32_t)c, (uint32_t)v, size);
        return;
    }
    switch (off) {
    case VPCI_MSI_CONFIG_VECTOR:
        if (size == 2)
            s->msix.config_vector = virtio_pci_msix_vector(&s->msix, (uint32_t)v);
        break;
    case VPCI_MSI_QUEUE_VECTOR:
        if (size == 2 && vpci_queue_ok(s))
            s->msix.queue_vector[s->queue_sel] = virtio_pci_msix_vector(&s->msix, (uint32_t)v);
        break;
    case VPCI_GUEST_FEATURES:
        vd->guest_features = (uint32_t)v & vpci_features(s);
        if (vd->ops->set_features)
            vd->ops->set_features(vd, vd->guest_features); /* legacy has no FEATURES_OK */
        break;
    case VPCI_QUEUE_PFN:
        if (vpci_queue_ok(s))
            vpci_set_pfn(s, (uint32_t)v);
        break;
    case VPCI_QUEUE_SEL:
        s->queue_sel = (uint16_t)v;
        break;
    case VPCI_QUEUE_NOTIFY:
        if (v < (uint64_t)vd->ops->num_queues && vd->vq[v].ready && vd->ops->queue_notify &&
            !(vd->status & VIRTIO_STATUS_NEEDS_RESET))
            vd->ops->queue_notify(vd, (int)v);
        break;
    case VPCI_STATUS:
        if ((v & 0xff) == 0)
            vpci_reset_device(s);
        else
            vd->status = (uint8_t)v;
        break;
    default:
        log_guest_error("virtio-pci: %u-byte write at +%llu ignored", size,
                        (unsigned long long)off);
        break;
    }
}

static const struct mem_region_ops vpci_ops = {
    .read = vpci_read, .write = vpci_write, .min_access = 1, .max_access = 4};

/*
 * The transitional PCI device ID (virtio spec 1.2, 4.1.2.1: a table, not
 * 0x1000 + type - 1 past block): what lspci names and QEMU gives.
 */
static uint16_t vpci_device_id(uint32_t type)
{
    switch (type) {
    case VIRTIO_ID_NET:
        return 0x1000;
    case VIRTIO_ID_BLOCK:
        return 0x1001;
    case VIRTIO_ID_CONSOLE:
        return 0x1003;
    case VIRTIO_ID_RNG:
        return 0x1005;
    default:
        return (uint16_t)(0x1000 + type - 1);
    }
}

static uint32_t vpci_class(uint32_t device_id)
{
    switch (device_id) {
    case VIRTIO_ID_BLOCK:
        return 0x010000; /* mass storage, SCSI: QEMU's choice */
    case VIRTIO_ID_NET:
        return 0x020000;
    case VIRTIO_ID_CONSOLE:
        return 0x078000;
    default:
        return 0x00ff00;
    }
}

static void vpci_reset(struct device *dev)
{
    struct virtio_pci *s = (struct virtio_pci *)dev;

    vpci_reset_device(s);
    pci_function_reset(&s->fn);
}

static int vpci_realize(struct device *dev)
{
    struct virtio_pci *s = (struct virtio_pci *)dev;
    const struct virtio_device_ops *ops = s->vdev ? s->vdev->ops : NULL;

    if (!ops || !s->bus || ops->num_queues < 1 || ops->num_queues > VIRTIO_MAX_QUEUES ||
        !ops->queue_max || ops->config_size > 256 - VPCI_CONFIG_MSIX) {
        error_report("virtio-pci: needs a valid backend and a bus");
        return -EINVAL;
    }
    pci_function_init(&s->fn, 0x1af4, vpci_device_id(ops->device_id), vpci_class(ops->device_id), 0,
                      0x1af4, (uint16_t)ops->device_id);
    s->fn.config[PCI_INTERRUPT_PIN] = 1;
    if (virtio_pci_msix_realize(&s->msix, &s->fn, s->vdev, VPCI_MSIX_CAP, "virtio-pci") < 0)
        return -EINVAL;
    /* Room for the vector registers whenever the function has MSI-X, as QEMU sizes it. */
    uint64_t bar = 32;
    while (bar < (s->msix.nvectors ? VPCI_CONFIG_MSIX : VPCI_CONFIG) + ops->config_size)
        bar <<= 1;
    mem_region_init_io(&s->bar0, "virtio-pci", &vpci_ops, s, bar);
    pci_function_set_bar(&s->fn, 0, bar, true, &s->bar0);
    s->vdev->transport.update_irq = vpci_update_irq;
    s->vdev->transport.notify = vpci_notify;
    s->vdev->transport.opaque = s;
    int ret = pci_bus_attach(s->bus, &s->fn, (uint8_t)s->addr);
    if (ret < 0) {
        error_report("virtio-pci: PCI address %02x.%x is taken", s->addr >> 3, s->addr & 7);
        return ret;
    }
    vpci_reset_device(s);
    return 0;
}

static int vpci_post_load(void *opaque, int version_id)
{
    struct virtio_pci *s = opaque;

    (void)version_id;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        if (s->queue_pfn[i] >= (1u << 20)) /* 4 GiB of 4 KiB pages: a hostile stream */
            return -EINVAL;
    }
    if (virtio_pci_msix_post_load(&s->msix) < 0)
        return -EINVAL;
    pci_function_post_load(&s->fn);
    return 0;
}

static bool vpci_msix_needed(void *opaque)
{
    return ((struct virtio_pci *)opaque)->fn.msix.nvectors != 0;
}

static const struct vmstate_field vpci_fields[] = {
    {.name = "config",
     .type = VMS_BUFFER,
     .offset = offsetof(struct virtio_pci, fn.config),
     .size = 256},
    {.name = "queue_sel", .type = VMS_U16, .offset = offsetof(struct virtio_pci, queue_sel)},
    {.name = "queue_pfn",
     .type = VMS_U32,
     .offset = offsetof(struct virtio_pci, queue_pfn),
     .count = VIRTIO_MAX_QUEUES},
    {.type = VMS_END},
};
/* The MSI-X table, pending bits and vector assignments, sent when the device has MSI-X. */
static const struct vmstate_field vpci_msix_fields[] = {
    {.name = "table",
     .type = VMS_BUFFER,
     .offset = offsetof(struct virtio_pci, fn.msix.table),
     .size = sizeof(((struct pci_msix *)0)->table)},
    {.name = "pba",
     .type = VMS_BUFFER,
     .offset = offsetof(struct virtio_pci, fn.msix.pba),
     .size = sizeof(((struct pci_msix *)0)->pba)},
    {.name = "vectors",
     .type = VMS_STRUCT,
     .offset = offsetof(struct virtio_pci, msix),
     .size = sizeof(struct virtio_pci_msix),
     .sub = &virtio_pci_msix_vmstate},
    {.type = VMS_END},
};
static const struct vmstate_desc vpci_msix_vmstate = {.name = "virtio-pci/msix",
                                                      .version_id = 1,
                                                      .minimum_version_id = 1,
                                                      .fields = vpci_msix_fields,
                                                      .needed = vpci_msix_needed};
static const struct vmstate_desc *const vpci_subsections[] = {&vpci_msix_vmstate, NULL};
static const struct vmstate_desc vpci_vmstate = {.name = "virtio-pci",
                                                 .version_id = 1,
                                                 .minimum_version_id = 1,
                                                 .fields = vpci_fields,
                                                 .subsections = vpci_subsections,
                                                 .post_load = vpci_post_load};

static const struct device_prop vpci_props[] = {
    {"backend", PROP_LINK, offsetof(struct virtio_pci, vdev), 0, NULL},
    {"bus", PROP_LINK, offsetof(struct virtio_pci, bus), 0, NULL},
    {"addr", PROP_U32, offsetof(struct virtio_pci, addr), 0, NULL},
    {"vectors", PROP_U32, offsetof(struct virtio_pci, msix.nvectors), VIRTIO_PCI_VECTORS_UNSET,
     NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type virtio_pci_type = {
    .name = "virtio-pci",
    .desc = "legacy virtio PCI transport",
    .state_size = sizeof(struct virtio_pci),
    .props = vpci_props,
    .realize = vpci_realize,
    .reset = vpci_reset,
    .vmsd = &vpci_vmstate,
};

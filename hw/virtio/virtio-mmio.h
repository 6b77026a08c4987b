/*
 * virtio-mmio.h - the virtio MMIO transport (one 0x200-byte register window
 * and one interrupt line per device), as QEMU's virt board has eight of.
 *
 * Properties: "irq" (link to the interrupt line), "backend" (link to a
 * struct virtio_device; none: an empty slot reading device ID 0, as QEMU's
 * unused slots do), "force-legacy" (on by default as in QEMU 7.2: register
 * layout version 1, the legacy QueuePFN interface; off: version 2, virtio
 * 1.x with VIRTIO_F_VERSION_1).
 */
#ifndef HW_VIRTIO_VIRTIO_MMIO_H
#define HW_VIRTIO_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"
#include "hw/virtio/virtio.h"

#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x554d4551 /* "QEMU", what QEMU's transport reports */

struct irq_line;

struct virtio_mmio {
    struct device dev;
    struct irq_line *irq;
    struct virtio_device *vdev;
    bool force_legacy;
    struct mem_region mmio;

    /* transport registers (the device's own state lives in vdev) */
    uint32_t host_features_sel, guest_features_sel;
    uint32_t guest_page_size; /* legacy */
    uint32_t queue_sel;
    uint32_t queue_align[VIRTIO_MAX_QUEUES]; /* legacy */
    uint32_t queue_pfn[VIRTIO_MAX_QUEUES];   /* legacy */
};

extern const struct device_type virtio_mmio_type;

static inline struct mem_region *virtio_mmio_region(struct device *dev)
{
    return &((struct virtio_mmio *)dev)->mmio;
}

#endif

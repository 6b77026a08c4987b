/*
 * virtio.h - virtio devices, independent of their transport.
 *
 * A device model (virtio-blk later) provides a struct virtio_device_ops and
 * embeds a struct virtio_device; a transport (virtio-mmio now) owns the
 * guest-visible registers, fills in the queues' guest addresses, and calls
 * the ops. The model walks its queues with virtqueue_pop()/virtqueue_push()
 * and tells the guest with virtio_notify(). Everything read from the guest
 * (ring indices, descriptor chains, lengths) is treated as hostile:
 * malformed rings mark the device broken (VIRTIO_STATUS_NEEDS_RESET), they
 * never crash or hang the emulator.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu-core/memory.h"

#define VIRTIO_MAX_QUEUES 8
#define VIRTIO_QUEUE_MAX_SIZE 1024
/* Descriptors per element, at most (a chain longer than the ring is malformed anyway). */
#define VIRTQUEUE_MAX_SEGS 128

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Transport-independent feature bits. */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* Interrupt status bits (ISR). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* Device IDs (the virtio spec's numbering). */
#define VIRTIO_ID_NONE 0
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

struct virtio_device;

struct virtio_device_ops {
    uint32_t device_id;
    int num_queues;        /* 1..VIRTIO_MAX_QUEUES */
    uint16_t queue_max;    /* ring size limit offered to the driver (power of two) */
    uint32_t config_size;  /* bytes of device-specific config space */
    /* Device-specific feature bits (the transport adds VIRTIO_F_VERSION_1 when modern). */
    uint64_t (*get_features)(struct virtio_device *vd);
    /* The driver's accepted features, at FEATURES_OK. May be NULL. */
    void (*set_features)(struct virtio_device *vd, uint64_t features);
    /* Config space access of 1, 2 or 4 bytes at off < config_size (little-endian). */
    uint32_t (*config_read)(struct virtio_device *vd, uint32_t off, unsigned size);
    void (*config_write)(struct virtio_device *vd, uint32_t off, uint32_t val, unsigned size);
    /* The driver kicked queue q (which is ready). */
    void (*queue_notify)(struct virtio_device *vd, int q);
    /* Back to the initial state (driver wrote status 0, or machine reset). May be NULL. */
    void (*reset)(struct virtio_device *vd);
};

struct virtqueue {
    uint16_t num; /* ring size the driver chose; 0 while unset */
    bool ready;
    uint64_t desc, avail, used; /* guest-physical addresses of the three parts */
    uint16_t last_avail_idx;    /* next avail entry the device will take */
    uint16_t used_idx;          /* next used entry the device will fill */
};

/*
 * The transport side: how a device raises its interrupt. update_irq: the
 * ISR changed (set or cleared). notify, if set, is called instead of
 * update_irq when a notification sets an ISR bit: for queue q, or q = -1
 * for a configuration change (transports with an interrupt per queue,
 * virtio-pci's MSI-X).
 */
struct virtio_transport {
    void (*update_irq)(void *opaque);
    void (*notify)(void *opaque, int q);
    void *opaque;
};

struct virtio_device {
    const struct virtio_device_ops *ops;
    struct address_space *as; /* where the rings and buffers live */
    struct virtio_transport transport;
    uint64_t guest_features;
    uint8_t status;
    uint32_t isr;
    uint32_t config_generation;
    struct virtqueue vq[VIRTIO_MAX_QUEUES];
};

/* One guest buffer segment: guest-physical address and length. */
struct virtio_seg {
    uint64_t addr;
    uint32_t len;
};

/* A descriptor chain taken from the avail ring: device-readable segments, then writable ones. */
struct virtqueue_elem {
    uint16_t head;
    unsigned n_out, n_in;
    struct virtio_seg out[VIRTQUEUE_MAX_SEGS];
    struct virtio_seg in[VIRTQUEUE_MAX_SEGS];
};

/* Reset status, features, ISR and every queue (the transport calls ops->reset too). */
void virtio_device_reset(struct virtio_device *vd);

/*
 * Take the next available chain of queue q into elem. Returns 1 on
 * success, 0 if the ring is empty (or the queue not ready), -EINVAL if the
 * ring is malformed (the device is then marked NEEDS_RESET and the config
 * change interrupt raised, as the spec allows).
 */
int virtqueue_pop(struct virtio_device *vd, int q, struct virtqueue_elem *elem);

/* Return elem to the used ring with len bytes written into its in segments. */
void virtqueue_push(struct virtio_device *vd, int q, const struct virtqueue_elem *elem,
                    uint32_t len);

/* Raise the queue interrupt unless the driver suppressed it (VIRTQ_AVAIL_F_NO_INTERRUPT). */
void virtio_notify(struct virtio_device *vd, int q);

/* Raise the configuration-change interrupt. */
void virtio_notify_config(struct virtio_device *vd);

/*
 * Copy len bytes between buf and the guest segments segs[0..n), starting at
 * byte skip of their concatenation; to_guest writes the segments. False if
 * the segments are too short or an address is unmapped (nothing is undone).
 */
bool virtio_seg_copy(struct virtio_device *vd, const struct virtio_seg *segs, unsigned n,
                     uint64_t skip, void *buf, uint64_t len, bool to_guest);
/* The bytes segs[0..n) hold together. */
uint64_t virtio_seg_total(const struct virtio_seg *segs, unsigned n);

/* State of a struct virtio_device (features, status, queues) for the model's own vmstate. */
extern const struct vmstate_desc virtio_device_vmstate;

#endif

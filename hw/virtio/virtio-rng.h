/*
 * virtio-rng.h - the virtio entropy device (virtio spec 1.2 section 5.4):
 * one queue, requestq, of device-writable buffers that the device fills
 * with entropy from an rng back end (emu-core/rng.h). QEMU's
 * "-device virtio-rng-pci|virtio-rng-device[,rng=ID][,max-bytes=N][,period=MS]".
 *
 * Properties: "rng" (string: an -object rng-* id; none: the platform's
 * source, as QEMU's implicit rng-builtin), "max-bytes" (bytes per period;
 * default INT64_MAX: no limit) and "period" (ms, default 65536), QEMU's
 * rate limit; "clock" (link: the virtual clock; the machine's when NULL).
 *
 * Differences from QEMU 7.2: a buffer with no writable bytes (the driver
 * broke the spec) is returned with used length 0 instead of stalling the
 * queue, and each buffer gets at most 64 KiB (the spec lets the device use
 * less than all of it).
 */
#ifndef HW_VIRTIO_VIRTIO_RNG_H
#define HW_VIRTIO_VIRTIO_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "hw/virtio/virtio.h"

#define VIRTIO_RNG_CHUNK 256
#define VIRTIO_RNG_ELEM_MAX 65536u /* bytes given per buffer, at most */

struct rng_backend;

struct virtio_rng {
    struct device dev;
    struct virtio_device vdev;
    char *rng_id;
    uint64_t max_bytes;
    uint32_t period_ms;
    struct vclock *clock;

    struct rng_backend *rng;
    uint64_t quota;            /* bytes left in the current period */
    struct timer period_timer; /* armed while a period runs (only when limited) */
    struct timer retry_timer;  /* the source was dry or failed: try again */
    bool src_failed_logged;
    bool held; /* elem is a buffer taken from the ring, not yet filled */
    struct virtqueue_elem *elem;
    uint8_t buf[VIRTIO_RNG_CHUNK];
};

extern const struct device_type virtio_rng_type;

/* The transport-facing part. */
struct virtio_device *virtio_rng_vdev(struct device *dev);

struct machine;
struct opts;

/*
 * A realized device for "-device virtio-rng-pci|virtio-rng-device[,rng=ID]
 * [,max-bytes=N][,period=MS][,id=N]" (o parsed from optstr; other keys are
 * refused). NULL after error_report(). The board plugs it into a transport.
 */
struct device *virtio_rng_from_opts(struct machine *m, const struct opts *o, const char *optstr);

#endif

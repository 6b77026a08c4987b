/*
 * virtio-blk.h - the virtio block device (virtio spec 5.2) on a block
 * layer node: read, write, flush, discard, write-zeroes, get-id and the
 * guest's write cache switch (VIRTIO_BLK_F_CONFIG_WCE).
 *
 * Properties: "drive" (link to the struct blk the board opened),
 * "serial" (string for GET_ID), "discard" (bool: pass guest discards to the
 * image, QEMU's discard=unmap; off ignores them as QEMU's default does).
 * The board plugs virtio_blk_vdev() into a transport's "backend".
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_H
#define HW_VIRTIO_VIRTIO_BLK_H

#include "emu-core/device.h"
#include "hw/virtio/virtio.h"

extern const struct device_type virtio_blk_type;

/* The transport-facing part of a realized or unrealized virtio-blk device. */
struct virtio_device *virtio_blk_vdev(struct device *dev);

struct machine;
struct opts;

/* Open m->cfg's -drive options (with -snapshot). 0 or -errno after error_report(). */
int virtio_blk_open_drives(struct machine *m);

/*
 * A realized virtio-blk device for "-device virtio-blk-device,drive=ID,..."
 * (o parsed from optstr); the drive must be if=none. NULL after error_report().
 */
struct device *virtio_blk_from_opts(struct machine *m, const struct opts *o, const char *optstr);

/*
 * A realized virtio-blk device on the next if=virtio drive not yet claimed;
 * NULL with *err = 0 when none is left, NULL with *err < 0 on failure
 * (reported).
 */
struct device *virtio_blk_next_drive(struct machine *m, int *err);

#endif

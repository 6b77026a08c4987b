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

/*
 * For a board with virtio transports: open m->cfg's -drive options (with
 * -snapshot), create a realized virtio-blk device for each -device
 * virtio-blk-device,drive=ID and then for each if=virtio drive, and put
 * them in slots[] from the last slot down, as QEMU's virt machine plugs
 * them. Any other -device is refused. 0 or -errno after error_report().
 */
int virtio_blk_create_all(struct machine *m, struct device **slots, int nslots);

#endif

/*
 * virtio-console.h - the virtio console device (virtio spec 1.2 section
 * 5.3) with one port and no VIRTIO_CONSOLE_F_MULTIPORT: receiveq0 (queue 0)
 * carries chardev input to the guest, transmitq0 (queue 1) its output; Linux
 * makes it hvc0. QEMU's "-device virtio-serial-pci -device
 * virtconsole,chardev=ID" pair maps onto it (the boards create the device
 * for the first and attach the chardev for the second).
 *
 * Property "chardev" (the back end; none: output is dropped, no input).
 */
#ifndef HW_VIRTIO_VIRTIO_CONSOLE_H
#define HW_VIRTIO_VIRTIO_CONSOLE_H

#include <stdbool.h>

#include "emu-core/chardev.h"
#include "emu-core/device.h"
#include "hw/virtio/virtio.h"

struct virtio_console {
    struct device dev;
    struct virtio_device vdev;
    struct chardev *chr;
    struct chardev_frontend fe;
    bool rx_held; /* rx_elem is a guest buffer taken but not filled */
    struct virtqueue_elem *rx_elem;
    uint8_t buf[512];
};

extern const struct device_type virtio_console_type;

struct virtio_device *virtio_console_vdev(struct device *dev);
/*
 * Attach chr as the port's back end after realize (virtconsole's chardev=).
 * 0, -EBUSY if one is attached already.
 */
int virtio_console_set_chardev(struct device *dev, struct chardev *chr);

struct machine;
struct opts;

/*
 * The boards' -device handling. virtio_console_from_opts: a realized
 * console for "virtio-serial-pci"/"virtio-serial-device" (keys driver, id).
 * virtio_console_attach_opts: "virtconsole,chardev=ID" on con, the last
 * such device (NULL: none yet). NULL or -errno after error_report().
 */
struct device *virtio_console_from_opts(struct machine *m, const struct opts *o,
                                        const char *optstr);
int virtio_console_attach_opts(struct device *con, const struct opts *o, const char *optstr);

#endif

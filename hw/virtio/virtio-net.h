/*
 * virtio-net.h - the virtio network device (virtio spec 1.2 section 5.1) on
 * a -netdev back end: one receive and one transmit queue, a MAC address and
 * the link status; no offloads, no control queue, no mergeable buffers.
 *
 * Properties: "netdev" (string: the -netdev id to claim), "mac" (string,
 * "52:54:00:12:34:56"; default QEMU's 52:54:00:12:34:56 plus the NIC's
 * index). The board plugs virtio_net_vdev() into a transport's "backend".
 */
#ifndef HW_VIRTIO_VIRTIO_NET_H
#define HW_VIRTIO_VIRTIO_NET_H

#include "emu-core/device.h"
#include "hw/virtio/virtio.h"

extern const struct device_type virtio_net_type;

/* The transport-facing part of a virtio-net device. */
struct virtio_device *virtio_net_vdev(struct device *dev);

struct machine;
struct opts;

/*
 * A realized virtio-net device for "-device DRIVER,netdev=ID[,mac=M][,id=N]"
 * (o parsed from optstr; any other property is refused). NULL after
 * error_report(). The board wraps it in its transport.
 */
struct device *virtio_net_from_opts(struct machine *m, const struct opts *o, const char *optstr);

/* Frames the device dropped: no receive buffer big enough, or malformed transmit chains. */
uint64_t virtio_net_dropped(struct device *dev);

#endif

/*
 * netdev.h - the appliance's Ethernet NIC drivers (e1000, e1000e, virtio-net)
 * as the network stack sees them: whole frames in, whole frames out, polled.
 *
 * Execution model (kernel.h): one CPU, the emulator's main loop polls the
 * network between vCPU slices, so drivers need no locks and no interrupt
 * handlers; an interrupt line may be used only to wake plat_wait()'s hlt.
 * Frames exclude the FCS; the NIC adds and strips it.
 */
#ifndef DRIVERS_NETDEV_H
#define DRIVERS_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MTU 1500
#define NETDEV_FRAME_MAX 1514 /* MTU + Ethernet header, no FCS, no VLAN tag */

struct netdev;

struct netdev_ops {
    /*
     * Queue one frame for sending (len <= NETDEV_FRAME_MAX; the driver pads
     * runts). The driver copies it. 0, -EAGAIN if the ring is full, -EIO.
     */
    int (*send)(struct netdev *nd, const void *frame, size_t len);
    /*
     * Copy the next received frame into buf (size >= NETDEV_FRAME_MAX) and
     * give its buffer back to the NIC. Returns the length, 0 if none is
     * waiting, or -errno. Frames with errors are dropped here, not returned.
     */
    int (*recv)(struct netdev *nd, void *buf, size_t size);
    /* Whether the link is up now (carrier). */
    bool (*link_up)(struct netdev *nd);
};

struct netdev {
    const struct netdev_ops *ops;
    const char *model; /* "e1000", "e1000e", "virtio-net" */
    uint8_t mac[6];
    uint8_t pci_bus, pci_dev, pci_fn;
    void *priv; /* the driver's state */
};

/*
 * Probe every PCI function the drivers know (pci_scan() first) and bring up
 * each NIC found: reset, rings, receive filter for its MAC, link. Returns the
 * number of NICs (0..max) stored in out[], or -errno if a NIC was found but
 * failed to start (with a line on the console naming it). Defined in
 * drivers/netdev.c, which calls each driver's probe below.
 */
int netdev_probe_all(struct netdev **out, int max);

/* Per-driver probes: 0 and *out if this PCI function is theirs and started;
 * -ENODEV if not theirs; other -errno on failure. */
struct pci_func;
int e1000_probe(const struct pci_func *f, struct netdev **out);
int virtio_net_probe(const struct pci_func *f, struct netdev **out);

#endif

/*
 * virtio-pci.h - the virtio PCI transport for the appliance's drivers,
 * polled, split virtqueues with one descriptor per buffer. Modern (virtio
 * 1.0 capabilities, memory BAR) when the device offers it, else legacy
 * (virtio 0.9.5, I/O BAR 0). Internal to drivers/.
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci.h"

#define VIRTQ_MAX 256 /* a larger queue is used in part (modern) or refused (legacy) */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct virtq {
    uint16_t index, size;
    volatile struct virtq_desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[size] */
    volatile uint32_t *used;  /* flags|idx, then {id, len} pairs */
    uint16_t last_used;
    uint16_t free[VIRTQ_MAX];
    uint16_t nfree;
    bool busy[VIRTQ_MAX]; /* with the device: a used id must be one of these */
    uint64_t notify;      /* modern: the doorbell's address */
};

struct virtio_pci {
    bool modern;
    uint16_t io;                               /* legacy: I/O BAR 0 */
    uint64_t common, isr, device, notify_base; /* modern: mapped structures */
    uint32_t notify_mult;
};

/* Find the interface, reset the device, set ACKNOWLEDGE|DRIVER. 0 or -errno. */
int virtio_pci_init(struct virtio_pci *vp, const struct pci_func *f);
/* Offer want (plus VERSION_1 on modern); returns what both sides have. */
uint64_t virtio_pci_negotiate(struct virtio_pci *vp, uint64_t want);
/* FEATURES_OK (modern): -ENOTSUP if the device refuses the set. */
int virtio_pci_features_ok(struct virtio_pci *vp);
/* Allocate and register queue index (size from the device, at most VIRTQ_MAX). */
int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *q, uint16_t index);
void virtio_pci_driver_ok(struct virtio_pci *vp);
/* Give up on the device (FAILED status); safe on a half-initialised one. */
void virtio_pci_fail(struct virtio_pci *vp);
void virtio_pci_notify(struct virtio_pci *vp, struct virtq *q);
uint8_t virtio_pci_config8(struct virtio_pci *vp, unsigned off);
uint16_t virtio_pci_config16(struct virtio_pci *vp, unsigned off);

/* A free descriptor id, or -1. */
int virtq_take_free(struct virtq *q);
/* Hand buffer id to the device (writable: the device fills it). */
void virtq_submit(struct virtq *q, int id, void *buf, uint32_t len, bool writable);
/* The next id the device is done with (and its written length), -1 if none; the id is freed
 * for a send queue (len NULL) and left to the caller to resubmit otherwise. */
int virtq_get_used(struct virtq *q, uint32_t *len);

#endif

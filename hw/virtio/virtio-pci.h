/*
 * virtio-pci.h - the legacy (virtio 0.9.5) PCI transport, as QEMU 7.2's
 * transitional devices present themselves to legacy drivers: vendor 1af4,
 * device 0x1000 + type - 1, the registers in I/O BAR 0, INTx on pin A.
 * SeaBIOS's virtio-blk driver and Linux's virtio_pci (legacy) drive it.
 *
 * Properties: "backend" (link: struct virtio_device), "bus" (link: struct
 * pci_bus), "addr" (devfn on the bus).
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

struct virtio_pci {
    struct device dev;
    struct virtio_device *vdev;
    struct pci_bus *bus;
    uint32_t addr;
    struct pci_function fn;
    struct mem_region bar0;
    uint16_t queue_sel;
    uint32_t queue_pfn[VIRTIO_MAX_QUEUES];
};

extern const struct device_type virtio_pci_type;

#endif

/*
 * virtio-pci.h - the legacy (virtio 0.9.5) PCI transport, as QEMU 7.2's
 * transitional devices present themselves to legacy drivers: vendor 1af4,
 * the transitional device IDs (0x1000 net, 0x1001 block, 0x1003 console,
 * 0x1005 rng), the registers in I/O BAR 0, INTx on pin A,
 * and MSI-X (virtio-pci-msix.h) with its capability at 0x40 and the table
 * in BAR 1, as QEMU's with disable-modern=on. While the driver has MSI-X
 * on, the configuration and queue vector registers sit at 20 and 22 and
 * the device's configuration moves from 20 to 24 (virtio spec 1.2,
 * 4.1.4.8). SeaBIOS's virtio-blk driver and Linux's virtio_pci (legacy)
 * drive it.
 *
 * Properties: "backend" (link: struct virtio_device), "bus" (link: struct
 * pci_bus), "addr" (devfn on the bus), "vectors" (MSI-X vectors, 0 for
 * none; unset: QEMU's default for the device).
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-pci-msix.h"
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
    struct virtio_pci_msix msix;
};

extern const struct device_type virtio_pci_type;

#endif

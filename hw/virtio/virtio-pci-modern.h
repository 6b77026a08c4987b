/*
 * virtio-pci-modern.h - the modern (virtio 1.x) PCI transport, as QEMU's
 * virtio-*-pci with disable-legacy=on (virtio spec 1.2 section 4.1):
 * vendor 1af4, device 0x1040 + type, revision 1, INTx on pin A, MSI-X
 * (virtio-pci-msix.h: capability at 0x98, table and PBA in BAR 1), and
 * vendor capabilities pointing into one 16 KiB 64-bit prefetchable memory
 * BAR 4 (BAR 5 its upper half): common
 * configuration at 0x0000, ISR at 0x1000, device configuration at 0x2000,
 * notifications at 0x3000 (4 bytes per queue). The PCI configuration
 * access capability (4.1.4.9) is there too: firmware running in real mode
 * (SeaBIOS's virtio-blk) reaches the BAR through it. The capabilities sit
 * where QEMU puts them and are listed in QEMU's order (the last added
 * first): MSI-X 0x98, PCI config 0x84, notify 0x70, device 0x60, ISR 0x50,
 * common 0x40.
 *
 * Properties: "backend" (link: struct virtio_device), "bus" (link: struct
 * pci_bus), "addr" (devfn on the bus), "vectors" (MSI-X vectors, 0 for
 * none; unset: QEMU's default for the device).
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_MODERN_H
#define HW_VIRTIO_VIRTIO_PCI_MODERN_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-pci-msix.h"
#include "hw/virtio/virtio.h"

struct virtio_pci_modern {
    struct device dev;
    struct virtio_device *vdev;
    struct pci_bus *bus;
    uint32_t addr;
    struct pci_function fn;
    struct mem_region bar;
    uint32_t dfselect, gfselect;
    uint16_t queue_sel;
    struct virtio_pci_msix msix;
};

extern const struct device_type virtio_pci_modern_type;

#endif

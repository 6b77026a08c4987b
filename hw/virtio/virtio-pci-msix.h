/*
 * virtio-pci-msix.h - MSI-X for the virtio PCI transports (legacy and
 * modern), as QEMU 7.2's virtio-pci: the vectors= property (0: no MSI-X;
 * unset: QEMU's default for the device: virtio-blk num_queues + 1,
 * virtio-net 2 per queue pair + 2, others 2), the capability and its 4 KiB
 * table/PBA BAR 1, the vector the driver chose for configuration changes
 * (msix_config) and for each queue (queue_msix_vector), and notifications
 * through them while the driver has MSI-X on; otherwise INTx from the ISR.
 *
 * virtio spec 1.2, 4.1.4.3 and 4.1.5.1.2: a vector register write outside
 * the table reads back VIRTIO_MSI_NO_VECTOR, which tells the driver it was
 * refused; a queue or configuration change with NO_VECTOR raises nothing.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_MSIX_H
#define HW_VIRTIO_VIRTIO_PCI_MSIX_H

#include <stdint.h>

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VIRTIO_PCI_MSIX_BAR 1
#define VIRTIO_PCI_VECTORS_UNSET UINT32_MAX /* the property's default */

struct virtio_pci_msix {
    uint32_t nvectors; /* vectors=; resolved at realize */
    uint16_t config_vector;
    uint16_t queue_vector[VIRTIO_MAX_QUEUES];
};

/*
 * At realize, after pci_function_init: resolve nvectors for vd, and unless
 * it is 0 put the capability at cap and the table in BAR 1. 0, or -EINVAL
 * after error_report() naming who (vectors= out of range).
 */
int virtio_pci_msix_realize(struct virtio_pci_msix *m, struct pci_function *f,
                            const struct virtio_device *vd, unsigned cap, const char *who);
/* Device reset (status 0 or machine reset): no vector assigned, nothing pending. */
void virtio_pci_msix_reset(struct virtio_pci_msix *m, struct pci_function *f);
/* A vector register's value after a driver writes v: v if the table has it, else NO_VECTOR. */
uint16_t virtio_pci_msix_vector(const struct virtio_pci_msix *m, uint32_t v);
/* Queue q's vector (NO_VECTOR for a queue the device does not have). */
uint16_t virtio_pci_msix_queue_vector(const struct virtio_pci_msix *m, uint32_t q);
/* ISR changed (virtio_transport.update_irq): INTx follows it unless MSI-X is on. */
void virtio_pci_msix_update_irq(struct pci_function *f, const struct virtio_device *vd);
/* Queue q (or -1: configuration) notified (virtio_transport.notify). */
void virtio_pci_msix_notify(struct virtio_pci_msix *m, struct pci_function *f,
                            const struct virtio_device *vd, int q);
/* After a load: vectors within the table, or -EINVAL (a hostile stream). */
int virtio_pci_msix_post_load(const struct virtio_pci_msix *m);

/* config_vector and queue_vector, for a VMS_STRUCT field in the transport's MSI-X subsection. */
extern const struct vmstate_desc virtio_pci_msix_vmstate;

#endif

/*
 * virtio-pci-msix.c - the MSI-X part shared by the legacy and modern
 * virtio PCI transports (see virtio-pci-msix.h).
 */
#include "hw/virtio/virtio-pci-msix.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

/* QEMU 7.2's vectors= when unset (hw/virtio/virtio-*-pci.c). */
static uint32_t virtio_pci_default_vectors(const struct virtio_device *vd)
{
    switch (vd->ops->device_id) {
    case VIRTIO_ID_BLOCK:
        return (uint32_t)vd->ops->num_queues + 1; /* a vector per queue and one for config */
    case VIRTIO_ID_NET: {
        int pairs = vd->ops->num_queues / 2;
        return 2u * (uint32_t)(pairs > 1 ? pairs : 1) + 2; /* + config + control queue */
    }
    default:
        return 2;
    }
}

int virtio_pci_msix_realize(struct virtio_pci_msix *m, struct pci_function *f,
                            const struct virtio_device *vd, unsigned cap, const char *who)
{
    if (m->nvectors == VIRTIO_PCI_VECTORS_UNSET)
        m->nvectors = virtio_pci_default_vectors(vd);
    if (m->nvectors > PCI_MSIX_MAX_VECTORS) {
        error_report("%s: vectors=%u: at most %u", who, m->nvectors, PCI_MSIX_MAX_VECTORS);
        return -EINVAL;
    }
    if (m->nvectors && pci_msix_init(f, cap, m->nvectors, VIRTIO_PCI_MSIX_BAR) < 0) {
        error_report("%s: cannot set up MSI-X", who);
        return -EINVAL;
    }
    virtio_pci_msix_reset(m, f);
    return 0;
}

void virtio_pci_msix_reset(struct virtio_pci_msix *m, struct pci_function *f)
{
    m->config_vector = VIRTIO_MSI_NO_VECTOR;
    for (int q = 0; q < VIRTIO_MAX_QUEUES; q++)
        m->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
    pci_msix_clear_pending(f);
}

uint16_t virtio_pci_msix_vector(const struct virtio_pci_msix *m, uint32_t v)
{
    return v < m->nvectors ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

uint16_t virtio_pci_msix_queue_vector(const struct virtio_pci_msix *m, uint32_t q)
{
    return q < VIRTIO_MAX_QUEUES ? m->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
}

void virtio_pci_msix_update_irq(struct pci_function *f, const struct virtio_device *vd)
{
    /* With MSI-X on, INTx stays low (it was dropped when MSI-X came on), as in QEMU. */
    if (!pci_msix_enabled(f))
        pci_set_irq(f, vd->isr != 0);
}

void virtio_pci_msix_notify(struct virtio_pci_msix *m, struct pci_function *f,
                            const struct virtio_device *vd, int q)
{
    uint16_t v;

    if (!pci_msix_enabled(f)) {
        pci_set_irq(f, vd->isr != 0);
        return;
    }
    v = q < 0 ? m->config_vector : virtio_pci_msix_queue_vector(m, (uint32_t)q);
    if (v != VIRTIO_MSI_NO_VECTOR)
        pci_msix_notify(f, v);
}

int virtio_pci_msix_post_load(const struct virtio_pci_msix *m)
{
    if (m->config_vector != VIRTIO_MSI_NO_VECTOR && m->config_vector >= m->nvectors)
        return -EINVAL;
    for (int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
        if (m->queue_vector[q] != VIRTIO_MSI_NO_VECTOR && m->queue_vector[q] >= m->nvectors)
            return -EINVAL;
    }
    return 0;
}

static const struct vmstate_field virtio_pci_msix_fields[] = {
    {.name = "config_vector",
     .type = VMS_U16,
     .offset = offsetof(struct virtio_pci_msix, config_vector)},
    {.name = "queue_vector",
     .type = VMS_U16,
     .offset = offsetof(struct virtio_pci_msix, queue_vector),
     .count = VIRTIO_MAX_QUEUES},
    {.type = VMS_END},
};
const struct vmstate_desc virtio_pci_msix_vmstate = {.name = "virtio-pci-msix-vectors",
                                                     .version_id = 1,
                                                     .minimum_version_id = 1,
                                                     .fields = virtio_pci_msix_fields};

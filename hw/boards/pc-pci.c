/*
 * pc-pci.c - PCI devices of the pc machine: -drive (if=virtio, the default
 * here; QEMU's pc would make if=ide) and -device virtio-blk-pci,drive=ID
 * become legacy virtio-blk PCI functions from slot 2 on, where QEMU
 * -nodefaults puts them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "hw/boards/pc.h"
#include "hw/pci/i440fx.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-pci.h"

#define PC_FIRST_SLOT 2
#define PC_LAST_SLOT 31

static int pc_plug_virtio_blk(struct pc_board *b, struct pci_bus *bus,
                              const struct blk_drive_info *d, const char *id, int *slot)
{
    struct machine *m = b->m;
    struct device *blk, *pci;
    char pid[64];
    int ret;

    while (*slot <= PC_LAST_SLOT && bus->fn[PCI_DEVFN(*slot, 0)])
        (*slot)++;
    if (*slot > PC_LAST_SLOT) {
        error_report("drive '%s': no free PCI slot left for it", d->id);
        return -ENOSPC;
    }
    blk = device_new(m, &virtio_blk_type, id ? id : d->id);
    snprintf(pid, sizeof(pid), "virtio-pci.%d", *slot);
    pci = device_new(m, &virtio_pci_type, pid);
    if (!blk || !pci)
        return -ENOMEM;
    device_prop_set_link(blk, "drive", d->blk);
    device_prop_set_u64(blk, "discard", d->discard);
    if (d->serial)
        device_prop_set_str(blk, "serial", d->serial);
    if ((ret = device_realize(blk)) < 0)
        return ret;
    device_prop_set_link(pci, "backend", virtio_blk_vdev(blk));
    device_prop_set_link(pci, "bus", bus);
    device_prop_set_u64(pci, "addr", PCI_DEVFN(*slot, 0));
    if ((ret = device_realize(pci)) < 0)
        return ret;
    (*slot)++;
    return 0;
}

int pc_create_pci_devices(struct pc_board *b)
{
    const struct emu_config *cfg = b->m->cfg;
    struct pci_bus *bus = i440fx_bus(b->pci, &b->m->sysmem, &b->m->iomem);
    const struct blk_drive_info *d;
    int slot = PC_FIRST_SLOT, ret;

    for (int i = 0; i < cfg->ndrives; i++) {
        if ((ret = blk_drive_add(cfg->drives[i], cfg->snapshot)) < 0)
            return ret;
    }
    for (int i = 0; i < cfg->ndevices; i++) {
        struct opts o = {0};
        char err[256];
        const char *drv, *drive;

        if (opts_parse(&o, cfg->devices[i], "driver", err, sizeof(err)) < 0) {
            error_report("-device %s: %s", cfg->devices[i], err);
            return -EINVAL;
        }
        drv = opts_get(&o, "driver");
        drive = opts_get(&o, "drive");
        if (!drv || strcmp(drv, "virtio-blk-pci")) {
            error_report("-device %s: the pc machine takes only virtio-blk-pci with -device so far",
                         cfg->devices[i]);
            ret = -ENOTSUP;
        } else if (!drive) {
            error_report("-device %s: drive= is required", cfg->devices[i]);
            ret = -EINVAL;
        } else if (!(d = blk_drive_claim(drive, BLK_IF_NONE))) {
            ret = -ENOENT;
        } else {
            ret = pc_plug_virtio_blk(b, bus, d, opts_get(&o, "id"), &slot);
        }
        opts_free(&o);
        if (ret < 0)
            return ret;
    }
    while ((d = blk_drive_claim(NULL, BLK_IF_VIRTIO))) {
        if ((ret = pc_plug_virtio_blk(b, bus, d, NULL, &slot)) < 0)
            return ret;
    }
    return 0;
}

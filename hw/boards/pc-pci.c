/*
 * pc-pci.c - PCI devices of the pc machine: -drive (if=virtio, the default
 * here; QEMU's pc would make if=ide), -device virtio-blk-pci,drive=ID and
 * -device virtio-net-pci,netdev=ID (also what -nic makes here) and
 * -device virtio-serial-pci (one console port: -device virtconsole,chardev=ID
 * attaches its back end) and -device virtio-rng-pci[,rng=ID] become legacy
 * virtio PCI functions from slot 2 on, where QEMU -nodefaults puts them;
 * with disable-legacy=on, modern-only ones. Each has MSI-X (vectors=N as
 * QEMU's, 0 for none); the bus hands their messages to the APIC bus.
 *
 * A virtio-net function carries iPXE as its option ROM, as on QEMU (the
 * romfile= property, default pxe-virtio.rom from Debian's ipxe-qemu), handed
 * to SeaBIOS through fw_cfg as "pciVVVV,DDDD.rom": SeaBIOS runs it, and a PC
 * with no bootable disk boots from the network. QEMU's default is the
 * combined BIOS+UEFI efi-virtio.rom in a ROM BAR, from which SeaBIOS copies
 * the BIOS image only; through fw_cfg the whole file is copied, so the
 * BIOS-only image is the one that fits the option ROM area.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/boards/board.h"
#include "hw/boards/pc.h"
#include "hw/intc/apic.h"
#include "hw/misc/fw-cfg.h"
#include "hw/pci/i440fx.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-console.h"
#include "hw/virtio/virtio-net.h"
#include "hw/virtio/virtio-pci-modern.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-rng.h"

#define PC_FIRST_SLOT 2
#define PC_LAST_SLOT 31
#define PC_IPXE_DIR "/usr/lib/ipxe/qemu/"
#define PC_NIC_ROM_DEFAULT "pxe-virtio.rom"
#define PC_ROM_MAX (1u << 20)
/* Legacy (transitional) virtio-net's PCI IDs: what SeaBIOS names its ROM file by. */
#define PC_VIRTIO_NET_ROMFILE "pci1af4,1000.rom"

/*
 * An MSI from a PCI function: a write into the APIC's 0xfee00000 window
 * is an interrupt message (Intel SDM vol. 3A 11.11.1). Anything else
 * would be a plain DMA write, which a device could aim at its own
 * registers and loop; no guest needs that, so it is dropped.
 */
static void pc_pci_msi(void *opaque, uint64_t addr, uint32_t data)
{
    struct pc_board *b = opaque;

    if ((addr & ~(APIC_BUS_WINDOW - 1)) != APIC_DEFAULT_BASE) {
        log_guest_error("pci: MSI to 0x%llx (data 0x%x) is outside the APIC window; dropped",
                        (unsigned long long)addr, data);
        return;
    }
    apic_bus_msi(&b->apic_bus, addr, data);
}

/*
 * Put vdev in a virtio PCI function in the next free slot: legacy, or
 * modern-only (virtio 1.x, QEMU's disable-legacy=on); vectors is the
 * transport's vectors= (NULL: the device's default).
 */
static int pc_plug_virtio(struct pc_board *b, struct pci_bus *bus, struct virtio_device *vdev,
                          const char *what, int *slot, bool modern, const char *vectors)
{
    struct device *pci;
    char pid[64];

    while (*slot <= PC_LAST_SLOT && bus->fn[PCI_DEVFN(*slot, 0)])
        (*slot)++;
    if (*slot > PC_LAST_SLOT) {
        error_report("%s: no free PCI slot left for it", what);
        return -ENOSPC;
    }
    snprintf(pid, sizeof(pid), "virtio-pci.%d", *slot);
    pci = board_new_device(b->m, modern ? &virtio_pci_modern_type : &virtio_pci_type, pid);
    if (!pci)
        return -ENOMEM;
    device_prop_set_link(pci, "backend", vdev);
    device_prop_set_link(pci, "bus", bus);
    device_prop_set_u64(pci, "addr", PCI_DEVFN(*slot, 0));
    if (vectors && device_prop_parse(pci, "vectors", vectors) < 0) {
        error_report("-device %s: vectors= takes a number (0 for no MSI-X)", what);
        return -EINVAL;
    }
    int ret = board_realize(pci);
    if (ret < 0)
        return ret;
    (*slot)++;
    return 0;
}

/*
 * The NIC's boot ROM: romfile= as given (a path, or a name in Debian's iPXE
 * directory), empty for none, default efi-virtio.rom when installed.
 */
static int pc_nic_rom(struct pc_board *b, const char *romfile)
{
    char path[512];
    void *data;
    uint64_t size;
    int ret;

    if (romfile && !*romfile)
        return 0;
    snprintf(path, sizeof(path), "%s%s", strchr(romfile ? romfile : "", '/') ? "" : PC_IPXE_DIR,
             romfile ? romfile : PC_NIC_ROM_DEFAULT);
    ret = plat_file_load(path, PC_ROM_MAX, &data, &size);
    if (ret == -ENOENT && !romfile)
        return 0; /* no iPXE installed: the NIC works, it just cannot boot the PC */
    if (ret < 0) {
        error_report("romfile=%s: cannot read %s: %s", romfile ? romfile : PC_NIC_ROM_DEFAULT, path,
                     strerror(-ret));
        return ret;
    }
    ret = fw_cfg_add_file(b->fw_cfg, PC_VIRTIO_NET_ROMFILE, data, (uint32_t)size);
    free(data);
    if (ret < 0)
        error_report("fw_cfg: cannot add the NIC's boot ROM: %s", strerror(-ret));
    return ret;
}

/* Remove key from o; its value (malloc'd, the caller frees it) or NULL if absent. */
static char *pc_take_key(struct opts *o, const char *key)
{
    for (size_t i = 0; i < o->count; i++) {
        if (!strcmp(o->items[i].key, key)) {
            char *v = o->items[i].value;
            free(o->items[i].key);
            memmove(&o->items[i], &o->items[i + 1], (o->count - i - 1) * sizeof(o->items[0]));
            o->count--;
            return v;
        }
    }
    return NULL;
}

/*
 * Take the transport's own keys out of o (the device models do not know
 * them): disable-legacy=on|off, and vectors= (*vectors: malloc'd value or
 * NULL). 0 or -EINVAL (reported).
 */
static int pc_take_transport_keys(struct opts *o, const char *optstr, bool *modern, char **vectors)
{
    int ret = opts_get_bool(o, "disable-legacy", false, modern);

    if (ret < 0) {
        error_report("-device %s: disable-legacy takes on or off", optstr);
        return ret;
    }
    free(pc_take_key(o, "disable-legacy"));
    *vectors = pc_take_key(o, "vectors");
    return 0;
}

int pc_create_pci_devices(struct pc_board *b)
{
    const struct emu_config *cfg = b->m->cfg;
    struct pci_bus *bus = i440fx_bus(b->pci, &b->m->sysmem, &b->m->iomem);
    struct device *dev, *serial = NULL;
    bool rom_done = false;
    int slot = PC_FIRST_SLOT, ret;

    pci_bus_set_msi(bus, pc_pci_msi, b);

    if ((ret = virtio_blk_open_drives(b->m)) < 0)
        return ret;
    for (int i = 0; i < cfg->ndevices; i++) {
        const char *optstr = cfg->devices[i], *drv;
        struct virtio_device *vdev = NULL;
        struct opts o = {0};
        char err[256];

        if (opts_parse(&o, optstr, "driver", err, sizeof(err)) < 0) {
            error_report("-device %s: %s", optstr, err);
            return -EINVAL;
        }
        drv = opts_get(&o, "driver");
        bool modern = false;
        char *vectors = NULL;
        if ((ret = pc_take_transport_keys(&o, optstr, &modern, &vectors)) < 0) {
            opts_free(&o);
            return ret;
        }
        if (drv && !strcmp(drv, "virtio-blk-pci")) {
            if ((dev = virtio_blk_from_opts(b->m, &o, optstr)))
                vdev = virtio_blk_vdev(dev);
        } else if (drv && !strcmp(drv, "virtio-net-pci")) {
            if ((dev = virtio_net_from_opts(b->m, &o, optstr)))
                vdev = virtio_net_vdev(dev);
            /* SeaBIOS finds ROMs by PCI ID: one ROM serves every virtio-net function. */
            if (vdev && !rom_done) {
                ret = pc_nic_rom(b, opts_get(&o, "romfile"));
                rom_done = true;
            }
        } else if (drv && !strcmp(drv, "virtio-serial-pci")) {
            if ((dev = virtio_console_from_opts(b->m, &o, optstr))) {
                vdev = virtio_console_vdev(dev);
                serial = dev;
            }
        } else if (drv && !strcmp(drv, "virtio-rng-pci")) {
            if ((dev = virtio_rng_from_opts(b->m, &o, optstr)))
                vdev = virtio_rng_vdev(dev);
        } else if (drv && !strcmp(drv, "virtconsole")) {
            /* A port on the last virtio-serial-pci, not a function of its own. */
            if (vectors) {
                error_report("-device %s: virtconsole has no property 'vectors'", optstr);
                ret = -EINVAL;
            } else {
                ret = virtio_console_attach_opts(serial, &o, optstr);
            }
            opts_free(&o);
            if (ret < 0)
                return ret;
            continue;
        } else {
            error_report("-device %s: the pc machine takes virtio-blk-pci, virtio-net-pci, "
                         "virtio-serial-pci, virtconsole and virtio-rng-pci with -device so far",
                         optstr);
        }
        if (vdev && ret == 0)
            ret = pc_plug_virtio(b, bus, vdev, optstr, &slot, modern, vectors);
        free(vectors);
        opts_free(&o);
        if (!vdev)
            return -EINVAL;
        if (ret < 0)
            return ret;
    }
    while ((dev = virtio_blk_next_drive(b->m, &ret))) {
        if ((ret = pc_plug_virtio(b, bus, virtio_blk_vdev(dev), dev->id, &slot, false, NULL)) < 0)
            return ret;
    }
    return ret;
}

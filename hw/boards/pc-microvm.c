/*
 * pc-microvm.c - the "microvm" machine: a PC without PCI or firmware, after
 * QEMU's microvm. RAM, the local APIC, I/O APIC and 8259s, the PIT, RTC,
 * COM1, i8042, isa-debug-exit, the ACPI PM registers and tables, and eight
 * virtio-mmio slots at 0xfeb00000 (0x200 bytes each, I/O APIC pins 16-23,
 * the modern virtio 1.x register layout). -kernel is required: a Linux
 * bzImage is entered directly (32-bit boot protocol, e820 in the zero page,
 * the virtio-mmio slots in use named on the command line as
 * "virtio_mmio.device=512@0xfeb00000:16", as QEMU's auto-kernel-cmdline
 * does), or a Multiboot image as on -M pc. The ACPI tables are written
 * into the BIOS area (RSDP at 0xe0000) at every reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "hw/acpi/acpi.h"
#include "hw/boards/board.h"
#include "hw/boards/pc.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/rtc/mc146818.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-console.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-net.h"
#include "hw/virtio/virtio-rng.h"
#include "targets/x86/x86.h"

#define MVM_VIRTIO_BASE 0xfeb00000ull
#define MVM_VIRTIO_COUNT 8
#define MVM_VIRTIO_GSI 16
#define MVM_PM_BASE 0x600
#define MVM_SCI_IRQ 9
#define MVM_RSDP 0xe0000ull
#define MVM_ACPI_TABLES 0xe1000ull

struct microvm {
    struct pc_board pc; /* first: the shared pc code takes a struct pc_board */
    struct device *virtio[MVM_VIRTIO_COUNT];
    struct acpi_tables acpi;
};

static int mvm_check_opts(const struct emu_config *cfg)
{
    for (size_t i = 0; i < cfg->machine.count; i++) {
        const char *k = cfg->machine.items[i].key;
        if (strcmp(k, "type") && strcmp(k, "accel")) {
            error_report("-machine %s: property not supported by machine 'microvm'", k);
            return -EINVAL;
        }
    }
    if (!cfg->kernel) {
        error_report("the microvm machine has no firmware: give -kernel");
        return -EINVAL;
    }
    if (cfg->bios) {
        error_report("-bios: the microvm machine has no firmware");
        return -EINVAL;
    }
    if (cfg->dtb) {
        error_report("-dtb: the microvm machine has no device tree");
        return -EINVAL;
    }
    return 0;
}

/* -device virtio-blk/net/serial/rng-device in order, then the if=virtio drives. */
static int mvm_virtio_backends(struct microvm *v, struct virtio_device *vdev[MVM_VIRTIO_COUNT])
{
    struct machine *m = v->pc.m;
    const struct emu_config *cfg = m->cfg;
    struct device *dev, *serial = NULL;
    int slot = 0, ret;

    if ((ret = virtio_blk_open_drives(m)) < 0)
        return ret;
    for (int i = 0; i < cfg->ndevices; i++) {
        struct opts o = {0};
        char err[256];
        const char *drv;

        if (opts_parse(&o, cfg->devices[i], "driver", err, sizeof(err)) < 0) {
            error_report("-device %s: %s", cfg->devices[i], err);
            return -EINVAL;
        }
        drv = opts_get(&o, "driver");
        dev = NULL;
        if (drv && !strcmp(drv, "virtconsole")) {
            /* A port on the last virtio-serial-device, not a slot of its own. */
            ret = virtio_console_attach_opts(serial, &o, cfg->devices[i]);
            opts_free(&o);
            if (ret < 0)
                return ret;
            continue;
        }
        if (slot >= MVM_VIRTIO_COUNT)
            error_report("-device %s: the microvm machine has %d virtio-mmio slots",
                         cfg->devices[i], MVM_VIRTIO_COUNT);
        else if (drv && !strcmp(drv, "virtio-blk-device"))
            dev = virtio_blk_from_opts(m, &o, cfg->devices[i]);
        else if (drv && !strcmp(drv, "virtio-net-device"))
            dev = virtio_net_from_opts(m, &o, cfg->devices[i]);
        else if (drv && !strcmp(drv, "virtio-serial-device"))
            dev = serial = virtio_console_from_opts(m, &o, cfg->devices[i]);
        else if (drv && !strcmp(drv, "virtio-rng-device"))
            dev = virtio_rng_from_opts(m, &o, cfg->devices[i]);
        else
            error_report("-device %s: the microvm machine takes virtio-blk-device, "
                         "virtio-net-device, virtio-serial-device, virtconsole and "
                         "virtio-rng-device",
                         cfg->devices[i]);
        if (dev)
            vdev[slot++] = !strcmp(drv, "virtio-blk-device")   ? virtio_blk_vdev(dev)
                           : !strcmp(drv, "virtio-net-device") ? virtio_net_vdev(dev)
                           : !strcmp(drv, "virtio-rng-device") ? virtio_rng_vdev(dev)
                                                               : virtio_console_vdev(dev);
        opts_free(&o);
        if (!dev)
            return -EINVAL;
    }
    while ((dev = virtio_blk_next_drive(m, &ret))) {
        if (slot >= MVM_VIRTIO_COUNT) {
            error_report("too many virtio devices: the microvm machine has %d virtio-mmio slots",
                         MVM_VIRTIO_COUNT);
            return -ENOSPC;
        }
        vdev[slot++] = virtio_blk_vdev(dev);
    }
    return ret;
}

/* The slots, mapped whether used or not (empty ones read device ID 0). */
static int mvm_create_virtio(struct microvm *v, char *cmdline, size_t cmdline_size)
{
    struct machine *m = v->pc.m;
    struct virtio_device *vdev[MVM_VIRTIO_COUNT] = {0};
    size_t used = 0;
    int ret;

    if ((ret = mvm_virtio_backends(v, vdev)) < 0)
        return ret;
    cmdline[0] = 0;
    for (int i = 0; i < MVM_VIRTIO_COUNT; i++) {
        char id[32];
        uint64_t base = MVM_VIRTIO_BASE + (uint64_t)i * VIRTIO_MMIO_SIZE;

        snprintf(id, sizeof(id), "virtio-mmio.%d", i);
        v->virtio[i] = board_new_device(m, &virtio_mmio_type, id);
        if (!v->virtio[i])
            return -ENOMEM;
        device_prop_set_link(v->virtio[i], "irq", ioapic_irq(v->pc.ioapic, MVM_VIRTIO_GSI + i));
        device_prop_set_u64(v->virtio[i], "force-legacy", 0);
        if (vdev[i])
            device_prop_set_link(v->virtio[i], "backend", vdev[i]);
        if ((ret = board_realize(v->virtio[i])) < 0 ||
            (ret = board_map("microvm", &m->sysmem, base, virtio_mmio_region(v->virtio[i]), 0)) < 0)
            return ret;
        if (vdev[i])
            used += (size_t)snprintf(
                cmdline + used, cmdline_size - used, "%svirtio_mmio.device=%u@0x%llx:%d",
                used ? " " : "", VIRTIO_MMIO_SIZE, (unsigned long long)base, MVM_VIRTIO_GSI + i);
    }
    return 0;
}

static int mvm_create_rtc_pm(struct microvm *v)
{
    struct pc_board *b = &v->pc;
    struct machine *m = b->m;
    int ret;

    b->cmos = board_new_device(m, &mc146818_type, "rtc");
    b->pm = board_new_device(m, &acpi_pm_type, "acpi-pm");
    if (!b->cmos || !b->pm)
        return -ENOMEM;
    device_prop_set_link(b->cmos, "clock", &m->clock);
    device_prop_set_link(b->cmos, "irq", &b->isa_irq[8]);
    device_prop_set_link(b->pm, "clock", &m->clock);
    device_prop_set_link(b->pm, "sci", &b->isa_irq[MVM_SCI_IRQ]);
    if ((ret = board_realize(b->cmos)) < 0 || (ret = board_realize(b->pm)) < 0 ||
        (ret = board_map("microvm", &m->iomem, 0x70, cmos_io(b->cmos), 0)) < 0)
        return ret;
    pc_cmos_init(b);
    return board_map("microvm", &m->iomem, MVM_PM_BASE, acpi_pm_io(b->pm), 0);
}

static int mvm_build_acpi(struct microvm *v)
{
    struct acpi_pc_config c = {.ncpus = v->pc.m->ncpus,
                               .lapic_base = (uint32_t)APIC_DEFAULT_BASE,
                               .ioapic_base = (uint32_t)IOAPIC_DEFAULT_BASE,
                               .pm_base = MVM_PM_BASE,
                               .sci_irq = MVM_SCI_IRQ,
                               .pci_irq_mask = 0,
                               .no_pci = true,
                               /* Debian's kernels lack virtio_mmio.device=: ACPI names them. */
                               .virtio_mmio_count = MVM_VIRTIO_COUNT,
                               .virtio_mmio_base = (uint32_t)MVM_VIRTIO_BASE,
                               .virtio_mmio_size = VIRTIO_MMIO_SIZE,
                               .virtio_mmio_gsi = MVM_VIRTIO_GSI};
    for (int i = 0; i < c.ncpus && i < ACPI_MAX_CPUS; i++)
        c.apic_ids[i] = (uint8_t)x86_cpu_of(v->pc.m->cpus[i])->apic_id;
    int ret = acpi_build_pc(&c, &v->acpi);

    if (ret < 0)
        error_report("acpi: cannot build the tables: %s", strerror(-ret));
    return ret;
}

static void mvm_install_acpi(struct microvm *v)
{
    int ret = acpi_tables_install(&v->acpi, &v->pc.m->as, MVM_ACPI_TABLES, MVM_RSDP);

    if (ret < 0)
        error_report("acpi: cannot write the tables to 0x%llx: %s",
                     (unsigned long long)MVM_ACPI_TABLES, strerror(-ret));
}

static int mvm_init(struct machine *m)
{
    const struct emu_config *cfg = m->cfg;
    struct microvm *v;
    struct vcpu *cpu;
    char vcmd[MVM_VIRTIO_COUNT * 48];
    int ret;

    if ((ret = mvm_check_opts(cfg)) < 0)
        return ret;
    v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->pc.m = m;
    m->board = v;
    for (int i = 0; i < cfg->smp; i++) {
        if ((ret = x86_cpu_create(m, &cpu)) < 0) {
            error_report("microvm: cannot create CPU %d: %s", i, strerror(-ret));
            return ret;
        }
    }
    if ((ret = pc_create_ram(&v->pc)) < 0 || (ret = pc_create_intc(&v->pc)) < 0 ||
        (ret = pc_create_pit(&v->pc)) < 0 || (ret = pc_create_isa(&v->pc)) < 0 ||
        (ret = mvm_create_rtc_pm(v)) < 0 || (ret = mvm_create_virtio(v, vcmd, sizeof(vcmd))) < 0 ||
        (ret = mvm_build_acpi(v)) < 0)
        return ret;

    static const struct pc_reserved res[] = {
        {MVM_VIRTIO_BASE, MVM_VIRTIO_COUNT * VIRTIO_MMIO_SIZE},
        {IOAPIC_DEFAULT_BASE, 0x1000},
        {APIC_DEFAULT_BASE, 0x1000},
    };
    bool mb = false, lx = false;
    if ((ret = pc_boot_multiboot(&v->pc, &mb)) < 0)
        return ret;
    if (!mb && (ret = pc_boot_linux_direct(&v->pc, vcmd[0] ? vcmd : NULL, res, 3, &lx)) < 0)
        return ret;
    if (!mb && !lx) {
        error_report("-kernel %s: neither a Multiboot image nor a Linux bzImage", cfg->kernel);
        return -ENOTSUP;
    }
    pc_boot_reset(&v->pc);
    mvm_install_acpi(v);
    return 0;
}

static void mvm_reset(struct machine *m)
{
    struct microvm *v = m->board;

    pc_boot_reset(&v->pc);
    mvm_install_acpi(v);
}

static const struct machine_type microvm_machine = {
    .name = "microvm",
    .desc = "microvm (no PCI, no firmware: -kernel entered directly, virtio-mmio)",
    .default_ram = 128ull << 20,
    .max_cpus = APIC_BUS_MAX,
    .default_accel = "kvm",
    .default_nic = "virtio-net-device",
    .init = mvm_init,
    .reset = mvm_reset,
    .nmi = x86_machine_nmi,
};
MACHINE_TYPE_REGISTER(microvm_machine);

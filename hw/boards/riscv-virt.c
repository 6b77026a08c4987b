/*
 * riscv-virt.c - the RISC-V "virt" machine, laid out as QEMU 7.2's so that
 * the same firmware and kernels run: mask ROM with the reset vector, RAM at
 * 2 GiB, ACLINT (CLINT layout), PLIC, NS16550A, SiFive test, Goldfish RTC
 * and eight virtio-mmio slots. The device tree is riscv-fdt.c's.
 */
#include "hw/boards/riscv-virt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/device.h"
#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/boards/board.h"
#include "hw/char/uart16550.h"
#include "hw/intc/riscv-aclint.h"
#include "hw/intc/sifive-plic.h"
#include "hw/misc/sifive-test.h"
#include "hw/rtc/goldfish-rtc.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-net.h"
#include "hw/virtio/virtio-rng.h"
#include "targets/riscv/riscv.h"

#define VIRT_MAX_HARTS 8
#define VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

/* -machine virt,KEY=...: what this board understands besides the generic keys. */
static int virt_check_machine_opts(const struct emu_config *cfg)
{
    static const char *const known[] = {"type", "accel", "dumpdtb", NULL};
    const char *k = opts_unknown_key(&cfg->machine, known);

    if (k) {
        const char *v = opts_get(&cfg->machine, k);
        error_report("-machine %s=%s: property not supported by machine 'virt' (it knows "
                     "dumpdtb=FILE and accel=NAME)",
                     k, v ? v : "");
        return -EINVAL;
    }
    return 0;
}

/* Everything the virt board maps sits in the system address space at priority 0. */
static int virt_map(struct virt_board *b, uint64_t addr, struct mem_region *mr)
{
    return board_map("virt", &b->m->sysmem, addr, mr, 0);
}

static int virt_create_harts(struct virt_board *b)
{
    struct machine *m = b->m;

    for (int i = 0; i < m->cfg->smp; i++) {
        /* satp takes Sv39, Sv48 and Sv57, as on QEMU 7.2's default hart. */
        struct rv_cpu_config cc = {.hartid = i, .reset_pc = VIRT_MROM_BASE, .satp_max_mode = 10};
        struct vcpu *cpu;
        int ret = rv_cpu_create(m, &cc, &cpu);
        if (ret < 0) {
            error_report("virt: cannot create hart %d: %s", i, strerror(-ret));
            return ret;
        }
    }
    return 0;
}

static int virt_create_intc(struct virt_board *b)
{
    struct machine *m = b->m;
    int n = m->ncpus, ret;

    b->mswi = board_new_device(m, &aclint_mswi_type, "clint-mswi");
    b->mtimer = board_new_device(m, &aclint_mtimer_type, "clint-mtimer");
    b->plic = board_new_device(m, &sifive_plic_type, "plic");
    if (!b->mswi || !b->mtimer || !b->plic)
        return -ENOMEM;

    device_prop_set_u64(b->mswi, "num-harts", n);
    device_prop_set_u64(b->mtimer, "num-harts", n);
    device_prop_set_u64(b->mtimer, "timebase-freq", VIRT_TIMEBASE_FREQ);
    device_prop_set_link(b->mtimer, "clock", &m->clock);
    device_prop_set_u64(b->plic, "num-harts", n);
    device_prop_set_u64(b->plic, "num-sources", VIRT_PLIC_NUM_SOURCES);
    device_prop_set_u64(b->plic, "num-priorities", VIRT_PLIC_NUM_PRIORITIES);
    for (int i = 0; i < n; i++) {
        struct irq_line *lines = rv_cpu_irq_lines(m->cpus[i]);
        aclint_mswi_connect(b->mswi, i, &lines[RV_IRQ_MSIP]);
        aclint_mtimer_connect(b->mtimer, i, &lines[RV_IRQ_MTIP]);
        sifive_plic_connect(b->plic, 2 * i, &lines[RV_IRQ_MEIP]);
        sifive_plic_connect(b->plic, 2 * i + 1, &lines[RV_IRQ_SEIP]);
    }
    if ((ret = board_realize(b->mswi)) < 0 || (ret = board_realize(b->mtimer)) < 0 ||
        (ret = board_realize(b->plic)) < 0)
        return ret;
    for (int i = 0; i < n; i++)
        rv_cpu_set_time_source(m->cpus[i], aclint_mtimer_read_mtime, b->mtimer);

    /* QEMU's CLINT: the MSWI at its base, the MTIMER right after it. */
    if ((ret = virt_map(b, VIRT_CLINT_BASE, aclint_mswi_mmio(b->mswi))) < 0 ||
        (ret = virt_map(b, VIRT_CLINT_BASE + ACLINT_SWI_SIZE, aclint_mtimer_mmio(b->mtimer))) < 0)
        return ret;
    return virt_map(b, VIRT_PLIC_BASE, sifive_plic_mmio(b->plic));
}

/*
 * The virtio devices of -device (virtio-blk-device, virtio-net-device,
 * virtio-rng-device), in
 * order, then one per if=virtio drive, each in the next free transport from
 * the last slot down: QEMU's virt plugs them so, and guests number them so.
 */
static int virt_create_virtio_devices(struct virt_board *b,
                                      struct virtio_device *vdev[VIRT_VIRTIO_COUNT])
{
    struct machine *m = b->m;
    const struct emu_config *cfg = m->cfg;
    int slot = VIRT_VIRTIO_COUNT - 1, ret;
    struct device *dev;

    if ((ret = virtio_blk_open_drives(m)) < 0)
        return ret;
    for (int i = 0; i < cfg->ndevices; i++) {
        struct opts o = {0};
        char err[256];
        const char *drv;

        if (slot < 0) {
            error_report("-device %s: no free virtio-mmio slot left for it (the virt machine "
                         "has %d)",
                         cfg->devices[i], VIRT_VIRTIO_COUNT);
            return -ENOSPC;
        }
        if (opts_parse(&o, cfg->devices[i], "driver", err, sizeof(err)) < 0) {
            error_report("-device %s: %s", cfg->devices[i], err);
            return -EINVAL;
        }
        drv = opts_get(&o, "driver");
        dev = NULL;
        if (drv && !strcmp(drv, "virtio-blk-device")) {
            dev = virtio_blk_from_opts(m, &o, cfg->devices[i]);
            if (dev)
                vdev[slot] = virtio_blk_vdev(dev);
        } else if (drv && !strcmp(drv, "virtio-net-device")) {
            dev = virtio_net_from_opts(m, &o, cfg->devices[i]);
            if (dev)
                vdev[slot] = virtio_net_vdev(dev);
        } else if (drv && !strcmp(drv, "virtio-rng-device")) {
            dev = virtio_rng_from_opts(m, &o, cfg->devices[i]);
            if (dev)
                vdev[slot] = virtio_rng_vdev(dev);
        } else {
            error_report("-device %s: the virt machine takes virtio-blk-device, "
                         "virtio-net-device and virtio-rng-device with -device so far",
                         cfg->devices[i]);
        }
        opts_free(&o);
        if (!dev)
            return -EINVAL;
        slot--;
    }
    while ((dev = virtio_blk_next_drive(m, &ret))) {
        if (slot < 0) {
            error_report("too many if=virtio drives: the virt machine has %d virtio-mmio slots",
                         VIRT_VIRTIO_COUNT);
            return -ENOSPC;
        }
        vdev[slot--] = virtio_blk_vdev(dev);
    }
    return ret;
}

static int virt_create_devices(struct virt_board *b)
{
    struct machine *m = b->m;
    struct chardev *serial = chardev_find("serial0");
    int ret;

    b->uart = board_new_device(m, &uart16550_type, "serial0");
    b->rtc = board_new_device(m, &goldfish_rtc_type, "rtc");
    b->test = board_new_device(m, &sifive_test_type, "test");
    if (!b->uart || !b->rtc || !b->test)
        return -ENOMEM;
    /* No serial0 (-serial none, -nodefaults): the UART is there, unconnected, as in QEMU. */
    if (serial)
        device_prop_set_link(b->uart, "chardev", serial);
    device_prop_set_link(b->uart, "irq", sifive_plic_irq(b->plic, VIRT_UART0_IRQ));
    device_prop_set_link(b->uart, "clock", &m->clock);
    device_prop_set_u64(b->uart, "baudbase", VIRT_UART_CLOCK);
    device_prop_set_link(b->rtc, "irq", sifive_plic_irq(b->plic, VIRT_RTC_IRQ));
    device_prop_set_link(b->rtc, "clock", &m->clock);
    if ((ret = board_realize(b->uart)) < 0 || (ret = board_realize(b->rtc)) < 0 ||
        (ret = board_realize(b->test)) < 0)
        return ret;
    if ((ret = virt_map(b, VIRT_UART0_BASE, uart16550_mmio(b->uart))) < 0 ||
        (ret = virt_map(b, VIRT_RTC_BASE, goldfish_rtc_mmio(b->rtc))) < 0 ||
        (ret = virt_map(b, VIRT_TEST_BASE, sifive_test_mmio(b->test))) < 0)
        return ret;

    struct virtio_device *vdev[VIRT_VIRTIO_COUNT] = {0};
    if ((ret = virt_create_virtio_devices(b, vdev)) < 0)
        return ret;
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        char id[24];
        snprintf(id, sizeof(id), "virtio-mmio.%d", i);
        b->virtio[i] = board_new_device(m, &virtio_mmio_type, id);
        if (!b->virtio[i])
            return -ENOMEM;
        device_prop_set_link(b->virtio[i], "irq", sifive_plic_irq(b->plic, VIRT_VIRTIO_IRQ + i));
        if (vdev[i])
            device_prop_set_link(b->virtio[i], "backend", vdev[i]);
        if ((ret = board_realize(b->virtio[i])) < 0 ||
            (ret = virt_map(b, VIRT_VIRTIO_BASE + (uint64_t)i * VIRT_VIRTIO_SIZE,
                            virtio_mmio_region(b->virtio[i]))) < 0)
            return ret;
    }
    return 0;
}

/*
 * Firmware, kernel, initrd, device tree and reset vector, by QEMU 7.2's
 * rules (hw/riscv/boot.c): the firmware at the start of RAM, the kernel at
 * the next 2 MiB boundary after it, the initrd well above the kernel, the
 * tree near the top of (32-bit reachable) RAM.
 */
static int virt_load_boot(struct virt_board *b)
{
    const struct emu_config *cfg = b->m->cfg;
    const char *bios = cfg->bios;
    struct rv_boot_extent fw = {0}, kern = {0}, rd = {0};
    uint64_t firmware_end = VIRT_DRAM_BASE, kernel_entry = 0;
    int ret;

    if (strcmp(bios ? bios : "", "none")) {
        ret = rv_boot_load_image(&b->boot, "-bios", bios ? bios : VIRT_DEFAULT_BIOS,
                                 VIRT_DRAM_BASE, &fw);
        if (ret == -ENOENT && !bios)
            error_report("the default firmware is Debian's OpenSBI (package opensbi, "
                         "fw_dynamic.bin); install it (on the appliance: load fw_dynamic.bin as a "
                         "boot module), or give -bios FILE or -bios none");
        if (ret < 0)
            return ret;
        firmware_end = fw.high;
    }
    if (cfg->kernel) {
        ret = rv_boot_load_image(&b->boot, "-kernel", cfg->kernel,
                                 rv_boot_kernel_start(firmware_end), &kern);
        if (ret < 0)
            return ret;
        kernel_entry = kern.entry;
        if (cfg->initrd) {
            ret = rv_boot_load_raw(&b->boot, "-initrd", cfg->initrd,
                                   rv_boot_initrd_start(kernel_entry, b->boot.ram_size), &rd);
            if (ret < 0)
                return ret;
        }
    } else if (cfg->initrd || cfg->append) {
        error_report("%s needs -kernel", cfg->initrd ? "-initrd" : "-append");
        return -EINVAL;
    }

    ret = virt_fdt_build(b, cfg, rd.low, rd.high);
    if (ret < 0)
        return ret;
    const char *dump = opts_get(&cfg->machine, "dumpdtb");
    if (dump) {
        ret = plat_file_store(dump, b->fdt, fdt_totalsize(b->fdt));
        if (ret < 0) {
            error_report("-machine dumpdtb=%s: cannot write: %s", dump, strerror(-ret));
            return ret;
        }
        error_report("info: dtb dumped to %s. Exiting.", dump);
        plat_exit(0);
    }
    b->fdt_addr = rv_boot_fdt_addr(VIRT_DRAM_BASE, b->boot.ram_size, fdt_totalsize(b->fdt));
    ret = rv_boot_add_blob(&b->boot, "device tree", b->fdt, fdt_totalsize(b->fdt), b->fdt_addr);
    if (ret < 0)
        return ret;
    ret = rv_boot_check_overlaps(&b->boot);
    if (ret < 0)
        return ret;

    uint8_t rom[RV_BOOT_ROM_SIZE];
    size_t n = rv_boot_rom_image(rom, sizeof(rom), VIRT_DRAM_BASE, b->fdt_addr, kernel_entry);
    address_space_write_rom(&b->m->as, VIRT_MROM_BASE, rom, n);
    rv_boot_write_blobs(&b->boot, &b->m->as);
    return 0;
}

static int virt_init(struct machine *m)
{
    const struct emu_config *cfg = m->cfg;
    struct virt_board *b;
    int ret;

    if ((ret = virt_check_machine_opts(cfg)) < 0)
        return ret;
    if (strcmp(m->accel->name, "tcg")) {
        error_report("-accel %s: machine 'virt' runs on the RISC-V emulator, -accel tcg",
                     m->accel->name);
        return -EINVAL;
    }
    b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->m = m;
    m->board = b;
    b->boot.ram_base = VIRT_DRAM_BASE;
    b->boot.ram_size = cfg->ram_size;

    /* QEMU's virt has RAM from 2 GiB up to the top of its 40-bit (Sv39-reachable) space. */
    if (cfg->ram_size > (1ull << 40) - VIRT_DRAM_BASE) {
        error_report("-m: at most %llu MiB on machine 'virt'",
                     (unsigned long long)(((1ull << 40) - VIRT_DRAM_BASE) >> 20));
        return -EINVAL;
    }
    ret = mem_region_init_ram(&b->ram, "riscv_virt_board.ram", cfg->ram_size);
    if (ret < 0) {
        error_report("-m %llu MiB: cannot allocate guest RAM: %s",
                     (unsigned long long)(cfg->ram_size >> 20), strerror(-ret));
        return ret;
    }
    if ((ret = mem_region_init_rom(&b->mrom, "riscv_virt_board.mrom", VIRT_MROM_SIZE)) < 0)
        return ret;
    if ((ret = virt_map(b, VIRT_DRAM_BASE, &b->ram)) < 0 ||
        (ret = virt_map(b, VIRT_MROM_BASE, &b->mrom)) < 0)
        return ret;

    if ((ret = virt_create_harts(b)) < 0 || (ret = virt_create_intc(b)) < 0 ||
        (ret = virt_create_devices(b)) < 0)
        return ret;
    return virt_load_boot(b);
}

/* A reset reloads the images, as QEMU's ROM loader does: the guest may have overwritten them. */
static void virt_reset(struct machine *m)
{
    struct virt_board *b = m->board;

    rv_boot_write_blobs(&b->boot, &m->as);
}

static const struct machine_type virt_machine_type = {
    .name = "virt",
    .desc = "RISC-V VirtIO board",
    .is_default = true,
    .default_ram = 128ull << 20,
    .max_cpus = VIRT_MAX_HARTS,
    .default_accel = "tcg",
    .default_nic = "virtio-net-device",
    .init = virt_init,
    .reset = virt_reset,
};
MACHINE_TYPE_REGISTER(virt_machine_type);

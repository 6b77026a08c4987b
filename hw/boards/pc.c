/*
 * pc.c - the "pc" machine: RAM below 3 GiB (the rest above 4 GiB), the
 * BIOS at the top of 4 GiB and its last 128 KiB at 0xe0000, and the ISA
 * devices at their classic ports: 8259 pair (0x20, 0xa0, ELCR 0x4d0),
 * 8254 PIT (0x40, IRQ 0) with port 0x61, 16550 UART (0x3f8, IRQ 4) and
 * isa-debug-exit (0xf4, present by default so test guests can end a run).
 * A local APIC (0xfee00000) sits between the PIC and the CPU (LINT0 in
 * virtual-wire mode) and an I/O APIC (0xfec00000) sees every ISA IRQ too,
 * IRQ 0 on its pin 2 as on PCs (the MADT says so).
 */
#include "hw/boards/pc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/device.h"
#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/char/uart16550.h"
#include "hw/input/i8042.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/timer/i8254.h"
#include "hw/misc/fw-cfg.h"
#include "hw/misc/isa-debug-exit.h"
#include "hw/pci/i440fx.h"
#include "hw/rtc/mc146818.h"
#include "targets/x86/x86.h"

#define PC_MAX_CPUS APIC_BUS_MAX /* one local APIC each, on one APIC bus */
#define PC_BIOS_MAX (16ull << 20)

static int pc_check_machine_opts(const struct emu_config *cfg)
{
    for (size_t i = 0; i < cfg->machine.count; i++) {
        const char *k = cfg->machine.items[i].key;
        if (strcmp(k, "type") && strcmp(k, "accel")) {
            error_report("-machine %s: property not supported by machine 'pc' (it knows "
                         "accel=NAME)",
                         k);
            return -EINVAL;
        }
    }
    return 0;
}

static struct device *pc_new_device(struct machine *m, const struct device_type *t, const char *id)
{
    struct device *d = device_new(m, t, id);

    if (!d)
        error_report("%s: out of memory", t->name);
    return d;
}

static int pc_realize(struct device *d)
{
    int ret = device_realize(d);

    if (ret < 0)
        error_report("%s: cannot start: %s", d->type->name, strerror(-ret));
    return ret;
}

static int pc_map(struct mem_region *container, uint64_t addr, struct mem_region *mr, int prio)
{
    int ret = mem_region_add_subregion(container, addr, mr, prio);

    if (ret < 0)
        error_report("pc: cannot map %s at 0x%llx: %s", mr->name, (unsigned long long)addr,
                     strerror(-ret));
    return ret;
}

int pc_create_ram(struct pc_board *b)
{
    struct machine *m = b->m;
    uint64_t size = m->cfg->ram_size;
    int ret;

    if (size < (1ull << 20)) {
        error_report("-m: the pc machine needs at least 1 MiB of RAM");
        return -EINVAL;
    }
    b->below_4g = size < PC_BELOW_4G_MAX ? size : PC_BELOW_4G_MAX;
    b->above_4g = size - b->below_4g;
    ret = mem_region_init_ram(&b->ram, "pc.ram", size);
    if (ret < 0) {
        error_report("-m: cannot allocate %llu MiB of RAM", (unsigned long long)(size >> 20));
        return ret;
    }
    mem_region_init_alias(&b->ram_low, "ram-below-4g", &b->ram, 0, b->below_4g);
    if ((ret = pc_map(&m->sysmem, 0, &b->ram_low, 0)) < 0)
        return ret;
    if (b->above_4g) {
        mem_region_init_alias(&b->ram_high, "ram-above-4g", &b->ram, b->below_4g, b->above_4g);
        if ((ret = pc_map(&m->sysmem, PC_HIGH_RAM_BASE, &b->ram_high, 0)) < 0)
            return ret;
    }
    return 0;
}

/* The BIOS image: at the top of 4 GiB and, its last 128 KiB, below 1 MiB (QEMU's layout). */
static int pc_load_bios(struct pc_board *b)
{
    const char *name = b->m->cfg->bios ? b->m->cfg->bios : PC_DEFAULT_BIOS;
    void *data;
    uint64_t size;
    int ret;

    ret = plat_file_load(name, PC_BIOS_MAX, &data, &size);
    if (ret < 0) {
        error_report("-bios %s: cannot load: %s%s", name, strerror(-ret),
                     b->m->cfg->bios ? "" : " (install Debian's seabios package or give -bios)");
        return ret;
    }
    if (size == 0 || size % 65536) {
        error_report("-bios %s: size %llu is not a multiple of 64 KiB", name,
                     (unsigned long long)size);
        free(data);
        return -EINVAL;
    }
    b->bios_size = size;
    ret = mem_region_init_rom(&b->bios, "pc.bios", size);
    if (ret < 0) {
        free(data);
        return ret;
    }
    memcpy(mem_region_host(&b->bios), data, size);
    free(data);
    if ((ret = pc_map(&b->m->sysmem, 0x100000000ull - size, &b->bios, 0)) < 0)
        return ret;
    /* Below 1 MiB the BIOS shows through the PAM windows (pc_pam_changed maps them). */
    mem_region_init_alias(&b->isa_bios_f, "isa-bios-f", &b->bios, size - 0x10000, 0x10000);
    if (size >= PC_ISA_BIOS_SIZE)
        mem_region_init_alias(&b->isa_bios_e, "isa-bios-e", &b->bios, size - PC_ISA_BIOS_SIZE,
                              0x10000);
    return 0;
}

static void pc_pam_window(struct pc_board *b, struct mem_region *mr, bool *mapped, uint64_t addr,
                          bool rom)
{
    if (!mr->size || rom == *mapped)
        return;
    if (rom)
        pc_map(&b->m->sysmem, addr, mr, 1);
    else
        mem_region_del_subregion(&b->m->sysmem, mr);
    *mapped = rom;
}

/*
 * PAM: a segment whose read-enable bit is clear reads the BIOS ROM; once
 * firmware enables reads it sees RAM (where it has copied itself). The
 * write-enable bits are not modelled: RAM in these windows stays writable,
 * and ROM windows drop writes. 0xc0000-0xdffff is always RAM (no option ROMs).
 */
static void pc_pam_changed(void *opaque, const uint8_t *pam)
{
    struct pc_board *b = opaque;

    pc_pam_window(b, &b->isa_bios_f, &b->isa_bios_f_mapped, 0xf0000, !(pam[0] & 0x10));
    pc_pam_window(b, &b->isa_bios_e, &b->isa_bios_e_mapped, 0xe0000, !(pam[5] & 0x01));
}

/* ISA IRQ n to PIC input n and I/O APIC pin n; IRQ 0 (the PIT) to pin 2 (ACPI override). */
static void pc_isa_irq_set(void *opaque, int n, int level)
{
    struct pc_board *b = opaque;

    irq_set(pic_irq(b->pic, n), level);
    irq_set(ioapic_irq(b->ioapic, n == 0 ? 2 : n), level);
}

/* The 8259's INTR goes to every CPU's LINT0, as on PCs (APs keep theirs masked). */
static void pc_pic_intr_set(void *opaque, int n, int level)
{
    struct pc_board *b = opaque;

    (void)n;
    for (int i = 0; i < b->m->ncpus; i++)
        irq_set(apic_lint(b->apics[i], 0), level);
}

/* CPU i's local APIC (the CPU's APIC ID; the BSP's for i = 0) on the board's APIC bus. */
static int pc_create_apic(struct pc_board *b, int i)
{
    struct machine *m = b->m;
    char id[16];
    struct device *a;
    int ret;

    snprintf(id, sizeof(id), i ? "apic%d" : "apic", i);
    if (!(a = b->apics[i] = pc_new_device(m, &apic_type, id)))
        return -ENOMEM;
    device_prop_set_link(a, "cpu", m->cpus[i]);
    device_prop_set_link(a, "clock", &m->clock);
    device_prop_set_link(a, "sysmem", &m->sysmem);
    device_prop_set_u64(a, "id", x86_cpu_of(m->cpus[i])->apic_id);
    device_prop_set_u64(a, "bsp", i == 0);
    /* On the bus before realize: the bus window serves its page, none is mapped twice. */
    if ((ret = apic_bus_add(&b->apic_bus, a)) < 0 || (ret = pc_realize(a)) < 0)
        return ret;
    x86_cpu_set_intc(m->cpus[i], &apic_intc_ops, a);
    apic_set_extint(a, pic_intack, b->pic);
    apic_set_eoi_hook(a, ioapic_eoi, b->ioapic);
    return 0;
}

/* The interrupt controllers: a local APIC per CPU, the 8259 pair on their LINT0, the I/O APIC. */
int pc_create_intc(struct pc_board *b)
{
    struct machine *m = b->m;
    int ret;

    if (m->ncpus > APIC_BUS_MAX) {
        error_report("pc: at most %d CPUs", APIC_BUS_MAX);
        return -EINVAL;
    }
    apic_bus_init(&b->apic_bus);
    b->ioapic = pc_new_device(m, &ioapic_type, "ioapic");
    b->pic = pc_new_device(m, &i8259_type, "pic");
    if (!b->ioapic || !b->pic)
        return -ENOMEM;
    irq_init_lines(&b->pic_intr, 1, pc_pic_intr_set, b);
    device_prop_set_link(b->pic, "intr", &b->pic_intr);
    for (int i = 0; i < m->ncpus; i++) {
        if ((ret = pc_create_apic(b, i)) < 0)
            return ret;
    }
    if ((ret = pc_realize(b->ioapic)) < 0 || (ret = pc_realize(b->pic)) < 0)
        return ret;
    ioapic_set_bus(b->ioapic, &b->apic_bus);
    irq_init_lines(b->isa_irq, 16, pc_isa_irq_set, b);
    /* Below the APICs' own pages (priority 2), which only a moved APIC maps. */
    if ((ret = pc_map(&m->sysmem, APIC_DEFAULT_BASE, &b->apic_bus.mmio, 1)) < 0 ||
        (ret = pc_map(&m->sysmem, IOAPIC_DEFAULT_BASE, ioapic_mmio(b->ioapic), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0x20, pic_io(b->pic, 0), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0xa0, pic_io(b->pic, 1), 0)) < 0)
        return ret;
    return pc_map(&m->iomem, 0x4d0, pic_elcr_io(b->pic), 0);
}

int pc_create_pit(struct pc_board *b)
{
    struct machine *m = b->m;
    int ret;

    b->pit = pc_new_device(m, &i8254_type, "pit");
    if (!b->pit)
        return -ENOMEM;
    device_prop_set_link(b->pit, "clock", &m->clock);
    device_prop_set_link(b->pit, "irq", &b->isa_irq[0]);
    if ((ret = pc_realize(b->pit)) < 0 || (ret = pc_map(&m->iomem, 0x40, pit_io(b->pit), 0)) < 0)
        return ret;
    return pc_map(&m->iomem, 0x61, pit_port61_io(b->pit), 0);
}

/*
 * System control port A (0x92): fast A20 (always on here: KVM has no A20
 * gate) and the fast reset bit.
 */
static uint64_t pc_port92_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    (void)off;
    (void)size;
    return 0x02;
}

static void pc_port92_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct pc_board *b = opaque;

    (void)off;
    (void)size;
    if (v & 1)
        machine_request_shutdown(b->m, SHUTDOWN_GUEST_RESET, 0);
    else if (!(v & 2))
        log_unimp("pc: A20 gate disabled through port 0x92 (A20 stays on)");
}

/* Unclaimed ISA ports (probes for LPT, more UARTs, debug ports) read all-ones, as on a PC. */
static uint64_t pc_isa_unclaimed_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    log_unimp("pc: read of %u bytes at unclaimed I/O port 0x%llx", size, (unsigned long long)off);
    return (1ull << (8 * size)) - 1;
}

static void pc_isa_unclaimed_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    (void)opaque;
    log_unimp("pc: write of %u bytes (0x%llx) at unclaimed I/O port 0x%llx", size,
              (unsigned long long)v, (unsigned long long)off);
}

static const struct mem_region_ops pc_port92_ops = {
    .read = pc_port92_read, .write = pc_port92_write, .min_access = 1, .max_access = 1};
static const struct mem_region_ops pc_isa_unclaimed_ops = {.read = pc_isa_unclaimed_read,
                                                           .write = pc_isa_unclaimed_write,
                                                           .min_access = 1,
                                                           .max_access = 4};

int pc_create_isa(struct pc_board *b)
{
    struct machine *m = b->m;
    struct chardev *serial = chardev_find("serial0");
    int ret;

    b->uart = pc_new_device(m, &uart16550_type, "serial0");
    b->debug_exit = pc_new_device(m, &isa_debug_exit_type, "isa-debug-exit");
    b->kbd = pc_new_device(m, &i8042_type, "i8042");
    if (!b->uart || !b->debug_exit || !b->kbd)
        return -ENOMEM;
    if (serial)
        device_prop_set_link(b->uart, "chardev", serial);
    device_prop_set_link(b->uart, "clock", &m->clock);
    device_prop_set_link(b->uart, "irq", &b->isa_irq[4]);
    device_prop_set_link(b->kbd, "irq", &b->isa_irq[1]);
    if ((ret = pc_realize(b->uart)) < 0 || (ret = pc_realize(b->debug_exit)) < 0 ||
        (ret = pc_realize(b->kbd)) < 0)
        return ret;
    mem_region_init_io(&b->port92, "port92", &pc_port92_ops, b, 1);
    mem_region_init_io(&b->isa_unclaimed, "isa-unclaimed", &pc_isa_unclaimed_ops, b, 0x10000);
    if ((ret = pc_map(&m->iomem, 0x92, &b->port92, 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0x60, i8042_data_io(b->kbd), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0x64, i8042_cmd_io(b->kbd), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0, &b->isa_unclaimed, -1)) < 0)
        return ret;
    if ((ret = pc_map(&m->iomem, 0x3f8, uart16550_mmio(b->uart), 0)) < 0)
        return ret;
    struct isa_debug_exit *de = (struct isa_debug_exit *)b->debug_exit;
    return pc_map(&m->iomem, de->iobase, isa_debug_exit_io(b->debug_exit), 0);
}

/* PCI host bridge (with PAM), RTC/CMOS on IRQ 8, fw_cfg. */
static int pc_create_chipset(struct pc_board *b)
{
    struct machine *m = b->m;
    int ret;

    b->pci = pc_new_device(m, &i440fx_type, "i440fx");
    b->cmos = pc_new_device(m, &mc146818_type, "rtc");
    b->fw_cfg = pc_new_device(m, &fw_cfg_type, "fw_cfg");
    if (!b->pci || !b->cmos || !b->fw_cfg)
        return -ENOMEM;
    device_prop_set_link(b->cmos, "clock", &m->clock);
    device_prop_set_link(b->cmos, "irq", &b->isa_irq[8]);
    device_prop_set_link(b->fw_cfg, "dma-as", &m->as);
    device_prop_set_link(b->pci, "isa-irqs", b->isa_irq);
    if ((ret = pc_realize(b->pci)) < 0 || (ret = pc_realize(b->cmos)) < 0 ||
        (ret = pc_realize(b->fw_cfg)) < 0)
        return ret;
    i440fx_set_pam_hook(b->pci, pc_pam_changed, b);
    if ((ret = pc_create_pci_devices(b)) < 0)
        return ret;
    pc_cmos_init(b);
    if ((ret = pc_fw_cfg_init(b)) < 0 || (ret = pc_acpi_init(b)) < 0)
        return ret;
    if ((ret = pc_map(&m->iomem, 0xcf8, i440fx_addr_io(b->pci), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0xcfc, i440fx_data_io(b->pci), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0x70, cmos_io(b->cmos), 0)) < 0 ||
        (ret = pc_map(&m->iomem, 0x510, fw_cfg_io(b->fw_cfg), 0)) < 0)
        return ret;
    return pc_map(&m->iomem, 0x514, fw_cfg_dma_io(b->fw_cfg), 0);
}

static int pc_init(struct machine *m)
{
    const struct emu_config *cfg = m->cfg;
    struct pc_board *b;
    struct vcpu *cpu;
    int ret;

    if ((ret = pc_check_machine_opts(cfg)) < 0)
        return ret;
    if (cfg->dtb) {
        error_report("-dtb: the pc machine has no device tree");
        return -EINVAL;
    }
    if (!cfg->kernel && (cfg->initrd || cfg->append)) {
        error_report("%s needs -kernel", cfg->initrd ? "-initrd" : "-append");
        return -EINVAL;
    }
    b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->m = m;
    m->board = b;
    for (int i = 0; i < cfg->smp; i++) {
        if ((ret = x86_cpu_create(m, &cpu)) < 0) {
            error_report("pc: cannot create CPU %d: %s", i, strerror(-ret));
            return ret;
        }
    }
    if ((ret = pc_create_ram(b)) < 0 || (ret = pc_load_bios(b)) < 0 ||
        (ret = pc_create_intc(b)) < 0 || (ret = pc_create_pit(b)) < 0 || (ret = pc_create_isa(b)) < 0 ||
        (ret = pc_create_chipset(b)) < 0)
        return ret;
    if (cfg->kernel) {
        bool mb;
        if ((ret = pc_boot_multiboot(b, &mb)) < 0)
            return ret;
        bool lx = false;
        if (!mb && (ret = pc_boot_linux(b, &lx)) < 0)
            return ret;
        if (!mb && !lx) {
            error_report("-kernel %s: neither a Multiboot image nor a Linux bzImage", cfg->kernel);
            return -ENOTSUP;
        }
        pc_boot_reset(b);
    }
    return 0;
}

static void pc_reset(struct machine *m)
{
    pc_boot_reset(m->board);
}

static const struct machine_type pc_machine = {
    .name = "pc",
    .desc = "Standard PC (i440FX-like, our own device models)",
    .default_ram = 128ull << 20,
    .max_cpus = PC_MAX_CPUS,
    .default_accel = "kvm",
    .default_nic = "virtio-net-pci", /* QEMU: e1000, not modelled here */
    .init = pc_init,
    .reset = pc_reset,
    .nmi = x86_machine_nmi,
};
MACHINE_TYPE_REGISTER(pc_machine);

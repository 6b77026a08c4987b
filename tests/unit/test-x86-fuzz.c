/*
 * test-x86-fuzz.c - drive the pc machine's device models (PIC, PIT, RTC,
 * fw_cfg with DMA, PCI host, UART, isa-debug-exit, i8042, ACPI PM) with
 * random port accesses, the local APIC and I/O APIC with random MMIO, MSR
 * writes (relocation, x2APIC) and input edges, two modern virtio PCI
 * functions (virtio-console, and virtio-rng with a rate limit) with random
 * BAR and configuration-space accesses, their MSI-X (table and PBA in BAR 1,
 * the enable and mask bits, vector registers, messages through the APIC
 * bus with whatever address and data the table holds), random virtual-time steps and
 * interrupt acknowledges, for a bounded time (BAREMU_FUZZ_SECONDS, default
 * 5). A crash, an out-of-range
 * vector or a sanitizer report is the failure; the devices must also keep
 * answering the sequences firmware relies on afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "emu-core/accel.h"
#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/memory.h"
#include "emu-core/platform.h"
#include "hw/acpi/acpi.h"
#include "hw/char/uart16550.h"
#include "hw/input/i8042.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/misc/fw-cfg.h"
#include "hw/misc/isa-debug-exit.h"
#include "hw/pci/i440fx.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/i8254.h"
#include "hw/virtio/virtio-console.h"
#include "hw/virtio/virtio-pci-modern.h"
#include "hw/virtio/virtio-rng.h"
#include "targets/x86/x86.h"
#include "tests/unit/check.h"

static int intr_level;
static void intr_set(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    intr_level = level;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Ports the models answer on, weighted towards them; anything else hits nothing. */
static const uint16_t fuzz_ports[] = {0x20,  0x21,  0xa0,  0xa1,  0x4d0, 0x4d1, 0x40,  0x41,
                                      0x42,  0x43,  0x61,  0x70,  0x71,  0x510, 0x511, 0x514,
                                      0x518, 0xcf8, 0xcf9, 0xcfc, 0xcfe, 0x3f8, 0x3fd, 0xf4,
                                      0x60,  0x64,  0x600, 0x602, 0x604, 0x608};

/* A random but mostly well-formed IA32_APIC_BASE or x2APIC register write. */
static void fuzz_apic_msr(struct apic *a)
{
    uint64_t r = rnd(), v = rnd();

    if (r & 1) {
        uint64_t base = (r & 2) ? APIC_DEFAULT_BASE : (v & 0xffffff000ull);
        if (r & 4)
            base = v; /* reserved bits: #GP */
        apic_wrmsr(a, 0x1b, base | (r & 0xc00));
    } else {
        uint64_t val;
        uint32_t msr = 0x800 + (uint32_t)((r >> 8) & 0xff);
        if ((r >> 16) & 1)
            apic_rdmsr(a, msr, &val);
        else
            apic_wrmsr(a, msr, (r >> 17) & 1 ? v : (v & 0xffffffff));
    }
}

/* The pc board's MSI hook (hw/boards/pc-pci.c): the APIC window, nothing else. */
static uint64_t msis;
static void fuzz_msi(void *opaque, uint64_t addr, uint32_t data)
{
    msis++;
    if ((addr & ~(APIC_BUS_WINDOW - 1)) == APIC_DEFAULT_BASE)
        apic_bus_msi(opaque, addr, data);
}

static struct device *mkdev(const struct device_type *t)
{
    struct device *d = device_new(NULL, t, t->name);
    CHECK(d != NULL);
    return d;
}

int main(void)
{
    struct mem_region sysroot, ram, ioroot;
    struct address_space as, io;
    struct vclock clk;
    struct irq_line intr = {.handler = intr_set};
    const char *secs_env = getenv("BAREMU_FUZZ_SECONDS");
    uint64_t secs = secs_env ? strtoull(secs_env, NULL, 0) : 5, ops = 0, vt = 0;

    log_enabled = 0; /* the guest errors this provokes are expected */
    vclock_init(&clk);
    mem_region_init_container(&sysroot, "sys", UINT64_MAX);
    address_space_init(&as, &sysroot, "memory");
    CHECK(mem_region_init_ram(&ram, "ram", 1 << 20) == 0);
    mem_region_add_subregion(&sysroot, 0, &ram, 0);
    mem_region_init_container(&ioroot, "io", 0x10000);
    address_space_init(&io, &ioroot, "io");

    struct device *pic = mkdev(&i8259_type), *pit = mkdev(&i8254_type);
    struct device *rtc = mkdev(&mc146818_type), *fw = mkdev(&fw_cfg_type);
    struct device *pci = mkdev(&i440fx_type), *uart = mkdev(&uart16550_type);
    struct device *dbg = mkdev(&isa_debug_exit_type), *kbd = mkdev(&i8042_type);
    struct device *apicd = mkdev(&apic_type), *ioapicd = mkdev(&ioapic_type);
    struct device *pm = mkdev(&acpi_pm_type);
    static struct x86_cpu cpu;
    cpu.vcpu.arch = &cpu;
    cpu.intr_pin = intr;
    device_prop_set_link(apicd, "cpu", &cpu.vcpu);
    device_prop_set_link(apicd, "clock", &clk);
    device_prop_set_link(apicd, "sysmem", &sysroot);
    static struct apic_bus bus;
    apic_bus_init(&bus);
    mem_region_add_subregion(&sysroot, APIC_DEFAULT_BASE, &bus.mmio, 1);
    vcpu_set_current(&cpu.vcpu); /* the accesses below are the CPU's (MSIs too: see the window) */
    CHECK(apic_bus_add(&bus, apicd) == 0);
    CHECK(device_realize(apicd) == 0);
    CHECK(device_realize(ioapicd) == 0);
    ioapic_set_bus(ioapicd, &bus);
    apic_set_extint(apicd, pic_intack, pic);
    apic_set_eoi_hook(apicd, ioapic_eoi, ioapicd);
    mem_region_add_subregion(&sysroot, IOAPIC_DEFAULT_BASE, ioapic_mmio(ioapicd), 0);
    device_prop_set_link(pm, "clock", &clk);
    device_prop_set_link(pm, "sci", ioapic_irq(ioapicd, 9));
    CHECK(device_realize(pm) == 0);
    mem_region_add_subregion(&ioroot, 0x600, acpi_pm_io(pm), 0);
    struct apic *apic = (struct apic *)apicd;
    /* A modern virtio function on the i440FX's bus, its BAR 4 at 0xfe000000 (RAM-backed rings). */
    struct device *con = mkdev(&virtio_console_type), *vpm = mkdev(&virtio_pci_modern_type);
    CHECK(device_realize(con) == 0);
    virtio_console_vdev(con)->as = &as;
    device_prop_set_link(vpm, "backend", virtio_console_vdev(con));
    device_prop_set_link(vpm, "bus", i440fx_bus(pci, &sysroot, &ioroot));
    device_prop_set_u64(vpm, "addr", 5 << 3);
    CHECK(device_realize(vpm) == 0);
    struct pci_function *vfn = &((struct virtio_pci_modern *)vpm)->fn;
    /* virtio-rng in slot 6, BAR 4 at 0xfd000000, limited so its period timer runs too. */
    struct device *rngd = mkdev(&virtio_rng_type), *vpr = mkdev(&virtio_pci_modern_type);
    device_prop_set_link(rngd, "clock", &clk);
    CHECK(device_prop_parse(rngd, "max-bytes", "4096") == 0);
    CHECK(device_prop_parse(rngd, "period", "10") == 0);
    CHECK(device_realize(rngd) == 0);
    virtio_rng_vdev(rngd)->as = &as;
    device_prop_set_link(vpr, "backend", virtio_rng_vdev(rngd));
    device_prop_set_link(vpr, "bus", i440fx_bus(pci, &sysroot, &ioroot));
    device_prop_set_u64(vpr, "addr", 6 << 3);
    CHECK(device_realize(vpr) == 0);
    struct pci_function *rfn = &((struct virtio_pci_modern *)vpr)->fn;
    pci_bus_set_msi(i440fx_bus(pci, &sysroot, &ioroot), fuzz_msi, &bus);
    device_prop_set_link(pic, "intr", apic_lint(apicd, 0));
    device_prop_set_link(pit, "clock", &clk);
    device_prop_set_link(pit, "irq", pic_irq(pic, 0));
    device_prop_set_link(rtc, "clock", &clk);
    device_prop_set_link(rtc, "irq", pic_irq(pic, 8));
    device_prop_set_link(fw, "dma-as", &as);
    device_prop_set_link(uart, "irq", pic_irq(pic, 4));
    device_prop_set_link(uart, "clock", &clk);
    CHECK(device_realize(pic) == 0);
    CHECK(device_realize(pit) == 0);
    CHECK(device_realize(rtc) == 0);
    CHECK(device_realize(fw) == 0);
    CHECK(device_realize(pci) == 0);
    CHECK(device_realize(uart) == 0);
    CHECK(device_realize(dbg) == 0);
    device_prop_set_link(kbd, "irq", pic_irq(pic, 1));
    CHECK(device_realize(kbd) == 0);
    static uint8_t blob[5000];
    for (size_t i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)i;
    CHECK(fw_cfg_add_file(fw, "etc/test", blob, sizeof(blob)) == 0);
    CHECK(fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, 1 << 20) == 0);

    mem_region_add_subregion(&ioroot, 0x20, pic_io(pic, 0), 0);
    mem_region_add_subregion(&ioroot, 0xa0, pic_io(pic, 1), 0);
    mem_region_add_subregion(&ioroot, 0x4d0, pic_elcr_io(pic), 0);
    mem_region_add_subregion(&ioroot, 0x40, pit_io(pit), 0);
    mem_region_add_subregion(&ioroot, 0x61, pit_port61_io(pit), 0);
    mem_region_add_subregion(&ioroot, 0x70, cmos_io(rtc), 0);
    mem_region_add_subregion(&ioroot, 0x510, fw_cfg_io(fw), 0);
    mem_region_add_subregion(&ioroot, 0x514, fw_cfg_dma_io(fw), 0);
    mem_region_add_subregion(&ioroot, 0xcf8, i440fx_addr_io(pci), 0);
    mem_region_add_subregion(&ioroot, 0xcfc, i440fx_data_io(pci), 0);
    mem_region_add_subregion(&ioroot, 0x3f8, uart16550_mmio(uart), 0);
    mem_region_add_subregion(&ioroot, 0xf4, isa_debug_exit_io(dbg), 0);
    mem_region_add_subregion(&ioroot, 0x60, i8042_data_io(kbd), 0);
    mem_region_add_subregion(&ioroot, 0x64, i8042_cmd_io(kbd), 0);

    uint64_t end = plat_clock_ns() + secs * 1000000000ull;
    while (plat_clock_ns() < end) {
        for (int k = 0; k < 4096; k++, ops++) {
            uint64_t r = rnd();
            uint16_t port =
                (r & 7) ? fuzz_ports[(r >> 3) % (sizeof(fuzz_ports) / 2)] + (uint16_t)((r >> 8) & 3)
                        : (uint16_t)(r >> 16);
            unsigned size = 1u << ((r >> 32) % 3);
            uint64_t v;
            if ((r >> 40) & 1) {
                uint64_t val = rnd();
                /* fw_cfg DMA descriptors: point them into RAM most of the time. */
                if ((port & ~3) == 0x518 && ((r >> 41) & 3))
                    val = __builtin_bswap32((uint32_t)((rnd() % (1 << 20)) & ~15u));
                address_space_store(&io, port, size, val);
            } else {
                address_space_load(&io, port, size, &v);
            }
            if (((r >> 44) & 63) == 0) {
                vt += rnd() % 20000000; /* up to 20 ms of virtual time */
                vclock_set(&clk, vt);
                vclock_run_timers(&clk);
            }
            if (intr_level && ((r >> 50) & 3) == 0) {
                int vec = apic_intack(apic);
                CHECK(vec >= -1 && vec <= 255);
            }
            if (((r >> 24) & 7) == 0) {
                /* APIC pages: random offsets, sizes and values, wherever they are now. */
                uint64_t q = rnd();
                uint64_t a = (q & 1 ? IOAPIC_DEFAULT_BASE : APIC_DEFAULT_BASE) + ((q >> 1) & 0xfff);
                unsigned sz = 1u << ((q >> 13) % 4);
                if ((q >> 15) & 1)
                    address_space_store(&as, a & ~(uint64_t)(sz - 1), sz, rnd());
                else
                    address_space_load(&as, a & ~(uint64_t)(sz - 1), sz, &v);
            }
            if (((r >> 27) & 63) == 0)
                fuzz_apic_msr(apic);
            if (((r >> 21) & 15) == 0) {
                /* Modern virtio: mostly the BAR (placed now and then), sometimes config space. */
                uint64_t q = rnd();
                unsigned sz = 1u << ((q >> 20) % 3);
                struct pci_function *fn = (q >> 19) & 1 ? rfn : vfn;
                uint32_t bar = fn == rfn ? 0xfd000000u : 0xfe000000u;
                if (((q >> 22) & 63) == 0) {
                    pci_config_write(fn, 0x20, bar, 4);
                    pci_config_write(fn, 0x14, bar + 0x8000, 4);       /* MSI-X: BAR 1 */
                    pci_config_write(fn, 4, (q >> 50) & 1 ? 6 : 2, 2); /* bus master or not */
                } else if (((q >> 22) & 63) < 8) {
                    /* MSI-X: the table (entries aimed at the APICs most of the time), the PBA,
                     * enable/function mask, the vector registers, notifications. */
                    uint64_t t = bar + 0x8000 + ((q >> 29) & 1 ? 0x800 : 0) + ((q >> 30) & 0x3f);
                    uint32_t val = (uint32_t)rnd();
                    if (((q >> 36) & 3) == 0 && (t & 0xf) == 0)
                        val = 0xfee00000u | (val & 0xff00c);
                    if ((q >> 38) & 1)
                        address_space_store(&as, t & ~(uint64_t)(sz - 1), sz, val);
                    else
                        address_space_load(&as, t & ~(uint64_t)(sz - 1), sz, &v);
                    if (((q >> 39) & 7) == 0)
                        pci_config_write(fn, 0x9a, (uint32_t)(q >> 42) & 0xc000, 2);
                    if (((q >> 44) & 3) == 0)
                        address_space_store(&as, bar + ((q >> 46) & 1 ? 0x10 : 0x1a), 2,
                                            (q >> 47) & 1 ? 0xffff : (q >> 48) & 7);
                    if (((q >> 51) & 3) == 0)
                        pci_msix_notify(fn, (unsigned)(q >> 53) & 3);
                } else if ((q >> 28) & 1) {
                    unsigned off = (unsigned)(q >> 29) & 0xff;
                    off &= ~(sz - 1);
                    if ((q >> 37) & 1)
                        pci_config_write(fn, off, (uint32_t)rnd(), sz);
                    else
                        pci_config_read(fn, off, sz);
                } else {
                    uint64_t a = bar + ((q >> 29) & 0x3fff);
                    a &= ~(uint64_t)(sz - 1);
                    if ((q >> 44) & 1)
                        address_space_store(&as, a, sz, (q >> 45) & 1 ? rnd() : rnd() % 4096);
                    else
                        address_space_load(&as, a, sz, &v);
                }
            }
            if (((r >> 33) & 15) == 0)
                irq_set(ioapic_irq(ioapicd, (int)((r >> 37) % IOAPIC_PINS)), (r >> 43) & 1);
            if (((r >> 45) & 31) == 0)
                irq_set(apic_lint(apicd, 1), (r >> 46) & 1);
            if (((r >> 47) & 7) == 0 && ((r >> 48) & 1))
                address_space_store(&as, APIC_DEFAULT_BASE + 0xb0, 4, 0); /* EOI */
            if (((r >> 52) & 1023) == 0) {
                /* Scribble over RAM so DMA descriptors carry random lengths and flags. */
                uint64_t a = rnd() % ((1 << 20) - 16);
                uint64_t w[2] = {rnd(), rnd()};
                address_space_write(&as, a, w, sizeof(w));
            }
            if (((r >> 56) & 255) == 0)
                device_reset((r >> 62) & 1 ? pic : (r >> 61) & 1 ? apicd : pit);
        }
    }

    /* Still working: reset, then the signature, the PIT's read-back and the host bridge ID. */
    uint64_t v;
    device_reset(fw);
    device_reset(pci);
    device_reset(pit);
    address_space_store(&io, 0x510, 2, FW_CFG_SIGNATURE);
    char sig[4];
    for (int i = 0; i < 4; i++) {
        address_space_load(&io, 0x511, 1, &v);
        sig[i] = (char)v;
    }
    CHECK(memcmp(sig, "QEMU", 4) == 0);
    /* A 16-bit selector write reaches the selector whole (keys above 0xff, as 0x8002). */
    CHECK_EQ(fw_cfg_add_i32(fw, 0x8002, 0x01020304), 0);
    address_space_store(&io, 0x510, 2, 0x8002);
    for (int i = 0; i < 4; i++) {
        address_space_load(&io, 0x511, 1, &v);
        CHECK_EQ(v, (uint64_t)(4 - i));
    }
    address_space_store(&io, 0xcf8, 4, 0x80000000);
    address_space_load(&io, 0xcfc, 4, &v);
    CHECK_EQ(v, 0x12378086);
    address_space_store(&io, 0x43, 1, 0x34);
    address_space_store(&io, 0x43, 1, 0xe2);
    address_space_load(&io, 0x40, 1, &v);
    CHECK_EQ(v & 0x3f, 0x34);
    /* The modern virtio function still answers: IDs, and num_queues through the window. */
    device_reset(vpm);
    CHECK_EQ(pci_config_read(vfn, 0, 4), 0x10431af4);
    pci_config_write(vfn, 0x88, 4, 1);
    pci_config_write(vfn, 0x8c, 0x12, 4);
    pci_config_write(vfn, 0x90, 2, 4);
    CHECK_EQ(pci_config_read(vfn, 0x94, 2), 2);
    device_reset(vpr);
    CHECK_EQ(pci_config_read(rfn, 0, 4), 0x10441af4);
    pci_config_write(rfn, 0x88, 4, 1);
    pci_config_write(rfn, 0x8c, 0x12, 4);
    pci_config_write(rfn, 0x90, 2, 4);
    CHECK_EQ(pci_config_read(rfn, 0x94, 2), 1);
    /* ... and their MSI-X is back to its reset state: off, two vectors, every one masked. */
    CHECK_EQ(pci_config_read(rfn, 0x98, 4), 0x00018411);
    CHECK(!pci_msix_enabled(rfn) && !pci_msix_enabled(vfn));
    CHECK_EQ(rfn->msix.table[12] & rfn->msix.table[28], 1);
    /* The APICs answer again after a reset: version registers, a self-IPI taken and retired. */
    device_reset(apicd);
    device_reset(ioapicd);
    address_space_load(&as, APIC_DEFAULT_BASE + 0x30, 4, &v);
    CHECK_EQ(v, 0x50014);
    address_space_store(&as, IOAPIC_DEFAULT_BASE, 4, 1);
    address_space_load(&as, IOAPIC_DEFAULT_BASE + 0x10, 4, &v);
    CHECK_EQ(v, 0x170020);
    address_space_store(&as, APIC_DEFAULT_BASE + 0xf0, 4, 0x1ff);
    address_space_store(&as, APIC_DEFAULT_BASE + 0x300, 4, 0x40000 | 0x50);
    CHECK_EQ(apic_intack(apic), 0x50);
    address_space_store(&as, APIC_DEFAULT_BASE + 0xb0, 4, 0);
    address_space_load(&as, APIC_DEFAULT_BASE + 0x100 + 0x20, 4, &v);
    CHECK_EQ(v, 0);
    printf("x86 device fuzz: %llu accesses, %llu MSIs\n", (unsigned long long)ops,
           (unsigned long long)msis);
    return check_summary("x86-fuzz");
}

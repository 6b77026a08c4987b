/*
 * pc-fw.c - what the pc machine tells its firmware: CMOS memory sizes and
 * equipment bytes (as QEMU's pc_cmos_init) and the fw_cfg items SeaBIOS
 * reads (RAM size, CPUs, e820 map, boot-failure wait, serial console). As
 * QEMU without bootindex properties, there is no "bootorder" file: SeaBIOS
 * then takes the order from CMOS.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "emu-core/log.h"
#include "hw/boards/pc.h"
#include "hw/misc/fw-cfg.h"
#include "hw/rtc/mc146818.h"
#include "targets/x86/x86.h"

#define E820_RAM 1
#define E820_RESERVED 2
/*
 * 1: IRQ 0 is on I/O APIC pin 2 (pc_isa_irq_set). SeaBIOS reads it as
 * "etc/irq0-override" for its MP table, which Linux follows when it takes
 * no IRQ routing from ACPI (pci=noacpi, acpi=noirq): without it the table
 * said pin 0 and check_timer() found no ticks there ("MP-BIOS bug: 8254
 * timer not connected to IO-APIC"). QEMU sets it too.
 */
#define FW_CFG_IRQ0_OVERRIDE (FW_CFG_ARCH_LOCAL + 2)
#define FW_CFG_E820_TABLE (FW_CFG_ARCH_LOCAL + 3)

void pc_cmos_init(struct pc_board *b)
{
    struct device *rtc = b->cmos;
    uint64_t ext = b->below_4g > (1ull << 20) ? (b->below_4g - (1ull << 20)) >> 10 : 0; /* KiB */
    uint64_t over16;

    cmos_set(rtc, 0x15, 640 & 0xff); /* base memory, KiB */
    cmos_set(rtc, 0x16, 640 >> 8);
    if (ext > 65535)
        ext = 65535;
    cmos_set(rtc, 0x17, (uint8_t)ext);
    cmos_set(rtc, 0x18, (uint8_t)(ext >> 8));
    cmos_set(rtc, 0x30, (uint8_t)ext);
    cmos_set(rtc, 0x31, (uint8_t)(ext >> 8));
    /* RAM between 16 MiB and 4 GiB, in 64 KiB units. */
    over16 = b->below_4g > (16ull << 20) ? (b->below_4g - (16ull << 20)) >> 16 : 0;
    if (over16 > 65535)
        over16 = 65535;
    cmos_set(rtc, 0x34, (uint8_t)over16);
    cmos_set(rtc, 0x35, (uint8_t)(over16 >> 8));
    /* RAM above 4 GiB, in 64 KiB units (three bytes). */
    uint64_t high = b->above_4g >> 16;
    cmos_set(rtc, 0x5b, (uint8_t)high);
    cmos_set(rtc, 0x5c, (uint8_t)(high >> 8));
    cmos_set(rtc, 0x5d, (uint8_t)(high >> 16));
    cmos_set(rtc, 0x5f, (uint8_t)(b->m->ncpus - 1));
    cmos_set(rtc, 0x14, 0x06); /* equipment: no floppy, FPU, CGA-or-none video */
    cmos_set(rtc, 0x10, 0x00); /* no floppy drives */
    /* Boot order "cad" as QEMU's default: disk, floppy, CD (one nibble each). */
    cmos_set(rtc, 0x3d, 0x12);
    cmos_set(rtc, 0x38, 0x30);
}

struct pc_e820 {
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

int pc_fw_cfg_init(struct pc_board *b)
{
    struct device *fw = b->fw_cfg;
    struct machine *m = b->m;
    struct pc_e820 e820[4];
    int n = 0, ret;
    uint8_t zeros[16] = {0};
    uint16_t sercon = 0x3f8;
    uint32_t fail_wait = UINT32_MAX; /* no -boot reboot-timeout: stop at "No bootable device" */

    e820[n++] = (struct pc_e820){0, b->below_4g, E820_RAM};
    if (b->above_4g)
        e820[n++] = (struct pc_e820){PC_HIGH_RAM_BASE, b->above_4g, E820_RAM};
    /* The I/O APIC and local APIC pages (the OS must not put PCI BARs there). */
    e820[n++] = (struct pc_e820){0xfec00000, 0x1000, E820_RESERVED};
    e820[n++] = (struct pc_e820){0xfee00000, 0x1000, E820_RESERVED};
    /* SeaBIOS sizes its tables by the APIC IDs (sparse with -smp's sockets/cores), as QEMU's. */
    unsigned id_limit = 0;
    for (int i = 0; i < m->ncpus; i++) {
        uint32_t id = x86_cpu_of(m->cpus[i])->apic_id;
        id_limit = id >= id_limit ? id + 1 : id_limit;
    }
    if ((ret = fw_cfg_add_bytes(fw, FW_CFG_UUID, zeros, 16)) < 0 ||
        (ret = fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, m->cfg->ram_size)) < 0 ||
        (ret = fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, 1)) < 0 ||
        (ret = fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, (uint16_t)m->ncpus)) < 0 ||
        (ret = fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, (uint16_t)id_limit)) < 0 ||
        (ret = fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, 0)) < 0 ||
        (ret = fw_cfg_add_i16(fw, FW_CFG_BOOT_DEVICE, 'c')) < 0 ||
        (ret = fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1)) < 0 ||
        (ret = fw_cfg_add_file(fw, "etc/e820", e820, (uint32_t)(n * sizeof(e820[0])))) < 0 ||
        (ret = fw_cfg_add_file(fw, "etc/boot-fail-wait", &fail_wait, sizeof(fail_wait))) < 0 ||
        /* No display: SeaBIOS writes its screen to COM1, as one wants with -nographic. */
        (ret = fw_cfg_add_file(fw, "etc/sercon-port", &sercon, sizeof(sercon))) < 0) {
        error_report("fw_cfg: cannot add the firmware's items: %s", strerror(-ret));
        return ret;
    }
    /* NUMA: no nodes; one zero per APIC ID after the count, as QEMU sends it. */
    uint64_t numa[1 + 256] = {0};
    return fw_cfg_add_bytes(fw, FW_CFG_NUMA, numa, (uint32_t)((1 + id_limit + 0) * 8));
}

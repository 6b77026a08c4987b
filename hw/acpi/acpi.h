/*
 * acpi.h - ACPI for the x86 machines: the tables a PC's firmware hands to
 * the OS, and the fixed-hardware power-management registers they point at.
 *
 * Tables (ACPI 6.4 spec, chapter 5): RSDP (rev 2) -> RSDT and XSDT ->
 * FADT (rev 3; FACS, DSDT, PM1a event/control blocks, PM timer, reset
 * register 0xcf9) and MADT (local APICs, I/O APIC, interrupt source
 * overrides IRQ 0 -> GSI 2 and level/active-high for the PCI IRQs and the
 * SCI, LINT1 as NMI). The DSDT (acpi-dsdt.c, encoded with aml.h) holds
 * \_S5 and, on pc, _PIC and the PCI root bridge \_SB.PCI0 with its windows
 * (_CRS) and INTx routing (_PRT through the PIIX's PIRQ link devices); on
 * microvm the virtio-mmio slots instead.
 *
 * Tables are delivered as QEMU does: two fw_cfg files ("etc/acpi/tables",
 * "etc/acpi/rsdp") and a linker/loader script ("etc/table-loader") that
 * the firmware (SeaBIOS) runs to place them (RSDP in the F segment),
 * patch the pointers and fix the checksums. acpi_tables_install() runs
 * the same script itself for boots without firmware and for tests.
 */
#ifndef HW_ACPI_ACPI_H
#define HW_ACPI_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/memory.h"

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_VIRTIO_MMIO 32

/* fw_cfg file names of the BIOS linker/loader interface. */
#define ACPI_FILE_TABLES "etc/acpi/tables"
#define ACPI_FILE_RSDP "etc/acpi/rsdp"
#define ACPI_FILE_LOADER "etc/table-loader"

/* Loader commands (128 bytes each, little-endian, as SeaBIOS's romfile_loader_entry_s). */
#define ACPI_LOADER_ALLOCATE 1
#define ACPI_LOADER_ADD_POINTER 2
#define ACPI_LOADER_ADD_CHECKSUM 3
#define ACPI_LOADER_ENTRY_SIZE 128
#define ACPI_LOADER_FILESZ 56
#define ACPI_LOADER_ZONE_HIGH 1
#define ACPI_LOADER_ZONE_FSEG 2

/* PM1 register bits (ACPI 4.8.3.1-2). */
#define ACPI_PM1_TMR_STS 0x0001
#define ACPI_PM1_PWRBTN_STS 0x0100
#define ACPI_PM1_WAK_STS 0x8000
#define ACPI_PM1_CNT_SCI_EN 0x0001
#define ACPI_PM1_CNT_SLP_EN 0x2000
#define ACPI_SLP_TYP_S5 0 /* the value \_S5 names (as QEMU's PIIX4) */
#define ACPI_PM_TIMER_HZ 3579545ull

/* What the pc board tells the table builder. */
struct acpi_pc_config {
    int ncpus;
    uint8_t apic_ids[ACPI_MAX_CPUS];
    uint32_t lapic_base, ioapic_base;
    uint8_t ioapic_id;
    uint16_t pm_base; /* PM1a_EVT at +0 (4), PM1a_CNT at +4 (2), PM_TMR at +8 (4) */
    uint8_t sci_irq;
    uint16_t pci_irq_mask; /* ISA IRQs PCI INTx may use: level, active high in the MADT */
    bool no_pci;           /* no \_SB.PCI0 in the DSDT (microvm) */
    /* PCI0's 32-bit memory window (inclusive; none if end <= base): the top of low RAM up. */
    uint32_t pci_mem_base, pci_mem_end;
    /*
     * virtio-mmio slots as LNRO0005 devices (base + i * size, GSI gsi + i),
     * as QEMU's microvm; at most ACPI_MAX_VIRTIO_MMIO (the Scope's two-byte
     * PkgLength holds them).
     */
    int virtio_mmio_count;
    uint32_t virtio_mmio_base, virtio_mmio_size, virtio_mmio_gsi;
};

struct acpi_blob {
    uint8_t *data;
    uint32_t len, cap;
};

struct acpi_tables {
    struct acpi_blob tables, rsdp, loader;
};

/*
 * Build the tables and the loader script. 0, -EINVAL for a configuration
 * out of range (CPUs, virtio-mmio slots) or -ENOMEM; free with acpi_tables_free().
 */
int acpi_build_pc(const struct acpi_pc_config *cfg, struct acpi_tables *out);
void acpi_tables_free(struct acpi_tables *t);

/*
 * Run the loader script as firmware would: the tables blob goes to
 * tables_addr, the RSDP to rsdp_addr (16-byte aligned, in 0xe0000-0xfffff
 * for an OS to find it), pointers patched, checksums set. Returns 0,
 * -EINVAL for a malformed script or an address that breaks an alignment
 * it asks for, -EIO if the memory is not writable RAM.
 */
int acpi_tables_install(const struct acpi_tables *t, struct address_space *as, uint64_t tables_addr,
                        uint64_t rsdp_addr);

/* Sum of len bytes (a valid table sums to 0). */
uint8_t acpi_checksum(const uint8_t *p, uint32_t len);

/*
 * acpi-pm.c: the fixed-hardware PM registers as one I/O region of 12
 * bytes (PM1a_STS, PM1a_EN, PM1a_CNT, a hole, PM_TMR). SLP_EN with SLP_TYP
 * S5 powers the machine off (the run ends with status 0, as QEMU's);
 * other sleep types are logged and ignored. The SCI (a level line) is up
 * while an enabled status bit is set. The PM timer is 24 bits at 3.579545
 * MHz of virtual time; its overflow status (TMR_STS) is not raised.
 *
 * Properties: "clock" (link, required), "sci" (link: the SCI line, may be
 * NULL), "machine" is the device's own machine (powered off on S5).
 */
struct acpi_pm {
    struct device dev;
    struct vclock *clock;
    struct irq_line *sci;
    uint16_t sts, en, cnt;
    struct mem_region io;
};

extern const struct device_type acpi_pm_type;

struct mem_region *acpi_pm_io(struct device *dev);
/* The power button (monitor system_powerdown): sets PWRBTN_STS, raises the SCI if enabled. */
void acpi_pm_power_button(struct device *dev);

#endif

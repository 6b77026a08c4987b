/*
 * pc-acpi.c - the pc machine's ACPI: the PM registers at I/O 0x600 (SCI on
 * IRQ 9, as QEMU's PIIX4) and the tables, handed to SeaBIOS through fw_cfg
 * with the linker/loader script (hw/acpi/acpi.h). SeaBIOS then installs
 * ours instead of building its own, for disk and -kernel boots alike.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/log.h"
#include "hw/acpi/acpi.h"
#include "hw/boards/pc.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "targets/x86/x86.h"
#include "hw/misc/fw-cfg.h"

#define PC_PM_BASE 0x600
#define PC_SCI_IRQ 9
/* ISA IRQs the PIIX's PIRQ lines may be routed to (SeaBIOS picks 10 and 11). */
#define PC_PCI_IRQ_MASK (1u << 5 | 1u << 9 | 1u << 10 | 1u << 11)

int pc_acpi_init(struct pc_board *b)
{
    struct machine *m = b->m;
    struct acpi_pc_config c = {.ncpus = m->ncpus,
                               .lapic_base = (uint32_t)APIC_DEFAULT_BASE,
                               .ioapic_base = (uint32_t)IOAPIC_DEFAULT_BASE,
                               .ioapic_id = 0,
                               .pm_base = PC_PM_BASE,
                               .sci_irq = PC_SCI_IRQ,
                               .pci_irq_mask = PC_PCI_IRQ_MASK,
                               /* PCI memory: the hole between low RAM and the I/O APIC */
                               .pci_mem_base = (uint32_t)b->below_4g,
                               .pci_mem_end = (uint32_t)IOAPIC_DEFAULT_BASE - 1};
    struct acpi_tables t;
    int ret;

    b->pm = device_new(m, &acpi_pm_type, "acpi-pm");
    if (!b->pm) {
        error_report("acpi-pm: out of memory");
        return -ENOMEM;
    }
    device_prop_set_link(b->pm, "clock", &m->clock);
    device_prop_set_link(b->pm, "sci", &b->isa_irq[PC_SCI_IRQ]);
    if ((ret = device_realize(b->pm)) < 0 ||
        (ret = mem_region_add_subregion(&m->iomem, PC_PM_BASE, acpi_pm_io(b->pm), 0)) < 0) {
        error_report("acpi-pm: cannot start: %s", strerror(-ret));
        return ret;
    }
    for (int i = 0; i < m->ncpus && i < ACPI_MAX_CPUS; i++)
        c.apic_ids[i] = (uint8_t)x86_cpu_of(m->cpus[i])->apic_id;
    if ((ret = acpi_build_pc(&c, &t)) < 0) {
        error_report("acpi: cannot build the tables: %s", strerror(-ret));
        return ret;
    }
    if ((ret = fw_cfg_add_file(b->fw_cfg, ACPI_FILE_TABLES, t.tables.data, t.tables.len)) < 0 ||
        (ret = fw_cfg_add_file(b->fw_cfg, ACPI_FILE_RSDP, t.rsdp.data, t.rsdp.len)) < 0 ||
        (ret = fw_cfg_add_file(b->fw_cfg, ACPI_FILE_LOADER, t.loader.data, t.loader.len)) < 0)
        error_report("fw_cfg: cannot add the ACPI tables: %s", strerror(-ret));
    acpi_tables_free(&t);
    return ret;
}

/*
 * pc.h - the "pc" machine: an i440FX-like PC with our own device models,
 * laid out as QEMU's pc so that SeaBIOS and guests find what they expect.
 */
#ifndef HW_BOARDS_PC_H
#define HW_BOARDS_PC_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/irq.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "hw/intc/apic.h"

#define PC_BELOW_4G_MAX 0xc0000000ull /* RAM above this moves above 4 GiB */
#define PC_HIGH_RAM_BASE 0x100000000ull
#define PC_ISA_BIOS_BASE 0xe0000ull /* the BIOS's last 128 KiB show here too */
#define PC_ISA_BIOS_SIZE 0x20000ull
#define PC_DEFAULT_BIOS "/usr/share/seabios/bios.bin"

#define PC_MAX_BLOBS 32

/* An image piece loaded for -kernel/-initrd, rewritten at every reset. */
struct pc_blob {
    const char *what;
    uint64_t addr;
    uint8_t *data;
    uint64_t len;
};

struct pc_board {
    struct machine *m;
    uint64_t below_4g, above_4g;
    struct mem_region ram, ram_low, ram_high;
    struct mem_region bios, isa_bios_e, isa_bios_f;
    bool isa_bios_e_mapped, isa_bios_f_mapped;
    struct mem_region port92, isa_unclaimed;
    uint64_t bios_size;
    struct device *uart, *debug_exit;
    struct pc_blob blobs[PC_MAX_BLOBS];
    int nblobs;
    uint8_t *mb_info; /* the Multiboot information area, 0x9000-0xffff */
    struct device *pic, *pit, *cmos, *kbd, *port61, *pci, *fw_cfg;
    struct device *apics[APIC_BUS_MAX], *ioapic, *pm;
    struct apic_bus apic_bus;  /* the local APICs; its window at 0xfee00000 */
    struct irq_line pic_intr; /* the 8259's INTR, to every LINT0 */
    /* ISA IRQ lines as devices see them: each goes to the PIC and the I/O APIC. */
    struct irq_line isa_irq[16];
};

/*
 * pc.c, shared with the microvm machine (pc-microvm.c): RAM below 3 GiB and
 * above 4 GiB; the local APIC, I/O APIC and 8259s with the ISA IRQ lines;
 * the PIT; UART, isa-debug-exit, i8042, port 0x92. 0 or -errno (reported).
 */
int pc_create_ram(struct pc_board *b);
int pc_create_intc(struct pc_board *b);
int pc_create_pit(struct pc_board *b);
int pc_create_isa(struct pc_board *b);

/*
 * pc-boot.c: an image piece for guest address addr (memsz bytes, zero
 * beyond len), written now and at every reset by pc_boot_reset. It must lie
 * in RAM above 64 KiB and overlap no other. 0 or -errno (reported).
 */
int pc_add_blob(struct pc_board *b, const char *what, uint64_t addr, const void *data,
                uint64_t len, uint64_t memsz);

/*
 * pc-boot.c: load -kernel if it is a Multiboot image (*is_multiboot tells;
 * returns 0 with *is_multiboot false for other formats) and set the CPU's
 * entry state. pc_boot_reset rewrites the images (board reset).
 */
int pc_boot_multiboot(struct pc_board *b, bool *is_multiboot);
void pc_boot_reset(struct pc_board *b);

/*
 * pc-linux.c: -kernel bzImage (boot protocol >= 2.00, loaded high), -initrd,
 * -append through fw_cfg for SeaBIOS and QEMU's linuxboot_dma.bin option ROM.
 * 0 with *is_linux false if the file has no "HdrS" header.
 */
int pc_boot_linux(struct pc_board *b, bool *is_linux);

#define PC_E820_RAM 1
#define PC_E820_RESERVED 2

/* An address range the e820 map reserves for the board's devices. */
struct pc_reserved {
    uint64_t addr, len;
};

/*
 * pc-linux-direct.c: -kernel bzImage entered at its 32-bit entry with a
 * zero page we fill (no firmware): command line -append plus extra_cmdline
 * (may be NULL), -initrd, and an e820 map with RAM, the BIOS area and the
 * ranges res[0..nres) reserved (sorted, above 4 GiB RAM excluded). 0 with
 * *is_linux false if the file is no bzImage; -errno after error_report().
 */
int pc_boot_linux_direct(struct pc_board *b, const char *extra_cmdline,
                         const struct pc_reserved *res, int nres, bool *is_linux);

/* pc-pci.c: -drive/-device as virtio-blk PCI functions on bus 0. */
int pc_create_pci_devices(struct pc_board *b);

/* pc-fw.c: CMOS contents and fw_cfg items (after the devices exist). */
void pc_cmos_init(struct pc_board *b);
int pc_fw_cfg_init(struct pc_board *b);

/* pc-acpi.c: the ACPI PM registers and the tables (fw_cfg must exist). 0 or -errno. */
int pc_acpi_init(struct pc_board *b);

#endif

/*
 * riscv-boot.h - loading firmware, kernel, initrd and device tree for
 * RISC-V boards, with QEMU 7.2's placement rules, and the mask-ROM reset
 * vector with OpenSBI's fw_dynamic_info.
 *
 * Loaded images are kept as blobs so that a board reset can copy them into
 * RAM again, as QEMU's ROM loader does.
 */
#ifndef HW_BOARDS_RISCV_BOOT_H
#define HW_BOARDS_RISCV_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/memory.h"

#define RV_BOOT_MAX_BLOBS 16

struct rv_boot_blob {
    uint64_t addr, size;
    uint8_t *data; /* size bytes (ELF segments zero-filled to their memory size) */
    const char *what; /* "-bios FILE" etc., for messages */
};

struct rv_boot {
    uint64_t ram_base, ram_size;
    struct rv_boot_blob blobs[RV_BOOT_MAX_BLOBS];
    int nblobs;
    char names[RV_BOOT_MAX_BLOBS][160];
};

/* Extent of what one rv_boot_load_image() call placed. */
struct rv_boot_extent {
    uint64_t low, high; /* [low, high) */
    uint64_t entry;     /* ELF entry, or low for raw binaries */
    bool elf;
};

/*
 * Load file: a riscv64 ELF by its program headers (at p_paddr), else a raw
 * binary at bin_addr. Everything must land in RAM. Returns 0, or -errno
 * after error_report() naming what (e.g. "-kernel") and what to fix.
 */
int rv_boot_load_image(struct rv_boot *b, const char *what, const char *file, uint64_t bin_addr,
                       struct rv_boot_extent *ext);

/* Load file raw at addr (initrd). Same errors. */
int rv_boot_load_raw(struct rv_boot *b, const char *what, const char *file, uint64_t addr,
                     struct rv_boot_extent *ext);

/* Add a copy of data as a blob at addr (the device tree). Must lie in RAM. */
int rv_boot_add_blob(struct rv_boot *b, const char *what, const void *data, uint64_t size,
                     uint64_t addr);

/* Refuse overlapping blobs (QEMU's "rom: requested regions overlap"). 0 or -EINVAL. */
int rv_boot_check_overlaps(const struct rv_boot *b);

/* Copy every blob into guest memory (at start-up and on each reset). */
void rv_boot_write_blobs(const struct rv_boot *b, struct address_space *as);

void rv_boot_free(struct rv_boot *b);

/* QEMU 7.2's rv64 kernel start: firmware end rounded up to 2 MiB. */
uint64_t rv_boot_kernel_start(uint64_t firmware_end);

/* QEMU 7.2's initrd start: kernel + min(RAM / 2, 128 MiB). */
uint64_t rv_boot_initrd_start(uint64_t kernel_entry, uint64_t ram_size);

/* QEMU 7.2's device tree address: below min(RAM end, 3 GiB), 2 MiB aligned. */
uint64_t rv_boot_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size);

/*
 * The mask ROM contents (QEMU's reset vector: a0 = mhartid, a1 = fdt,
 * a2 = fw_dynamic_info, jump to start_addr; then fw_dynamic_info version 2
 * with next_addr = kernel_entry, next_mode S, boot_hart 0). Writes at most
 * len bytes to rom and returns the size used.
 */
#define RV_BOOT_ROM_SIZE (10 * 4 + 6 * 8)
#define RV_BOOT_FW_DYNAMIC_INFO_OFFSET (10 * 4)
size_t rv_boot_rom_image(uint8_t *rom, size_t len, uint64_t start_addr, uint64_t fdt_addr,
                         uint64_t kernel_entry);

#endif

/*
 * boot-info.h - what the boot path hands the kernel, in one shape for every
 * loader: Multiboot 1 and 2 are translated by kernel/multiboot.c, the UEFI
 * loader (boot/efi-loader.c) fills it in before jumping to kern_efi_entry.
 * Fixed-width fields only: the EFI loader is built with other flags.
 */
#ifndef KERNEL_BOOT_INFO_H
#define KERNEL_BOOT_INFO_H

/* The value in %eax/%rdi at the common 64-bit entry says which loader ran. */
#define KERN_BOOT_MB1 0x2BADB002u
#define KERN_BOOT_MB2 0x36D76289u
#define KERN_BOOT_EFI 0x45464921u /* "!IFE": struct kern_boot_info * in %rsi */

#ifndef __ASSEMBLER__
#include <stdint.h>

#define KERN_CMDLINE_MAX 4096
#define KERN_MAX_MEM 256
#define KERN_MAX_MODS 32
#define KERN_MOD_NAME_MAX 96

enum kern_mem_type {
    KERN_MEM_USABLE = 1,
    KERN_MEM_RESERVED = 2,
};

struct kern_mem_range {
    uint64_t base, len;
    uint32_t type; /* enum kern_mem_type */
    uint32_t pad;
};

struct kern_module {
    uint64_t start, size;         /* physical, identity mapped */
    char name[KERN_MOD_NAME_MAX]; /* what "module:NAME" matches */
};

struct kern_boot_info {
    uint32_t loader; /* KERN_BOOT_* */
    uint32_t nmem, nmods;
    uint32_t cmdline_has_argv0; /* 1: the first word is the image's own name */
    uint64_t rsdp;              /* physical address of the ACPI RSDP, 0: scan for it */
    uint64_t tsc_hz;            /* 0: calibrate */
    char loader_name[32];
    char cmdline[KERN_CMDLINE_MAX];
    struct kern_mem_range mem[KERN_MAX_MEM];
    struct kern_module mods[KERN_MAX_MODS];
};

#endif /* __ASSEMBLER__ */
#endif

/*
 * multiboot.c - Multiboot 1 and 2 information into struct kern_boot_info.
 * Everything is copied out at once: the loader's structures lie in memory
 * that kern_mem_init() hands out afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/kernel.h"

#define MB1_INFO_MEM (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_LOADER (1u << 9)

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct kern_boot_info kern_boot;

/* A copy of the RSDP that Multiboot 2 hands over inside its (reused) info. */
static uint8_t mb2_rsdp[64];

static const char *phys_str(uint64_t addr)
{
    return (const char *)(uintptr_t)addr;
}

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static void add_mem(uint64_t base, uint64_t len, uint32_t type)
{
    if (kern_boot.nmem >= KERN_MAX_MEM)
        return;
    kern_boot.mem[kern_boot.nmem++] = (struct kern_mem_range){
        .base = base,
        .len = len,
        .type = type == 1 ? KERN_MEM_USABLE : KERN_MEM_RESERVED,
    };
}

/* "module:NAME" names a module by the last path component of its first word. */
static void add_module(uint64_t start, uint64_t end, const char *cmdline)
{
    struct kern_module *m;

    if (kern_boot.nmods >= KERN_MAX_MODS || end < start)
        return;
    m = &kern_boot.mods[kern_boot.nmods];
    m->start = start;
    m->size = end - start;
    const char *w = cmdline ? cmdline : "";
    while (*w == ' ')
        w++;
    size_t n = strcspn(w, " ");
    const char *slash = memchr(w, '/', n);
    while (slash) {
        n -= slash + 1 - w;
        w = slash + 1;
        slash = memchr(w, '/', n);
    }
    if (n)
        snprintf(m->name, sizeof(m->name), "%.*s", (int)n, w);
    else
        snprintf(m->name, sizeof(m->name), "%u", kern_boot.nmods);
    kern_boot.nmods++;
}

int kern_bootinfo_mb1(uint32_t info_phys)
{
    const uint32_t *mbi = (const uint32_t *)(uintptr_t)info_phys;
    uint32_t flags = mbi[0];

    kern_boot.loader = KERN_BOOT_MB1;
    /* Multiboot 1 loaders (QEMU, GRUB's "multiboot") put the image path first. */
    kern_boot.cmdline_has_argv0 = 1;
    if (flags & MB1_INFO_CMDLINE)
        copy_str(kern_boot.cmdline, sizeof(kern_boot.cmdline), phys_str(mbi[4]));
    copy_str(kern_boot.loader_name, sizeof(kern_boot.loader_name),
             flags & MB1_INFO_LOADER ? phys_str(mbi[16]) : "Multiboot");
    if (flags & MB1_INFO_MMAP) {
        uint64_t p = mbi[12], end = p + mbi[11];
        while (p + 24 <= end) {
            const uint8_t *e = (const uint8_t *)(uintptr_t)p;
            uint32_t size, type;
            uint64_t base, len;
            memcpy(&size, e, 4);
            memcpy(&base, e + 4, 8);
            memcpy(&len, e + 12, 8);
            memcpy(&type, e + 20, 4);
            add_mem(base, len, type);
            p += size + 4;
        }
    } else if (flags & MB1_INFO_MEM) {
        add_mem(0, (uint64_t)mbi[1] << 10, 1);
        add_mem(0x100000, (uint64_t)mbi[2] << 10, 1);
    } else {
        return -EINVAL;
    }
    if (flags & MB1_INFO_MODS) {
        const uint32_t *mod = (const uint32_t *)(uintptr_t)mbi[6];
        for (uint32_t i = 0; i < mbi[5]; i++, mod += 4)
            add_module(mod[0], mod[1], mod[2] ? phys_str(mod[2]) : NULL);
    }
    return 0;
}

int kern_bootinfo_mb2(uint32_t info_phys)
{
    const uint8_t *info = (const uint8_t *)(uintptr_t)info_phys;
    uint32_t total;

    kern_boot.loader = KERN_BOOT_MB2;
    kern_boot.cmdline_has_argv0 = 0; /* GRUB's multiboot2 passes only the arguments */
    copy_str(kern_boot.loader_name, sizeof(kern_boot.loader_name), "Multiboot2");
    memcpy(&total, info, 4);
    for (uint32_t off = 8; off + 8 <= total;) {
        const uint8_t *t = info + off;
        uint32_t type, size;
        memcpy(&type, t, 4);
        memcpy(&size, t + 4, 4);
        if (type == MB2_TAG_END || size < 8)
            break;
        switch (type) {
        case MB2_TAG_CMDLINE:
            copy_str(kern_boot.cmdline, sizeof(kern_boot.cmdline), (const char *)t + 8);
            break;
        case MB2_TAG_LOADER:
            copy_str(kern_boot.loader_name, sizeof(kern_boot.loader_name), (const char *)t + 8);
            break;
        case MB2_TAG_MODULE: {
            uint32_t s, e;
            memcpy(&s, t + 8, 4);
            memcpy(&e, t + 12, 4);
            add_module(s, e, (const char *)t + 16);
            break;
        }
        case MB2_TAG_MMAP: {
            uint32_t esize;
            memcpy(&esize, t + 8, 4);
            if (esize < 24)
                break;
            for (uint32_t p = 16; p + esize <= size; p += esize) {
                uint64_t base, len;
                uint32_t mtype;
                memcpy(&base, t + p, 8);
                memcpy(&len, t + p + 8, 8);
                memcpy(&mtype, t + p + 16, 4);
                add_mem(base, len, mtype);
            }
            break;
        }
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            if (size - 8 <= sizeof(mb2_rsdp) && (type == MB2_TAG_ACPI_NEW || !kern_boot.rsdp)) {
                memcpy(mb2_rsdp, t + 8, size - 8);
                kern_boot.rsdp = (uintptr_t)mb2_rsdp;
            }
            break;
        }
        off += (size + 7) & ~7u;
    }
    return kern_boot.nmem ? 0 : -EINVAL;
}

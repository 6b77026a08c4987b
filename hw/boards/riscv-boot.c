/*
 * riscv-boot.c - image loading and boot information for RISC-V boards,
 * following QEMU 7.2's hw/riscv/boot.c placement rules.
 */
#include "hw/boards/riscv-boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define EM_RISCV 243
#define PT_LOAD 1
#define EHDR64_SIZE 64
#define PHDR64_SIZE 56
/* Read limit for ELF files, which may carry much more than they load (debug info). */
#define RV_BOOT_MAX_FILE (4 * GiB)

/* fw_dynamic_info as OpenSBI defines it (version 2). */
#define FW_DYNAMIC_INFO_MAGIC 0x4942534full
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_INFO_NEXT_MODE_S 1

static uint16_t rd16(const uint8_t *p) { return p[0] | (uint16_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = v >> (8 * i);
}
static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, v >> 32);
}

static uint64_t ram_end(const struct rv_boot *b) { return b->ram_base + b->ram_size; }

/* [addr, addr+size) within RAM, without overflow. */
static bool in_ram(const struct rv_boot *b, uint64_t addr, uint64_t size)
{
    return addr >= b->ram_base && size <= b->ram_size && addr - b->ram_base <= b->ram_size - size;
}

static const char *blob_name(struct rv_boot *b, const char *what, const char *file)
{
    if (b->nblobs >= RV_BOOT_MAX_BLOBS)
        return what; /* add_blob_owned() refuses it anyway */
    char *n = b->names[b->nblobs];
    if (file)
        snprintf(n, sizeof(b->names[0]), "%s %s", what, file);
    else
        snprintf(n, sizeof(b->names[0]), "%s", what);
    return n;
}

/* Take ownership of data (size bytes) as a blob. */
static int add_blob_owned(struct rv_boot *b, const char *name, uint8_t *data, uint64_t size,
                          uint64_t addr)
{
    if (b->nblobs >= RV_BOOT_MAX_BLOBS) {
        error_report("%s: too many images to load", name);
        free(data);
        return -ENOSPC;
    }
    if (!in_ram(b, addr, size)) {
        error_report("%s: 0x%llx-0x%llx lies outside RAM (0x%llx-0x%llx); use a larger -m or "
                     "another load address",
                     name, (unsigned long long)addr, (unsigned long long)(addr + size - 1),
                     (unsigned long long)b->ram_base, (unsigned long long)(ram_end(b) - 1));
        free(data);
        return -EINVAL;
    }
    b->blobs[b->nblobs++] = (struct rv_boot_blob){addr, size, data, name};
    return 0;
}

int rv_boot_add_blob(struct rv_boot *b, const char *what, const void *data, uint64_t size,
                     uint64_t addr)
{
    const char *name = blob_name(b, what, NULL);
    uint8_t *copy = malloc(size ? size : 1);

    if (!copy)
        return -ENOMEM;
    memcpy(copy, data, size);
    return add_blob_owned(b, name, copy, size, addr);
}

static int load_file(const char *what, const char *file, void **data, uint64_t *size)
{
    int ret = plat_file_load(file, RV_BOOT_MAX_FILE, data, size);

    if (ret < 0)
        error_report("%s %s: cannot read: %s", what, file, strerror(-ret));
    return ret;
}

static int load_elf(struct rv_boot *b, const char *what, const char *file, const uint8_t *img,
                    uint64_t size, struct rv_boot_extent *ext)
{
    if (size < EHDR64_SIZE || img[4] != 2 || img[5] != 1) {
        error_report("%s %s: not a 64-bit little-endian ELF file (this is an rv64 machine)", what,
                     file);
        return -EINVAL;
    }
    if (rd16(img + 18) != EM_RISCV) {
        error_report("%s %s: ELF file is for machine %u, not RISC-V", what, file, rd16(img + 18));
        return -EINVAL;
    }
    uint64_t phoff = rd64(img + 32);
    unsigned phentsize = rd16(img + 54), phnum = rd16(img + 56);
    if (phentsize < PHDR64_SIZE || phoff > size || (uint64_t)phnum * phentsize > size - phoff) {
        error_report("%s %s: ELF program headers are truncated", what, file);
        return -EINVAL;
    }
    ext->low = UINT64_MAX;
    ext->high = 0;
    ext->entry = rd64(img + 24);
    ext->elf = true;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        uint64_t off = rd64(ph + 8), paddr = rd64(ph + 24);
        uint64_t filesz = rd64(ph + 32), memsz = rd64(ph + 40);
        if (rd32(ph) != PT_LOAD || memsz == 0)
            continue;
        if (filesz > memsz || off > size || filesz > size - off) {
            error_report("%s %s: ELF segment %u is truncated", what, file, i);
            return -EINVAL;
        }
        if (!in_ram(b, paddr, memsz)) {
            error_report("%s %s: ELF segment at 0x%llx-0x%llx lies outside RAM (0x%llx-0x%llx); "
                         "use a larger -m",
                         what, file, (unsigned long long)paddr,
                         (unsigned long long)(paddr + memsz - 1), (unsigned long long)b->ram_base,
                         (unsigned long long)(ram_end(b) - 1));
            return -EINVAL;
        }
        uint8_t *seg = calloc(1, memsz);
        if (!seg)
            return -ENOMEM;
        memcpy(seg, img + off, filesz);
        int ret = add_blob_owned(b, blob_name(b, what, file), seg, memsz, paddr);
        if (ret < 0)
            return ret;
        if (paddr < ext->low)
            ext->low = paddr;
        if (paddr + memsz > ext->high)
            ext->high = paddr + memsz;
    }
    if (ext->low == UINT64_MAX) {
        error_report("%s %s: ELF file has nothing to load", what, file);
        return -EINVAL;
    }
    return 0;
}

static int add_raw(struct rv_boot *b, const char *what, const char *file, void *data,
                   uint64_t size, uint64_t addr, struct rv_boot_extent *ext)
{
    if (size == 0) {
        error_report("%s %s: file is empty", what, file);
        free(data);
        return -EINVAL;
    }
    if (!in_ram(b, addr, size)) {
        error_report("%s %s: %llu bytes at 0x%llx do not fit in RAM (0x%llx-0x%llx); use a "
                     "larger -m",
                     what, file, (unsigned long long)size, (unsigned long long)addr,
                     (unsigned long long)b->ram_base, (unsigned long long)(ram_end(b) - 1));
        free(data);
        return -EINVAL;
    }
    ext->low = ext->entry = addr;
    ext->high = addr + size;
    ext->elf = false;
    return add_blob_owned(b, blob_name(b, what, file), data, size, addr);
}

int rv_boot_load_image(struct rv_boot *b, const char *what, const char *file, uint64_t bin_addr,
                       struct rv_boot_extent *ext)
{
    void *data;
    uint64_t size;
    int ret = load_file(what, file, &data, &size);

    if (ret < 0)
        return ret;
    if (size >= 4 && !memcmp(data, "\177ELF", 4)) {
        ret = load_elf(b, what, file, data, size, ext);
        free(data);
        return ret;
    }
    return add_raw(b, what, file, data, size, bin_addr, ext);
}

int rv_boot_load_raw(struct rv_boot *b, const char *what, const char *file, uint64_t addr,
                     struct rv_boot_extent *ext)
{
    void *data;
    uint64_t size;
    int ret = load_file(what, file, &data, &size);

    if (ret < 0)
        return ret;
    return add_raw(b, what, file, data, size, addr, ext);
}

int rv_boot_check_overlaps(const struct rv_boot *b)
{
    for (int i = 0; i < b->nblobs; i++) {
        for (int j = i + 1; j < b->nblobs; j++) {
            const struct rv_boot_blob *x = &b->blobs[i], *y = &b->blobs[j];
            if (x->addr < y->addr + y->size && y->addr < x->addr + x->size) {
                error_report("%s (0x%llx-0x%llx) overlaps %s (0x%llx-0x%llx)", y->what,
                             (unsigned long long)y->addr,
                             (unsigned long long)(y->addr + y->size - 1), x->what,
                             (unsigned long long)x->addr,
                             (unsigned long long)(x->addr + x->size - 1));
                return -EINVAL;
            }
        }
    }
    return 0;
}

void rv_boot_write_blobs(const struct rv_boot *b, struct address_space *as)
{
    for (int i = 0; i < b->nblobs; i++)
        address_space_write_rom(as, b->blobs[i].addr, b->blobs[i].data, b->blobs[i].size);
}

void rv_boot_free(struct rv_boot *b)
{
    for (int i = 0; i < b->nblobs; i++)
        free(b->blobs[i].data);
    b->nblobs = 0;
}

uint64_t rv_boot_kernel_start(uint64_t firmware_end)
{
    return (firmware_end + 2 * MiB - 1) & ~(2 * MiB - 1);
}

uint64_t rv_boot_initrd_start(uint64_t kernel_entry, uint64_t ram_size)
{
    uint64_t half = ram_size / 2;
    return kernel_entry + (half < 128 * MiB ? half : 128 * MiB);
}

uint64_t rv_boot_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size)
{
    uint64_t end = ram_base + ram_size;
    /* Reachable by 32-bit code too: below 3 GiB when RAM starts below it. */
    uint64_t top = (ram_base < 3 * GiB && end > 3 * GiB) ? 3 * GiB : end;
    return (top - fdt_size) & ~(2 * MiB - 1);
}

size_t rv_boot_rom_image(uint8_t *rom, size_t len, uint64_t start_addr, uint64_t fdt_addr,
                         uint64_t kernel_entry)
{
    static const uint32_t code[6] = {
        0x00000297, /* 1: auipc t0, %pcrel_hi(fw_dyn) */
        0x02828613, /*    addi  a2, t0, %pcrel_lo(1b) */
        0xf1402573, /*    csrr  a0, mhartid */
        0x0202b583, /*    ld    a1, 32(t0) */
        0x0182b283, /*    ld    t0, 24(t0) */
        0x00028067, /*    jr    t0 */
    };
    uint8_t *p = rom;

    if (len < RV_BOOT_ROM_SIZE)
        return 0;
    for (int i = 0; i < 6; i++, p += 4)
        wr32(p, code[i]);
    wr64(p, start_addr); /* start: .dword */
    wr64(p + 8, fdt_addr); /* fdt_laddr: .dword */
    p += 16;
    /* fw_dyn: struct fw_dynamic_info */
    wr64(p, FW_DYNAMIC_INFO_MAGIC);
    wr64(p + 8, FW_DYNAMIC_INFO_VERSION);
    wr64(p + 16, kernel_entry);
    wr64(p + 24, FW_DYNAMIC_INFO_NEXT_MODE_S);
    wr64(p + 32, 0); /* options */
    wr64(p + 40, 0); /* boot_hart: QEMU 7.2 passes 0 */
    return RV_BOOT_ROM_SIZE;
}

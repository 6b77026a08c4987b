/*
 * pc-boot.c - -kernel on the pc machine: Multiboot 1 images (ELF32/ELF64
 * or the header's a.out-kludge addresses), with modules from -initrd
 * ("file args,file args" as QEMU) and -append. The CPU starts at the entry
 * in flat 32-bit protected mode with EAX = 0x2badb002 and EBX = the
 * Multiboot information, as the specification asks; no firmware runs.
 *
 * Every image goes into a blob that is written again at each reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/boards/pc.h"
#include "targets/x86/x86.h"

#define MB_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH 8192
#define MB_FLAG_AOUT_KLUDGE (1u << 16)
#define MB_REQUIRED_OK 0x3u    /* page-aligned modules, memory info: we give both */
#define MB_INFO_BASE 0x9000ull /* info, command lines, module list, memory map */
#define MB_INFO_END 0x10000ull
#define MB_MAX_IMAGE (1ull << 30)

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* Copy len bytes (zero-filled to memsz) for guest address addr; checks it lies in low RAM. */
int pc_add_blob(struct pc_board *b, const char *what, uint64_t addr, const void *data,
                       uint64_t len, uint64_t memsz)
{
    if (memsz < len)
        memsz = len;
    if (addr < MB_INFO_END || addr + memsz > b->below_4g || addr + memsz < addr) {
        error_report("%s: 0x%llx-0x%llx is outside RAM (the pc has %llu MiB below 4 GiB; "
                     "images go above 64 KiB)",
                     what, (unsigned long long)addr, (unsigned long long)(addr + memsz),
                     (unsigned long long)(b->below_4g >> 20));
        return -EINVAL;
    }
    for (int i = 0; i < b->nblobs; i++) {
        const struct pc_blob *o = &b->blobs[i];
        if (addr < o->addr + o->len && o->addr < addr + memsz) {
            error_report("%s: 0x%llx-0x%llx overlaps %s", what, (unsigned long long)addr,
                         (unsigned long long)(addr + memsz), o->what);
            return -EINVAL;
        }
    }
    if (b->nblobs == PC_MAX_BLOBS) {
        error_report("%s: too many pieces to load", what);
        return -ENOSPC;
    }
    uint8_t *copy = calloc(1, memsz ? memsz : 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, data, len);
    b->blobs[b->nblobs++] =
        (struct pc_blob){.what = what, .addr = addr, .data = copy, .len = memsz};
    return 0;
}

void pc_boot_write_blobs(struct pc_board *b)
{
    for (int i = 0; i < b->nblobs; i++)
        address_space_write(&b->m->as, b->blobs[i].addr, b->blobs[i].data, b->blobs[i].len);
}

static int mb_load_elf(struct pc_board *b, const uint8_t *img, uint64_t size, uint64_t *entry,
                       uint64_t *end)
{
    bool is64 = img[4] == 2;
    uint64_t phoff = is64 ? rd64(img + 32) : rd32(img + 28);
    unsigned phentsize = rd16(img + (is64 ? 54 : 42)), phnum = rd16(img + (is64 ? 56 : 44));

    if (rd16(img + 18) != (is64 ? 62 : 3) || phentsize < (is64 ? 56u : 32u) || phoff > size ||
        (uint64_t)phnum * phentsize > size - phoff) {
        error_report("-kernel: not an x86 ELF image with program headers");
        return -EINVAL;
    }
    *entry = is64 ? rd64(img + 24) : rd32(img + 24);
    *end = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        if (rd32(ph) != 1) /* PT_LOAD */
            continue;
        uint64_t off = is64 ? rd64(ph + 8) : rd32(ph + 4);
        uint64_t paddr = is64 ? rd64(ph + 24) : rd32(ph + 12);
        uint64_t filesz = is64 ? rd64(ph + 32) : rd32(ph + 16);
        uint64_t memsz = is64 ? rd64(ph + 40) : rd32(ph + 20);
        if (off > size || filesz > size - off || filesz > memsz) {
            error_report("-kernel: segment %u lies outside the file", i);
            return -EINVAL;
        }
        int ret = pc_add_blob(b, "-kernel", paddr, img + off, filesz, memsz);
        if (ret < 0)
            return ret;
        if (paddr + memsz > *end)
            *end = paddr + memsz;
    }
    return 0;
}

/* The a.out kludge: the header says where the file goes. */
static int mb_load_kludge(struct pc_board *b, const uint8_t *img, uint64_t size, uint64_t hoff,
                          uint64_t *entry, uint64_t *end)
{
    const uint8_t *h = img + hoff;
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16), load_end = rd32(h + 20);
    uint32_t bss_end = rd32(h + 24);

    if (load_addr > header_addr || header_addr - load_addr > hoff) {
        error_report("-kernel: Multiboot header addresses are inconsistent");
        return -EINVAL;
    }
    uint64_t foff = hoff - (header_addr - load_addr);
    uint64_t len = load_end ? (uint64_t)load_end - load_addr : size - foff;
    uint64_t memsz = bss_end > load_addr ? (uint64_t)bss_end - load_addr : len;
    if (load_end && load_end < load_addr) {
        error_report("-kernel: Multiboot load_end_addr is below load_addr");
        return -EINVAL;
    }
    if (len > size - foff)
        len = size - foff;
    *entry = rd32(h + 28);
    *end = load_addr + (memsz > len ? memsz : len);
    return pc_add_blob(b, "-kernel", load_addr, img + foff, len, memsz);
}

/* Modules from -initrd: "file args,file args" (",," escapes a comma). Returns the count. */
static int mb_load_modules(struct pc_board *b, const char *spec, uint64_t *next, uint8_t *mods,
                           uint8_t *strings, uint32_t *str_used, uint32_t str_max)
{
    int n = 0;
    const char *p = spec;

    while (p && *p) {
        char item[1024];
        size_t k = 0;
        for (; *p && k < sizeof(item) - 1; p++) {
            if (*p == ',' && p[1] == ',') {
                item[k++] = ',';
                p++;
            } else if (*p == ',') {
                p++;
                break;
            } else {
                item[k++] = *p;
            }
        }
        item[k] = 0;
        if (n == 16) {
            error_report("-initrd: at most 16 Multiboot modules");
            return -E2BIG;
        }
        char file[1024];
        snprintf(file, sizeof(file), "%s", item);
        file[strcspn(file, " ")] = 0;
        void *data;
        uint64_t size;
        int ret = plat_file_load(file, MB_MAX_IMAGE, &data, &size);
        if (ret < 0) {
            error_report("-initrd %s: cannot load: %s", file, strerror(-ret));
            return ret;
        }
        uint64_t at = (*next + 0xfff) & ~0xfffull;
        ret = pc_add_blob(b, "-initrd module", at, data, size, size);
        free(data);
        if (ret < 0)
            return ret;
        uint32_t slen = (uint32_t)strlen(item) + 1;
        if (*str_used + slen > str_max) {
            error_report("-initrd: module command lines too long");
            return -E2BIG;
        }
        memcpy(strings + *str_used, item, slen);
        wr32(mods + 16 * n, (uint32_t)at);
        wr32(mods + 16 * n + 4, (uint32_t)(at + size));
        wr32(mods + 16 * n + 8, (uint32_t)(MB_INFO_BASE + 0x1000 + *str_used));
        *str_used += slen;
        *next = at + size;
        n++;
    }
    return n;
}

int pc_boot_multiboot(struct pc_board *b, bool *is_multiboot)
{
    const struct emu_config *cfg = b->m->cfg;
    uint8_t *img;
    uint64_t size, entry = 0, end = 0, hoff;
    void *data;
    int ret;

    *is_multiboot = false;
    ret = plat_file_load(cfg->kernel, MB_MAX_IMAGE, &data, &size);
    if (ret < 0) {
        error_report("-kernel %s: cannot load: %s", cfg->kernel, strerror(-ret));
        return ret;
    }
    img = data;
    for (hoff = 0; hoff + 12 <= size && hoff < MB_SEARCH; hoff += 4) {
        if (rd32(img + hoff) == MB_MAGIC &&
            rd32(img + hoff) + rd32(img + hoff + 4) + rd32(img + hoff + 8) == 0)
            break;
    }
    if (hoff + 12 > size || hoff >= MB_SEARCH) {
        free(data);
        return 0; /* not Multiboot: the caller tries other formats */
    }
    *is_multiboot = true;
    uint32_t flags = rd32(img + hoff + 4);
    if (flags & 0xfffc) {
        error_report("-kernel: Multiboot header asks for features 0x%x we do not provide",
                     flags & 0xffff);
        ret = -ENOTSUP;
    } else if (flags & MB_FLAG_AOUT_KLUDGE) {
        ret = hoff + 32 <= size ? mb_load_kludge(b, img, size, hoff, &entry, &end) : -EINVAL;
    } else if (size >= 64 && !memcmp(img, "\177ELF", 4)) {
        ret = mb_load_elf(b, img, size, &entry, &end);
    } else {
        error_report("-kernel: Multiboot image is neither ELF nor has load addresses");
        ret = -EINVAL;
    }
    free(data);
    if (ret < 0)
        return ret;

    /* The information area: info at +0, module list at +0x100, memory map at +0x200,
     * strings from +0x1000 (command line first, then module command lines). */
    static uint8_t area[MB_INFO_END - MB_INFO_BASE];
    memset(area, 0, sizeof(area));
    uint8_t *info = area, *mods = area + 0x100, *mmap = area + 0x200, *str = area + 0x1000;
    uint32_t str_max = (uint32_t)(sizeof(area) - 0x1000), used;
    snprintf((char *)str, str_max, "%s%s%s", cfg->kernel, cfg->append ? " " : "",
             cfg->append ? cfg->append : "");
    used = (uint32_t)strlen((char *)str) + 1;
    memcpy(str + used, "baremu", 7);
    uint32_t loader_name = used;
    used += 7;
    int nmods = mb_load_modules(b, cfg->initrd, &end, mods, str, &used, str_max);
    if (nmods < 0)
        return nmods;

    int nmap = 0;
    uint64_t map[3][2] = {{0, 0x9fc00}, {0x100000, b->below_4g - 0x100000}, {0, 0}};
    if (b->above_4g) {
        map[2][0] = PC_HIGH_RAM_BASE;
        map[2][1] = b->above_4g;
    }
    for (int i = 0; i < 3; i++) {
        if (!map[i][1])
            continue;
        uint8_t *e = mmap + 24 * nmap++;
        wr32(e, 20);
        wr64(e + 4, map[i][0]);
        wr64(e + 12, map[i][1]);
        wr32(e + 20, 1);
    }
    /* flags: mem, cmdline, mods, mmap, boot loader name */
    wr32(info, 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
    wr32(info + 4, 640);
    wr32(info + 8, (uint32_t)((b->below_4g - 0x100000) >> 10));
    wr32(info + 16, (uint32_t)(MB_INFO_BASE + 0x1000));
    wr32(info + 20, (uint32_t)nmods);
    wr32(info + 24, (uint32_t)(MB_INFO_BASE + 0x100));
    wr32(info + 44, (uint32_t)(24 * nmap));
    wr32(info + 48, (uint32_t)(MB_INFO_BASE + 0x200));
    wr32(info + 64, (uint32_t)(MB_INFO_BASE + 0x1000 + loader_name));
    b->mb_info = malloc(sizeof(area));
    if (!b->mb_info)
        return -ENOMEM;
    memcpy(b->mb_info, area, sizeof(area));

    for (int i = 0; i < b->m->ncpus && i < 1; i++) {
        struct x86_boot_state *bs = &x86_cpu_of(b->m->cpus[i])->boot;
        memset(bs, 0, sizeof(*bs));
        bs->valid = true;
        bs->rip = entry;
        bs->rax = MB_BOOT_MAGIC;
        bs->rbx = MB_INFO_BASE;
        bs->cr0 = 0x11; /* PE, ET; paging off */
        bs->rflags = 0x2;
        x86_seg_flat32(&bs->cs, 0x08, true);
        x86_seg_flat32(&bs->ds, 0x10, false);
        /* The vCPU was created with the reset-vector state; load this one. */
        if (b->m->accel->vcpu_reset)
            b->m->accel->vcpu_reset(b->m->cpus[i]);
    }
    return 0;
}

void pc_boot_reset(struct pc_board *b)
{
    pc_boot_write_blobs(b);
    if (b->mb_info)
        address_space_write(&b->m->as, MB_INFO_BASE, b->mb_info, MB_INFO_END - MB_INFO_BASE);
}

/*
 * pc-linux-direct.c - -kernel bzImage without firmware (the microvm
 * machine): Linux's 32-bit boot protocol (Documentation/arch/x86/boot.rst,
 * "32-bit boot protocol"). The protected-mode kernel goes to 0x100000, the
 * zero page (struct boot_params) gets the image's setup header, the command
 * line, the initrd and the e820 map, and the CPU starts at the 32-bit entry
 * in flat protected mode with CS = __BOOT_CS (0x10), DS = __BOOT_DS (0x18),
 * ESI = the zero page and interrupts off.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/boards/pc.h"
#include "targets/x86/x86.h"

#define LX_ZERO_PAGE 0x10000u /* struct boot_params, 4 KiB */
#define LX_GDT 0x11000u
#define LX_CMDLINE 0x20000u
#define LX_CMDLINE_MAX 0x10000u
#define LX_KERNEL 0x100000u
#define LX_MAX_IMAGE (512ull << 20)
#define LX_E820_MAX 128

/* struct boot_params offsets (Documentation/arch/x86/zero-page.rst). */
#define BP_E820_ENTRIES 0x1e8
#define BP_HDR 0x1f1
#define BP_E820_TABLE 0x2d0

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
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

/* Append an e820 entry to the zero page (entries must come sorted and disjoint). */
static void lx_e820_add(uint8_t *bp, uint64_t addr, uint64_t len, uint32_t type)
{
    uint8_t n = bp[BP_E820_ENTRIES];

    if (!len || n >= LX_E820_MAX)
        return;
    uint8_t *e = bp + BP_E820_TABLE + 20 * n;
    wr64(e, addr);
    wr64(e + 8, len);
    wr32(e + 16, type);
    bp[BP_E820_ENTRIES] = n + 1;
}

/*
 * The map: low RAM to the EBDA, the BIOS area (our ACPI tables) reserved,
 * RAM from 1 MiB, the board's MMIO windows reserved, RAM above 4 GiB.
 */
static void lx_e820(struct pc_board *b, uint8_t *bp, const struct pc_reserved *res, int nres)
{
    lx_e820_add(bp, 0, 0x9fc00, PC_E820_RAM);
    lx_e820_add(bp, 0x9fc00, 0x400, PC_E820_RESERVED);
    lx_e820_add(bp, 0xe0000, 0x20000, PC_E820_RESERVED);
    lx_e820_add(bp, 0x100000, b->below_4g - 0x100000, PC_E820_RAM);
    for (int i = 0; i < nres; i++)
        lx_e820_add(bp, res[i].addr, res[i].len, PC_E820_RESERVED);
    if (b->above_4g)
        lx_e820_add(bp, PC_HIGH_RAM_BASE, b->above_4g, PC_E820_RAM);
}

static int lx_load_initrd(struct pc_board *b, uint8_t *bp, uint32_t initrd_max, uint64_t kernel_end)
{
    const char *name = b->m->cfg->initrd;
    void *rd;
    uint64_t size;
    int ret;

    if (!name)
        return 0;
    ret = plat_file_load(name, LX_MAX_IMAGE, &rd, &size);
    if (ret < 0) {
        error_report("-initrd %s: cannot load: %s", name, strerror(-ret));
        return ret;
    }
    uint64_t top = initrd_max < b->below_4g ? (uint64_t)initrd_max + 1 : b->below_4g;
    uint64_t at = (top - size) & ~0xfffull;
    if (size >= top || at < kernel_end) {
        error_report("-initrd %s: %llu bytes do not fit between the kernel and %llu MiB", name,
                     (unsigned long long)size, (unsigned long long)(top >> 20));
        free(rd);
        return -E2BIG;
    }
    ret = pc_add_blob(b, "-initrd", at, rd, size, size);
    free(rd);
    wr32(bp + 0x218, (uint32_t)at);
    wr32(bp + 0x21c, (uint32_t)size);
    return ret;
}

int pc_boot_linux_direct(struct pc_board *b, const char *extra_cmdline,
                         const struct pc_reserved *res, int nres, bool *is_linux)
{
    const struct emu_config *cfg = b->m->cfg;
    uint8_t *k, bp[4096] = {0};
    void *data;
    uint64_t size;
    int ret;

    *is_linux = false;
    ret = plat_file_load(cfg->kernel, LX_MAX_IMAGE, &data, &size);
    if (ret < 0) {
        error_report("-kernel %s: cannot load: %s", cfg->kernel, strerror(-ret));
        return ret;
    }
    k = data;
    if (size < 0x300 || memcmp(k + 0x202, "HdrS", 4)) {
        free(data);
        return 0;
    }
    *is_linux = true;
    uint16_t protocol = (uint16_t)(k[0x206] | k[0x207] << 8);
    uint32_t setup_size = ((k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
    unsigned hdr_end = 0x202 + k[0x201];
    if (protocol < 0x202 || !(k[0x211] & 0x01) || setup_size >= size || hdr_end > 0x300) {
        error_report("-kernel %s: needs boot protocol 2.02 or later and a kernel loaded high",
                     cfg->kernel);
        ret = -ENOTSUP;
        goto out;
    }
    uint64_t kernel_size = size - setup_size;
    /* init_size (2.10+): the memory the kernel needs from its load address to run. */
    uint64_t memsz = protocol >= 0x20a ? rd32(k + 0x260) : 0;
    if (memsz < kernel_size)
        memsz = kernel_size;
    if ((ret = pc_add_blob(b, "-kernel", LX_KERNEL, k + setup_size, kernel_size, memsz)) < 0)
        goto out;

    memcpy(bp + BP_HDR, k + BP_HDR, hdr_end - BP_HDR);
    bp[0x210] = 0xff;   /* type_of_loader: undefined (a loader without an ID) */
    bp[0x211] &= ~0x80; /* CAN_USE_HEAP: no real-mode setup runs */

    const char *append = cfg->append ? cfg->append : "";
    size_t alen = strlen(append), elen = extra_cmdline ? strlen(extra_cmdline) : 0;
    uint32_t cmax = protocol >= 0x206 ? rd32(k + 0x238) : 255;
    char *cmdline = malloc(alen + elen + 2);
    if (!cmdline) {
        ret = -ENOMEM;
        goto out;
    }
    memcpy(cmdline, append, alen);
    cmdline[alen] = 0;
    if (elen) {
        if (alen)
            strcat(cmdline, " ");
        strcat(cmdline, extra_cmdline);
    }
    if (strlen(cmdline) > cmax || strlen(cmdline) >= LX_CMDLINE_MAX) {
        error_report("-append: the command line has %zu bytes, the kernel takes at most %u",
                     strlen(cmdline), cmax);
        free(cmdline);
        ret = -E2BIG;
        goto out;
    }
    ret = pc_add_blob(b, "the kernel command line", LX_CMDLINE, cmdline, strlen(cmdline) + 1,
                      strlen(cmdline) + 1);
    free(cmdline);
    if (ret < 0)
        goto out;
    wr32(bp + 0x228, LX_CMDLINE);

    uint32_t initrd_max = protocol >= 0x203 ? rd32(k + 0x22c) : 0x37ffffff;
    if ((ret = lx_load_initrd(b, bp, initrd_max, LX_KERNEL + memsz)) < 0)
        goto out;
    lx_e820(b, bp, res, nres);

    /* GDT: null, null, __BOOT_CS flat code, __BOOT_DS flat data (accessed bits preset). */
    static const uint8_t gdt[32] = {0,    0, 0,    0,    0, 0,    0,    0,    0,    0, 0,
                                    0,    0, 0,    0,    0, 0xff, 0xff, 0,    0,    0, 0x9b,
                                    0xcf, 0, 0xff, 0xff, 0, 0,    0,    0x93, 0xcf, 0};
    if ((ret = pc_add_blob(b, "the boot GDT", LX_GDT, gdt, sizeof(gdt), sizeof(gdt))) < 0 ||
        (ret = pc_add_blob(b, "the zero page", LX_ZERO_PAGE, bp, sizeof(bp), sizeof(bp))) < 0)
        goto out;

    struct x86_boot_state *bs = &x86_cpu_of(b->m->cpus[0])->boot;
    memset(bs, 0, sizeof(*bs));
    bs->valid = true;
    bs->rip = LX_KERNEL; /* the 32-bit entry is the start of the loaded kernel */
    bs->rsi = LX_ZERO_PAGE;
    bs->cr0 = 0x11; /* PE, ET; paging off */
    bs->rflags = 0x2;
    bs->gdt_base = LX_GDT;
    bs->gdt_limit = sizeof(gdt) - 1;
    x86_seg_flat32(&bs->cs, 0x10, true);
    x86_seg_flat32(&bs->ds, 0x18, false);
    if (b->m->accel->vcpu_reset)
        b->m->accel->vcpu_reset(b->m->cpus[0]);
    ret = 0;
out:
    free(data);
    return ret;
}

/*
 * pc-linux.c - -kernel bzImage on the pc machine, as QEMU does it: the
 * boot protocol header is filled in here (loader type, command line
 * pointer, heap end, initrd placement), and the setup code, the kernel,
 * the initrd and the command line go to SeaBIOS through fw_cfg, with
 * QEMU's linuxboot_dma.bin option ROM (package qemu-system-data) which
 * copies them into place and enters the setup code in real mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/boards/pc.h"
#include "hw/misc/fw-cfg.h"

#define LINUXBOOT_ROM "/usr/share/qemu/linuxboot_dma.bin"
#define LINUX_MAX_IMAGE (512ull << 20)
#define LINUX_ACPI_RESERVE (0x20000 + 0x8000) /* kept free below the top of low RAM, as QEMU */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
}

static int linux_fw_cfg(struct device *fw, uint16_t key, uint32_t v)
{
    return fw_cfg_add_i32(fw, key, v);
}

int pc_boot_linux(struct pc_board *b, bool *is_linux)
{
    const struct emu_config *cfg = b->m->cfg;
    struct device *fw = b->fw_cfg;
    void *data, *rom = NULL, *rd = NULL;
    uint8_t *k;
    uint64_t size, rom_size, rd_size = 0;
    int ret;

    *is_linux = false;
    ret = plat_file_load(cfg->kernel, LINUX_MAX_IMAGE, &data, &size);
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
    uint16_t protocol = rd16(k + 0x206);
    uint32_t real_addr, cmdline_addr, prot_addr, initrd_max;
    if (protocol < 0x200 || !(k[0x211] & 0x01)) {
        error_report("-kernel %s: boot protocol %x.%02x zImage (not loaded high) is not supported",
                     cfg->kernel, protocol >> 8, protocol & 0xff);
        ret = -ENOTSUP;
        goto out;
    }
    if (protocol < 0x202) {
        real_addr = 0x90000;
        cmdline_addr = 0x9a000;
    } else {
        real_addr = 0x10000;
        cmdline_addr = 0x20000;
    }
    prot_addr = 0x100000;
    initrd_max = protocol >= 0x203 ? rd32(k + 0x22c) : 0x37ffffff;
    if (initrd_max >= b->below_4g - LINUX_ACPI_RESERVE)
        initrd_max = (uint32_t)(b->below_4g - LINUX_ACPI_RESERVE - 1);

    const char *cmdline = cfg->append ? cfg->append : "";
    uint32_t cmdline_size = (uint32_t)strlen(cmdline) + 1;
    if (protocol >= 0x206 && cmdline_size > rd32(k + 0x238) + 1) {
        error_report("-append: %u bytes, the kernel takes at most %u", cmdline_size - 1,
                     rd32(k + 0x238));
        ret = -E2BIG;
        goto out;
    }
    if (protocol >= 0x202) {
        wr32(k + 0x228, cmdline_addr);
    } else {
        wr16(k + 0x20, 0xa33f);
        wr16(k + 0x22, (uint16_t)(cmdline_addr - real_addr));
    }
    k[0x210] = 0xb0; /* type_of_loader: QEMU's, kernels treat it as "other" */
    if (protocol >= 0x201) {
        wr16(k + 0x224, (uint16_t)(cmdline_addr - real_addr - 0x200));
        k[0x211] |= 0x80; /* CAN_USE_HEAP */
    }

    uint32_t setup_size = ((k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
    if (setup_size >= size) {
        error_report("-kernel %s: setup (%u bytes) is larger than the file", cfg->kernel,
                     setup_size);
        ret = -EINVAL;
        goto out;
    }
    uint32_t kernel_size = (uint32_t)(size - setup_size);

    if (cfg->initrd) {
        ret = plat_file_load(cfg->initrd, LINUX_MAX_IMAGE, &rd, &rd_size);
        if (ret < 0) {
            error_report("-initrd %s: cannot load: %s", cfg->initrd, strerror(-ret));
            goto out;
        }
        if (protocol < 0x200 || rd_size > initrd_max - prot_addr - kernel_size) {
            error_report("-initrd %s: too large (%llu bytes) for this kernel and RAM", cfg->initrd,
                         (unsigned long long)rd_size);
            ret = -E2BIG;
            goto out;
        }
        uint32_t initrd_addr = (uint32_t)((initrd_max - rd_size) & ~0xfffull);
        wr32(k + 0x218, initrd_addr);
        wr32(k + 0x21c, (uint32_t)rd_size);
        if ((ret = linux_fw_cfg(fw, FW_CFG_INITRD_ADDR, initrd_addr)) < 0 ||
            (ret = linux_fw_cfg(fw, FW_CFG_INITRD_SIZE, (uint32_t)rd_size)) < 0 ||
            (ret = fw_cfg_add_bytes(fw, FW_CFG_INITRD_DATA, rd, (uint32_t)rd_size)) < 0)
            goto out;
    }

    ret = plat_file_load(LINUXBOOT_ROM, 1 << 20, &rom, &rom_size);
    if (ret < 0) {
        error_report("-kernel: cannot load the option ROM %s: %s (install qemu-system-data)",
                     LINUXBOOT_ROM, strerror(-ret));
        goto out;
    }
    if ((ret = linux_fw_cfg(fw, FW_CFG_CMDLINE_ADDR, cmdline_addr)) < 0 ||
        (ret = linux_fw_cfg(fw, FW_CFG_CMDLINE_SIZE, cmdline_size)) < 0 ||
        (ret = fw_cfg_add_bytes(fw, FW_CFG_CMDLINE_DATA, cmdline, cmdline_size)) < 0 ||
        (ret = linux_fw_cfg(fw, FW_CFG_KERNEL_ADDR, prot_addr)) < 0 ||
        (ret = linux_fw_cfg(fw, FW_CFG_KERNEL_SIZE, kernel_size)) < 0 ||
        (ret = fw_cfg_add_bytes(fw, FW_CFG_KERNEL_DATA, k + setup_size, kernel_size)) < 0 ||
        (ret = linux_fw_cfg(fw, FW_CFG_SETUP_ADDR, real_addr)) < 0 ||
        (ret = linux_fw_cfg(fw, FW_CFG_SETUP_SIZE, setup_size)) < 0 ||
        (ret = fw_cfg_add_bytes(fw, FW_CFG_SETUP_DATA, k, setup_size)) < 0 ||
        (ret = fw_cfg_add_file(fw, "genroms/linuxboot_dma.bin", rom, (uint32_t)rom_size)) < 0) {
        error_report("-kernel: cannot pass the kernel through fw_cfg: %s", strerror(-ret));
        goto out;
    }
    ret = 0;
out:
    free(rom);
    free(rd);
    free(data);
    return ret;
}

/*
 * fw-cfg.h - QEMU's firmware configuration device, x86 I/O flavour: the
 * selector at port 0x510 (16-bit), the data byte at 0x511 and the DMA
 * address register at 0x514 (big-endian, written high half first; the
 * write of the low half starts the transfer). SeaBIOS, OVMF and Linux's
 * qemu_fw_cfg driver read memory sizes, boot order, the kernel to boot and
 * named files from it.
 *
 * Property "dma-as" (link): the address space DMA transfers use (required).
 * Items are read-only to the guest; a DMA write request fails with the
 * error bit set.
 */
#ifndef HW_MISC_FW_CFG_H
#define HW_MISC_FW_CFG_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"

enum fw_cfg_key {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_KERNEL_ADDR = 0x07,
    FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0a,
    FW_CFG_INITRD_SIZE = 0x0b,
    FW_CFG_BOOT_DEVICE = 0x0c,
    FW_CFG_NUMA = 0x0d,
    FW_CFG_BOOT_MENU = 0x0e,
    FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
};

#define FW_CFG_MAX_FILES 64
#define FW_CFG_NUM_KEYS (FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_ARCH_KEYS 8 /* 0x8000..0x8007 (E820_TABLE is 0x8003) */
#define FW_CFG_NAME_LEN 56

struct fw_cfg_item {
    uint8_t *data; /* owned */
    uint32_t len;
};

struct fw_cfg {
    struct device dev;
    struct address_space *dma_as;
    struct fw_cfg_item items[FW_CFG_NUM_KEYS];
    struct fw_cfg_item arch_items[FW_CFG_ARCH_KEYS];
    char names[FW_CFG_MAX_FILES][FW_CFG_NAME_LEN];
    int nfiles;
    /* guest-visible state */
    uint16_t cur_key;
    uint32_t cur_offset;
    uint32_t dma_addr_high;
    struct mem_region io, dma_io;
};

extern const struct device_type fw_cfg_type;

/*
 * Add or replace item key with a copy of data (len bytes; numbers are
 * little-endian as the interface defines them). Returns 0, -EINVAL for a
 * key outside the fixed range, -ENOMEM.
 */
int fw_cfg_add_bytes(struct device *dev, uint16_t key, const void *data, uint32_t len);
int fw_cfg_add_i16(struct device *dev, uint16_t key, uint16_t v);
int fw_cfg_add_i32(struct device *dev, uint16_t key, uint32_t v);
int fw_cfg_add_i64(struct device *dev, uint16_t key, uint64_t v);
/* Add a named file (replacing one of the same name). -ENOSPC when full, -EINVAL bad name. */
int fw_cfg_add_file(struct device *dev, const char *name, const void *data, uint32_t len);

/*
 * Board placement in the I/O space: the ports at 0x510 (2 bytes: a 16-bit
 * write at 0x510 selects, 8-bit reads at 0x511 are data), DMA at 0x514.
 */
struct mem_region *fw_cfg_io(struct device *dev);
struct mem_region *fw_cfg_dma_io(struct device *dev);

#endif

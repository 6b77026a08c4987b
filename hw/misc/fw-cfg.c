/*
 * fw-cfg.c - the fw_cfg device: numbered items, a directory of named
 * files (item FW_CFG_FILE_DIR, sorted by name as QEMU's), byte-wise reads
 * through the data port and DMA described by a guest-memory descriptor.
 */
#include "hw/misc/fw-cfg.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

#define FW_CFG_VERSION_TRAD 0x01
#define FW_CFG_VERSION_DMA 0x02
#define FW_CFG_DMA_ERROR 0x01
#define FW_CFG_DMA_READ 0x02
#define FW_CFG_DMA_SKIP 0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE 0x10
#define FW_CFG_DMA_SIGNATURE "QEMU CFG"
#define FW_CFG_KEY_INVALID 0xffff

static struct fw_cfg_item *fw_cfg_item(struct fw_cfg *s, uint16_t key)
{
    if (key & FW_CFG_ARCH_LOCAL) {
        key &= ~FW_CFG_ARCH_LOCAL;
        return key < FW_CFG_ARCH_KEYS ? &s->arch_items[key] : NULL;
    }
    return key < FW_CFG_NUM_KEYS ? &s->items[key] : NULL;
}

static int fw_cfg_set(struct fw_cfg *s, uint16_t key, const void *data, uint32_t len)
{
    struct fw_cfg_item *it = fw_cfg_item(s, key);
    uint8_t *copy;

    if (!it)
        return -EINVAL;
    copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, data, len);
    free(it->data);
    it->data = copy;
    it->len = len;
    return 0;
}

int fw_cfg_add_bytes(struct device *dev, uint16_t key, const void *data, uint32_t len)
{
    if ((key & ~FW_CFG_ARCH_LOCAL) >= FW_CFG_FILE_DIR && !(key & FW_CFG_ARCH_LOCAL))
        return -EINVAL; /* the directory and files are managed here */
    return fw_cfg_set((struct fw_cfg *)dev, key, data, len);
}

int fw_cfg_add_i16(struct device *dev, uint16_t key, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

int fw_cfg_add_i32(struct device *dev, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

int fw_cfg_add_i64(struct device *dev, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The directory: be32 count, then {be32 size, be16 select, be16 0, name[56]} by name. */
static int fw_cfg_rebuild_dir(struct fw_cfg *s)
{
    uint32_t len = 4 + (uint32_t)s->nfiles * 64;
    uint8_t *d = calloc(1, len);
    int order[FW_CFG_MAX_FILES];

    if (!d)
        return -ENOMEM;
    for (int i = 0; i < s->nfiles; i++) {
        int j = i;
        while (j > 0 && strcmp(s->names[order[j - 1]], s->names[i]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    put_be32(d, (uint32_t)s->nfiles);
    for (int i = 0; i < s->nfiles; i++) {
        int f = order[i];
        uint8_t *e = d + 4 + i * 64;
        uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + f);
        put_be32(e, s->items[key].len);
        e[4] = (uint8_t)(key >> 8);
        e[5] = (uint8_t)key;
        memcpy(e + 8, s->names[f], FW_CFG_NAME_LEN);
    }
    free(s->items[FW_CFG_FILE_DIR].data);
    s->items[FW_CFG_FILE_DIR].data = d;
    s->items[FW_CFG_FILE_DIR].len = len;
    return 0;
}

int fw_cfg_add_file(struct device *dev, const char *name, const void *data, uint32_t len)
{
    struct fw_cfg *s = (struct fw_cfg *)dev;
    int f, ret;

    if (!name[0] || strlen(name) >= FW_CFG_NAME_LEN)
        return -EINVAL;
    for (f = 0; f < s->nfiles && strcmp(s->names[f], name); f++)
        ;
    if (f == FW_CFG_MAX_FILES)
        return -ENOSPC;
    ret = fw_cfg_set(s, (uint16_t)(FW_CFG_FILE_FIRST + f), data, len);
    if (ret < 0)
        return ret;
    if (f == s->nfiles) {
        memset(s->names[f], 0, FW_CFG_NAME_LEN);
        strcpy(s->names[f], name);
        s->nfiles++;
    }
    return fw_cfg_rebuild_dir(s);
}

static void fw_cfg_select(struct fw_cfg *s, uint16_t key)
{
    s->cur_offset = 0;
    s->cur_key = fw_cfg_item(s, key) ? key : FW_CFG_KEY_INVALID;
}

static uint8_t fw_cfg_read_byte(struct fw_cfg *s)
{
    struct fw_cfg_item *it = s->cur_key == FW_CFG_KEY_INVALID ? NULL : fw_cfg_item(s, s->cur_key);

    if (!it || s->cur_offset >= it->len)
        return 0;
    return it->data[s->cur_offset++];
}

/*
 * The I/O ports, one region as QEMU's "fw_cfg.io": a 16-bit write at 0x510
 * selects an item, 8-bit reads at 0x511 return its bytes. Two regions (0x510
 * 16 bits, 0x511 8 bits) would split a word write at 0x510 across both.
 */
static uint64_t fw_cfg_io_read(void *opaque, uint64_t off, unsigned size)
{
    if (off == 1 && size == 1)
        return fw_cfg_read_byte(opaque);
    log_guest_error("fw_cfg: %u-byte read at port offset %llu ignored", size,
                    (unsigned long long)off);
    return 0;
}

static void fw_cfg_io_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    if (off == 0 && size == 2)
        fw_cfg_select(opaque, (uint16_t)v);
    else if (off == 1 && size == 1)
        log_guest_error("fw_cfg: write to the data port ignored (items are read-only)");
    else
        log_guest_error("fw_cfg: %u-byte write at port offset %llu ignored", size,
                        (unsigned long long)off);
}

/* Copy (or zero-fill past the item's end) len bytes to guest address addr. */
static int fw_cfg_dma_read(struct fw_cfg *s, uint64_t addr, uint32_t len)
{
    struct fw_cfg_item *it = s->cur_key == FW_CFG_KEY_INVALID ? NULL : fw_cfg_item(s, s->cur_key);
    static const uint8_t zeros[4096];

    while (len) {
        uint32_t avail = it && s->cur_offset < it->len ? it->len - s->cur_offset : 0;
        uint32_t n;
        enum memtx r;
        if (avail) {
            n = len < avail ? len : avail;
            r = address_space_write(s->dma_as, addr, it->data + s->cur_offset, n);
            s->cur_offset += n;
        } else {
            n = len < sizeof(zeros) ? len : (uint32_t)sizeof(zeros);
            r = address_space_write(s->dma_as, addr, zeros, n);
        }
        if (r != MEMTX_OK)
            return -EFAULT;
        addr += n;
        len -= n;
    }
    return 0;
}

static void fw_cfg_dma_transfer(struct fw_cfg *s, uint64_t desc)
{
    uint8_t d[16];
    uint32_t control, len;
    uint64_t addr;
    bool error = false;

    if (address_space_read(s->dma_as, desc, d, sizeof(d)) != MEMTX_OK) {
        log_guest_error("fw_cfg: DMA descriptor at 0x%llx is not in memory",
                        (unsigned long long)desc);
        return;
    }
    control = get_be32(d);
    len = get_be32(d + 4);
    addr = (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12);
    if (control & FW_CFG_DMA_SELECT)
        fw_cfg_select(s, (uint16_t)(control >> 16));
    if (control & FW_CFG_DMA_READ) {
        error = fw_cfg_dma_read(s, addr, len) < 0;
    } else if (control & FW_CFG_DMA_WRITE) {
        error = true; /* nothing here is writable */
    } else if (control & FW_CFG_DMA_SKIP) {
        s->cur_offset = len > UINT32_MAX - s->cur_offset ? UINT32_MAX : s->cur_offset + len;
    }
    put_be32(d, error ? FW_CFG_DMA_ERROR : 0);
    address_space_write(s->dma_as, desc, d, 4);
}

static uint64_t fw_cfg_dma_io_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;

    (void)opaque;
    /* The register reads as the signature, big-endian: byte 0 is 'Q'. */
    for (unsigned i = 0; i < size && off + i < 8; i++)
        v |= (uint64_t)(uint8_t)FW_CFG_DMA_SIGNATURE[off + i] << (8 * i);
    return v;
}

static uint32_t bswap32_u(uint32_t v)
{
    return __builtin_bswap32(v);
}

static void fw_cfg_dma_io_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct fw_cfg *s = opaque;

    if (size != 4 || (off != 0 && off != 4)) {
        log_guest_error("fw_cfg: DMA register write of %u bytes at +%llu ignored", size,
                        (unsigned long long)off);
        return;
    }
    /* The guest stored big-endian values; the port saw their bytes in order. */
    if (off == 0) {
        s->dma_addr_high = bswap32_u((uint32_t)v);
        return;
    }
    uint64_t desc = (uint64_t)s->dma_addr_high << 32 | bswap32_u((uint32_t)v);
    s->dma_addr_high = 0;
    fw_cfg_dma_transfer(s, desc);
}

static const struct mem_region_ops fw_cfg_io_ops = {
    .read = fw_cfg_io_read, .write = fw_cfg_io_write, .min_access = 1, .max_access = 2};
static const struct mem_region_ops fw_cfg_dma_ops = {
    .read = fw_cfg_dma_io_read, .write = fw_cfg_dma_io_write, .min_access = 1, .max_access = 4};

static void fw_cfg_reset(struct device *dev)
{
    struct fw_cfg *s = (struct fw_cfg *)dev;

    s->cur_key = FW_CFG_SIGNATURE;
    s->cur_offset = 0;
    s->dma_addr_high = 0;
}

static int fw_cfg_realize(struct device *dev)
{
    struct fw_cfg *s = (struct fw_cfg *)dev;
    int ret;

    if (!s->dma_as) {
        error_report("fw_cfg: needs an address space for DMA");
        return -EINVAL;
    }
    if ((ret = fw_cfg_set(s, FW_CFG_SIGNATURE, "QEMU", 4)) < 0 ||
        (ret = fw_cfg_add_i32(dev, FW_CFG_ID, FW_CFG_VERSION_TRAD | FW_CFG_VERSION_DMA)) < 0 ||
        (ret = fw_cfg_rebuild_dir(s)) < 0)
        return ret;
    mem_region_init_io(&s->io, "fw_cfg.io", &fw_cfg_io_ops, s, 2);
    mem_region_init_io(&s->dma_io, "fw_cfg.dma", &fw_cfg_dma_ops, s, 8);
    fw_cfg_reset(dev);
    return 0;
}

static void fw_cfg_unrealize(struct device *dev)
{
    struct fw_cfg *s = (struct fw_cfg *)dev;

    for (int i = 0; i < FW_CFG_NUM_KEYS; i++)
        free(s->items[i].data);
    for (int i = 0; i < FW_CFG_ARCH_KEYS; i++)
        free(s->arch_items[i].data);
}

struct mem_region *fw_cfg_io(struct device *dev)
{
    return &((struct fw_cfg *)dev)->io;
}

struct mem_region *fw_cfg_dma_io(struct device *dev)
{
    return &((struct fw_cfg *)dev)->dma_io;
}

static int fw_cfg_post_load(void *opaque, int version_id)
{
    struct fw_cfg *s = opaque;

    (void)version_id;
    if (s->cur_key != FW_CFG_KEY_INVALID && !fw_cfg_item(s, s->cur_key))
        return -EINVAL;
    return 0;
}

static const struct vmstate_field fw_cfg_fields[] = {
    {.name = "cur_key", .type = VMS_U16, .offset = offsetof(struct fw_cfg, cur_key)},
    {.name = "cur_offset", .type = VMS_U32, .offset = offsetof(struct fw_cfg, cur_offset)},
    {.name = "dma_addr_high", .type = VMS_U32, .offset = offsetof(struct fw_cfg, dma_addr_high)},
    {.type = VMS_END},
};
static const struct vmstate_desc fw_cfg_vmstate = {.name = "fw_cfg",
                                                   .version_id = 1,
                                                   .minimum_version_id = 1,
                                                   .fields = fw_cfg_fields,
                                                   .post_load = fw_cfg_post_load};

static const struct device_prop fw_cfg_props[] = {
    {"dma-as", PROP_LINK, offsetof(struct fw_cfg, dma_as), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type fw_cfg_type = {
    .name = "fw_cfg_io",
    .desc = "QEMU firmware configuration interface (I/O ports, DMA)",
    .state_size = sizeof(struct fw_cfg),
    .props = fw_cfg_props,
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .unrealize = fw_cfg_unrealize,
    .vmsd = &fw_cfg_vmstate,
};

/*
 * overlay.c - the temporary overlay of -snapshot (and -drive snapshot=on):
 * the image below is opened read-only, the guest's writes live in memory
 * in 64 KiB chunks and are gone when the emulator exits. QEMU puts the
 * overlay in a temporary qcow2 file; memory keeps this portable (the
 * appliance has no scratch file system).
 */
#include "block/block-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OVL_CHUNK_BITS 16
#define OVL_CHUNK (1u << OVL_CHUNK_BITS)
#define OVL_L2_BITS 14 /* chunks per second-level table: 1 GiB */

struct overlay {
    uint8_t ***dir; /* [off >> 30][chunk] -> chunk data or NULL */
    uint64_t ndir;
};

static uint8_t **ovl_slot(struct overlay *o, uint64_t off, bool create)
{
    uint64_t c = off >> OVL_CHUNK_BITS, d = c >> OVL_L2_BITS;

    if (!o->dir[d]) {
        if (!create)
            return NULL;
        o->dir[d] = calloc(1u << OVL_L2_BITS, sizeof(uint8_t *));
        if (!o->dir[d])
            return NULL;
    }
    return &o->dir[d][c & ((1u << OVL_L2_BITS) - 1)];
}

static int ovl_pread(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    struct overlay *o = b->opaque;
    uint8_t *p = buf;

    while (len) {
        uint64_t in = off & (OVL_CHUNK - 1), n = OVL_CHUNK - in < len ? OVL_CHUNK - in : len;
        uint8_t **slot = ovl_slot(o, off, false);
        int ret = 0;

        if (slot && *slot)
            memcpy(p, *slot + in, n);
        else
            ret = blk_pread(b->backing, off, p, n);
        if (ret < 0)
            return ret;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* Write n bytes at off inside one chunk; data NULL writes zeros. */
static int ovl_write_chunk(struct blk *b, uint64_t off, const uint8_t *data, uint64_t n)
{
    struct overlay *o = b->opaque;
    uint64_t in = off & (OVL_CHUNK - 1), start = off - in;
    uint8_t **slot = ovl_slot(o, off, true);
    int ret;

    if (!slot)
        return -ENOMEM;
    if (!*slot) {
        uint64_t have = b->size - start < OVL_CHUNK ? b->size - start : OVL_CHUNK;
        *slot = calloc(1, OVL_CHUNK);
        if (!*slot)
            return -ENOMEM;
        if (n != OVL_CHUNK && (ret = blk_pread(b->backing, start, *slot, have)) < 0) {
            free(*slot);
            *slot = NULL;
            return ret;
        }
    }
    if (data)
        memcpy(*slot + in, data, n);
    else
        memset(*slot + in, 0, n);
    return 0;
}

static int ovl_write(struct blk *b, uint64_t off, const uint8_t *data, uint64_t len)
{
    while (len) {
        uint64_t n = OVL_CHUNK - (off & (OVL_CHUNK - 1));
        int ret;

        if (n > len)
            n = len;
        ret = ovl_write_chunk(b, off, data, n);
        if (ret < 0)
            return ret;
        if (data)
            data += n;
        off += n;
        len -= n;
    }
    return 0;
}

static int ovl_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    return ovl_write(b, off, buf, len);
}

static int ovl_pwrite_zeroes(struct blk *b, uint64_t off, uint64_t len, bool may_unmap)
{
    (void)may_unmap;
    return ovl_write(b, off, NULL, len);
}

static int ovl_block_status(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                            uint64_t *host_off)
{
    struct overlay *o = b->opaque;
    uint8_t **slot = ovl_slot(o, off, false);
    uint64_t n = OVL_CHUNK - (off & (OVL_CHUNK - 1));

    (void)host_off;
    *pnum = n < len ? n : len;
    return slot && *slot ? BLK_STATUS_DATA | BLK_STATUS_ALLOCATED : 0;
}

static void ovl_close(struct blk *b)
{
    struct overlay *o = b->opaque;

    for (uint64_t d = 0; d < o->ndir; d++) {
        if (!o->dir[d])
            continue;
        for (uint64_t i = 0; i < (1u << OVL_L2_BITS); i++)
            free(o->dir[d][i]);
        free(o->dir[d]);
    }
    free(o->dir);
    free(o);
}

static const struct blk_driver blk_overlay_driver = {
    .name = "overlay",
    .close = ovl_close,
    .pread = ovl_pread,
    .pwrite = ovl_pwrite,
    .pwrite_zeroes = ovl_pwrite_zeroes,
    .block_status = ovl_block_status,
};

int blk_open_snapshot_overlay(struct blk **out, struct blk *base)
{
    struct blk *b = calloc(1, sizeof(*b));
    struct overlay *o = calloc(1, sizeof(*o));

    if (!b || !o) {
        free(b);
        free(o);
        return -ENOMEM;
    }
    o->ndir = (base->size >> (OVL_CHUNK_BITS + OVL_L2_BITS)) + 1;
    o->dir = calloc(o->ndir, sizeof(*o->dir));
    b->filename = strdup(base->filename);
    if (!o->dir || !b->filename) {
        free(o->dir);
        free(o);
        free(b->filename);
        free(b);
        return -ENOMEM;
    }
    b->drv = &blk_overlay_driver;
    b->opaque = o;
    b->backing = base;
    b->size = base->size;
    b->cache = BLK_CACHE_UNSAFE;
    b->wce = true;
    *out = b;
    return 0;
}

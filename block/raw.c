/*
 * raw.c - the raw format: the virtual disk is the file, byte for byte.
 */
#include "block/block-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/platform.h"

static int raw_open(struct blk *b, unsigned flags)
{
    int64_t len = blk_file_length(b->file);

    (void)flags;
    if (len < 0)
        return blk_error((int)len, "Could not get the size of '%s'", b->filename);
    b->size = (uint64_t)len;
    return 0;
}

static int raw_pread(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    return blk_file_pread(b->file, off, buf, len);
}

static int raw_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    return blk_file_pwrite(b->file, off, buf, len);
}

static int raw_pwrite_zeroes(struct blk *b, uint64_t off, uint64_t len, bool may_unmap)
{
    static const uint8_t zeros[65536];
    int ret;

    /* A punched hole keeps the size and reads back zeros, so it serves either way. */
    (void)may_unmap;
    ret = blk_file_discard(b->file, off, len);
    if (ret >= 0)
        return 0;
    while (len) {
        uint64_t n = len < sizeof(zeros) ? len : sizeof(zeros);
        ret = blk_file_pwrite(b->file, off, zeros, n);
        if (ret < 0)
            return ret;
        off += n;
        len -= n;
    }
    return 0;
}

static int raw_discard(struct blk *b, uint64_t off, uint64_t len)
{
    int ret = blk_file_discard(b->file, off, len);

    return ret == -EOPNOTSUPP ? 0 : ret; /* a hint: keeping the data is allowed */
}

static int raw_block_status(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                            uint64_t *host_off)
{
    int ret = plat_bfile_extent(b->file->bf, off, len, pnum);

    if (ret < 0)
        return ret;
    *host_off = off;
    if (ret)
        return BLK_STATUS_DATA | BLK_STATUS_OFFSET | BLK_STATUS_ALLOCATED;
    return BLK_STATUS_ZERO | BLK_STATUS_OFFSET | BLK_STATUS_ALLOCATED;
}

static int raw_truncate(struct blk *b, uint64_t size)
{
    int ret = blk_file_truncate(b->file, size);

    if (ret >= 0)
        b->size = size;
    return ret;
}

static int raw_create(const char *filename, const struct blk_create_opts *o)
{
    struct plat_bfile *f;
    int ret;

    if (o->backing_file)
        return blk_error(-EINVAL, "Backing file not supported for file format 'raw'");
    ret = plat_bfile_open(filename, PLAT_BF_CREATE, &f);
    if (ret < 0)
        return blk_error(ret, "Could not create '%s': %s", filename, strerror(-ret));
    ret = plat_bfile_truncate(f, o->size);
    plat_bfile_close(f);
    if (ret < 0)
        return blk_error(ret, "Could not resize '%s': %s", filename, strerror(-ret));
    return 0;
}

static int raw_make_empty(struct blk *b)
{
    return raw_pwrite_zeroes(b, 0, b->size, true);
}

const struct blk_driver blk_raw_driver = {
    .name = "raw",
    .open = raw_open,
    .pread = raw_pread,
    .pwrite = raw_pwrite,
    .pwrite_zeroes = raw_pwrite_zeroes,
    .discard = raw_discard,
    .block_status = raw_block_status,
    .truncate = raw_truncate,
    .create = raw_create,
    .make_empty = raw_make_empty,
};

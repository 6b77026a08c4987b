/*
 * file.c - the protocol driver: a host file (or disk) through the block
 * files of emu-core/platform.h. Format drivers reach it with the
 * blk_file_* helpers.
 */
#include "block/block-internal.h"

#include <errno.h>

#include "emu-core/platform.h"

int blk_file_pread(struct blk *file, uint64_t off, void *buf, uint64_t len)
{
    return plat_bfile_pread(file->bf, off, buf, len);
}

int blk_file_pwrite(struct blk *file, uint64_t off, const void *buf, uint64_t len)
{
    if (file->read_only)
        return -EROFS;
    return plat_bfile_pwrite(file->bf, off, buf, len);
}

int64_t blk_file_length(struct blk *file)
{
    return plat_bfile_length(file->bf);
}

int blk_file_truncate(struct blk *file, uint64_t size)
{
    if (file->read_only)
        return -EROFS;
    return plat_bfile_truncate(file->bf, size);
}

int blk_file_discard(struct blk *file, uint64_t off, uint64_t len)
{
    if (file->read_only)
        return -EROFS;
    return plat_bfile_discard(file->bf, off, len);
}

int blk_file_sync(struct blk *file)
{
    if (file->read_only || file->cache == BLK_CACHE_UNSAFE)
        return 0;
    return plat_bfile_flush(file->bf);
}

static int file_open(struct blk *b, unsigned flags)
{
    (void)b;
    (void)flags;
    return 0; /* blk_open_protocol opens the host file itself */
}

static int file_pread(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    return blk_file_pread(b, off, buf, len);
}

static int file_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    return blk_file_pwrite(b, off, buf, len);
}

const struct blk_driver blk_file_driver = {
    .name = "file",
    .open = file_open,
    .pread = file_pread,
    .pwrite = file_pwrite,
};

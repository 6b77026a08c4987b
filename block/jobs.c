/*
 * jobs.c - long-running block operations as plain library calls:
 * block-stream (pull the backing chain's data into the top image, then
 * drop the backing file) and commit (push the top's data into its backing
 * file). They run to completion; the caller drives progress reporting.
 */
#include "block/block-internal.h"

#include <errno.h>
#include <stdlib.h>

#define BLK_JOB_CHUNK (2u << 20)

int blk_stream(struct blk *top, blk_progress_fn *progress, void *opaque)
{
    uint64_t off = 0, size = top->size;
    uint8_t *buf;
    int ret = 0;

    if (top->read_only)
        return blk_error(-EROFS, "'%s' is read-only", top->filename);
    if (!top->backing_file)
        return 0;
    if (!top->backing)
        return blk_error(-EINVAL, "the backing file of '%s' is not open", top->filename);
    buf = malloc(BLK_JOB_CHUNK);
    if (!buf)
        return -ENOMEM;
    while (off < size) {
        uint64_t n, host;
        int st = blk_block_status(top, off, size - off < BLK_JOB_CHUNK ? size - off : BLK_JOB_CHUNK,
                                  &n, &host);

        if (st < 0) {
            ret = st;
            break;
        }
        if (!(st & BLK_STATUS_ALLOCATED)) {
            int depth;
            /* Only ranges some backing layer allocates need copying. */
            st = blk_block_status_above(top->backing, off, n, &n, &host, &depth);
            if (st < 0) {
                ret = st;
                break;
            }
            if (st & BLK_STATUS_ALLOCATED) {
                if (st & BLK_STATUS_ZERO && !(st & BLK_STATUS_DATA))
                    ret = blk_pwrite_zeroes(top, off, n, false);
                else if ((ret = blk_pread(top->backing, off, buf, n)) >= 0)
                    ret = blk_pwrite(top, off, buf, n);
            }
            if (ret < 0)
                break;
        }
        off += n;
        if (progress)
            progress(opaque, off, size);
    }
    free(buf);
    if (ret < 0)
        return ret;
    ret = blk_flush(top);
    if (ret < 0)
        return ret;
    ret = blk_change_backing_file(top, NULL, NULL);
    if (ret < 0)
        return ret;
    ret = blk_close(top->backing);
    top->backing = NULL;
    return ret;
}

/* Status of [off, off+len) in the layers from top down to, not including, base. */
static int blk_status_above_base(struct blk *top, struct blk *base, uint64_t off, uint64_t len,
                                 uint64_t *pnum)
{
    for (struct blk *cur = top; cur && cur != base; cur = cur->backing) {
        uint64_t n, host;
        int st;

        if (off >= cur->size)
            break;
        if (len > cur->size - off)
            len = cur->size - off;
        st = blk_block_status(cur, off, len, &n, &host);
        if (st < 0)
            return st;
        if (st & BLK_STATUS_ALLOCATED) {
            *pnum = n;
            return st;
        }
        len = n;
    }
    *pnum = len;
    return 0;
}

int blk_commit(struct blk *top, struct blk *base, blk_progress_fn *progress, void *opaque)
{
    uint64_t off = 0, size = top->size;
    uint8_t *buf;
    int ret = 0;

    if (!base)
        base = top->backing;
    if (!base)
        return blk_error(-EINVAL, "'%s' has no backing file to commit to", top->filename);
    if (base->read_only)
        return blk_error(-EROFS, "the backing file '%s' is read-only", base->filename);
    if (base->size < size) {
        ret = blk_truncate(base, size);
        if (ret < 0)
            return ret;
    }
    buf = malloc(BLK_JOB_CHUNK);
    if (!buf)
        return -ENOMEM;
    while (off < size) {
        uint64_t n;
        int st = blk_status_above_base(top, base, off,
                                       size - off < BLK_JOB_CHUNK ? size - off : BLK_JOB_CHUNK, &n);

        if (st < 0) {
            ret = st;
            break;
        }
        if (st & BLK_STATUS_ALLOCATED) {
            /* Reading through top gives the content the layers above base show. */
            if ((st & BLK_STATUS_ZERO) && !(st & BLK_STATUS_DATA))
                ret = blk_pwrite_zeroes(base, off, n, false);
            else if ((ret = blk_pread(top, off, buf, n)) >= 0)
                ret = blk_pwrite(base, off, buf, n);
            if (ret < 0)
                break;
        }
        off += n;
        if (progress)
            progress(opaque, off, size);
    }
    free(buf);
    if (ret >= 0)
        ret = blk_flush(base);
    return ret;
}

/*
 * jobs.c - long-running block operations as plain library calls:
 * block-stream (pull the backing chain's data into the top image, then
 * drop the backing file) and commit (push the top's data into its backing
 * file). block-stream also comes in steps, so a monitor command can run
 * it from the main loop while the guest keeps running.
 */
#include "block/block-internal.h"

#include <errno.h>
#include <stdlib.h>

#define BLK_JOB_CHUNK (2u << 20)

struct blk_stream_job {
    struct blk *top;
    uint64_t off;
    uint8_t *buf;
};

int blk_stream_start(struct blk *top, struct blk_stream_job **out)
{
    struct blk_stream_job *j;

    if (top->read_only)
        return blk_error(-EROFS, "'%s' is read-only", top->filename);
    if (top->backing_file && !top->backing)
        return blk_error(-EINVAL, "the backing file of '%s' is not open", top->filename);
    j = calloc(1, sizeof(*j));
    if (!j || !(j->buf = malloc(BLK_JOB_CHUNK))) {
        free(j);
        return -ENOMEM;
    }
    j->top = top;
    *out = j;
    return 0;
}

int blk_stream_step(struct blk_stream_job *j, uint64_t *done, uint64_t *total)
{
    struct blk *top = j->top;
    uint64_t size = top->size, n, host;
    int st, depth, ret = 0;

    *total = size;
    if (!top->backing || j->off >= size) {
        *done = size;
        return 1;
    }
    /* Each step looks afresh: ranges the guest wrote meanwhile are top's own now. */
    st = blk_block_status(top, j->off,
                          size - j->off < BLK_JOB_CHUNK ? size - j->off : BLK_JOB_CHUNK, &n, &host);
    if (st < 0)
        return st;
    if (!(st & BLK_STATUS_ALLOCATED)) {
        /* Only ranges some backing layer allocates need copying. */
        st = blk_block_status_above(top->backing, j->off, n, &n, &host, &depth);
        if (st < 0)
            return st;
        if (st & BLK_STATUS_ALLOCATED) {
            if ((st & BLK_STATUS_ZERO) && !(st & BLK_STATUS_DATA))
                ret = blk_pwrite_zeroes(top, j->off, n, false);
            else if ((ret = blk_pread(top->backing, j->off, j->buf, n)) >= 0)
                ret = blk_pwrite(top, j->off, j->buf, n);
            if (ret < 0)
                return ret;
        }
    }
    j->off += n;
    *done = j->off;
    return j->off >= size;
}

int blk_stream_finish(struct blk_stream_job *j, bool complete)
{
    struct blk *top = j->top;
    int ret = 0;

    free(j->buf);
    free(j);
    if (!complete || !top->backing)
        return 0;
    ret = blk_flush(top);
    if (ret >= 0)
        ret = blk_change_backing_file(top, NULL, NULL);
    if (ret < 0)
        return ret;
    ret = blk_close(top->backing);
    top->backing = NULL;
    return ret;
}

int blk_stream(struct blk *top, blk_progress_fn *progress, void *opaque)
{
    struct blk_stream_job *j;
    uint64_t done, total;
    int ret = blk_stream_start(top, &j);

    if (ret < 0)
        return ret;
    while ((ret = blk_stream_step(j, &done, &total)) == 0)
        if (progress)
            progress(opaque, done, total);
    if (ret < 0) {
        blk_stream_finish(j, false);
        return ret;
    }
    return blk_stream_finish(j, true);
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

/*
 * block.c - the generic part of the block layer: opening stacks of nodes
 * (format over protocol, backing chains), format probing, bounds checks,
 * cache modes and the guest's write cache switch.
 */
#include "block/block-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/platform.h"

/* Deeper chains are refused, which also ends loops of backing files. */
#define BLK_MAX_CHAIN 64

static char blk_errmsg[512];

int blk_error(int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(blk_errmsg, sizeof(blk_errmsg), fmt, ap);
    va_end(ap);
    return err;
}

const char *blk_last_error(void)
{
    return blk_errmsg;
}

static const struct blk_driver *const blk_formats[] = {&blk_qcow2_driver, &blk_raw_driver};

const struct blk_driver *blk_find_driver(const char *name)
{
    for (size_t i = 0; i < sizeof(blk_formats) / sizeof(blk_formats[0]); i++)
        if (!strcmp(blk_formats[i]->name, name))
            return blk_formats[i];
    if (!strcmp(name, "file"))
        return &blk_file_driver;
    return NULL;
}

int blk_parse_cache_mode(const char *s, enum blk_cache_mode *out)
{
    static const char *const names[] = {
        [BLK_CACHE_WRITEBACK] = "writeback", [BLK_CACHE_WRITETHROUGH] = "writethrough",
        [BLK_CACHE_NONE] = "none",           [BLK_CACHE_DIRECTSYNC] = "directsync",
        [BLK_CACHE_UNSAFE] = "unsafe",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum blk_cache_mode)i;
            return 0;
        }
    }
    return blk_error(-EINVAL, "invalid cache mode '%s'", s);
}

void blk_resolve_backing_path(const char *image, const char *backing, char *out, size_t size)
{
    const char *slash = strrchr(image, '/');

    if (backing[0] == '/' || !slash)
        snprintf(out, size, "%s", backing);
    else
        snprintf(out, size, "%.*s/%s", (int)(slash - image), image, backing);
}

static void blk_free_node(struct blk *b)
{
    if (!b)
        return;
    free(b->filename);
    free(b->backing_file);
    free(b->backing_fmt);
    free(b);
}

static int blk_open_depth(struct blk **out, const char *filename, const char *fmt, unsigned flags,
                          enum blk_cache_mode cache, int depth);

static int blk_open_protocol(struct blk **out, const char *filename, unsigned flags,
                             enum blk_cache_mode cache)
{
    struct blk *f = calloc(1, sizeof(*f));
    unsigned bf_flags = 0;
    int ret;

    if (!f)
        return -ENOMEM;
    f->drv = &blk_file_driver;
    f->filename = strdup(filename);
    f->read_only = !(flags & BLK_O_RDWR);
    f->cache = cache;
    f->flags = flags;
    if (flags & BLK_O_RDWR)
        bf_flags |= PLAT_BF_RDWR;
    if (cache == BLK_CACHE_NONE || cache == BLK_CACHE_DIRECTSYNC)
        bf_flags |= PLAT_BF_DIRECT;
    ret = plat_bfile_open(filename, bf_flags, &f->bf);
    if (ret < 0) {
        blk_error(ret, "Could not open '%s': %s", filename, strerror(-ret));
        blk_free_node(f);
        return ret;
    }
    int64_t len = plat_bfile_length(f->bf);
    f->size = len < 0 ? 0 : (uint64_t)len;
    *out = f;
    return 0;
}

static int blk_open_depth(struct blk **out, const char *filename, const char *fmt, unsigned flags,
                          enum blk_cache_mode cache, int depth)
{
    const struct blk_driver *drv = NULL;
    struct blk *file = NULL, *b = NULL;
    int ret;

    if (depth > BLK_MAX_CHAIN)
        return blk_error(-ELOOP, "Backing chain of '%s' is too deep (a loop?)", filename);
    if (fmt) {
        drv = blk_find_driver(fmt);
        if (!drv || drv == &blk_file_driver)
            return blk_error(-EINVAL, "Unknown driver '%s'", fmt);
    }
    ret = blk_open_protocol(&file, filename, flags, cache);
    if (ret < 0)
        return ret;
    if (!drv) {
        uint8_t buf[512];
        int best = 0;

        ret = plat_bfile_pread(file->bf, 0, buf, sizeof(buf));
        if (ret < 0) {
            blk_error(ret, "Could not read '%s': %s", filename, strerror(-ret));
            goto fail;
        }
        drv = &blk_raw_driver;
        for (size_t i = 0; i < sizeof(blk_formats) / sizeof(blk_formats[0]); i++) {
            int s = blk_formats[i]->probe ? blk_formats[i]->probe(buf, sizeof(buf)) : 0;
            if (s > best) {
                best = s;
                drv = blk_formats[i];
            }
        }
    }
    b = calloc(1, sizeof(*b));
    if (!b) {
        ret = -ENOMEM;
        goto fail;
    }
    b->drv = drv;
    b->file = file;
    b->filename = strdup(filename);
    b->flags = flags;
    b->read_only = !(flags & BLK_O_RDWR);
    b->cache = cache;
    b->wce = cache != BLK_CACHE_WRITETHROUGH && cache != BLK_CACHE_DIRECTSYNC;
    blk_errmsg[0] = 0;
    ret = drv->open(b, flags);
    if (ret < 0) {
        if (!blk_errmsg[0])
            blk_error(ret, "Could not open '%s': %s", filename, strerror(-ret));
        free(b->filename);
        free(b->backing_file);
        free(b->backing_fmt);
        free(b);
        goto fail;
    }
    if (b->backing_file && b->backing_file[0] && !(flags & BLK_O_NO_BACKING)) {
        char path[4096];

        blk_resolve_backing_path(filename, b->backing_file, path, sizeof(path));
        /* The backing chain is read-only; commit reopens it. */
        ret = blk_open_depth(&b->backing, path, b->backing_fmt, flags & ~(BLK_O_RDWR | BLK_O_CHECK),
                             cache, depth + 1);
        if (ret < 0) {
            char why[512];
            snprintf(why, sizeof(why), "%s", blk_errmsg);
            if (!depth) /* say it once, not once per level of the chain */
                blk_error(ret, "Could not open backing file: %s", why);
            blk_close(b);
            return ret;
        }
    }
    *out = b;
    return 0;
fail:
    plat_bfile_close(file->bf);
    blk_free_node(file);
    return ret;
}

int blk_open(struct blk **out, const char *filename, const char *fmt, unsigned flags,
             enum blk_cache_mode cache)
{
    blk_errmsg[0] = 0;
    return blk_open_depth(out, filename, fmt, flags, cache, 0);
}

int blk_close(struct blk *b)
{
    int ret = 0;

    if (!b)
        return 0;
    if (!b->read_only)
        ret = blk_flush(b);
    if (b->drv->close)
        b->drv->close(b);
    if (b->backing) {
        int r = blk_close(b->backing);
        if (!ret)
            ret = r;
    }
    if (b->file) {
        plat_bfile_close(b->file->bf);
        blk_free_node(b->file);
    }
    if (b->bf)
        plat_bfile_close(b->bf);
    blk_free_node(b);
    return ret;
}

static int blk_check_range(struct blk *b, uint64_t off, uint64_t len)
{
    if (off > b->size || len > b->size - off)
        return blk_error(-EINVAL, "request [%llu, +%llu) is past the end of the disk (%llu)",
                         (unsigned long long)off, (unsigned long long)len,
                         (unsigned long long)b->size);
    return 0;
}

int blk_pread(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    int ret = blk_check_range(b, off, len);

    if (ret < 0 || !len)
        return ret;
    return b->drv->pread(b, off, buf, len);
}

static int blk_write_done(struct blk *b, int ret)
{
    if (ret >= 0 && !b->wce)
        ret = blk_flush(b);
    return ret;
}

int blk_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    int ret = blk_check_range(b, off, len);

    if (ret < 0 || !len)
        return ret;
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return blk_write_done(b, b->drv->pwrite(b, off, buf, len));
}

int blk_pwrite_zeroes(struct blk *b, uint64_t off, uint64_t len, bool may_unmap)
{
    int ret = blk_check_range(b, off, len);

    if (ret < 0 || !len)
        return ret;
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return blk_write_done(b, b->drv->pwrite_zeroes(b, off, len, may_unmap));
}

int blk_discard(struct blk *b, uint64_t off, uint64_t len)
{
    int ret = blk_check_range(b, off, len);

    if (ret < 0 || !len)
        return ret;
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    if (!b->drv->discard)
        return 0; /* discard is a hint; formats without it keep the data */
    return blk_write_done(b, b->drv->discard(b, off, len));
}

int blk_flush(struct blk *b)
{
    int ret = 0;

    if (b->read_only)
        return 0;
    if (b->drv->flush_to_os)
        ret = b->drv->flush_to_os(b);
    if (ret >= 0 && b->file)
        ret = blk_file_sync(b->file);
    if (ret >= 0 && b->bf && b->cache != BLK_CACHE_UNSAFE)
        ret = plat_bfile_flush(b->bf);
    return ret;
}

void blk_set_write_cache(struct blk *b, bool enable)
{
    b->wce = enable;
}

bool blk_write_cache(struct blk *b)
{
    return b->wce;
}

uint64_t blk_length(struct blk *b)
{
    return b->size;
}

bool blk_is_read_only(struct blk *b)
{
    return b->read_only;
}

const char *blk_format(struct blk *b)
{
    return b->drv->name;
}

const char *blk_filename(struct blk *b)
{
    return b->filename;
}

struct blk *blk_backing(struct blk *b)
{
    return b->backing;
}

int blk_block_status(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum, uint64_t *host_off)
{
    int ret = blk_check_range(b, off, len);

    if (ret < 0)
        return ret;
    if (!len) {
        *pnum = 0;
        return 0;
    }
    return b->drv->block_status(b, off, len, pnum, host_off);
}

int blk_block_status_above(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                           uint64_t *host_off, int *depth)
{
    int d = 0;

    for (struct blk *cur = b; cur; cur = cur->backing, d++) {
        uint64_t n;
        int st;

        if (off >= cur->size) { /* past a shorter backing file: zeros */
            *pnum = len;
            *depth = d;
            return BLK_STATUS_ZERO;
        }
        if (len > cur->size - off)
            len = cur->size - off;
        st = blk_block_status(cur, off, len, &n, host_off);
        if (st < 0)
            return st;
        if (st & BLK_STATUS_ALLOCATED) {
            *pnum = n;
            *depth = d;
            return st;
        }
        len = n; /* the unallocated run bounds what the next layer may report */
    }
    *pnum = len;
    *depth = d;
    return BLK_STATUS_ZERO;
}

int blk_truncate(struct blk *b, uint64_t size)
{
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    if (!b->drv->truncate)
        return blk_error(-ENOTSUP, "Format '%s' cannot be resized", b->drv->name);
    return b->drv->truncate(b, size);
}

int blk_create(const char *filename, const char *fmt, const struct blk_create_opts *o)
{
    const struct blk_driver *drv = blk_find_driver(fmt);

    blk_errmsg[0] = 0;
    if (!drv || drv == &blk_file_driver || !drv->create)
        return blk_error(-EINVAL, "Unknown file format '%s'", fmt);
    return drv->create(filename, o);
}

int blk_get_info(struct blk *b, struct blk_info *info)
{
    memset(info, 0, sizeof(*info));
    info->format = b->drv->name;
    info->virtual_size = b->size;
    info->actual_size = b->file ? plat_bfile_allocated(b->file->bf) : -1;
    info->backing_file = b->backing_file;
    info->backing_fmt = b->backing_fmt;
    if (b->backing_file)
        blk_resolve_backing_path(b->filename, b->backing_file, info->backing_file_full,
                                 sizeof(info->backing_file_full));
    return b->drv->get_info ? b->drv->get_info(b, info) : 0;
}

int64_t blk_image_end_offset(struct blk *b)
{
    if (b->drv->image_end)
        return b->drv->image_end(b);
    return b->file ? blk_file_length(b->file) : -ENOTSUP;
}

int blk_check(struct blk *b, struct blk_check_result *res, int fix,
              void (*print)(void *opaque, const char *msg), void *opaque)
{
    memset(res, 0, sizeof(*res));
    if (!b->drv->check)
        return blk_error(-ENOTSUP, "This image format does not support checks");
    if (fix && b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->check(b, res, fix, print, opaque);
}

#define BLK_NEED(op, what)                                                                         \
    do {                                                                                           \
        if (!b->drv->op)                                                                           \
            return blk_error(-ENOTSUP, "Format '%s' does not support %s", b->drv->name, what);     \
    } while (0)

int blk_snapshot_list(struct blk *b, struct blk_snapshot_info **out)
{
    BLK_NEED(snapshot_list, "internal snapshots");
    return b->drv->snapshot_list(b, out);
}

int blk_snapshot_create(struct blk *b, const char *name)
{
    BLK_NEED(snapshot_create, "internal snapshots");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->snapshot_create(b, name);
}

int blk_snapshot_apply(struct blk *b, const char *name)
{
    BLK_NEED(snapshot_apply, "internal snapshots");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->snapshot_apply(b, name);
}

int blk_snapshot_delete(struct blk *b, const char *name)
{
    BLK_NEED(snapshot_delete, "internal snapshots");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->snapshot_delete(b, name);
}

int blk_change_backing_file(struct blk *b, const char *backing_file, const char *backing_fmt)
{
    BLK_NEED(change_backing, "backing files");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->change_backing(b, backing_file, backing_fmt);
}

int blk_amend(struct blk *b, const struct blk_amend_opts *o)
{
    BLK_NEED(amend, "amend");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->amend(b, o);
}

int blk_pwrite_compressed(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    int ret = blk_check_range(b, off, len);

    if (ret < 0)
        return ret;
    BLK_NEED(pwrite_compressed, "compression");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return blk_write_done(b, b->drv->pwrite_compressed(b, off, buf, len));
}

uint32_t blk_cluster_size(struct blk *b)
{
    return b->drv->cluster_size ? b->drv->cluster_size(b) : 65536;
}

int blk_make_empty(struct blk *b)
{
    BLK_NEED(make_empty, "emptying");
    if (b->read_only)
        return blk_error(-EROFS, "'%s' is read-only", b->filename);
    return b->drv->make_empty(b);
}

int blk_reopen_backing_rw(struct blk *b)
{
    struct blk *old = b->backing, *nb;
    char *name, *fmt;
    int ret;

    if (!old)
        return blk_error(-EINVAL, "'%s' has no backing file", b->filename);
    if (!old->read_only)
        return 0;
    name = strdup(old->filename);
    fmt = strdup(old->drv->name);
    if (!name || !fmt) {
        free(name);
        free(fmt);
        return -ENOMEM;
    }
    ret = blk_open(&nb, name, fmt, (old->flags | BLK_O_RDWR) & ~BLK_O_CHECK, old->cache);
    if (ret >= 0) {
        blk_close(old);
        b->backing = nb;
    }
    free(name);
    free(fmt);
    return ret;
}

/*
 * qcow2.c - the qcow2 driver's header: probe, open (with validation of
 * every field, since images are hostile input), header extensions (unknown
 * ones are kept and written back), the dirty and corrupt bits, close, info,
 * resize and backing file changes. Creation and amend are in qcow2-create.c.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"

static int qcow2_probe(const uint8_t *buf, size_t len)
{
    if (len >= 8 && be32_get(buf) == QCOW2_MAGIC && be32_get(buf + 4) >= 2)
        return 100;
    return 0;
}

int qcow2_signal_corruption(struct qcow2 *s, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!s->b->read_only && !s->corrupt && !(s->b->flags & BLK_O_CHECK)) {
        error_report("qcow2: Marking image as corrupt: %s; further corruption events will be "
                     "suppressed",
                     msg);
        s->incompat |= QCOW2_INCOMPAT_CORRUPT;
        s->corrupt = true;
        qcow2_write_header(s);
        blk_file_sync(s->b->file);
    }
    s->corrupt = true;
    return blk_error(-EIO, "qcow2: image is corrupt: %s", msg);
}

int qcow2_mark_dirty(struct qcow2 *s)
{
    int ret;

    if (s->dirty_set || s->version < 3)
        return 0;
    s->incompat |= QCOW2_INCOMPAT_DIRTY;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret >= 0)
        s->dirty_set = true;
    return ret;
}

int qcow2_write_l1_entry(struct qcow2 *s, uint32_t idx)
{
    uint8_t e[8];

    if (qcow2_overlaps(s, s->l1_offset + (uint64_t)idx * 8, 8,
                       QCOW2_OL_ALL & ~QCOW2_OL_L1 & ~QCOW2_OL_SNAP_L1))
        return qcow2_signal_corruption(s, "L1 table write would overwrite other metadata");
    be64_put(e, s->l1[idx]);
    return blk_file_pwrite(s->b->file, s->l1_offset + (uint64_t)idx * 8, e, 8);
}

int qcow2_flush_to_os(struct blk *b)
{
    struct qcow2 *s = qcow2_state(b);
    int ret;

    ret = qcow2_cache_flush(s, &s->rb_cache);
    if (ret >= 0)
        ret = qcow2_cache_flush(s, &s->l2_cache);
    return ret;
}

/* A table of bytes at off must be cluster aligned and inside the file. */
static int qcow2_check_table(struct qcow2 *s, uint64_t off, uint64_t bytes, uint64_t max_bytes,
                             int64_t file_len, const char *what)
{
    if (bytes > max_bytes)
        return blk_error(-EFBIG, "qcow2: %s is too large (%llu bytes)", what,
                         (unsigned long long)bytes);
    if (off & (s->cluster_size - 1))
        return blk_error(-EINVAL, "qcow2: %s offset 0x%llx is not cluster aligned", what,
                         (unsigned long long)off);
    if (bytes && (off > (uint64_t)file_len || bytes > (uint64_t)file_len - off))
        return blk_error(-EINVAL, "qcow2: %s at 0x%llx (+%llu) is past the end of the file", what,
                         (unsigned long long)off, (unsigned long long)bytes);
    return 0;
}

static void qcow2_free_state(struct qcow2 *s)
{
    if (!s)
        return;
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->rb_cache);
    qcow2_free_snapshots(s);
    for (struct qcow2_ext *e = s->exts, *n; e; e = n) {
        n = e->next;
        free(e->data);
        free(e);
    }
    free(s->l1);
    free(s->reft);
    free(s->zbuf);
    free(s->dcache);
    free(s);
}

static int qcow2_open(struct blk *b, unsigned flags)
{
    struct qcow2 *s = calloc(1, sizeof(*s));
    uint8_t hdr[QCOW2_V3_HEADER + 8];
    uint8_t *c0 = NULL;
    int64_t file_len;
    uint64_t bf_off, l1_need, size;
    uint32_t bf_len, crypt;
    int ret;

    if (!s)
        return -ENOMEM;
    s->b = b;
    b->opaque = s;
    file_len = blk_file_length(b->file);
    if (file_len < 0) {
        ret = (int)file_len;
        goto fail;
    }
    ret = blk_file_pread(b->file, 0, hdr, sizeof(hdr));
    if (ret < 0)
        goto fail;
    if (be32_get(hdr) != QCOW2_MAGIC) {
        ret = blk_error(-EINVAL, "Image is not in qcow2 format");
        goto fail;
    }
    s->version = be32_get(hdr + 4);
    if (s->version < 2 || s->version > 3) {
        ret = blk_error(-ENOTSUP, "Unsupported qcow2 version %u", s->version);
        goto fail;
    }
    if (file_len < QCOW2_V2_HEADER) {
        ret = blk_error(-EINVAL, "qcow2: image is truncated (%lld bytes)", (long long)file_len);
        goto fail;
    }
    bf_off = be64_get(hdr + 8);
    bf_len = be32_get(hdr + 16);
    s->cluster_bits = be32_get(hdr + 20);
    size = be64_get(hdr + 24);
    crypt = be32_get(hdr + 32);
    s->l1_size = be32_get(hdr + 36);
    s->l1_offset = be64_get(hdr + 40);
    s->reft_offset = be64_get(hdr + 48);
    s->reft_clusters = be32_get(hdr + 56);
    s->nb_snapshots = be32_get(hdr + 60);
    s->snapshots_offset = be64_get(hdr + 64);
    if (s->cluster_bits < 9 || s->cluster_bits > 21) {
        ret = blk_error(-EINVAL, "qcow2: unsupported cluster size: 2^%u", s->cluster_bits);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->l2_entries = 1u << s->l2_bits;
    if (s->version == 2) {
        s->refcount_order = 4;
        s->header_length = QCOW2_V2_HEADER;
    } else {
        s->incompat = be64_get(hdr + 72);
        s->compat = be64_get(hdr + 80);
        s->autoclear = be64_get(hdr + 88);
        s->refcount_order = be32_get(hdr + 96);
        s->header_length = be32_get(hdr + 100);
        if (s->header_length < QCOW2_V3_HEADER || s->header_length > s->cluster_size) {
            ret = blk_error(-EINVAL, "qcow2: invalid header length %u", s->header_length);
            goto fail;
        }
        if (s->header_length > QCOW2_V3_HEADER && hdr[104] != 0 &&
            !(s->incompat & QCOW2_INCOMPAT_COMPRESSION)) {
            ret = blk_error(-EINVAL, "qcow2: compression type set without its feature bit");
            goto fail;
        }
    }
    if (s->incompat & ~QCOW2_INCOMPAT_KNOWN) {
        uint64_t u = s->incompat & ~QCOW2_INCOMPAT_KNOWN;
        ret = blk_error(-ENOTSUP, "Unsupported qcow2 feature(s): %s%s%s0x%llx",
                        u & QCOW2_INCOMPAT_DATA_FILE ? "external data file, " : "",
                        u & QCOW2_INCOMPAT_COMPRESSION ? "compression type (zstd), " : "",
                        u & QCOW2_INCOMPAT_EXTL2 ? "extended L2 entries, " : "",
                        (unsigned long long)u);
        goto fail;
    }
    if (crypt) {
        ret = blk_error(-ENOTSUP, "qcow2: encrypted images are not supported");
        goto fail;
    }
    if (s->refcount_order > 6) {
        ret = blk_error(-EINVAL, "qcow2: invalid refcount order %u", s->refcount_order);
        goto fail;
    }
    s->refcount_bits = 1u << s->refcount_order;
    s->refcount_max = s->refcount_bits == 64 ? UINT64_MAX : (1ull << s->refcount_bits) - 1;
    s->rb_bits = s->cluster_bits + 3 - s->refcount_order;
    /* Sizes QEMU cannot address either; also keeps our shifts in range. */
    if (size > (1ull << 62)) {
        ret = blk_error(-EFBIG, "qcow2: virtual size %llu is too large", (unsigned long long)size);
        goto fail;
    }
    b->size = size;
    s->file_size = (uint64_t)file_len;
    l1_need =
        (size + ((uint64_t)s->cluster_size << s->l2_bits) - 1) >> (s->cluster_bits + s->l2_bits);
    ret = qcow2_check_table(s, s->l1_offset, (uint64_t)s->l1_size * 8, QCOW2_MAX_L1_BYTES, file_len,
                            "active L1 table");
    if (ret < 0)
        goto fail;
    if (s->l1_size < l1_need && !(flags & BLK_O_CREATING)) {
        ret = blk_error(-EINVAL, "qcow2: L1 table is too small (%u entries for %llu needed)",
                        s->l1_size, (unsigned long long)l1_need);
        goto fail;
    }
    if (!s->reft_clusters) {
        ret = blk_error(-EINVAL, "qcow2: image has no refcount table");
        goto fail;
    }
    ret = qcow2_check_table(s, s->reft_offset, (uint64_t)s->reft_clusters * s->cluster_size,
                            QCOW2_MAX_REFTABLE_BYTES, file_len, "refcount table");
    if (ret < 0)
        goto fail;
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS) {
        ret = blk_error(-EFBIG, "qcow2: too many snapshots (%u)", s->nb_snapshots);
        goto fail;
    }
    if (s->nb_snapshots) {
        ret = qcow2_check_table(s, s->snapshots_offset, 1, 1, file_len, "snapshot table");
        if (ret < 0)
            goto fail;
    }

    /* Extensions and the backing file name live in cluster 0. */
    c0 = malloc(s->cluster_size);
    if (!c0) {
        ret = -ENOMEM;
        goto fail;
    }
    ret = blk_file_pread(b->file, 0, c0, s->cluster_size);
    if (ret < 0)
        goto fail;
    if (bf_off) {
        if (bf_len > QCOW2_MAX_BACKING_NAME || bf_off > s->cluster_size ||
            bf_len > s->cluster_size - bf_off) {
            ret = blk_error(-EINVAL, "qcow2: backing file name is invalid (offset %llu, %u bytes)",
                            (unsigned long long)bf_off, bf_len);
            goto fail;
        }
        b->backing_file = strndup((const char *)c0 + bf_off, bf_len);
        if (memchr(c0 + bf_off, 0, bf_len)) {
            ret = blk_error(-EINVAL, "qcow2: backing file name contains a NUL byte");
            goto fail;
        }
    }
    ret = qcow2_read_extensions(s, c0, s->header_length,
                                bf_off && bf_off >= s->header_length ? bf_off : s->cluster_size);
    if (ret < 0)
        goto fail;
    if (b->backing_fmt && !b->backing_file) {
        free(b->backing_fmt);
        b->backing_fmt = NULL;
    }
    if (b->backing_fmt && strcmp(b->backing_fmt, "raw") && strcmp(b->backing_fmt, "qcow2")) {
        ret = blk_error(-ENOTSUP, "qcow2: backing format '%s' is not supported", b->backing_fmt);
        goto fail;
    }

    s->l1 = calloc(s->l1_size ? s->l1_size : 1, 8);
    if (!s->l1) {
        ret = -ENOMEM;
        goto fail;
    }
    if (s->l1_size) {
        ret = blk_file_pread(b->file, s->l1_offset, s->l1, (uint64_t)s->l1_size * 8);
        if (ret < 0)
            goto fail;
        for (uint32_t i = 0; i < s->l1_size; i++)
            s->l1[i] = be64_get(&s->l1[i]);
    }
    ret = qcow2_refcount_init(s);
    if (ret < 0)
        goto fail;
    ret = qcow2_read_snapshots(s);
    if (ret < 0)
        goto fail;
    ret = qcow2_cache_init(&s->l2_cache, 16, s->cluster_size);
    if (ret >= 0)
        ret = qcow2_cache_init(&s->rb_cache, 8, s->cluster_size);
    if (ret < 0)
        goto fail;
    s->corrupt = s->incompat & QCOW2_INCOMPAT_CORRUPT;
    s->lazy = s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS;
    free(c0);
    c0 = NULL;

    if (!(flags & BLK_O_RDWR))
        return 0;
    if (!s->corrupt && !(flags & BLK_O_CHECK)) {
        const char *why = qcow2_table_overlap(s);
        if (why) {
            ret = qcow2_signal_corruption(s, "%s", why);
            goto fail;
        }
    }
    if (s->corrupt && !(flags & BLK_O_CHECK)) {
        ret = blk_error(-EACCES, "qcow2: Image is corrupt; cannot be opened read/write "
                                 "(run 'baremu-img check -r all' to repair it)");
        goto fail;
    }
    if ((s->incompat & QCOW2_INCOMPAT_DIRTY) && !(flags & BLK_O_CHECK)) {
        struct blk_check_result res;

        /* Left dirty by a crash with lazy_refcounts: rebuild refcounts first. */
        ret = qcow2_check(b, &res, BLK_FIX_LEAKS | BLK_FIX_ERRORS, NULL, NULL);
        if (ret < 0)
            goto fail;
        if (res.corruptions) {
            ret = blk_error(-EIO,
                            "qcow2: image was not closed cleanly and could not be "
                            "repaired (%d corruptions left)",
                            res.corruptions);
            goto fail;
        }
    }
    if (s->incompat & QCOW2_INCOMPAT_DIRTY) {
        s->dirty_set = true; /* cleared at close once the refcounts are written */
    }
    /* We do not maintain bitmaps: their autoclear bit must go before we write. */
    if (s->autoclear) {
        s->autoclear = 0;
        ret = qcow2_write_header(s);
        if (ret < 0)
            goto fail;
    }
    return 0;
fail:
    free(c0);
    qcow2_free_state(s);
    b->opaque = NULL;
    return ret;
}

static void qcow2_close(struct blk *b)
{
    struct qcow2 *s = qcow2_state(b);

    if (!b->read_only && !s->corrupt && s->dirty_set) {
        /* Refcounts are on disk (blk_close flushed): the image is clean again. */
        if (qcow2_flush_to_os(b) >= 0 && blk_file_sync(b->file) >= 0) {
            s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
            if (qcow2_write_header(s) >= 0)
                blk_file_sync(b->file);
        }
    }
    qcow2_free_state(s);
}

static int qcow2_get_info(struct blk *b, struct blk_info *info)
{
    struct qcow2 *s = qcow2_state(b);

    info->cluster_size = s->cluster_size;
    info->is_qcow2 = true;
    info->compat = s->version;
    info->lazy_refcounts = s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS;
    info->refcount_bits = s->refcount_bits;
    info->corrupt = s->incompat & QCOW2_INCOMPAT_CORRUPT;
    info->dirty = s->incompat & QCOW2_INCOMPAT_DIRTY;
    return 0;
}

static int qcow2_truncate(struct blk *b, uint64_t size)
{
    struct qcow2 *s = qcow2_state(b);
    uint64_t l1_need;
    int ret;

    if (size < b->size)
        return blk_error(-ENOTSUP, "qcow2 images cannot be shrunk");
    if (size & 511)
        return blk_error(-EINVAL, "size must be a multiple of 512");
    if (s->nb_snapshots && s->version < 3)
        return blk_error(-ENOTSUP, "cannot resize a compat=0.10 image with snapshots");
    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is corrupt");
    l1_need =
        (size + ((uint64_t)s->cluster_size << s->l2_bits) - 1) >> (s->cluster_bits + s->l2_bits);
    if (l1_need * 8 > QCOW2_MAX_L1_BYTES)
        return blk_error(-EFBIG, "size %llu is too large for this cluster size",
                         (unsigned long long)size);
    ret = qcow2_grow_l1(s, l1_need);
    if (ret < 0)
        return ret;
    b->size = size;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(b->file);
    return ret;
}

static int qcow2_change_backing(struct blk *b, const char *file, const char *fmt)
{
    struct qcow2 *s = qcow2_state(b);
    char *nf = NULL, *nfmt = NULL;
    int ret;

    if (file && strlen(file) > QCOW2_MAX_BACKING_NAME)
        return blk_error(-EINVAL, "backing file name is too long");
    if (file && *file)
        nf = strdup(file);
    if (nf && fmt)
        nfmt = strdup(fmt);
    free(b->backing_file);
    free(b->backing_fmt);
    b->backing_file = nf;
    b->backing_fmt = nfmt;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(b->file);
    return ret;
}

static uint32_t qcow2_cluster_size(struct blk *b)
{
    return qcow2_state(b)->cluster_size;
}

const struct blk_driver blk_qcow2_driver = {
    .name = "qcow2",
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .pread = qcow2_pread,
    .pwrite = qcow2_pwrite,
    .pwrite_zeroes = qcow2_pwrite_zeroes,
    .discard = qcow2_discard,
    .flush_to_os = qcow2_flush_to_os,
    .block_status = qcow2_block_status,
    .truncate = qcow2_truncate,
    .create = qcow2_create,
    .get_info = qcow2_get_info,
    .image_end = qcow2_image_end,
    .check = qcow2_check,
    .snapshot_list = qcow2_snapshot_list,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_apply = qcow2_snapshot_apply,
    .snapshot_delete = qcow2_snapshot_delete,
    .change_backing = qcow2_change_backing,
    .amend = qcow2_amend,
    .pwrite_compressed = qcow2_pwrite_compressed,
    .make_empty = qcow2_make_empty,
    .cluster_size = qcow2_cluster_size,
};

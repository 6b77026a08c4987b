/*
 * qcow2-create.c - creating qcow2 images (QEMU's layout: header, refcount
 * table, refcount block, L1 table in clusters 0, 1, 2, 3...) and amending
 * their options.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/platform.h"

static bool qcow2_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static int qcow2_log2(uint64_t v)
{
    int n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

int qcow2_create(const char *filename, const struct blk_create_opts *o)
{
    uint32_t cs = o->cluster_size ? o->cluster_size : 65536;
    int version = o->compat ? o->compat : 3;
    int rbits = o->refcount_bits ? o->refcount_bits : 16;
    uint64_t size = o->size, l1_need;
    struct plat_bfile *f;
    struct blk *b = NULL;
    uint8_t *buf;
    int ret;

    if (!qcow2_pow2(cs) || cs < 512 || cs > (2u << 20))
        return blk_error(-EINVAL, "Cluster size must be a power of two between 512 and 2048k");
    if (version != 2 && version != 3)
        return blk_error(-EINVAL, "Invalid compatibility level");
    if (!qcow2_pow2(rbits) || rbits > 64)
        return blk_error(-EINVAL, "Refcount width must be a power of two and may not exceed "
                                  "64 bits");
    if (version == 2 && rbits != 16)
        return blk_error(-EINVAL, "Different refcount widths than 16 bits require "
                                  "compatibility level 1.1 or above (use compat=1.1 or "
                                  "greater)");
    if (version == 2 && o->lazy_refcounts)
        return blk_error(-EINVAL, "Lazy refcounts only supported with compatibility level 1.1 "
                                  "and above (use version=v3 or greater)");
    if (o->backing_fmt && !o->backing_file)
        return blk_error(-EINVAL, "Backing format cannot be used without backing file");
    if (o->backing_file && strlen(o->backing_file) > QCOW2_MAX_BACKING_NAME)
        return blk_error(-EINVAL, "Backing file name too long");
    if (size & 511)
        return blk_error(-EINVAL, "Image size must be a multiple of 512 bytes");
    l1_need = (size + ((uint64_t)cs << (qcow2_log2(cs) - 3)) - 1) >>
              (qcow2_log2(cs) + qcow2_log2(cs) - 3);
    if (l1_need * 8 > QCOW2_MAX_L1_BYTES || size > (1ull << 62))
        return blk_error(-EFBIG, "The image size is too large for file format 'qcow2' (try "
                                 "using a larger cluster size)");

    ret = plat_bfile_open(filename, PLAT_BF_CREATE, &f);
    if (ret < 0)
        return blk_error(ret, "Could not create '%s': %s", filename, strerror(-ret));
    buf = calloc(3, cs);
    if (!buf) {
        plat_bfile_close(f);
        return -ENOMEM;
    }
    be32_put(buf, QCOW2_MAGIC);
    be32_put(buf + 4, (uint32_t)version);
    be32_put(buf + 20, (uint32_t)qcow2_log2(cs));
    be64_put(buf + 24, size);
    be64_put(buf + 48, cs);
    be32_put(buf + 56, 1);
    if (version == 3) {
        be32_put(buf + 96, (uint32_t)qcow2_log2(rbits));
        be32_put(buf + 100, QCOW2_V3_HEADER);
    }
    be64_put(buf + cs, 2ull * cs); /* refcount table -> block in cluster 2 */
    {
        struct qcow2 tmp = {.refcount_order = (uint32_t)qcow2_log2(rbits)};
        for (int i = 0; i < 3; i++)
            qcow2_rb_set(&tmp, buf + 2 * cs, i, 1);
    }
    ret = plat_bfile_pwrite(f, 0, buf, 3ull * cs);
    plat_bfile_close(f);
    free(buf);
    if (ret < 0)
        return blk_error(ret, "Could not write '%s': %s", filename, strerror(-ret));

    ret = blk_open(&b, filename, "qcow2", BLK_O_RDWR | BLK_O_NO_BACKING | BLK_O_CREATING,
                   BLK_CACHE_WRITEBACK);
    if (ret < 0)
        return ret;
    struct qcow2 *s = qcow2_state(b);
    ret = qcow2_grow_l1(s, l1_need);
    if (ret < 0)
        goto out;
    if (o->lazy_refcounts)
        s->compat |= QCOW2_COMPAT_LAZY_REFCOUNTS;
    if (o->backing_file) {
        b->backing_file = strdup(o->backing_file);
        if (o->backing_fmt)
            b->backing_fmt = strdup(o->backing_fmt);
    }
    ret = qcow2_write_header(s);
out : {
    int r = blk_close(b);
    if (ret >= 0)
        ret = r;
}
    return ret;
}

/* compat=0.10 has no zero clusters: refuse a downgrade that would lose them. */
static int qcow2_has_zero_clusters(struct qcow2 *s)
{
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2off = s->l1[i] & L1E_OFFSET_MASK;
        uint8_t *l2;
        int ret;

        if (!l2off)
            continue;
        ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &l2);
        if (ret < 0)
            return ret;
        for (uint32_t j = 0; j < s->l2_entries; j++) {
            uint64_t e = be64_get(l2 + j * 8);
            if (!(e & QCOW_OFLAG_COMPRESSED) && (e & QCOW_OFLAG_ZERO)) {
                qcow2_cache_put(&s->l2_cache, l2);
                return 1;
            }
        }
        qcow2_cache_put(&s->l2_cache, l2);
    }
    return 0;
}

int qcow2_amend(struct blk *b, const struct blk_amend_opts *o)
{
    struct qcow2 *s = qcow2_state(b);
    int version = o->compat ? o->compat : (int)s->version;
    int lazy =
        o->lazy_refcounts >= 0 ? o->lazy_refcounts : !!(s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS);
    int rbits = o->refcount_bits ? o->refcount_bits : (int)s->refcount_bits;
    int ret;

    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt");
    if (!qcow2_pow2(rbits) || rbits > 64)
        return blk_error(-EINVAL, "Refcount width must be a power of two and may not exceed "
                                  "64 bits");
    if (version == 2 && (lazy || rbits != 16))
        return blk_error(-EINVAL, "compat=0.10 requires lazy_refcounts=off and "
                                  "refcount_bits=16");
    ret = qcow2_flush_to_os(b);
    if (ret < 0)
        return ret;
    if (version == 2 && s->version == 3) {
        ret = qcow2_has_zero_clusters(s);
        if (ret < 0)
            return ret;
        if (ret)
            return blk_error(-ENOTSUP, "Cannot downgrade an image with zero clusters to "
                                       "compat=0.10");
        if (s->nb_snapshots)
            return blk_error(-ENOTSUP, "Cannot downgrade an image with snapshots to "
                                       "compat=0.10");
    }
    if ((uint32_t)rbits != s->refcount_bits) {
        ret = qcow2_rebuild_refcounts(s, (uint32_t)qcow2_log2(rbits));
        if (ret < 0)
            return ret;
    }
    if (!lazy && (s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS)) {
        /* Refcounts are exact after the flush: the image need not stay dirty. */
        s->compat &= ~QCOW2_COMPAT_LAZY_REFCOUNTS;
        s->lazy = false;
        s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
        s->dirty_set = false;
    } else if (lazy) {
        s->compat |= QCOW2_COMPAT_LAZY_REFCOUNTS;
        s->lazy = true;
    }
    s->version = (uint32_t)version;
    if (version == 2) {
        s->incompat = s->compat = s->autoclear = 0;
    }
    ret = blk_file_sync(b->file);
    if (ret >= 0)
        ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(b->file);
    if (ret >= 0 && o->backing_file)
        ret = blk_change_backing_file(b, o->backing_file, o->backing_fmt);
    if (ret >= 0 && o->size && o->size != b->size)
        ret = blk_truncate(b, o->size);
    return ret;
}

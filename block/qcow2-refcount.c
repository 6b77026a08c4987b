/*
 * qcow2-refcount.c - reference counts: every cluster of the file counts how
 * many tables (through the active L1 and each snapshot's L1) use it, in
 * refcount blocks of 1..64-bit entries found through the refcount table.
 * Allocation takes the first run of clusters whose refcount is 0.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define QCOW2_MAX_ALLOC_DEPTH 8

uint64_t qcow2_rb_get(struct qcow2 *s, const uint8_t *rb, uint64_t idx)
{
    switch (s->refcount_order) {
    case 0:
        return (rb[idx / 8] >> (idx % 8)) & 1;
    case 1:
        return (rb[idx / 4] >> (2 * (idx % 4))) & 3;
    case 2:
        return (rb[idx / 2] >> (4 * (idx % 2))) & 15;
    case 3:
        return rb[idx];
    case 4:
        return be16_get(rb + idx * 2);
    case 5:
        return be32_get(rb + idx * 4);
    default:
        return be64_get(rb + idx * 8);
    }
}

void qcow2_rb_set(struct qcow2 *s, uint8_t *rb, uint64_t idx, uint64_t v)
{
    unsigned shift;

    switch (s->refcount_order) {
    case 0:
    case 1:
    case 2: {
        unsigned bits = 1u << s->refcount_order, per = 8 / bits;
        uint8_t mask = (uint8_t)((1u << bits) - 1);
        shift = bits * (idx % per);
        rb[idx / per] = (uint8_t)((rb[idx / per] & ~(mask << shift)) | ((v & mask) << shift));
        break;
    }
    case 3:
        rb[idx] = (uint8_t)v;
        break;
    case 4:
        be16_put(rb + idx * 2, (uint16_t)v);
        break;
    case 5:
        be32_put(rb + idx * 4, (uint32_t)v);
        break;
    default:
        be64_put(rb + idx * 8, v);
        break;
    }
}

int qcow2_refcount_init(struct qcow2 *s)
{
    uint64_t bytes = (uint64_t)s->reft_clusters * s->cluster_size;
    int64_t file_len = blk_file_length(s->b->file);
    int ret;

    s->reft_size = s->reft_disk_size = bytes / 8;
    s->reft = malloc(bytes);
    if (!s->reft)
        return -ENOMEM;
    ret = blk_file_pread(s->b->file, s->reft_offset, s->reft, bytes);
    if (ret < 0)
        return ret;
    for (uint64_t i = 0; i < s->reft_size; i++) {
        uint64_t e = be64_get(&s->reft[i]);
        uint64_t off = e & REFT_OFFSET_MASK;

        s->reft[i] = e;
        if (!off)
            continue;
        if ((off & (s->cluster_size - 1)) || off >= (uint64_t)file_len) {
            if (s->b->flags & BLK_O_CHECK) {
                s->reft[i] = 0; /* check reports the clusters it covers */
                continue;
            }
            return blk_error(-EINVAL,
                             "qcow2: refcount block %llu offset 0x%llx is invalid (unaligned "
                             "or past the end of the file); run 'baremu-img check -r all'",
                             (unsigned long long)i, (unsigned long long)off);
        }
    }
    return 0;
}

int qcow2_write_reftable_entry(struct qcow2 *s, uint64_t idx)
{
    uint8_t e[8];

    if (idx >= s->reft_disk_size)
        return 0; /* written with the whole table when it moves */
    if (qcow2_overlaps(s, s->reft_offset + idx * 8, 8, QCOW2_OL_ALL & ~QCOW2_OL_REFTABLE))
        return qcow2_signal_corruption(s, "refcount table write would overwrite other metadata");
    be64_put(e, s->reft[idx]);
    return blk_file_pwrite(s->b->file, s->reft_offset + idx * 8, e, 8);
}

int qcow2_get_refcount(struct qcow2 *s, uint64_t cluster, uint64_t *rc)
{
    uint64_t rt = cluster >> s->rb_bits;
    uint8_t *rb;
    int ret;

    *rc = 0;
    if (rt >= s->reft_size || !(s->reft[rt] & REFT_OFFSET_MASK))
        return 0;
    ret = qcow2_cache_get(s, &s->rb_cache, s->reft[rt] & REFT_OFFSET_MASK, false, &rb);
    if (ret < 0)
        return ret;
    *rc = qcow2_rb_get(s, rb, cluster & ((1ull << s->rb_bits) - 1));
    qcow2_cache_put(&s->rb_cache, rb);
    return 0;
}

static bool qcow2_is_reserved(struct qcow2 *s, uint64_t i)
{
    for (int k = 0; k < s->nreserved; k++)
        if (i >= s->reserved[k][0] && i < s->reserved[k][1])
            return true;
    return false;
}

/* First run of n clusters with refcount 0 (and not reserved) at or after free_hint. */
static bool qcow2_in_quarantine(struct qcow2 *s, uint64_t i)
{
    for (int k = 0; k < s->nquarantine; k++)
        if (s->quarantine[k] == i)
            return true;
    return false;
}

/* Write the L2 tables out so the freed clusters they no longer use can be reused. */
int qcow2_release_quarantine(struct qcow2 *s)
{
    int ret;

    if (!s->nquarantine && !s->quarantine_full)
        return 0;
    ret = qcow2_cache_flush(s, &s->l2_cache);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret >= 0) {
        s->nquarantine = 0;
        s->quarantine_full = false;
    }
    return ret;
}

static int64_t qcow2_find_free(struct qcow2 *s, uint64_t n)
{
    uint64_t start = s->free_hint, run = 0;
    uint64_t limit = (1ull << (56 - s->cluster_bits)); /* offsets need 56 bits */

    if (s->quarantine_full) {
        /* Frees were not all remembered: none may be reused before the L2 write-out. */
        int ret = qcow2_release_quarantine(s);
        if (ret < 0)
            return ret;
    }

    for (uint64_t i = s->free_hint; i < limit; i++) {
        uint64_t rc;
        int ret;

        /* Whole refcount blocks that do not exist are free: skip them fast. */
        uint64_t rt = i >> s->rb_bits;
        if ((rt >= s->reft_size || !(s->reft[rt] & REFT_OFFSET_MASK)) &&
            !(i & ((1ull << s->rb_bits) - 1)) && i && !s->nreserved) {
            if (!run)
                start = i;
            run += 1ull << s->rb_bits;
            if (run >= n)
                return (int64_t)start;
            i += (1ull << s->rb_bits) - 1;
            continue;
        }
        ret = qcow2_get_refcount(s, i, &rc);
        if (ret < 0)
            return ret;
        if (rc || qcow2_is_reserved(s, i) || qcow2_in_quarantine(s, i)) {
            run = 0;
            continue;
        }
        if (!run)
            start = i;
        if (++run >= n)
            return (int64_t)start;
    }
    return -ENOSPC;
}

/* Clusters handed out may lie past the end of the file until written. */
static void qcow2_note_alloc(struct qcow2 *s, uint64_t idx, uint64_t n)
{
    if (((idx + n) << s->cluster_bits) > s->file_size)
        s->file_size = (idx + n) << s->cluster_bits;
}

static int qcow2_reserve(struct qcow2 *s, uint64_t idx, uint64_t n)
{
    if (s->nreserved >= (int)(sizeof(s->reserved) / sizeof(s->reserved[0])))
        return blk_error(-ELOOP, "qcow2: cluster allocation nests too deeply");
    s->reserved[s->nreserved][0] = idx;
    s->reserved[s->nreserved][1] = idx + n;
    s->nreserved++;
    return 0;
}

static int qcow2_update_refcount_depth(struct qcow2 *s, uint64_t off, uint64_t len, int64_t addend,
                                       int depth);

static int qcow2_grow_reftable(struct qcow2 *s, uint64_t min_entries, int depth)
{
    uint64_t per_cluster = s->cluster_size / 8;
    uint64_t entries = s->reft_size * 2 > min_entries + 1 ? s->reft_size * 2 : min_entries + 1;
    uint64_t clusters = (entries + per_cluster - 1) / per_cluster, bytes, old_off, old_bytes;
    uint64_t *nt, *be;
    int64_t off;
    int ret;

    entries = clusters * per_cluster;
    bytes = clusters * s->cluster_size;
    if (bytes > QCOW2_MAX_REFTABLE_BYTES)
        return blk_error(-EFBIG, "qcow2: refcount table would exceed %u bytes",
                         QCOW2_MAX_REFTABLE_BYTES);
    nt = realloc(s->reft, bytes);
    if (!nt)
        return -ENOMEM;
    memset(nt + s->reft_size, 0, (entries - s->reft_size) * 8);
    s->reft = nt;
    s->reft_size = entries;

    off = qcow2_find_free(s, clusters);
    if (off < 0)
        return (int)off;
    if ((uint64_t)off == s->free_hint)
        s->free_hint = off + clusters;
    qcow2_note_alloc(s, (uint64_t)off, clusters);
    ret = qcow2_reserve(s, (uint64_t)off, clusters);
    if (ret < 0)
        return ret;
    ret = qcow2_update_refcount_depth(s, (uint64_t)off << s->cluster_bits, bytes, 1, depth + 1);
    s->nreserved--;
    if (ret < 0)
        return ret;
    off <<= s->cluster_bits;
    ret = qcow2_cache_flush(s, &s->rb_cache);
    if (ret < 0)
        return ret;
    be = malloc(bytes);
    if (!be)
        return -ENOMEM;
    for (uint64_t i = 0; i < entries; i++)
        be64_put(&be[i], s->reft[i]);
    ret = blk_file_pwrite(s->b->file, off, be, bytes);
    free(be);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret < 0)
        return ret;
    old_off = s->reft_offset;
    old_bytes = (uint64_t)s->reft_clusters * s->cluster_size;
    s->reft_offset = off;
    s->reft_clusters = clusters;
    s->reft_disk_size = entries;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret < 0)
        return ret;
    return qcow2_update_refcount_depth(s, old_off, old_bytes, -1, depth + 1);
}

/* Give refcount table entry rt a refcount block. */
static int qcow2_alloc_refblock(struct qcow2 *s, uint64_t rt, int depth)
{
    int64_t idx;
    uint64_t off;
    uint8_t *rb;
    int ret;

    if (depth > QCOW2_MAX_ALLOC_DEPTH)
        return blk_error(-ELOOP, "qcow2: refcount block allocation does not converge");
    if (rt >= s->reft_size) {
        ret = qcow2_grow_reftable(s, rt, depth);
        if (ret < 0)
            return ret;
        if (s->reft[rt] & REFT_OFFSET_MASK)
            return 0; /* the growth itself needed this block */
    }
    idx = qcow2_find_free(s, 1);
    if (idx < 0)
        return (int)idx;
    if ((uint64_t)idx == s->free_hint)
        s->free_hint = idx + 1;
    qcow2_note_alloc(s, (uint64_t)idx, 1);
    off = (uint64_t)idx << s->cluster_bits;
    ret = qcow2_cache_get(s, &s->rb_cache, off, true, &rb);
    if (ret < 0)
        return ret;
    qcow2_cache_dirty(&s->rb_cache, rb);
    s->reft[rt] = off;
    if (((uint64_t)idx >> s->rb_bits) == rt) {
        /* The block describes itself. */
        qcow2_rb_set(s, rb, (uint64_t)idx & ((1ull << s->rb_bits) - 1), 1);
        qcow2_cache_put(&s->rb_cache, rb);
    } else {
        qcow2_cache_put(&s->rb_cache, rb);
        ret = qcow2_reserve(s, (uint64_t)idx, 1);
        if (ret < 0)
            return ret;
        ret = qcow2_update_refcount_depth(s, off, s->cluster_size, 1, depth + 1);
        s->nreserved--;
        if (ret < 0)
            return ret;
    }
    /* The block must be on disk before the table points at it. */
    ret = qcow2_cache_flush(s, &s->rb_cache);
    if (ret < 0)
        return ret;
    return qcow2_write_reftable_entry(s, rt);
}

static int qcow2_update_refcount_depth(struct qcow2 *s, uint64_t off, uint64_t len, int64_t addend,
                                       int depth)
{
    uint64_t first, last;
    int ret;

    if (!len || !addend)
        return 0;
    if (s->lazy && !s->dirty_set) {
        ret = qcow2_mark_dirty(s);
        if (ret < 0)
            return ret;
    }
    first = off >> s->cluster_bits;
    last = (off + len - 1) >> s->cluster_bits;
    for (uint64_t c = first; c <= last; c++) {
        uint64_t rt = c >> s->rb_bits, idx = c & ((1ull << s->rb_bits) - 1), v;
        uint8_t *rb;

        if (rt >= s->reft_size || !(s->reft[rt] & REFT_OFFSET_MASK)) {
            if (addend < 0)
                return qcow2_signal_corruption(s, "freeing cluster 0x%llx whose refcount is 0",
                                               (unsigned long long)(c << s->cluster_bits));
            ret = qcow2_alloc_refblock(s, rt, depth);
            if (ret < 0)
                return ret;
        }
        ret = qcow2_cache_get(s, &s->rb_cache, s->reft[rt] & REFT_OFFSET_MASK, false, &rb);
        if (ret < 0)
            return ret;
        v = qcow2_rb_get(s, rb, idx);
        if (addend < 0 && v < (uint64_t)-addend) {
            qcow2_cache_put(&s->rb_cache, rb);
            return qcow2_signal_corruption(s, "refcount of cluster 0x%llx would drop below 0",
                                           (unsigned long long)(c << s->cluster_bits));
        }
        if (addend > 0 && s->refcount_max - v < (uint64_t)addend) {
            qcow2_cache_put(&s->rb_cache, rb);
            return blk_error(-ERANGE, "qcow2: refcount of cluster 0x%llx would overflow %u bits",
                             (unsigned long long)(c << s->cluster_bits), s->refcount_bits);
        }
        v += addend;
        qcow2_rb_set(s, rb, idx, v);
        qcow2_cache_dirty(&s->rb_cache, rb);
        qcow2_cache_put(&s->rb_cache, rb);
        if (!v) {
            if (c < s->free_hint)
                s->free_hint = c;
            if (s->nquarantine < QCOW2_QUARANTINE_MAX)
                s->quarantine[s->nquarantine++] = c;
            else
                s->quarantine_full = true;
            qcow2_cache_forget(&s->l2_cache, c << s->cluster_bits);
            if ((s->dcache_off & L2E_OFFSET_MASK) >> s->cluster_bits == c)
                s->dcache_off = 0;
        }
    }
    return 0;
}

/*
 * Keep the write order safe across a crash: increments reach the file
 * before the L2 entries that use them, decrements after the L2 entries
 * that stopped using them. When the next update goes the other way, the
 * pending side is written out first.
 */
int qcow2_update_refcount(struct qcow2 *s, uint64_t off, uint64_t len, int64_t addend)
{
    int ret;

    if (!len || !addend)
        return 0;
    if (!s->lazy) {
        if (addend > 0 && s->rb_after_l2) {
            s->rb_after_l2 = false;
            ret = qcow2_cache_flush(s, &s->l2_cache);
            if (ret >= 0)
                ret = blk_file_sync(s->b->file);
            if (ret < 0)
                return ret;
        }
        if (addend < 0 && s->l2_after_rb) {
            ret = qcow2_flush_to_os(s->b); /* refcounts, barrier, then L2 */
            if (ret >= 0)
                ret = blk_file_sync(s->b->file);
            if (ret < 0)
                return ret;
        }
    }
    ret = qcow2_update_refcount_depth(s, off, len, addend, 0);
    if (addend > 0)
        s->l2_after_rb = true;
    else
        s->rb_after_l2 = true;
    return ret;
}

int64_t qcow2_alloc_clusters(struct qcow2 *s, uint64_t n)
{
    int64_t idx = qcow2_find_free(s, n);
    int ret;

    if (idx < 0)
        return idx == -ENOSPC ? blk_error(-ENOSPC, "qcow2: no free cluster left") : idx;
    if ((uint64_t)idx == s->free_hint)
        s->free_hint = idx + n;
    ret = qcow2_reserve(s, (uint64_t)idx, n);
    if (ret < 0)
        return ret;
    ret = qcow2_update_refcount(s, (uint64_t)idx << s->cluster_bits, n << s->cluster_bits, 1);
    s->nreserved--;
    if (ret < 0)
        return ret;
    qcow2_note_alloc(s, (uint64_t)idx, n);
    return (int64_t)((uint64_t)idx << s->cluster_bits);
}

int64_t qcow2_alloc_bytes(struct qcow2 *s, uint32_t size)
{
    uint64_t cur = s->compressed_cur;
    int64_t off;
    int ret;

    if (cur && (cur & (s->cluster_size - 1)) &&
        size <= s->cluster_size - (cur & (s->cluster_size - 1))) {
        uint64_t rc;
        /* Still ours? (a discard may have freed the cluster meanwhile) */
        ret = qcow2_get_refcount(s, cur >> s->cluster_bits, &rc);
        if (ret < 0)
            return ret;
        if (rc) {
            ret = qcow2_update_refcount(s, cur, 1, 1);
            if (ret < 0)
                return ret;
            s->compressed_cur = cur + size;
            return (int64_t)cur;
        }
    }
    off = qcow2_alloc_clusters(s, (size + s->cluster_size - 1) >> s->cluster_bits);
    if (off < 0)
        return off;
    s->compressed_cur = (uint64_t)off + size;
    if (size > s->cluster_size)
        s->compressed_cur = 0;
    return off;
}

int qcow2_free_clusters(struct qcow2 *s, uint64_t off, uint64_t len)
{
    return qcow2_update_refcount(s, off, len, -1);
}

int qcow2_free_l2_entry(struct qcow2 *s, uint64_t entry)
{
    uint64_t off, len;

    switch (qcow2_entry_type(s, entry)) {
    case QCOW2_NORMAL:
    case QCOW2_ZERO_ALLOC:
        return qcow2_free_clusters(s, entry & L2E_OFFSET_MASK, s->cluster_size);
    case QCOW2_COMPRESSED:
        qcow2_compressed_loc(s, entry, &off, &len);
        return qcow2_free_clusters(s, off, len);
    default:
        return 0;
    }
}

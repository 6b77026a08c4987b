/*
 * qcow2-cluster.c - guest offset to host cluster mapping through the L1
 * and L2 tables, and the read, write (allocation and copy-on-write),
 * zero-write, discard and block-status paths built on it.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum qcow2_cluster_type qcow2_entry_type(struct qcow2 *s, uint64_t e)
{
    if (e & QCOW_OFLAG_COMPRESSED)
        return QCOW2_COMPRESSED;
    if ((e & QCOW_OFLAG_ZERO) && s->version >= 3)
        return (e & L2E_OFFSET_MASK) ? QCOW2_ZERO_ALLOC : QCOW2_ZERO_PLAIN;
    return (e & L2E_OFFSET_MASK) ? QCOW2_NORMAL : QCOW2_UNALLOCATED;
}

void qcow2_compressed_loc(struct qcow2 *s, uint64_t e, uint64_t *off, uint64_t *len)
{
    unsigned shift = 62 - (s->cluster_bits - 8);
    uint64_t mask = (1ull << (s->cluster_bits - 8)) - 1;
    uint64_t nsec = ((e >> shift) & mask) + 1;

    *off = e & ((1ull << shift) - 1);
    *len = nsec * 512 - (*off & 511);
}

static uint32_t qcow2_l1_index(struct qcow2 *s, uint64_t off)
{
    return (uint32_t)(off >> (s->cluster_bits + s->l2_bits));
}

static uint32_t qcow2_l2_index(struct qcow2 *s, uint64_t off)
{
    return (uint32_t)((off >> s->cluster_bits) & (s->l2_entries - 1));
}

static int qcow2_validate_entry(struct qcow2 *s, uint64_t e, uint64_t l2off, uint32_t i)
{
    enum qcow2_cluster_type t = qcow2_entry_type(s, e);

    if ((t == QCOW2_NORMAL || t == QCOW2_ZERO_ALLOC) &&
        (e & L2E_OFFSET_MASK & (s->cluster_size - 1)))
        return qcow2_signal_corruption(s,
                                       "Cluster allocation offset 0x%llx unaligned (L2 offset: "
                                       "0x%llx, L2 index: 0x%x)",
                                       (unsigned long long)(e & L2E_OFFSET_MASK),
                                       (unsigned long long)l2off, i);
    return 0;
}

int qcow2_get_l2_entry(struct qcow2 *s, uint64_t off, uint64_t *l2e)
{
    uint32_t l1i = qcow2_l1_index(s, off), i = qcow2_l2_index(s, off);
    uint64_t l2off;
    uint8_t *l2;
    int ret;

    *l2e = 0;
    if (l1i >= s->l1_size)
        return 0;
    l2off = s->l1[l1i] & L1E_OFFSET_MASK;
    if (!l2off)
        return 0;
    if (l2off & (s->cluster_size - 1))
        return qcow2_signal_corruption(s, "L2 table offset 0x%llx unaligned (L1 index: 0x%x)",
                                       (unsigned long long)l2off, l1i);
    ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &l2);
    if (ret < 0)
        return ret;
    *l2e = be64_get(l2 + i * 8);
    qcow2_cache_put(&s->l2_cache, l2);
    return qcow2_validate_entry(s, *l2e, l2off, i);
}

/*
 * The run of clusters starting at off that map the same way: returns the
 * type of the first, *l2e its entry and *bytes the run's length (<= len).
 * Normal clusters only join the run when they are contiguous in the file.
 */
int qcow2_get_run(struct qcow2 *s, uint64_t off, uint64_t len, uint64_t *l2e, uint64_t *bytes)
{
    uint64_t in = off & (s->cluster_size - 1), n = s->cluster_size - in, e;
    enum qcow2_cluster_type t;
    int ret = qcow2_get_l2_entry(s, off, &e);

    if (ret < 0)
        return ret;
    *l2e = e;
    t = qcow2_entry_type(s, e);
    while (n < len && t != QCOW2_COMPRESSED) {
        uint64_t ne;
        ret = qcow2_get_l2_entry(s, off + n, &ne);
        if (ret < 0)
            return ret;
        if (qcow2_entry_type(s, ne) != t)
            break;
        if ((t == QCOW2_NORMAL || t == QCOW2_ZERO_ALLOC) &&
            (ne & L2E_OFFSET_MASK) != (e & L2E_OFFSET_MASK) + in + n)
            break;
        n += s->cluster_size;
    }
    *bytes = n < len ? n : len;
    return (int)t;
}

/* Read [off, off+len) of the backing chain, zeros past its end or without one. */
static int qcow2_read_backing(struct blk *b, uint64_t off, uint8_t *buf, uint64_t len)
{
    uint64_t have = 0;

    if (b->backing && off < b->backing->size) {
        have = b->backing->size - off < len ? b->backing->size - off : len;
        int ret = blk_pread(b->backing, off, buf, have);
        if (ret < 0)
            return ret;
    }
    memset(buf + have, 0, len - have);
    return 0;
}

int qcow2_pread(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    struct qcow2 *s = qcow2_state(b);
    uint8_t *p = buf;

    while (len) {
        uint64_t e, n, in = off & (s->cluster_size - 1);
        int t = qcow2_get_run(s, off, len, &e, &n), ret = 0;

        if (t < 0)
            return t;
        switch (t) {
        case QCOW2_UNALLOCATED:
            ret = qcow2_read_backing(b, off, p, n);
            break;
        case QCOW2_ZERO_PLAIN:
        case QCOW2_ZERO_ALLOC:
            memset(p, 0, n);
            break;
        case QCOW2_NORMAL:
            ret = blk_file_pread(b->file, (e & L2E_OFFSET_MASK) + in, p, n);
            break;
        case QCOW2_COMPRESSED:
            ret = qcow2_read_compressed(s, e);
            if (ret >= 0)
                memcpy(p, s->dcache + in, n);
            break;
        }
        if (ret < 0)
            return ret;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* The content a cluster has under its current entry, for copy-on-write. */
static int qcow2_read_old_cluster(struct qcow2 *s, uint64_t guest_off, uint64_t e, uint8_t *dst)
{
    struct blk *b = s->b;
    uint64_t n = s->cluster_size;
    int ret;

    if (guest_off + n > b->size)
        n = b->size - guest_off;
    memset(dst + n, 0, s->cluster_size - n);
    switch (qcow2_entry_type(s, e)) {
    case QCOW2_UNALLOCATED:
        return qcow2_read_backing(b, guest_off, dst, n);
    case QCOW2_NORMAL:
        return blk_file_pread(b->file, e & L2E_OFFSET_MASK, dst, n);
    case QCOW2_COMPRESSED:
        ret = qcow2_read_compressed(s, e);
        if (ret >= 0)
            memcpy(dst, s->dcache, s->cluster_size);
        return ret;
    default:
        memset(dst, 0, s->cluster_size);
        return 0;
    }
}

int qcow2_grow_l1(struct qcow2 *s, uint64_t min_size)
{
    uint64_t new_size, bytes, old_off, old_bytes;
    uint64_t *nl1, *be;
    int64_t off;
    int ret;

    if (min_size <= s->l1_size)
        return 0;
    new_size = min_size;
    if (new_size * 8 > QCOW2_MAX_L1_BYTES)
        return blk_error(-EFBIG, "qcow2: L1 table would be too large");
    bytes = qcow2_align_up(s, new_size * 8);
    nl1 = calloc(1, bytes);
    be = calloc(1, bytes);
    if (!nl1 || !be) {
        free(nl1);
        free(be);
        return -ENOMEM;
    }
    memcpy(nl1, s->l1, (uint64_t)s->l1_size * 8);
    off = qcow2_alloc_clusters(s, bytes >> s->cluster_bits);
    if (off < 0) {
        free(nl1);
        free(be);
        return (int)off;
    }
    for (uint64_t i = 0; i < new_size; i++)
        be64_put(&be[i], nl1[i]);
    ret = qcow2_flush_to_os(s->b);
    if (ret >= 0)
        ret = blk_file_pwrite(s->b->file, off, be, bytes);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    free(be);
    if (ret < 0) {
        free(nl1);
        return ret;
    }
    old_off = s->l1_offset;
    old_bytes = qcow2_align_up(s, (uint64_t)s->l1_size * 8);
    free(s->l1);
    s->l1 = nl1;
    s->l1_offset = off;
    s->l1_size = (uint32_t)new_size;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret >= 0 && old_bytes && old_off)
        ret = qcow2_free_clusters(s, old_off, old_bytes);
    return ret;
}

/* A writable (refcount 1) L2 table for guest offset off, allocated or copied as needed. */
static int qcow2_l2_for_write(struct qcow2 *s, uint64_t off, uint8_t **out)
{
    uint32_t l1i = qcow2_l1_index(s, off);
    uint64_t e, old;
    uint8_t *l2, *src;
    int64_t noff;
    int ret;

    if (l1i >= s->l1_size) {
        ret = qcow2_grow_l1(s, l1i + 1);
        if (ret < 0)
            return ret;
    }
    e = s->l1[l1i];
    old = e & L1E_OFFSET_MASK;
    if (old && (old & (s->cluster_size - 1)))
        return qcow2_signal_corruption(s, "L2 table offset 0x%llx unaligned (L1 index: 0x%x)",
                                       (unsigned long long)old, l1i);
    if (old && (e & QCOW_OFLAG_COPIED)) {
        if (qcow2_overlaps_metadata(s, old, s->cluster_size))
            return qcow2_signal_corruption(s, "L2 table at 0x%llx overlaps other metadata",
                                           (unsigned long long)old);
        return qcow2_cache_get(s, &s->l2_cache, old, false, out);
    }
    noff = qcow2_alloc_clusters(s, 1);
    if (noff < 0)
        return (int)noff;
    ret = qcow2_cache_get(s, &s->l2_cache, (uint64_t)noff, true, &l2);
    if (ret < 0)
        return ret;
    if (old) {
        ret = qcow2_cache_get(s, &s->l2_cache, old, false, &src);
        if (ret < 0) {
            qcow2_cache_put(&s->l2_cache, l2);
            return ret;
        }
        memcpy(l2, src, s->cluster_size);
        qcow2_cache_put(&s->l2_cache, src);
    }
    qcow2_cache_dirty(&s->l2_cache, l2);
    /* The new table and its refcount must be on disk before L1 points at it. */
    ret = qcow2_flush_to_os(s->b);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret >= 0) {
        s->l1[l1i] = (uint64_t)noff | QCOW_OFLAG_COPIED;
        ret = qcow2_write_l1_entry(s, l1i);
    }
    if (ret >= 0 && old)
        ret = qcow2_free_clusters(s, old, s->cluster_size);
    if (ret < 0) {
        qcow2_cache_put(&s->l2_cache, l2);
        return ret;
    }
    *out = l2;
    return 0;
}

int qcow2_set_l2_entry(struct qcow2 *s, uint64_t guest_off, uint64_t l2e, uint64_t *old)
{
    uint32_t i = qcow2_l2_index(s, guest_off);
    uint8_t *l2;
    int ret = qcow2_l2_for_write(s, guest_off, &l2);

    if (ret < 0)
        return ret;
    *old = be64_get(l2 + i * 8);
    be64_put(l2 + i * 8, l2e);
    qcow2_cache_dirty(&s->l2_cache, l2);
    qcow2_cache_put(&s->l2_cache, l2);
    return 0;
}

/* One write inside a single L2 table; returns bytes written or -errno. */
static int64_t qcow2_write_chunk(struct qcow2 *s, uint64_t off, const uint8_t *buf, uint64_t len)
{
    uint64_t in = off & (s->cluster_size - 1), cs = s->cluster_size;
    uint32_t i = qcow2_l2_index(s, off);
    uint64_t maxc = s->l2_entries - i, k, n, host, *olds = NULL;
    uint8_t *l2, *bounce = NULL;
    int64_t ret;
    int r;

    r = qcow2_l2_for_write(s, off, &l2);
    if (r < 0)
        return r;
    if ((in + len + cs - 1) / cs < maxc)
        maxc = (in + len + cs - 1) / cs;
    uint64_t e0 = be64_get(l2 + i * 8);
    r = qcow2_validate_entry(s, e0, 0, i);
    if (r < 0)
        goto out_put;
    if (qcow2_in_place(s, e0)) {
        host = e0 & L2E_OFFSET_MASK;
        for (k = 1; k < maxc; k++) {
            uint64_t e = be64_get(l2 + (i + k) * 8);
            if (!qcow2_in_place(s, e) || (e & L2E_OFFSET_MASK) != host + k * cs)
                break;
        }
        n = k * cs - in < len ? k * cs - in : len;
        if (host + k * cs > s->file_size || qcow2_overlaps_metadata(s, host, k * cs)) {
            r = qcow2_signal_corruption(s,
                                        "data cluster at 0x%llx is past the end of the file "
                                        "or overlaps metadata",
                                        (unsigned long long)host);
            goto out_put;
        }
        r = blk_file_pwrite(s->b->file, host + in, buf, n);
        qcow2_cache_put(&s->l2_cache, l2);
        return r < 0 ? r : (int64_t)n;
    }
    for (k = 1; k < maxc; k++)
        if (qcow2_in_place(s, be64_get(l2 + (i + k) * 8)))
            break;
    n = k * cs - in < len ? k * cs - in : len;
    ret = qcow2_alloc_clusters(s, k);
    if (ret < 0) {
        r = (int)ret;
        goto out_put;
    }
    host = (uint64_t)ret;
    if (in == 0 && (n % cs == 0 || off + n >= s->b->size)) {
        r = blk_file_pwrite(s->b->file, host, buf, n);
    } else {
        uint64_t cluster0 = off - in, last = cluster0 + (k - 1) * cs;
        bounce = malloc(k * cs);
        if (!bounce) {
            r = -ENOMEM;
            goto out_put;
        }
        r = 0;
        if (in)
            r = qcow2_read_old_cluster(s, cluster0, e0, bounce);
        if (r >= 0 && (in + n) % cs && (k > 1 || !in))
            r = qcow2_read_old_cluster(s, last, be64_get(l2 + (i + k - 1) * 8),
                                       bounce + (k - 1) * cs);
        if (r >= 0) {
            uint64_t wlen = k * cs;
            memcpy(bounce + in, buf, n);
            if (last + cs > s->b->size) /* nothing to keep past the disk's end */
                wlen = s->b->size - cluster0;
            r = blk_file_pwrite(s->b->file, host, bounce, wlen);
        }
    }
    if (r < 0)
        goto out_put;
    olds = malloc(k * sizeof(*olds));
    if (!olds) {
        r = -ENOMEM;
        goto out_put;
    }
    for (uint64_t j = 0; j < k; j++) {
        olds[j] = be64_get(l2 + (i + j) * 8);
        be64_put(l2 + (i + j) * 8, (host + j * cs) | QCOW_OFLAG_COPIED);
    }
    qcow2_cache_dirty(&s->l2_cache, l2);
    qcow2_cache_put(&s->l2_cache, l2);
    l2 = NULL;
    for (uint64_t j = 0; j < k && r >= 0; j++)
        r = qcow2_free_l2_entry(s, olds[j]);
    free(olds);
    free(bounce);
    return r < 0 ? r : (int64_t)n;
out_put:
    free(bounce);
    if (l2)
        qcow2_cache_put(&s->l2_cache, l2);
    return r;
}

int qcow2_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    struct qcow2 *s = qcow2_state(b);
    const uint8_t *p = buf;

    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt; refusing to write "
                               "(run 'baremu-img check -r all')");
    while (len) {
        int64_t n = qcow2_write_chunk(s, off, p, len);
        if (n < 0)
            return (int)n;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

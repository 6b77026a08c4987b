/*
 * qcow2-zero.c - the qcow2 operations that drop data rather than write it:
 * zero writes (the zero flag in compat=1.1), discard, emptying an image
 * (commit), and block status for map/convert/compare.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Change whole clusters [off, off+len) to `zero` entries (QCOW_OFLAG_ZERO)
 * or unallocated ones, releasing their storage unless keep_alloc.
 */
static int qcow2_clear_clusters(struct qcow2 *s, uint64_t off, uint64_t len, bool zero,
                                bool keep_alloc)
{
    uint64_t cs = s->cluster_size;

    for (; len; off += cs, len -= cs) {
        uint64_t e, ne, old;
        int ret = qcow2_get_l2_entry(s, off, &e);

        if (ret < 0)
            return ret;
        enum qcow2_cluster_type t = qcow2_entry_type(s, e);
        if (!zero && t == QCOW2_UNALLOCATED)
            continue;
        if (zero && t == QCOW2_ZERO_PLAIN)
            continue;
        if (zero && keep_alloc && qcow2_in_place(s, e))
            ne = (e & ~QCOW_OFLAG_COMPRESSED) | QCOW_OFLAG_ZERO;
        else if (zero && keep_alloc && t == QCOW2_ZERO_ALLOC && (e & QCOW_OFLAG_COPIED))
            continue;
        else
            ne = zero ? QCOW_OFLAG_ZERO : 0;
        ret = qcow2_set_l2_entry(s, off, ne, &old);
        if (ret >= 0 && (ne & L2E_OFFSET_MASK) != (old & L2E_OFFSET_MASK))
            ret = qcow2_free_l2_entry(s, old);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int qcow2_pwrite_zeroes(struct blk *b, uint64_t off, uint64_t len, bool may_unmap)
{
    struct qcow2 *s = qcow2_state(b);
    uint64_t cs = s->cluster_size, head, tail, end = off + len;
    uint8_t *zeros;
    int ret = 0;

    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt; refusing to write");
    head = (off + cs - 1) & ~(cs - 1);
    tail = end == b->size ? end : end & ~(cs - 1);
    if (s->version >= 3 && head < tail) {
        ret = qcow2_clear_clusters(s, head, qcow2_align_up(s, tail) - head, true, !may_unmap);
        if (ret < 0)
            return ret;
    } else {
        head = tail = off; /* compat=0.10 has no zero flag: write the zeros */
    }
    zeros = calloc(1, cs);
    if (!zeros)
        return -ENOMEM;
    for (uint64_t o = off; o < head && ret >= 0; o += cs - (o & (cs - 1))) {
        uint64_t n = (head < o - (o & (cs - 1)) + cs ? head : o - (o & (cs - 1)) + cs) - o;
        ret = qcow2_pwrite(b, o, zeros, n);
    }
    for (uint64_t o = tail > head ? tail : head; o < end && ret >= 0;) {
        uint64_t n = cs - (o & (cs - 1));
        if (n > end - o)
            n = end - o;
        ret = qcow2_pwrite(b, o, zeros, n);
        o += n;
    }
    free(zeros);
    return ret;
}

int qcow2_discard(struct blk *b, uint64_t off, uint64_t len)
{
    struct qcow2 *s = qcow2_state(b);
    uint64_t cs = s->cluster_size, start = (off + cs - 1) & ~(cs - 1);
    uint64_t end = off + len == b->size ? qcow2_align_up(s, off + len) : (off + len) & ~(cs - 1);

    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt; refusing to write");
    if (start >= end)
        return 0; /* only whole clusters can go; discard is a hint */
    /* With a backing file the discarded range must not show the backing's data. */
    return qcow2_clear_clusters(s, start, end - start, b->backing_file && s->version >= 3, false);
}

int qcow2_make_empty(struct blk *b)
{
    struct qcow2 *s = qcow2_state(b);
    int ret;

    if (s->nb_snapshots)
        return blk_error(-ENOTSUP, "cannot empty an image that has snapshots");
    ret = qcow2_clear_clusters(s, 0, qcow2_align_up(s, b->size), false, false);
    if (ret >= 0)
        ret = qcow2_flush_to_os(b);
    return ret;
}

int qcow2_block_status(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                       uint64_t *host_off)
{
    struct qcow2 *s = qcow2_state(b);
    uint64_t e, n, in = off & (s->cluster_size - 1);
    int t = qcow2_get_run(s, off, len, &e, &n);

    if (t < 0)
        return t;
    *pnum = n;
    switch (t) {
    case QCOW2_UNALLOCATED:
        return 0;
    case QCOW2_ZERO_PLAIN:
        return BLK_STATUS_ZERO | BLK_STATUS_ALLOCATED;
    case QCOW2_ZERO_ALLOC:
        *host_off = (e & L2E_OFFSET_MASK) + in;
        return BLK_STATUS_ZERO | BLK_STATUS_ALLOCATED | BLK_STATUS_OFFSET;
    case QCOW2_NORMAL:
        *host_off = (e & L2E_OFFSET_MASK) + in;
        return BLK_STATUS_DATA | BLK_STATUS_ALLOCATED | BLK_STATUS_OFFSET;
    default:
        return BLK_STATUS_DATA | BLK_STATUS_ALLOCATED | BLK_STATUS_COMPRESSED;
    }
}

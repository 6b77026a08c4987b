/*
 * qcow2-check.c - consistency check and repair, as qemu-img check does it:
 * count the references every cluster gets from the metadata (header, L1
 * and L2 tables of the active state and of each snapshot, the snapshot
 * table, the refcount structures) and compare with the stored refcounts.
 * Stored > counted is a leak; stored < counted is a corruption. Repair of
 * leaks lowers refcounts in place; repair of errors rebuilds the refcount
 * structures at the end of the file and then fixes the COPIED flags.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qcow2_checker {
    struct qcow2 *s;
    struct blk_check_result *res;
    uint64_t *refs;
    uint64_t nb; /* clusters the refs array covers */
    void (*print)(void *opaque, const char *msg);
    void *opaque;
    bool refblocks_bad;
};

static void chk_print(struct qcow2_checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void chk_print(struct qcow2_checker *c, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (!c->print)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->print(c->opaque, msg);
}

static void chk_inc(struct qcow2_checker *c, uint64_t off, uint64_t len)
{
    struct qcow2 *s = c->s;

    if (!len)
        return;
    for (uint64_t i = off >> s->cluster_bits; i <= (off + len - 1) >> s->cluster_bits; i++) {
        if (i >= c->nb) {
            chk_print(c,
                      "ERROR: counting reference for region exceeding the end of the file by "
                      "one cluster or more: offset 0x%llx size 0x%llx",
                      (unsigned long long)off, (unsigned long long)len);
            c->res->corruptions++;
            return;
        }
        if (c->refs[i] != UINT64_MAX)
            c->refs[i]++;
    }
}

static int chk_l2(struct qcow2_checker *c, uint64_t l2off, bool active, uint64_t *next_contig)
{
    struct qcow2 *s = c->s;
    uint8_t *l2 = malloc(s->cluster_size);
    int ret;

    if (!l2)
        return -ENOMEM;
    ret = blk_file_pread(s->b->file, l2off, l2, s->cluster_size);
    if (ret < 0) {
        free(l2);
        return ret;
    }
    for (uint32_t j = 0; j < s->l2_entries; j++) {
        uint64_t e = be64_get(l2 + j * 8), off, len;

        switch (qcow2_entry_type(s, e)) {
        case QCOW2_COMPRESSED:
            if (e & QCOW_OFLAG_COPIED) {
                chk_print(c,
                          "ERROR: coffset=0x%llx: copied flag must never be set for "
                          "compressed clusters",
                          (unsigned long long)(e & ~QCOW_OFLAG_COPIED));
                c->res->corruptions++;
            }
            qcow2_compressed_loc(s, e, &off, &len);
            chk_inc(c, off, len);
            if (active) {
                c->res->allocated_clusters++;
                c->res->compressed_clusters++;
                c->res->fragmented_clusters++;
            }
            break;
        case QCOW2_NORMAL:
        case QCOW2_ZERO_ALLOC:
            off = e & L2E_OFFSET_MASK;
            if (off & (s->cluster_size - 1)) {
                chk_print(c,
                          "ERROR offset=%llx: Cluster is not properly aligned; L2 entry "
                          "corrupted.",
                          (unsigned long long)off);
                c->res->corruptions++;
                break;
            }
            chk_inc(c, off, s->cluster_size);
            if (active) {
                c->res->allocated_clusters++;
                if (*next_contig && off != *next_contig)
                    c->res->fragmented_clusters++;
                *next_contig = off + s->cluster_size;
            }
            break;
        default:
            break;
        }
    }
    free(l2);
    return 0;
}

static int chk_l1(struct qcow2_checker *c, uint64_t l1off, uint32_t n, const uint64_t *l1,
                  bool active)
{
    struct qcow2 *s = c->s;
    uint64_t next_contig = 0;
    /* An L2 table listed twice in one L1 is walked once: its refcount shows the
     * damage, and a hostile L1 of millions of copies cannot make the check hang. */
    uint8_t *seen = calloc(c->nb / 8 + 1, 1);
    int ret = 0;

    if (!seen)
        return -ENOMEM;

    chk_inc(c, l1off, (uint64_t)n * 8);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t l2off = l1[i] & L1E_OFFSET_MASK;
        if (!l2off)
            continue;
        if (l2off & (s->cluster_size - 1)) {
            chk_print(c, "ERROR l2_offset=%llx: Table is not cluster aligned; L1 entry corrupted",
                      (unsigned long long)l2off);
            c->res->corruptions++;
            continue;
        }
        if ((l2off >> s->cluster_bits) >= c->nb) {
            chk_print(c, "ERROR l2_offset=%llx: Table is past the end of the image",
                      (unsigned long long)l2off);
            c->res->corruptions++;
            continue;
        }
        chk_inc(c, l2off, s->cluster_size);
        uint64_t ci = l2off >> s->cluster_bits;
        if (seen[ci / 8] & (1u << (ci % 8)))
            continue;
        seen[ci / 8] |= (uint8_t)(1u << (ci % 8));
        ret = chk_l2(c, l2off, active, &next_contig);
        if (ret < 0)
            break;
    }
    free(seen);
    return ret;
}

/* Count every reference; refcount structures too unless counting for a rebuild. */
static int chk_count(struct qcow2_checker *c, bool with_refcount_structs)
{
    struct qcow2 *s = c->s;
    int ret;

    chk_inc(c, 0, s->cluster_size);
    ret = chk_l1(c, s->l1_offset, s->l1_size, s->l1, true);
    if (ret < 0)
        return ret;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        struct qcow2_snapshot *sn = &s->snaps[i];
        uint64_t *l1 = calloc(sn->l1_size ? sn->l1_size : 1, 8);
        if (!l1)
            return -ENOMEM;
        ret = blk_file_pread(s->b->file, sn->l1_offset, l1, (uint64_t)sn->l1_size * 8);
        for (uint32_t j = 0; j < sn->l1_size; j++)
            l1[j] = be64_get(&l1[j]);
        if (ret >= 0)
            ret = chk_l1(c, sn->l1_offset, sn->l1_size, l1, false);
        free(l1);
        if (ret < 0)
            return ret;
    }
    chk_inc(c, s->snapshots_offset, s->snapshots_size);
    if (!with_refcount_structs)
        return 0;
    chk_inc(c, s->reft_offset, (uint64_t)s->reft_clusters * s->cluster_size);
    for (uint64_t i = 0; i < s->reft_size; i++) {
        uint64_t rb = s->reft[i] & REFT_OFFSET_MASK;
        if (!rb)
            continue;
        if (rb & (s->cluster_size - 1)) {
            chk_print(c,
                      "ERROR refcount block %llu is not cluster aligned; refcount table entry "
                      "corrupted",
                      (unsigned long long)i);
            c->res->corruptions++;
            c->refblocks_bad = true;
            continue;
        }
        if ((rb >> s->cluster_bits) >= c->nb) {
            chk_print(c, "ERROR refcount block %llu is outside image", (unsigned long long)i);
            c->res->corruptions++;
            c->refblocks_bad = true;
            continue;
        }
        chk_inc(c, rb, s->cluster_size);
    }
    return 0;
}

static int chk_setup(struct qcow2_checker *c, struct qcow2 *s, struct blk_check_result *res)
{
    int64_t len = blk_file_length(s->b->file);

    if (len < 0)
        return (int)len;
    c->s = s;
    c->res = res;
    c->nb = ((uint64_t)len + s->cluster_size - 1) >> s->cluster_bits;
    c->refs = calloc(c->nb + 1, sizeof(uint64_t));
    return c->refs ? 0 : -ENOMEM;
}

/* One pass: count, compare, check COPIED flags. Optionally lowers leaked refcounts. */
static int qcow2_check_pass(struct qcow2 *s, struct blk_check_result *res, bool fix_leaks,
                            void (*print)(void *opaque, const char *msg), void *opaque,
                            bool *refblocks_bad)
{
    struct qcow2_checker c = {.print = print, .opaque = opaque};
    uint8_t *seen = NULL;
    uint64_t highest = 0, rc;
    bool any = false;
    int ret;

    memset(res, 0, sizeof(*res));
    ret = chk_setup(&c, s, res);
    if (ret < 0)
        return ret;
    res->total_clusters = (s->b->size + s->cluster_size - 1) >> s->cluster_bits;
    ret = chk_count(&c, true);
    if (ret < 0)
        goto out;
    /* Like QEMU, only clusters inside the file count: refcounts past its end are
     * clusters allocated but never written, harmless. */
    for (uint64_t i = 0; i < c.nb; i++) {
        uint64_t want = c.refs[i];
        uint64_t rt = i >> s->rb_bits;

        ret = qcow2_get_refcount(s, i, &rc);
        if (ret < 0) {
            res->check_errors++;
            continue;
        }
        if (rc || want) {
            highest = i;
            any = true;
        }
        if (rc == want)
            continue;
        if (rc < want) {
            chk_print(&c, "ERROR cluster %llu refcount=%llu reference=%llu", (unsigned long long)i,
                      (unsigned long long)rc, (unsigned long long)want);
            res->corruptions++;
        } else if (fix_leaks) {
            uint8_t *rb;
            chk_print(&c, "Repairing cluster %llu refcount=%llu reference=%llu",
                      (unsigned long long)i, (unsigned long long)rc, (unsigned long long)want);
            ret = qcow2_cache_get(s, &s->rb_cache, s->reft[rt] & REFT_OFFSET_MASK, false, &rb);
            if (ret < 0) {
                res->check_errors++;
                continue;
            }
            qcow2_rb_set(s, rb, i & ((1ull << s->rb_bits) - 1), want);
            qcow2_cache_dirty(&s->rb_cache, rb);
            qcow2_cache_put(&s->rb_cache, rb);
            if (!want && i < s->free_hint)
                s->free_hint = i;
            res->leaks_fixed++;
        } else {
            chk_print(&c, "Leaked cluster %llu refcount=%llu reference=%llu", (unsigned long long)i,
                      (unsigned long long)rc, (unsigned long long)want);
            res->leaks++;
        }
    }
    res->image_end_offset = any ? (int64_t)((highest + 1) << s->cluster_bits) : 0;

    /* COPIED must be set exactly where the refcount is 1 (active state only). */
    seen = calloc(c.nb / 8 + 1, 1);
    if (!seen) {
        ret = -ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2off = s->l1[i] & L1E_OFFSET_MASK, ci = l2off >> s->cluster_bits;
        bool again;
        uint8_t *l2;

        if (!l2off || (l2off & (s->cluster_size - 1)) || ci >= c.nb)
            continue;
        again = seen[ci / 8] & (1u << (ci % 8));
        seen[ci / 8] |= (uint8_t)(1u << (ci % 8));
        ret = qcow2_get_refcount(s, l2off >> s->cluster_bits, &rc);
        if (ret < 0)
            goto out;
        if ((rc == 1) != !!(s->l1[i] & QCOW_OFLAG_COPIED)) {
            chk_print(&c, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%llx refcount=%llu",
                      i, (unsigned long long)s->l1[i], (unsigned long long)rc);
            res->corruptions++;
        }
        if (again)
            continue; /* its entries were checked the first time */
        ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &l2);
        if (ret < 0)
            goto out;
        for (uint32_t j = 0; j < s->l2_entries; j++) {
            uint64_t e = be64_get(l2 + j * 8), off = e & L2E_OFFSET_MASK;
            enum qcow2_cluster_type t = qcow2_entry_type(s, e);
            if ((t != QCOW2_NORMAL && t != QCOW2_ZERO_ALLOC) || (off & (s->cluster_size - 1)))
                continue;
            ret = qcow2_get_refcount(s, off >> s->cluster_bits, &rc);
            if (ret < 0)
                break;
            if ((rc == 1) != !!(e & QCOW_OFLAG_COPIED)) {
                chk_print(&c, "ERROR OFLAG_COPIED data cluster: l2_entry=%llx refcount=%llu",
                          (unsigned long long)e, (unsigned long long)rc);
                res->corruptions++;
            }
        }
        qcow2_cache_put(&s->l2_cache, l2);
        if (ret < 0)
            goto out;
    }
    if (refblocks_bad)
        *refblocks_bad = c.refblocks_bad;
    ret = 0;
out:
    free(seen);
    free(c.refs);
    return ret;
}

int qcow2_rebuild_refcounts(struct qcow2 *s, uint32_t order)
{
    struct blk_check_result dummy = {0};
    struct qcow2_checker c = {0};
    uint64_t first, nrb = 0, nrt = 0, rb_bits = s->cluster_bits + 3 - order, max;
    uint64_t *reft = NULL;
    uint8_t *blk = NULL;
    uint32_t old_order = s->refcount_order;
    int ret;

    ret = qcow2_flush_to_os(s->b);
    if (ret < 0)
        return ret;
    ret = chk_setup(&c, s, &dummy);
    if (ret < 0)
        return ret;
    ret = chk_count(&c, false);
    if (ret < 0)
        goto out;
    max = order == 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;
    first = c.nb;
    while (first && !c.refs[first - 1])
        first--;
    for (;;) {
        uint64_t total = first + nrb + nrt;
        uint64_t want_rb = (total + (1ull << rb_bits) - 1) >> rb_bits;
        uint64_t want_rt = (want_rb * 8 + s->cluster_size - 1) >> s->cluster_bits;
        if (want_rb == nrb && want_rt == nrt)
            break;
        nrb = want_rb;
        nrt = want_rt;
    }
    if (nrt * s->cluster_size > QCOW2_MAX_REFTABLE_BYTES) {
        ret = blk_error(-EFBIG, "qcow2: refcount table would be too large");
        goto out;
    }
    {
        uint64_t *r = realloc(c.refs, (first + nrb + nrt + 1) * sizeof(uint64_t));
        if (!r) {
            ret = -ENOMEM;
            goto out;
        }
        c.refs = r;
        for (uint64_t i = c.nb; i < first + nrb + nrt; i++)
            c.refs[i] = 0;
        for (uint64_t i = first; i < first + nrb + nrt; i++)
            c.refs[i] = 1;
    }
    for (uint64_t i = 0; i < first; i++) {
        if (c.refs[i] > max) {
            ret = blk_error(-ERANGE,
                            "qcow2: cluster %llu has %llu references, more than %u-bit "
                            "refcounts can hold",
                            (unsigned long long)i, (unsigned long long)c.refs[i], 1u << order);
            goto out;
        }
    }
    reft = calloc(nrt, s->cluster_size);
    blk = malloc(s->cluster_size);
    if (!reft || !blk) {
        ret = -ENOMEM;
        goto out;
    }
    s->refcount_order = order; /* qcow2_rb_set packs with the new width */
    for (uint64_t r = 0; r < nrb; r++) {
        uint64_t off = (first + r) << s->cluster_bits;
        memset(blk, 0, s->cluster_size);
        for (uint64_t j = 0; j < (1ull << rb_bits); j++) {
            uint64_t i = (r << rb_bits) + j;
            if (i < first + nrb + nrt && c.refs[i])
                qcow2_rb_set(s, blk, j, c.refs[i]);
        }
        ret = blk_file_pwrite(s->b->file, off, blk, s->cluster_size);
        if (ret < 0)
            goto out;
        be64_put(&reft[r], off);
    }
    ret =
        blk_file_pwrite(s->b->file, (first + nrb) << s->cluster_bits, reft, nrt * s->cluster_size);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret < 0)
        goto out;
    qcow2_cache_drop_all(&s->rb_cache);
    for (uint64_t i = 0; i < nrt * s->cluster_size / 8; i++)
        reft[i] = be64_get(&reft[i]);
    free(s->reft);
    s->reft = reft;
    reft = NULL;
    s->reft_size = s->reft_disk_size = nrt * s->cluster_size / 8;
    s->reft_offset = (first + nrb) << s->cluster_bits;
    s->reft_clusters = (uint32_t)nrt;
    s->refcount_bits = 1u << order;
    s->refcount_max = max;
    s->rb_bits = (uint32_t)rb_bits;
    s->free_hint = 0;
    s->compressed_cur = 0;
    s->file_size = (first + nrb + nrt) << s->cluster_bits;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    /* Nothing past the new structures is referenced any more. */
    if (ret >= 0)
        ret = blk_file_truncate(s->b->file, s->file_size);
out:
    if (ret < 0)
        s->refcount_order = old_order;
    free(reft);
    free(blk);
    free(c.refs);
    return ret;
}

int qcow2_check(struct blk *b, struct blk_check_result *res, int fix,
                void (*print)(void *opaque, const char *msg), void *opaque)
{
    struct qcow2 *s = qcow2_state(b);
    struct blk_check_result first;
    bool bad = false;
    int ret;

    if (!b->read_only) {
        ret = qcow2_flush_to_os(b);
        if (ret < 0)
            return ret;
    }
    ret = qcow2_check_pass(s, &first, false, fix ? NULL : print, opaque, &bad);
    if (ret < 0 || !fix || (!first.corruptions && !first.leaks)) {
        *res = first;
        goto done;
    }
    if ((fix & BLK_FIX_ERRORS) && (first.corruptions || bad)) {
        ret = qcow2_rebuild_refcounts(s, s->refcount_order);
        if (ret >= 0)
            ret = qcow2_update_l1_refcounts(s, s->l1_offset, s->l1_size, s->l1, 0);
        if (ret >= 0)
            ret = qcow2_flush_to_os(b);
        if (ret < 0)
            return ret;
    } else if (fix & BLK_FIX_LEAKS) {
        struct blk_check_result mid;
        ret = qcow2_check_pass(s, &mid, true, print, opaque, NULL);
        if (ret >= 0)
            ret = qcow2_flush_to_os(b);
        if (ret < 0)
            return ret;
    }
    ret = qcow2_check_pass(s, res, false, print, opaque, NULL);
    if (ret < 0)
        return ret;
    res->leaks_fixed = first.leaks > res->leaks ? first.leaks - res->leaks : 0;
    res->corruptions_fixed =
        first.corruptions > res->corruptions ? first.corruptions - res->corruptions : 0;
done:
    if (ret >= 0 && fix && !b->read_only && !res->corruptions &&
        (s->incompat & (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT))) {
        /* Consistent again: the dirty bit's job is done, and the corrupt bit's. */
        ret = blk_file_sync(b->file);
        if (ret >= 0) {
            s->incompat &= ~(QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT);
            s->corrupt = false;
            s->dirty_set = false;
            ret = qcow2_write_header(s);
        }
        if (ret >= 0)
            ret = blk_file_sync(b->file);
    }
    return ret;
}

int64_t qcow2_image_end(struct blk *b)
{
    struct blk_check_result res;
    int ret = qcow2_check_pass(qcow2_state(b), &res, false, NULL, NULL, NULL);

    return ret < 0 ? ret : res.image_end_offset;
}

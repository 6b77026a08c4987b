/*
 * qcow2-snapshot.c - internal snapshots: a snapshot is a copy of the
 * active L1 table whose clusters gained one reference each; writes then
 * copy-on-write whatever is shared. The snapshot table lists them.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/platform.h"

/* A table bigger than this is not one QEMU could have written. */
#define QCOW2_MAX_SNAPSHOT_TABLE (64u << 20)

void qcow2_free_snapshots(struct qcow2 *s)
{
    for (uint32_t i = 0; s->snaps && i < s->nb_snapshots; i++) {
        free(s->snaps[i].id);
        free(s->snaps[i].name);
    }
    free(s->snaps);
    s->snaps = NULL;
}

int qcow2_read_snapshots(struct qcow2 *s)
{
    int64_t file_len = blk_file_length(s->b->file);
    uint64_t p = s->snapshots_offset;
    uint8_t h[40];
    int ret;

    s->snapshots_size = 0;
    if (!s->nb_snapshots)
        return 0;
    s->snaps = calloc(s->nb_snapshots, sizeof(*s->snaps));
    if (!s->snaps)
        return -ENOMEM;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        struct qcow2_snapshot *sn = &s->snaps[i];
        uint8_t extra[24];
        uint32_t id_len, name_len, extra_len;

        if (p + 40 > (uint64_t)file_len || p - s->snapshots_offset > QCOW2_MAX_SNAPSHOT_TABLE) {
            s->nb_snapshots = i;
            return blk_error(-EINVAL, "qcow2: snapshot table is truncated (entry %u)", i);
        }
        ret = blk_file_pread(s->b->file, p, h, 40);
        if (ret < 0) {
            s->nb_snapshots = i;
            return ret;
        }
        sn->l1_offset = be64_get(h);
        sn->l1_size = be32_get(h + 8);
        id_len = be16_get(h + 12);
        name_len = be16_get(h + 14);
        sn->date_sec = be32_get(h + 16);
        sn->date_nsec = be32_get(h + 20);
        sn->vm_clock_nsec = be64_get(h + 24);
        sn->vm_state_size = be32_get(h + 32);
        extra_len = be32_get(h + 36);
        sn->extra_size = extra_len;
        sn->disk_size = s->b->size;
        sn->icount = UINT64_MAX;
        p += 40;
        if (extra_len > QCOW2_MAX_SNAPSHOT_EXTRA) {
            s->nb_snapshots = i;
            return blk_error(-EFBIG, "qcow2: snapshot %u has too much extra data", i);
        }
        memset(extra, 0, sizeof(extra));
        ret = blk_file_pread(s->b->file, p, extra, extra_len < 24 ? extra_len : 24);
        if (ret >= 0) {
            if (extra_len >= 8)
                sn->vm_state_size = be64_get(extra);
            if (extra_len >= 16)
                sn->disk_size = be64_get(extra + 8);
            if (extra_len >= 24)
                sn->icount = be64_get(extra + 16);
        }
        p += extra_len;
        sn->id = calloc(1, id_len + 1);
        sn->name = calloc(1, name_len + 1);
        if (!sn->id || !sn->name) {
            s->nb_snapshots = i + 1;
            return -ENOMEM;
        }
        if (ret >= 0)
            ret = blk_file_pread(s->b->file, p, sn->id, id_len);
        p += id_len;
        if (ret >= 0)
            ret = blk_file_pread(s->b->file, p, sn->name, name_len);
        p += name_len;
        p = (p + 7) & ~7ull;
        if (ret < 0) {
            s->nb_snapshots = i + 1;
            return ret;
        }
        if ((sn->l1_offset & (s->cluster_size - 1)) ||
            (uint64_t)sn->l1_size * 8 > QCOW2_MAX_L1_BYTES ||
            sn->l1_offset + (uint64_t)sn->l1_size * 8 > (uint64_t)file_len) {
            s->nb_snapshots = i + 1;
            return blk_error(-EINVAL,
                             "qcow2: snapshot %u L1 table is invalid (offset 0x%llx, "
                             "%u entries)",
                             i, (unsigned long long)sn->l1_offset, sn->l1_size);
        }
        if (s->version >= 3 && extra_len < 16) {
            s->nb_snapshots = i + 1;
            return blk_error(-EINVAL, "qcow2: snapshot %u lacks the extra data compat=1.1 needs",
                             i);
        }
    }
    s->snapshots_size = (uint32_t)(p - s->snapshots_offset);
    uint64_t total = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        total += s->snaps[i].l1_size;
    /* Checks walk every snapshot's tables: bound the work a hostile image can ask for. */
    if (total * 8 > 16ull * QCOW2_MAX_L1_BYTES)
        return blk_error(-EFBIG, "qcow2: the snapshots' L1 tables are too large in total");
    return 0;
}

/* Write the snapshot table to new clusters, point the header at it, free the old. */
static int qcow2_write_snapshots(struct qcow2 *s)
{
    uint64_t size = 0, old_off = s->snapshots_offset, old_size = s->snapshots_size;
    uint8_t *t, *p;
    int64_t off = 0;
    int ret;

    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        size += (40 + 24 + strlen(s->snaps[i].id) + strlen(s->snaps[i].name) + 7) & ~7ull;
    t = calloc(1, size ? size : 1);
    if (!t)
        return -ENOMEM;
    p = t;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        struct qcow2_snapshot *sn = &s->snaps[i];
        size_t il = strlen(sn->id), nl = strlen(sn->name);
        be64_put(p, sn->l1_offset);
        be32_put(p + 8, sn->l1_size);
        be16_put(p + 12, (uint16_t)il);
        be16_put(p + 14, (uint16_t)nl);
        be32_put(p + 16, sn->date_sec);
        be32_put(p + 20, sn->date_nsec);
        be64_put(p + 24, sn->vm_clock_nsec);
        be32_put(p + 32, sn->vm_state_size > UINT32_MAX ? 0 : (uint32_t)sn->vm_state_size);
        be32_put(p + 36, 24);
        be64_put(p + 40, sn->vm_state_size);
        be64_put(p + 48, sn->disk_size);
        be64_put(p + 56, sn->icount);
        memcpy(p + 64, sn->id, il);
        memcpy(p + 64 + il, sn->name, nl);
        p += (64 + il + nl + 7) & ~7ull;
    }
    if (size) {
        off = qcow2_alloc_clusters(s, qcow2_align_up(s, size) >> s->cluster_bits);
        if (off < 0) {
            free(t);
            return (int)off;
        }
        ret = qcow2_flush_to_os(s->b);
        if (ret >= 0)
            ret = blk_file_pwrite(s->b->file, off, t, size);
        if (ret >= 0)
            ret = blk_file_sync(s->b->file);
        if (ret < 0) {
            free(t);
            return ret;
        }
    }
    free(t);
    s->snapshots_offset = off;
    s->snapshots_size = (uint32_t)size;
    ret = qcow2_write_header(s);
    if (ret >= 0)
        ret = blk_file_sync(s->b->file);
    if (ret >= 0 && old_size && old_off)
        ret = qcow2_free_clusters(s, old_off, qcow2_align_up(s, old_size));
    return ret;
}

static int qcow2_find_snapshot(struct qcow2 *s, const char *name)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if (!strcmp(s->snaps[i].id, name))
            return (int)i;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if (!strcmp(s->snaps[i].name, name))
            return (int)i;
    return -ENOENT;
}

static int qcow2_read_l1(struct qcow2 *s, uint64_t off, uint32_t n, uint64_t **out)
{
    uint64_t *l1 = calloc(n ? n : 1, 8);
    int ret;

    if (!l1)
        return -ENOMEM;
    ret = blk_file_pread(s->b->file, off, l1, (uint64_t)n * 8);
    if (ret < 0) {
        free(l1);
        return ret;
    }
    for (uint32_t i = 0; i < n; i++)
        l1[i] = be64_get(&l1[i]);
    *out = l1;
    return 0;
}

int qcow2_snapshot_list(struct blk *b, struct blk_snapshot_info **out)
{
    struct qcow2 *s = qcow2_state(b);
    struct blk_snapshot_info *v = calloc(s->nb_snapshots ? s->nb_snapshots : 1, sizeof(*v));

    if (!v)
        return -ENOMEM;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        snprintf(v[i].id, sizeof(v[i].id), "%s", s->snaps[i].id);
        snprintf(v[i].name, sizeof(v[i].name), "%s", s->snaps[i].name);
        v[i].vm_state_size = s->snaps[i].vm_state_size;
        v[i].date_sec = s->snaps[i].date_sec;
        v[i].date_nsec = s->snaps[i].date_nsec;
        v[i].vm_clock_nsec = s->snaps[i].vm_clock_nsec;
        v[i].icount = s->snaps[i].icount;
    }
    *out = v;
    return (int)s->nb_snapshots;
}

int qcow2_snapshot_create(struct blk *b, const char *name)
{
    struct qcow2 *s = qcow2_state(b);
    struct qcow2_snapshot sn = {0}, *ns;
    uint64_t bytes = qcow2_align_up(s, (uint64_t)s->l1_size * 8), id = 0, *be;
    uint64_t now = plat_wallclock_ns();
    int64_t off;
    int ret;
    char idbuf[24];

    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt");
    if (strlen(name) > 65535)
        return blk_error(-EINVAL, "snapshot name is too long");
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS)
        return blk_error(-EFBIG, "too many snapshots");
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint64_t v = strtoull(s->snaps[i].id, NULL, 10);
        if (v > id)
            id = v;
    }
    snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)id + 1);
    ret = qcow2_flush_to_os(b);
    if (ret < 0)
        return ret;
    /* Every cluster of the active state gains the snapshot's reference. */
    ret = qcow2_update_l1_refcounts(s, s->l1_offset, s->l1_size, s->l1, 1);
    if (ret < 0)
        return ret;
    off = 0;
    if (s->l1_size) {
        off = qcow2_alloc_clusters(s, bytes >> s->cluster_bits);
        if (off < 0)
            return (int)off;
        be = calloc(1, bytes);
        if (!be)
            return -ENOMEM;
        for (uint32_t i = 0; i < s->l1_size; i++)
            be64_put(&be[i], s->l1[i]);
        ret = blk_file_pwrite(b->file, off, be, bytes);
        free(be);
        if (ret < 0)
            return ret;
    }
    ret = qcow2_flush_to_os(b);
    if (ret >= 0)
        ret = blk_file_sync(b->file);
    if (ret < 0)
        return ret;
    sn.l1_offset = off;
    sn.l1_size = s->l1_size;
    sn.id = strdup(idbuf);
    sn.name = strdup(name);
    sn.date_sec = (uint32_t)(now / 1000000000ull);
    sn.date_nsec = (uint32_t)(now % 1000000000ull);
    sn.disk_size = b->size;
    sn.icount = 0; /* what qemu-img snapshot -c records */
    sn.extra_size = 24;
    ns = realloc(s->snaps, (s->nb_snapshots + 1) * sizeof(*ns));
    if (!sn.id || !sn.name || !ns) {
        free(sn.id);
        free(sn.name);
        if (ns)
            s->snaps = ns;
        return -ENOMEM;
    }
    s->snaps = ns;
    s->snaps[s->nb_snapshots++] = sn;
    return qcow2_write_snapshots(s);
}

int qcow2_snapshot_apply(struct blk *b, const char *name)
{
    struct qcow2 *s = qcow2_state(b);
    int i = qcow2_find_snapshot(s, name);
    struct qcow2_snapshot *sn;
    uint64_t *snl1 = NULL, *old = NULL, *be = NULL, bytes;
    uint32_t old_size;
    int ret;

    if (i < 0)
        return blk_error(-ENOENT, "Can't find snapshot '%s'", name);
    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt");
    sn = &s->snaps[i];
    ret = qcow2_flush_to_os(b);
    if (ret >= 0 && sn->l1_size > s->l1_size)
        ret = qcow2_grow_l1(s, sn->l1_size);
    if (ret >= 0)
        ret = qcow2_read_l1(s, sn->l1_offset, sn->l1_size, &snl1);
    if (ret < 0)
        return ret;
    ret = qcow2_update_l1_refcounts(s, 0, sn->l1_size, snl1, 1);
    if (ret < 0)
        goto out;
    old_size = s->l1_size;
    old = malloc((uint64_t)old_size * 8 + 8);
    bytes = (uint64_t)s->l1_size * 8;
    be = calloc(1, bytes + 8);
    if (!old || !be) {
        ret = -ENOMEM;
        goto out;
    }
    memcpy(old, s->l1, (uint64_t)old_size * 8);
    memset(s->l1, 0, bytes);
    memcpy(s->l1, snl1, (uint64_t)sn->l1_size * 8);
    for (uint32_t j = 0; j < s->l1_size; j++)
        be64_put(&be[j], s->l1[j]);
    ret = qcow2_flush_to_os(b);
    if (ret >= 0)
        ret = blk_file_sync(b->file);
    if (ret >= 0)
        ret = blk_file_pwrite(b->file, s->l1_offset, be, bytes);
    if (ret >= 0)
        ret = blk_file_sync(b->file);
    if (ret >= 0)
        ret = qcow2_update_l1_refcounts(s, 0, old_size, old, -1);
    if (ret >= 0)
        ret = qcow2_update_l1_refcounts(s, s->l1_offset, s->l1_size, s->l1, 0);
    if (ret >= 0 && s->version >= 3 && sn->disk_size != b->size) {
        b->size = sn->disk_size;
        ret = qcow2_write_header(s);
    }
    if (ret >= 0)
        ret = qcow2_flush_to_os(b);
out:
    free(snl1);
    free(old);
    free(be);
    return ret;
}

int qcow2_snapshot_delete(struct blk *b, const char *name)
{
    struct qcow2 *s = qcow2_state(b);
    int i = qcow2_find_snapshot(s, name);
    struct qcow2_snapshot sn;
    uint64_t *l1 = NULL;
    int ret;

    if (i < 0)
        return blk_error(-ENOENT, "Can't find the snapshot '%s'", name);
    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt");
    sn = s->snaps[i];
    ret = qcow2_read_l1(s, sn.l1_offset, sn.l1_size, &l1);
    if (ret < 0)
        return ret;
    memmove(&s->snaps[i], &s->snaps[i + 1], (s->nb_snapshots - i - 1) * sizeof(sn));
    s->nb_snapshots--;
    ret = qcow2_flush_to_os(b);
    if (ret >= 0)
        ret = qcow2_write_snapshots(s);
    if (ret >= 0)
        ret = qcow2_update_l1_refcounts(s, 0, sn.l1_size, l1, -1);
    if (ret >= 0 && sn.l1_size)
        ret = qcow2_free_clusters(s, sn.l1_offset, qcow2_align_up(s, (uint64_t)sn.l1_size * 8));
    if (ret >= 0)
        ret = qcow2_update_l1_refcounts(s, s->l1_offset, s->l1_size, s->l1, 0);
    if (ret >= 0)
        ret = qcow2_flush_to_os(b);
    free(sn.id);
    free(sn.name);
    free(l1);
    return ret;
}

/*
 * Walk an L1 table (the active one or a snapshot's) adding addend to the
 * refcount of every table and cluster it reaches, and set the COPIED flags
 * to match the new counts.
 */
int qcow2_update_l1_refcounts(struct qcow2 *s, uint64_t l1_off, uint32_t l1_size, uint64_t *l1,
                              int addend)
{
    bool active = l1 == s->l1, l1_changed = false;
    int ret = 0;

    /* The same L2 table twice in one L1 is damage, and must not cost a walk per copy. */
    uint64_t nbits = (s->file_size >> s->cluster_bits) + 1;
    uint8_t *seen = calloc(nbits / 8 + 1, 1);
    if (!seen)
        return -ENOMEM;
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t ci = (l1[i] & L1E_OFFSET_MASK) >> s->cluster_bits;
        if (!ci || ci >= nbits)
            continue;
        if (seen[ci / 8] & (1u << (ci % 8))) {
            free(seen);
            return qcow2_signal_corruption(s, "L2 table 0x%llx is listed twice in an L1 table",
                                           (unsigned long long)(l1[i] & L1E_OFFSET_MASK));
        }
        seen[ci / 8] |= (uint8_t)(1u << (ci % 8));
    }
    free(seen);
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2off = l1[i] & L1E_OFFSET_MASK, rc, ne;
        uint8_t *l2;

        if (!l2off)
            continue;
        ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &l2);
        if (ret < 0)
            return ret;
        for (uint32_t j = 0; j < s->l2_entries; j++) {
            uint64_t e = be64_get(l2 + j * 8), off, len;
            enum qcow2_cluster_type t = qcow2_entry_type(s, e);

            if (t == QCOW2_COMPRESSED) {
                if (addend) {
                    qcow2_compressed_loc(s, e, &off, &len);
                    ret = qcow2_update_refcount(s, off, len, addend);
                }
            } else if (t == QCOW2_NORMAL || t == QCOW2_ZERO_ALLOC) {
                off = e & L2E_OFFSET_MASK;
                ret = qcow2_update_refcount(s, off, s->cluster_size, addend);
                if (ret >= 0)
                    ret = qcow2_get_refcount(s, off >> s->cluster_bits, &rc);
                if (ret >= 0) {
                    ne = rc == 1 ? e | QCOW_OFLAG_COPIED : e & ~QCOW_OFLAG_COPIED;
                    if (ne != e) {
                        be64_put(l2 + j * 8, ne);
                        qcow2_cache_dirty(&s->l2_cache, l2);
                    }
                }
            }
            if (ret < 0) {
                qcow2_cache_put(&s->l2_cache, l2);
                return ret;
            }
        }
        qcow2_cache_put(&s->l2_cache, l2);
        ret = qcow2_update_refcount(s, l2off, s->cluster_size, addend);
        if (ret >= 0)
            ret = qcow2_get_refcount(s, l2off >> s->cluster_bits, &rc);
        if (ret < 0)
            return ret;
        ne = rc == 1 ? l1[i] | QCOW_OFLAG_COPIED : l1[i] & ~QCOW_OFLAG_COPIED;
        if (ne != l1[i]) {
            l1[i] = ne;
            l1_changed = true;
            if (active) {
                ret = qcow2_write_l1_entry(s, i);
                if (ret < 0)
                    return ret;
            }
        }
    }
    if (l1_changed && !active && l1_off) {
        uint64_t *be = malloc((uint64_t)l1_size * 8);
        if (!be)
            return -ENOMEM;
        for (uint32_t i = 0; i < l1_size; i++)
            be64_put(&be[i], l1[i]);
        ret = blk_file_pwrite(s->b->file, l1_off, be, (uint64_t)l1_size * 8);
        free(be);
    }
    return ret;
}

/*
 * qcow2-header.c - the qcow2 header cluster: writing the header with its
 * extensions (ours, then the unknown ones as they were read) and the
 * backing file name; parsing the extensions; and the overlap checks that
 * keep metadata writes off other metadata.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool qcow2_overlaps(struct qcow2 *s, uint64_t off, uint64_t len, unsigned mask)
{
#define OVL(start, bytes) ((start) < off + len && off < (start) + (bytes))
    if ((mask & QCOW2_OL_HEADER) && OVL(0, s->cluster_size))
        return true;
    if ((mask & QCOW2_OL_L1) && s->l1_size && OVL(s->l1_offset, (uint64_t)s->l1_size * 8))
        return true;
    if ((mask & QCOW2_OL_REFTABLE) &&
        OVL(s->reft_offset, (uint64_t)s->reft_clusters * s->cluster_size))
        return true;
    for (uint64_t i = 0; (mask & QCOW2_OL_REFBLOCKS) && i < s->reft_size; i++) {
        uint64_t rb = s->reft[i] & REFT_OFFSET_MASK;
        if (rb && OVL(rb, s->cluster_size))
            return true;
    }
    if ((mask & QCOW2_OL_SNAPTABLE) && s->nb_snapshots &&
        OVL(s->snapshots_offset, s->snapshots_size))
        return true;
    for (uint32_t i = 0; (mask & QCOW2_OL_SNAP_L1) && i < s->nb_snapshots; i++)
        if (s->snaps[i].l1_size && OVL(s->snaps[i].l1_offset, (uint64_t)s->snaps[i].l1_size * 8))
            return true;
    return false;
#undef OVL
}

/* The fixed tables must not share clusters; a hostile image may make them. */
const char *qcow2_table_overlap(struct qcow2 *s)
{
    uint64_t l1b = (uint64_t)s->l1_size * 8;

    if (l1b && qcow2_overlaps(s, s->l1_offset, l1b,
                              QCOW2_OL_HEADER | QCOW2_OL_REFTABLE | QCOW2_OL_REFBLOCKS |
                                  QCOW2_OL_SNAPTABLE))
        return "the active L1 table overlaps other metadata";
    if (qcow2_overlaps(s, s->reft_offset, (uint64_t)s->reft_clusters * s->cluster_size,
                       QCOW2_OL_HEADER | QCOW2_OL_REFBLOCKS | QCOW2_OL_SNAPTABLE))
        return "the refcount table overlaps other metadata";
    for (uint64_t i = 0; i < s->reft_size; i++) {
        uint64_t rb = s->reft[i] & REFT_OFFSET_MASK;
        if (rb && qcow2_overlaps(s, rb, s->cluster_size, QCOW2_OL_HEADER | QCOW2_OL_SNAPTABLE))
            return "a refcount block overlaps other metadata";
    }
    if (s->nb_snapshots &&
        qcow2_overlaps(s, s->snapshots_offset, s->snapshots_size, QCOW2_OL_HEADER))
        return "the snapshot table overlaps the header";
    return NULL;
}

static void qcow2_put_feature(uint8_t *p, uint8_t type, uint8_t bit, const char *name)
{
    memset(p, 0, 48);
    p[0] = type;
    p[1] = bit;
    memcpy(p + 2, name, strlen(name));
}

/* Serialize header, extensions and backing file name into cluster 0. */
int qcow2_write_header(struct qcow2 *s)
{
    struct blk *b = s->b;
    uint32_t hlen = s->version >= 3 ? 112 : QCOW2_V2_HEADER;
    uint8_t *h = calloc(1, s->cluster_size);
    size_t p;
    int ret;

    if (!h)
        return -ENOMEM;
    be32_put(h, QCOW2_MAGIC);
    be32_put(h + 4, s->version);
    be32_put(h + 20, s->cluster_bits);
    be64_put(h + 24, b->size);
    be32_put(h + 36, s->l1_size);
    be64_put(h + 40, s->l1_offset);
    be64_put(h + 48, s->reft_offset);
    be32_put(h + 56, s->reft_clusters);
    be32_put(h + 60, s->nb_snapshots);
    be64_put(h + 64, s->snapshots_offset);
    if (s->version >= 3) {
        be64_put(h + 72, s->incompat);
        be64_put(h + 80, s->compat);
        be64_put(h + 88, s->autoclear);
        be32_put(h + 96, s->refcount_order);
        be32_put(h + 100, hlen);
    }
    p = hlen;
#define NEED(n)                                                                                    \
    do {                                                                                           \
        if (p + (n) > s->cluster_size) {                                                           \
            ret = blk_error(-ENOSPC, "qcow2 header extensions do not fit in one cluster");         \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
    if (b->backing_fmt && b->backing_file) {
        size_t n = strlen(b->backing_fmt);
        NEED(8 + ((n + 7) & ~7u));
        be32_put(h + p, QCOW2_EXT_BACKING_FMT);
        be32_put(h + p + 4, (uint32_t)n);
        memcpy(h + p + 8, b->backing_fmt, n);
        p += 8 + ((n + 7) & ~7u);
    }
    /* The feature name table is only informative: like QEMU, leave it out when
     * small clusters leave no room for it beside what the image needs. */
    size_t rest = 8 + (b->backing_file ? strlen(b->backing_file) : 0);
    for (struct qcow2_ext *e = s->exts; e; e = e->next)
        rest += 8 + ((e->len + 7ull) & ~7ull);
    if (s->version >= 3 && p + 8 + 8 * 48 + rest <= s->cluster_size) {
        static const struct {
            uint8_t type, bit;
            const char *name;
        } feats[] = {
            {0, 0, "dirty bit"},        {0, 1, "corrupt bit"},         {0, 2, "external data file"},
            {0, 3, "compression type"}, {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"},
            {2, 0, "bitmaps"},          {2, 1, "raw external data"},
        };
        uint32_t n = sizeof(feats) / sizeof(feats[0]) * 48;
        NEED(8 + n);
        be32_put(h + p, QCOW2_EXT_FEATURE_TABLE);
        be32_put(h + p + 4, n);
        p += 8;
        for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++, p += 48)
            qcow2_put_feature(h + p, feats[i].type, feats[i].bit, feats[i].name);
    }
    for (struct qcow2_ext *e = s->exts; e; e = e->next) {
        NEED(8 + ((e->len + 7ull) & ~7ull));
        be32_put(h + p, e->type);
        be32_put(h + p + 4, e->len);
        memcpy(h + p + 8, e->data, e->len);
        p += 8 + ((e->len + 7ull) & ~7ull);
    }
    NEED(8);
    p += 8; /* end of extensions */
    if (b->backing_file) {
        size_t n = strlen(b->backing_file);
        NEED(n);
        be64_put(h + 8, p);
        be32_put(h + 16, (uint32_t)n);
        memcpy(h + p, b->backing_file, n);
        p += n;
    }
#undef NEED
    ret = blk_file_pwrite(b->file, 0, h, p);
out:
    free(h);
    return ret;
}

int qcow2_read_extensions(struct qcow2 *s, const uint8_t *h, uint64_t start, uint64_t end)
{
    struct blk *b = s->b;
    struct qcow2_ext **tail = &s->exts;
    uint64_t p = start;

    while (p + 8 <= end) {
        uint32_t type = be32_get(h + p), len = be32_get(h + p + 4);

        p += 8;
        if (type == QCOW2_EXT_END)
            return 0;
        if (len > end - p)
            return blk_error(-EINVAL, "qcow2: header extension 0x%08x is too large (%u bytes)",
                             type, len);
        switch (type) {
        case QCOW2_EXT_BACKING_FMT:
            if (len >= 32)
                return blk_error(-EINVAL, "qcow2: backing format name is too long");
            free(b->backing_fmt);
            b->backing_fmt = strndup((const char *)h + p, len);
            break;
        case QCOW2_EXT_FEATURE_TABLE:
            break; /* ours is rewritten with every header */
        case QCOW2_EXT_CRYPTO:
            return blk_error(-ENOTSUP, "qcow2: encrypted images are not supported");
        case QCOW2_EXT_DATA_FILE:
            return blk_error(-ENOTSUP, "qcow2: external data files are not supported");
        default: {
            struct qcow2_ext *e = calloc(1, sizeof(*e));
            if (!e)
                return -ENOMEM;
            e->type = type;
            e->len = len;
            e->data = malloc(len ? len : 1);
            if (!e->data) {
                free(e);
                return -ENOMEM;
            }
            memcpy(e->data, h + p, len);
            *tail = e;
            tail = &e->next;
        }
        }
        p += (len + 7ull) & ~7ull;
    }
    return 0;
}

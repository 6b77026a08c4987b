/*
 * qcow2-cache.c - write-back caches of L2 tables and refcount blocks.
 *
 * Ordering is what keeps an image consistent across a crash: an L2 entry
 * may only reach the file after the refcount of the cluster it points to,
 * otherwise a crash leaves a used cluster with refcount 0 that a later
 * allocation hands out twice. So flushing the L2 cache first writes the
 * refcount blocks and issues a barrier. With lazy_refcounts that ordering
 * is dropped (the dirty bit makes the next open rebuild the refcounts).
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int qcow2_cache_init(struct qcow2_cache *c, int n, uint32_t size)
{
    c->n = n;
    c->tick = 0;
    c->e = calloc(n, sizeof(*c->e));
    if (!c->e)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        c->e[i].data = malloc(size);
        if (!c->e[i].data)
            return -ENOMEM;
    }
    return 0;
}

void qcow2_cache_destroy(struct qcow2_cache *c)
{
    if (!c->e)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->e[i].data);
    free(c->e);
    c->e = NULL;
}

static int qcow2_cache_write_entry(struct qcow2 *s, struct qcow2_cache *c,
                                   struct qcow2_cache_entry *e)
{
    int ret;

    if (!e->dirty)
        return 0;
    if (c == &s->l2_cache && !s->lazy && s->l2_after_rb) {
        s->l2_after_rb = false;
        ret = qcow2_cache_flush(s, &s->rb_cache);
        if (ret >= 0)
            ret = blk_file_sync(s->b->file);
        if (ret < 0)
            return ret;
    }
    if (c == &s->rb_cache && !s->lazy && s->rb_after_l2) {
        s->rb_after_l2 = false;
        ret = qcow2_cache_flush(s, &s->l2_cache);
        if (ret >= 0)
            ret = blk_file_sync(s->b->file);
        if (ret < 0)
            return ret;
    }
    if (qcow2_overlaps(s, e->offset, s->cluster_size,
                       c == &s->l2_cache ? QCOW2_OL_ALL : QCOW2_OL_ALL & ~QCOW2_OL_REFBLOCKS)) {
        return qcow2_signal_corruption(s, "table write at 0x%llx would overwrite metadata",
                                       (unsigned long long)e->offset);
    }
    ret = blk_file_pwrite(s->b->file, e->offset, e->data, s->cluster_size);
    if (ret < 0)
        return ret;
    e->dirty = false;
    return 0;
}

int qcow2_cache_flush(struct qcow2 *s, struct qcow2_cache *c)
{
    bool had_frees = c == &s->l2_cache && (s->nquarantine || s->quarantine_full);
    int ret = 0;

    for (int i = 0; i < c->n; i++) {
        int r = qcow2_cache_write_entry(s, c, &c->e[i]);
        if (r < 0 && !ret)
            ret = r;
    }
    /* Every L2 table is written: the clusters they let go of may be reused once durable. */
    if (!ret && had_frees && (ret = blk_file_sync(s->b->file)) >= 0) {
        s->nquarantine = 0;
        s->quarantine_full = false;
    }
    return ret;
}

int qcow2_cache_get(struct qcow2 *s, struct qcow2_cache *c, uint64_t off, bool fresh,
                    uint8_t **data)
{
    struct qcow2_cache_entry *victim = NULL;
    int ret;

    if (!off || (off & (s->cluster_size - 1)))
        return qcow2_signal_corruption(s, "metadata table offset 0x%llx is invalid",
                                       (unsigned long long)off);
    for (int i = 0; i < c->n; i++) {
        struct qcow2_cache_entry *e = &c->e[i];
        if (e->offset == off) {
            e->lru = ++c->tick;
            e->ref++;
            if (fresh)
                memset(e->data, 0, s->cluster_size);
            *data = e->data;
            return 0;
        }
        if (!e->ref && (!victim || e->lru < victim->lru))
            victim = e;
    }
    if (!victim)
        return -EBUSY; /* every slot pinned: a bug in the caller's nesting */
    ret = qcow2_cache_write_entry(s, c, victim);
    if (ret < 0)
        return ret;
    victim->offset = 0;
    if (!fresh && off + s->cluster_size > s->file_size)
        return qcow2_signal_corruption(s, "metadata table at 0x%llx is past the end of the file",
                                       (unsigned long long)off);
    if (fresh) {
        memset(victim->data, 0, s->cluster_size);
    } else {
        ret = blk_file_pread(s->b->file, off, victim->data, s->cluster_size);
        if (ret < 0)
            return ret;
    }
    victim->offset = off;
    victim->lru = ++c->tick;
    victim->ref = 1;
    *data = victim->data;
    return 0;
}

static struct qcow2_cache_entry *qcow2_cache_find(struct qcow2_cache *c, uint8_t *data)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].data == data)
            return &c->e[i];
    return NULL;
}

void qcow2_cache_put(struct qcow2_cache *c, uint8_t *data)
{
    struct qcow2_cache_entry *e = qcow2_cache_find(c, data);

    if (e && e->ref)
        e->ref--;
}

void qcow2_cache_dirty(struct qcow2_cache *c, uint8_t *data)
{
    struct qcow2_cache_entry *e = qcow2_cache_find(c, data);

    if (e)
        e->dirty = true;
}

void qcow2_cache_forget(struct qcow2_cache *c, uint64_t off)
{
    for (int i = 0; i < c->n; i++) {
        if (c->e[i].offset == off && !c->e[i].ref) {
            c->e[i].offset = 0;
            c->e[i].dirty = false;
        }
    }
}

void qcow2_cache_drop_all(struct qcow2_cache *c)
{
    for (int i = 0; i < c->n; i++) {
        c->e[i].offset = 0;
        c->e[i].dirty = false;
        c->e[i].ref = 0;
    }
}

/*
 * qcow2.h - internals of the qcow2 driver (docs/interop/qcow2.txt in QEMU),
 * shared by its parts: header and extensions (qcow2.c), metadata caches
 * (qcow2-cache.c), cluster mapping (qcow2-cluster.c), refcounts
 * (qcow2-refcount.c), snapshots (qcow2-snapshot.c), check and repair
 * (qcow2-check.c) and compression (qcow2-compress.c).
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block-internal.h"

#define QCOW2_MAGIC 0x514649fbu
#define QCOW2_V2_HEADER 72
#define QCOW2_V3_HEADER 104

#define QCOW_OFLAG_COPIED (1ull << 63)
#define QCOW_OFLAG_COMPRESSED (1ull << 62)
#define QCOW_OFLAG_ZERO 1ull
#define L1E_OFFSET_MASK 0x00fffffffffffe00ull
#define L2E_OFFSET_MASK 0x00fffffffffffe00ull
#define REFT_OFFSET_MASK 0xfffffffffffffe00ull
/* Bits that must be zero in standard L1/L2 entries. */
#define L1E_RESERVED_MASK 0x7f000000000001ffull
#define L2E_STD_RESERVED_MASK 0x3f000000000001feull

#define QCOW2_INCOMPAT_DIRTY (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2 (1ull << 4)
#define QCOW2_INCOMPAT_KNOWN (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ull << 0)
#define QCOW2_AUTOCLEAR_BITMAPS (1ull << 0)

#define QCOW2_EXT_END 0x00000000u
#define QCOW2_EXT_BACKING_FMT 0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE 0x6803f857u
#define QCOW2_EXT_BITMAPS 0x23852875u
#define QCOW2_EXT_CRYPTO 0x0537be77u
#define QCOW2_EXT_DATA_FILE 0x44415441u

/* Limits as QEMU's, so hostile headers cannot make us allocate gigabytes. */
#define QCOW2_MAX_L1_BYTES (32u << 20)
#define QCOW2_MAX_REFTABLE_BYTES (8u << 20)
#define QCOW2_MAX_SNAPSHOTS 65536
#define QCOW2_MAX_BACKING_NAME 1023
#define QCOW2_MAX_SNAPSHOT_EXTRA 1024
#define QCOW2_QUARANTINE_MAX 1024

enum qcow2_cluster_type {
    QCOW2_UNALLOCATED,
    QCOW2_ZERO_PLAIN, /* zero flag, no storage */
    QCOW2_ZERO_ALLOC, /* zero flag, storage kept */
    QCOW2_NORMAL,
    QCOW2_COMPRESSED,
};

struct qcow2_cache_entry {
    uint64_t offset; /* 0: empty slot */
    uint8_t *data;
    bool dirty;
    uint64_t lru;
    int ref; /* pinned while a caller holds the table */
};

struct qcow2_cache {
    int n;
    struct qcow2_cache_entry *e;
    uint64_t tick;
};

struct qcow2_ext {
    uint32_t type, len;
    uint8_t *data;
    struct qcow2_ext *next;
};

struct qcow2_snapshot {
    uint64_t l1_offset;
    uint32_t l1_size;
    char *id, *name;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t vm_state_size;
    uint64_t disk_size;
    uint64_t icount;     /* UINT64_MAX: absent */
    uint32_t extra_size; /* as stored (>= 16 in v3) */
};

struct qcow2 {
    struct blk *b;
    uint32_t version;
    uint32_t cluster_bits, cluster_size;
    uint32_t l2_bits, l2_entries; /* entries per L2 table */
    uint64_t l1_offset;
    uint32_t l1_size;
    uint64_t *l1; /* host byte order */
    uint64_t reft_offset;
    uint32_t reft_clusters;
    uint64_t reft_size;      /* entries in memory */
    uint64_t reft_disk_size; /* entries in the on-disk table */
    uint64_t *reft;
    uint32_t refcount_order, refcount_bits;
    uint64_t refcount_max;
    uint32_t rb_bits; /* log2 of refcount entries per refcount block */
    uint64_t incompat, compat, autoclear;
    uint32_t header_length;
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint32_t snapshots_size; /* bytes of the on-disk table */
    struct qcow2_snapshot *snaps;
    struct qcow2_ext *exts; /* unknown extensions, written back as read */
    struct qcow2_cache l2_cache, rb_cache;
    uint64_t free_hint; /* no free cluster below this index */
    /* Cluster runs chosen but whose refcounts are not set yet: not free. */
    uint64_t reserved[16][2];
    int nreserved;
    /*
     * Clusters freed since the L2 tables that dropped them were last
     * written: the file may still point at them, so they are not reused
     * until then (else a crash could show another write's data there).
     */
    uint64_t quarantine[QCOW2_QUARANTINE_MAX];
    int nquarantine;
    bool quarantine_full;    /* more were freed than the list holds */
    uint64_t compressed_cur; /* next free byte in the cluster being packed, 0: none */
    bool lazy;               /* lazy_refcounts in effect */
    bool dirty_set;          /* we set the dirty bit on disk */
    bool corrupt;
    bool l2_after_rb;    /* L2 entries may point at clusters whose refcount is unwritten */
    bool rb_after_l2;    /* refcount decrements must wait for the L2 tables that dropped them */
    uint64_t file_size;  /* file length including clusters allocated but not yet written */
    uint8_t *zbuf;       /* compressed input scratch */
    uint8_t *dcache;     /* last decompressed cluster */
    uint64_t dcache_off; /* its L2 entry, 0: none */
};

static inline struct qcow2 *qcow2_state(struct blk *b)
{
    return b->opaque;
}

static inline uint64_t qcow2_align_up(struct qcow2 *s, uint64_t v)
{
    return (v + s->cluster_size - 1) & ~(uint64_t)(s->cluster_size - 1);
}

/* qcow2-header.c */
int qcow2_write_header(struct qcow2 *s);
/* Parse the extensions in h[start, end); unknown ones are kept in s->exts. 0 or -errno. */
int qcow2_read_extensions(struct qcow2 *s, const uint8_t *h, uint64_t start, uint64_t end);
/* Which fixed tables share clusters (a message), or NULL if none do. */
const char *qcow2_table_overlap(struct qcow2 *s);

/* qcow2.c */
/* Mark the image corrupt (on disk when writable) and say why; returns -EIO. */
int qcow2_signal_corruption(struct qcow2 *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int qcow2_mark_dirty(struct qcow2 *s);
int qcow2_write_l1_entry(struct qcow2 *s, uint32_t idx);
/* Metadata kinds for overlap checks. */
#define QCOW2_OL_HEADER 1u
#define QCOW2_OL_L1 2u
#define QCOW2_OL_REFTABLE 4u
#define QCOW2_OL_REFBLOCKS 8u
#define QCOW2_OL_SNAPTABLE 16u
#define QCOW2_OL_SNAP_L1 32u
#define QCOW2_OL_ALL 63u
/* Does [off, off+len) collide with the metadata kinds in mask? */
bool qcow2_overlaps(struct qcow2 *s, uint64_t off, uint64_t len, unsigned mask);
static inline bool qcow2_overlaps_metadata(struct qcow2 *s, uint64_t off, uint64_t len)
{
    return qcow2_overlaps(s, off, len, QCOW2_OL_ALL);
}
int qcow2_flush_to_os(struct blk *b);

/* qcow2-cache.c */
int qcow2_cache_init(struct qcow2_cache *c, int n, uint32_t size);
void qcow2_cache_destroy(struct qcow2_cache *c);
/* Get a table; read from the file unless fresh (then zero-filled). Pinned until put. */
int qcow2_cache_get(struct qcow2 *s, struct qcow2_cache *c, uint64_t off, bool fresh,
                    uint8_t **data);
void qcow2_cache_put(struct qcow2_cache *c, uint8_t *data);
void qcow2_cache_dirty(struct qcow2_cache *c, uint8_t *data);
/* Drop a table whose cluster was freed (its content no longer matters). */
void qcow2_cache_forget(struct qcow2_cache *c, uint64_t off);
/* Write back dirty tables of one cache, refcounts first when L2 depends on them. */
int qcow2_cache_flush(struct qcow2 *s, struct qcow2_cache *c);
void qcow2_cache_drop_all(struct qcow2_cache *c);

/* qcow2-refcount.c */
int qcow2_refcount_init(struct qcow2 *s);
int qcow2_get_refcount(struct qcow2 *s, uint64_t cluster, uint64_t *rc);
/* Add addend to the refcount of every cluster touched by [off, off+len). */
int qcow2_update_refcount(struct qcow2 *s, uint64_t off, uint64_t len, int64_t addend);
/* n contiguous free clusters with refcount 1; returns the offset or -errno. */
int64_t qcow2_alloc_clusters(struct qcow2 *s, uint64_t n);
/* size bytes for compressed data, packed into partly used clusters. */
int64_t qcow2_alloc_bytes(struct qcow2 *s, uint32_t size);
int qcow2_free_clusters(struct qcow2 *s, uint64_t off, uint64_t len);
/* Free what an L2 entry references (data or compressed). */
int qcow2_free_l2_entry(struct qcow2 *s, uint64_t entry);
uint64_t qcow2_rb_get(struct qcow2 *s, const uint8_t *rb, uint64_t idx);
void qcow2_rb_set(struct qcow2 *s, uint8_t *rb, uint64_t idx, uint64_t v);
int qcow2_write_reftable_entry(struct qcow2 *s, uint64_t idx);
/* Write the L2 tables out (and sync); the clusters freed before become reusable. */
int qcow2_release_quarantine(struct qcow2 *s);

/* qcow2-cluster.c */
enum qcow2_cluster_type qcow2_entry_type(struct qcow2 *s, uint64_t l2e);
/* A cluster written in place: allocated, refcount 1 (COPIED). */
static inline bool qcow2_in_place(struct qcow2 *s, uint64_t e)
{
    return qcow2_entry_type(s, e) == QCOW2_NORMAL && (e & QCOW_OFLAG_COPIED);
}
/*
 * The run of clusters from off that map alike: returns the first one's
 * type (or -errno), *l2e its entry, *bytes the run's length (<= len).
 */
int qcow2_get_run(struct qcow2 *s, uint64_t off, uint64_t len, uint64_t *l2e, uint64_t *bytes);
/* Host offset and sector count of a compressed L2 entry. */
void qcow2_compressed_loc(struct qcow2 *s, uint64_t l2e, uint64_t *off, uint64_t *len);
int qcow2_get_l2_entry(struct qcow2 *s, uint64_t guest_off, uint64_t *l2e);
int qcow2_pread(struct blk *b, uint64_t off, void *buf, uint64_t len);
int qcow2_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len);
int qcow2_pwrite_zeroes(struct blk *b, uint64_t off, uint64_t len, bool may_unmap);
int qcow2_discard(struct blk *b, uint64_t off, uint64_t len);
int qcow2_block_status(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                       uint64_t *host_off);
int qcow2_make_empty(struct blk *b);
/* Set the active L2 entry for guest_off (allocating the L2 table as needed). */
int qcow2_set_l2_entry(struct qcow2 *s, uint64_t guest_off, uint64_t l2e, uint64_t *old);
int qcow2_grow_l1(struct qcow2 *s, uint64_t min_size);

/* qcow2-refcount.c: walk an L1 table adding addend to every reachable cluster,
 * and fix the COPIED flags of the tables it walks (addend 0: flags only). */
int qcow2_update_l1_refcounts(struct qcow2 *s, uint64_t l1_off, uint32_t l1_size, uint64_t *l1,
                              int addend);

/* qcow2-snapshot.c */
int qcow2_read_snapshots(struct qcow2 *s);
int qcow2_snapshot_list(struct blk *b, struct blk_snapshot_info **out);
int qcow2_snapshot_create(struct blk *b, const char *name);
int qcow2_snapshot_apply(struct blk *b, const char *name);
int qcow2_snapshot_delete(struct blk *b, const char *name);
void qcow2_free_snapshots(struct qcow2 *s);

/* qcow2-check.c */
int qcow2_check(struct blk *b, struct blk_check_result *res, int fix,
                void (*print)(void *opaque, const char *msg), void *opaque);
int64_t qcow2_image_end(struct blk *b);
/*
 * Replace the refcount structures with ones computed from the metadata,
 * placed after everything else in the file, with refcount order `order`
 * (repair, and amend of refcount_bits). 0 or -errno.
 */
int qcow2_rebuild_refcounts(struct qcow2 *s, uint32_t order);

/* qcow2-compress.c */
/* Decompress the cluster of a compressed L2 entry into s->dcache. 0 or -EIO. */
int qcow2_read_compressed(struct qcow2 *s, uint64_t l2e);
int qcow2_pwrite_compressed(struct blk *b, uint64_t off, const void *buf, uint64_t len);

/* qcow2-create.c */
int qcow2_create(const char *filename, const struct blk_create_opts *o);
int qcow2_amend(struct blk *b, const struct blk_amend_opts *o);

#endif

/*
 * block-internal.h - what the block layer's drivers share: the driver
 * table, the node structure, helpers for errors and paths.
 */
#ifndef BLOCK_BLOCK_INTERNAL_H
#define BLOCK_BLOCK_INTERNAL_H

#include "block/block.h"

struct plat_bfile;

/* Internal open flag: the image is being created (its L1 table is grown after open). */
#define BLK_O_CREATING 0x100u

struct blk_driver {
    const char *name;
    /* Score how much buf (the file's first bytes) looks like this format: 0 = not. */
    int (*probe)(const uint8_t *buf, size_t len);
    /* Open over b->file (format drivers) or b->filename (protocol). Sets b->size. */
    int (*open)(struct blk *b, unsigned flags);
    void (*close)(struct blk *b);
    int (*pread)(struct blk *b, uint64_t off, void *buf, uint64_t len);
    int (*pwrite)(struct blk *b, uint64_t off, const void *buf, uint64_t len);
    int (*pwrite_zeroes)(struct blk *b, uint64_t off, uint64_t len, bool may_unmap);
    int (*discard)(struct blk *b, uint64_t off, uint64_t len);
    /* Write cached metadata to the layer below (not a disk flush). */
    int (*flush_to_os)(struct blk *b);
    /* Protocol drivers: make it durable. */
    int (*flush_to_disk)(struct blk *b);
    int (*block_status)(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                        uint64_t *host_off);
    int (*truncate)(struct blk *b, uint64_t size);
    int (*create)(const char *filename, const struct blk_create_opts *o);
    int (*get_info)(struct blk *b, struct blk_info *info);
    int64_t (*image_end)(struct blk *b);
    int (*check)(struct blk *b, struct blk_check_result *res, int fix,
                 void (*print)(void *opaque, const char *msg), void *opaque);
    int (*snapshot_list)(struct blk *b, struct blk_snapshot_info **out);
    int (*snapshot_create)(struct blk *b, const char *name);
    int (*snapshot_apply)(struct blk *b, const char *name);
    int (*snapshot_delete)(struct blk *b, const char *name);
    int (*change_backing)(struct blk *b, const char *file, const char *fmt);
    int (*amend)(struct blk *b, const struct blk_amend_opts *o);
    int (*pwrite_compressed)(struct blk *b, uint64_t off, const void *buf, uint64_t len);
    int (*make_empty)(struct blk *b);
    uint32_t (*cluster_size)(struct blk *b);
};

struct blk {
    const struct blk_driver *drv;
    void *opaque;          /* driver state */
    struct blk *file;      /* protocol node under a format node */
    struct blk *backing;   /* backing node, or NULL */
    struct plat_bfile *bf; /* protocol nodes only */
    char *filename;
    uint64_t size;  /* virtual size */
    unsigned flags; /* BLK_O_* it was opened with */
    bool read_only;
    enum blk_cache_mode cache;
    bool wce; /* guest write cache enabled */
    /* Backing file as stored in the image (format drivers set these on open). */
    char *backing_file;
    char *backing_fmt;
};

extern const struct blk_driver blk_file_driver;
extern const struct blk_driver blk_raw_driver;
extern const struct blk_driver blk_qcow2_driver;

/* Record the message blk_last_error() returns; returns err for chaining. */
int blk_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Protocol I/O helpers for format drivers (b->file). */
int blk_file_pread(struct blk *file, uint64_t off, void *buf, uint64_t len);
int blk_file_pwrite(struct blk *file, uint64_t off, const void *buf, uint64_t len);
int64_t blk_file_length(struct blk *file);
int blk_file_truncate(struct blk *file, uint64_t size);
int blk_file_discard(struct blk *file, uint64_t off, uint64_t len);
int blk_file_sync(struct blk *file); /* durable, unless cache=unsafe */

const struct blk_driver *blk_find_driver(const char *name);

/* Big-endian field access for on-disk structures. */
static inline uint16_t be16_get(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)(b[0] << 8 | b[1]);
}
static inline uint32_t be32_get(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static inline uint64_t be64_get(const void *p)
{
    return (uint64_t)be32_get(p) << 32 | be32_get((const uint8_t *)p + 4);
}
static inline void be16_put(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = v >> 8;
    b[1] = (uint8_t)v;
}
static inline void be32_put(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = v >> 24;
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}
static inline void be64_put(void *p, uint64_t v)
{
    be32_put(p, (uint32_t)(v >> 32));
    be32_put((uint8_t *)p + 4, (uint32_t)v);
}

#endif

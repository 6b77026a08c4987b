/*
 * block.h - the block layer: disk images as QEMU users know them.
 *
 * A struct blk is one node of a stack: a format driver ("raw", "qcow2") on
 * top of a protocol driver ("file": a host file or disk via platform.h),
 * optionally with a backing node below (qcow2 backing chains). Offsets and
 * lengths are bytes of the node's virtual disk. Everything is synchronous.
 *
 * Errors are negative errno values. Whenever a function fails for a reason
 * the user must see (bad image, unsupported feature, corruption), it also
 * leaves a one-line explanation in blk_last_error().
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blk;

/* Cache modes, with QEMU's meaning of -drive cache=. */
enum blk_cache_mode {
    BLK_CACHE_WRITEBACK,    /* host cache, write cache on: flushes honoured (default) */
    BLK_CACHE_WRITETHROUGH, /* host cache, every write is flushed before it completes */
    BLK_CACHE_NONE,         /* O_DIRECT, write cache on, flushes honoured */
    BLK_CACHE_DIRECTSYNC,   /* O_DIRECT and every write flushed */
    BLK_CACHE_UNSAFE,       /* host cache, flushes reach the host OS but never the disk */
};

/* blk_open() flags. */
#define BLK_O_RDWR 1u       /* writable (else read-only) */
#define BLK_O_NO_BACKING 2u /* do not open the backing chain (info, rebase -u, check) */
#define BLK_O_CHECK 4u      /* for check/repair: no repair on open, accept corrupt images */
#define BLK_O_NO_IO 8u      /* metadata only; reads of data are not needed */

/* Parse "writeback", "writethrough", "none", "directsync", "unsafe". 0 or -EINVAL. */
int blk_parse_cache_mode(const char *s, enum blk_cache_mode *out);

/*
 * Open an image. fmt is "raw", "qcow2" or NULL to probe (a file that is not
 * a known format is raw). With BLK_O_RDWR a qcow2 image left dirty by a crash
 * (lazy_refcounts) is repaired first; an image marked corrupt is refused for
 * writing. Returns 0 and *out, or -errno with blk_last_error() set.
 */
int blk_open(struct blk **out, const char *filename, const char *fmt, unsigned flags,
             enum blk_cache_mode cache);

/* Flush, write back the clean state (qcow2 dirty bit) and free. 0 or the first error. */
int blk_close(struct blk *b);

/* The message that explains the last failure (never NULL; "" if none). */
const char *blk_last_error(void);

/*
 * Read len bytes at off of the virtual disk; areas no layer has read as
 * zeros. Requests past the virtual size fail with -EINVAL. 0 or -errno.
 */
int blk_pread(struct blk *b, uint64_t off, void *buf, uint64_t len);

/*
 * Write len bytes at off. With the write cache off (writethrough, directsync,
 * or blk_set_write_cache(false)) the data and metadata are durable when this
 * returns. -EROFS on a read-only node, -EIO (and the image marked corrupt)
 * when qcow2 metadata is found inconsistent.
 */
int blk_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len);

/*
 * Make [off, off+len) read as zeros. may_unmap lets the driver release
 * the storage. 0 or -errno.
 */
int blk_pwrite_zeroes(struct blk *b, uint64_t off, uint64_t len, bool may_unmap);

/*
 * Discard: the guest no longer needs the data. Afterwards the range reads as
 * zeros or as the backing file's data (qcow2) — as QEMU. 0 or -errno.
 */
int blk_discard(struct blk *b, uint64_t off, uint64_t len);

/*
 * Write every cached metadata table back, then make it durable (except in
 * cache=unsafe, where it only reaches the host OS). 0 or -errno.
 */
int blk_flush(struct blk *b);

/* The guest's write cache switch (virtio CONFIG_WCE). Off: every write is flushed. */
void blk_set_write_cache(struct blk *b, bool enable);
bool blk_write_cache(struct blk *b);

/*
 * Resolve a backing file name as stored in image `image`: relative names are
 * relative to the image's directory. Writes at most size bytes into out.
 */
void blk_resolve_backing_path(const char *image, const char *backing, char *out, size_t size);

/* Virtual size in bytes. */
uint64_t blk_length(struct blk *b);
bool blk_is_read_only(struct blk *b);
const char *blk_format(struct blk *b);
const char *blk_filename(struct blk *b);

/* The backing node, or NULL. */
struct blk *blk_backing(struct blk *b);

/* blk_block_status() result bits, as QEMU's BDRV_BLOCK_*. */
#define BLK_STATUS_DATA 1u      /* reads come from data stored somewhere */
#define BLK_STATUS_ZERO 2u      /* reads as zeros */
#define BLK_STATUS_OFFSET 4u    /* *host_off is the data's offset in the file */
#define BLK_STATUS_ALLOCATED 8u /* this layer decides the content (not the backing) */
#define BLK_STATUS_COMPRESSED 16u

/*
 * Status of [off, off+len) in this layer only: returns a BLK_STATUS_* mask
 * (>= 0) valid for *pnum bytes (1 .. len), *host_off set when
 * BLK_STATUS_OFFSET. -errno on error.
 */
int blk_block_status(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum, uint64_t *host_off);

/*
 * Like blk_block_status but through the backing chain: *depth is how many
 * backing layers down the content comes from (0 = b itself), and a range no
 * layer allocates is reported as ZERO with *depth = chain length.
 */
int blk_block_status_above(struct blk *b, uint64_t off, uint64_t len, uint64_t *pnum,
                           uint64_t *host_off, int *depth);

/* Resize the virtual disk (qcow2 cannot shrink: -ENOTSUP). 0 or -errno. */
int blk_truncate(struct blk *b, uint64_t size);

/* ---- creation ---- */

struct blk_create_opts {
    uint64_t size;            /* virtual size; 0 with a backing file: take the backing's */
    uint32_t cluster_size;    /* qcow2: 512..2M, power of two (0: 64 KiB) */
    int compat;               /* qcow2: 2 (0.10) or 3 (1.1, default when 0) */
    int refcount_bits;        /* qcow2: 1..64, power of two (0: 16) */
    bool lazy_refcounts;      /* qcow2 compat 1.1 only */
    const char *backing_file; /* as it will be stored in the image */
    const char *backing_fmt;
    bool preallocate_metadata;
};

/* Create (truncate) filename in format fmt. 0 or -errno with blk_last_error(). */
int blk_create(const char *filename, const char *fmt, const struct blk_create_opts *o);

/* ---- information ---- */

struct blk_info {
    const char *format;
    uint64_t virtual_size;
    int64_t actual_size;          /* storage used by the file, or -1 */
    uint32_t cluster_size;        /* 0 when the format has none */
    const char *backing_file;     /* as stored, or NULL */
    char backing_file_full[4096]; /* resolved against the image's directory */
    const char *backing_fmt;      /* or NULL */
    bool dirty;
    /* qcow2 only */
    bool is_qcow2;
    int compat; /* 2 or 3 */
    bool lazy_refcounts;
    int refcount_bits;
    bool corrupt;
    bool extended_l2;
};

int blk_get_info(struct blk *b, struct blk_info *info);

/* Offset just past the last byte the image uses (qemu-img's "Image end offset"). */
int64_t blk_image_end_offset(struct blk *b);

/* ---- check and repair (qemu-img check) ---- */

#define BLK_FIX_LEAKS 1
#define BLK_FIX_ERRORS 2

struct blk_check_result {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    int64_t image_end_offset;
    uint64_t total_clusters, allocated_clusters, fragmented_clusters, compressed_clusters;
};

/*
 * Check the image; with fix, repair what can be (after the repair the image
 * is checked again, and the result describes what is left, plus what was
 * fixed). Messages about each problem are written with the print callback.
 * 0 when the check ran (whatever it found), -ENOTSUP for formats without
 * metadata, -errno if it could not run.
 */
int blk_check(struct blk *b, struct blk_check_result *res, int fix,
              void (*print)(void *opaque, const char *msg), void *opaque);

/* ---- internal snapshots (qcow2) ---- */

struct blk_snapshot_info {
    char id[128];
    char name[256];
    uint64_t vm_state_size;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t icount; /* UINT64_MAX: not recorded */
};

/* List: returns the count (>= 0) and a malloc'd array in *out, or -errno. */
int blk_snapshot_list(struct blk *b, struct blk_snapshot_info **out);
/* Create a snapshot of the current disk state named name. 0 or -errno (-EEXIST). */
int blk_snapshot_create(struct blk *b, const char *name);
/* Revert to the snapshot with this id or name. 0 or -errno (-ENOENT). */
int blk_snapshot_apply(struct blk *b, const char *name);
/* Delete the snapshot with this id or name. 0 or -errno (-ENOENT). */
int blk_snapshot_delete(struct blk *b, const char *name);

/* ---- image changes ---- */

/*
 * Point the image at another backing file (rebase -u, and after stream
 * with NULL). The data is not touched. 0 or -errno.
 */
int blk_change_backing_file(struct blk *b, const char *backing_file, const char *backing_fmt);

struct blk_amend_opts {
    int compat;               /* 0: unchanged, else 2 or 3 */
    int lazy_refcounts;       /* -1: unchanged, else 0/1 */
    int refcount_bits;        /* 0: unchanged */
    uint64_t size;            /* 0: unchanged */
    const char *backing_file; /* NULL: unchanged */
    const char *backing_fmt;
};

/* qemu-img amend. 0 or -errno with blk_last_error(). */
int blk_amend(struct blk *b, const struct blk_amend_opts *o);

/*
 * Write compressed (convert -c): a whole cluster at a cluster-aligned
 * offset of a qcow2 image whose cluster is still unallocated. Falls back to
 * a normal write when deflate does not make it smaller. 0 or -errno
 * (-ENOTSUP on formats without compression).
 */
int blk_pwrite_compressed(struct blk *b, uint64_t off, const void *buf, uint64_t len);

/* Cluster size for compressed writes and copy granularity (raw: 64 KiB). */
uint32_t blk_cluster_size(struct blk *b);

/*
 * Make the image empty: every cluster of this layer unallocated, so reads go
 * to the backing file (qemu-img commit's last step). 0 or -errno.
 */
int blk_make_empty(struct blk *b);

/*
 * -snapshot: a node over base (opened read-only) that keeps every write in
 * memory, discarded at close. Closing it closes base too. 0 or -ENOMEM.
 */
int blk_open_snapshot_overlay(struct blk **out, struct blk *base);

/* ---- drives of the emulator's command line (-drive, -snapshot) ---- */

enum blk_drive_if { BLK_IF_NONE, BLK_IF_VIRTIO };

/*
 * Parse one -drive option string (file=, format=, if=none|virtio, cache=,
 * readonly=, snapshot=, id=, discard=ignore|unmap, serial=) and open it.
 * snapshot is the global -snapshot. Unknown keys and values are errors.
 * 0 or -errno after error_report() naming the option.
 */
int blk_drive_add(const char *spec, bool snapshot);

/* The drive named id, NULL if none. */
struct blk_drive_info {
    const char *id;
    struct blk *blk;
    enum blk_drive_if iface;
    bool discard; /* discard=unmap */
    const char *serial;
};
const struct blk_drive_info *blk_drive_find(const char *id);

/*
 * Claim a drive for a device: by id, or (id NULL) the next unclaimed drive
 * with interface iface. NULL if there is none, or if it is claimed already
 * (a message says which).
 */
const struct blk_drive_info *blk_drive_claim(const char *id, enum blk_drive_if iface);

/* Flush and close every drive (at exit). */
void blk_drives_close_all(void);

/* ---- jobs ---- */

/* Progress callback of the jobs: done and total bytes. */
typedef void blk_progress_fn(void *opaque, uint64_t done, uint64_t total);

/*
 * block-stream: copy every range top takes from its backing chain into
 * top, then make top independent (drop its backing file). top must be
 * writable. Runs to completion; callable from the monitor's command. 0 or -errno.
 */
int blk_stream(struct blk *top, blk_progress_fn *progress, void *opaque);

/*
 * The same job in steps, for running it while the guest runs (the monitor's
 * block-stream): start, then call step from the main loop until it returns
 * 1 (all copied; *done and *total report progress), then finish(true) to
 * drop the backing file. Guest writes between steps are safe: each step
 * copies only what top still lacks. finish(false) cancels (top keeps its
 * backing file and whatever was already copied). Steps return 0 (more to
 * do), 1 (done) or -errno; start and finish 0 or -errno.
 */
struct blk_stream_job;
int blk_stream_start(struct blk *top, struct blk_stream_job **out);
int blk_stream_step(struct blk_stream_job *j, uint64_t *done, uint64_t *total);
int blk_stream_finish(struct blk_stream_job *j, bool complete);

/*
 * commit: write every range allocated in the layers from top down to (not
 * including) base into base, which must be in top's backing chain and
 * writable (see blk_reopen_backing_rw); base NULL is top's backing file.
 * 0 or -errno.
 */
int blk_commit(struct blk *top, struct blk *base, blk_progress_fn *progress, void *opaque);

/* Reopen b's backing node read-write (for commit). 0 or -errno. */
int blk_reopen_backing_rw(struct blk *b);

#endif

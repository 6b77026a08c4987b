/*
 * platform.h - the only view of the machine that emu-core, targets/, hw/,
 * block/, net/ and console/ have. host/ (Linux) and kernel/ (the appliance)
 * each implement every function here; the Makefile links one or the other.
 *
 * Libc (malloc, string, stdio's snprintf) may be used freely by the portable
 * code; anything that touches files, time, terminals or the process goes
 * through here.
 */
#ifndef EMU_PLATFORM_H
#define EMU_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic host time in nanoseconds. Never goes backwards. */
uint64_t plat_clock_ns(void);

/* Wall-clock time (ns since the Unix epoch) for RTC models; 0 if unknown. */
uint64_t plat_wallclock_ns(void);

/*
 * Wait until host monotonic time reaches deadline_ns (UINT64_MAX: no
 * deadline) or until an input source has data, whichever comes first. Input
 * is delivered by the platform calling chardev_input() (and later net/block
 * completion callbacks) from inside this function. Returns the number of
 * input events dispatched (0 on plain timeout).
 */
int plat_wait(uint64_t deadline_ns);

/*
 * Poll input sources without sleeping; same delivery as plat_wait(). Called
 * by the main loop between vCPU slices so console input is never starved.
 */
int plat_poll(void);

/* Allocate guest RAM: page-aligned, zero-filled. NULL on failure. */
void *plat_ram_alloc(uint64_t size);
void plat_ram_free(void *p, uint64_t size);

/*
 * Allocate a buffer for generated host code (the CPU JIT): readable,
 * writable and executable for the life of the process, page-aligned.
 * NULL if the platform cannot provide executable memory (the caller then
 * interprets).
 */
void *plat_code_alloc(size_t size);

/*
 * Read a whole file named as the user named it (a path when hosted,
 * "module:NAME" or an ESP path on the appliance) into a malloc'd buffer.
 * Returns 0 and sets *data and *size, or a negative errno (-ENOENT, -EIO,
 * -EFBIG if it exceeds max_size).
 */
int plat_file_load(const char *name, uint64_t max_size, void **data, uint64_t *size);

/*
 * Write a whole buffer to a file (dumpdtb, memory dumps). Returns 0 or a
 * negative errno.
 */
int plat_file_store(const char *name, const void *data, uint64_t size);

/* Restore the console and terminate the emulator with this status. */
_Noreturn void plat_exit(int status);

/* Write text for the user (errors, logs) to the platform's diagnostic stream. */
void plat_diag_write(const char *buf, size_t len);

/* ======================================================================
 * Block files (owner: the block layer, block/). Disk images and the files
 * or disks under them. Offsets and lengths are bytes; every function
 * returns a negative errno on failure.
 * ====================================================================== */

struct plat_bfile;

#define PLAT_BF_RDWR 1u   /* open for writing too (else read-only) */
#define PLAT_BF_CREATE 2u /* create, or truncate to 0 if it exists (implies RDWR) */
#define PLAT_BF_DIRECT 4u /* bypass the host's cache where it can (O_DIRECT); any
                           * alignment is still accepted */

/* Open name with PLAT_BF_* flags. 0 and *out set, or -ENOENT, -EACCES, ... */
int plat_bfile_open(const char *name, unsigned flags, struct plat_bfile **out);

/* Read len bytes at off. Bytes past the end of the file read as zeros. 0 or -errno. */
int plat_bfile_pread(struct plat_bfile *f, uint64_t off, void *buf, size_t len);

/* Write len bytes at off, extending the file if needed. 0 or -errno (-ENOSPC, -EBADF if RO). */
int plat_bfile_pwrite(struct plat_bfile *f, uint64_t off, const void *buf, size_t len);

/* Make every completed write durable (fdatasync). 0 or -errno. */
int plat_bfile_flush(struct plat_bfile *f);

/* Set the length; growing adds zeros. 0 or -errno. */
int plat_bfile_truncate(struct plat_bfile *f, uint64_t size);

/* Current length in bytes, or -errno. */
int64_t plat_bfile_length(struct plat_bfile *f);

/* Bytes of storage actually used (st_blocks * 512 when hosted), or -errno. */
int64_t plat_bfile_allocated(struct plat_bfile *f);

/*
 * Give back the storage of [off, off+len) so it reads as zeros (punch a
 * hole). 0, or -EOPNOTSUPP when the storage cannot (the caller then writes
 * zeros if it needs them).
 */
int plat_bfile_discard(struct plat_bfile *f, uint64_t off, uint64_t len);

/*
 * What [off, off+len) starts with: returns 1 for data, 0 for a hole, and
 * sets *pnum to the length of that extent (at most len). Storage that cannot
 * tell reports data. -errno on error.
 */
int plat_bfile_extent(struct plat_bfile *f, uint64_t off, uint64_t len, uint64_t *pnum);

/* Close (no implicit flush beyond the host's). NULL is ignored. */
void plat_bfile_close(struct plat_bfile *f);

/* Whether a file of that name exists (for refusing to overwrite, backing lookups). */
int plat_bfile_exists(const char *name);

/*
 * Raw deflate (no zlib header, window 2^12: qcow2's compressed clusters),
 * from the platform's zlib. plat_deflate_raw compresses in[0..in_len) into
 * out; returns the compressed size, or -ENOSPC if it does not fit in
 * out_len. plat_inflate_raw fills exactly out_len bytes from the stream in
 * in[0..in_len) (trailing padding allowed); 0 or -EIO for a bad stream.
 * Both return -ENOTSUP on platforms without zlib.
 */
int plat_deflate_raw(const void *in, size_t in_len, void *out, size_t out_len);
int plat_inflate_raw(const void *in, size_t in_len, void *out, size_t out_len);

/* ======================================================================
 * Entropy for guests (virtio-rng). The bytes are handed to a guest as its
 * hardware RNG, so a source that cannot vouch for them says so rather than
 * returning something predictable.
 * ====================================================================== */

/*
 * Fill up to len bytes of buf from the platform's own source (getrandom(2)
 * when hosted; RDSEED/RDRAND, else a TSC-jitter mixer, on the appliance).
 * Returns the bytes filled (1..len; fewer than len is allowed, the caller
 * asks again), 0 for len 0, or a negative errno (-EAGAIN: none right now,
 * -EIO: the hardware source failed its retries). Never blocks for long.
 */
int plat_entropy(void *buf, size_t len);

/*
 * QEMU's rng-random back end: a file or device read for entropy
 * (/dev/urandom, /dev/hwrng, a pipe). Open returns 0 and *out, or a
 * negative errno (-ENOTSUP on a platform without such files). Read returns
 * the bytes read (1..len), 0 if none are available now (the source would
 * block, or it has reached its end), or a negative errno. Close ignores NULL.
 */
struct plat_entropy_file;
int plat_entropy_file_open(const char *name, struct plat_entropy_file **out);
int plat_entropy_file_read(struct plat_entropy_file *f, void *buf, size_t len);
void plat_entropy_file_close(struct plat_entropy_file *f);

#endif

/*
 * block-file.c - the "block files" part of emu-core/platform.h for Linux:
 * image files opened with pread/pwrite. O_DIRECT needs aligned buffers,
 * offsets and lengths; the block layer does not promise them, so a second,
 * buffered descriptor serves the unaligned requests (Linux keeps the two
 * coherent: direct I/O writes back and invalidates the page cache range).
 * Names go through host_open(), so /dev/fdset/N works as in QEMU.
 */
#define _GNU_SOURCE
#include "emu-core/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "host/monitor-host.h"

#define BFILE_DIRECT_ALIGN 4096

struct plat_bfile {
    int fd;        /* buffered */
    int direct_fd; /* O_DIRECT, or -1 */
    bool can_punch;
};

int plat_bfile_open(const char *name, unsigned flags, struct plat_bfile **out)
{
    int oflags = O_CLOEXEC;
    struct plat_bfile *f;

    if (flags & PLAT_BF_CREATE)
        oflags |= O_RDWR | O_CREAT | O_TRUNC;
    else
        oflags |= (flags & PLAT_BF_RDWR) ? O_RDWR : O_RDONLY;
    f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->fd = host_open(name, oflags, 0644);
    if (f->fd < 0) {
        int err = f->fd;
        free(f);
        return err;
    }
    f->direct_fd = -1;
    f->can_punch = true;
    if (flags & PLAT_BF_DIRECT) {
        f->direct_fd = host_open(name, (oflags & ~(O_CREAT | O_TRUNC)) | O_DIRECT, 0);
        if (f->direct_fd < 0) {
            int err = f->direct_fd;
            close(f->fd);
            free(f);
            return err == -EINVAL ? -EOPNOTSUPP : err;
        }
    }
    *out = f;
    return 0;
}

static bool bfile_direct_ok(struct plat_bfile *f, uint64_t off, const void *buf, size_t len)
{
    return f->direct_fd >= 0 && !(off % BFILE_DIRECT_ALIGN) && !(len % BFILE_DIRECT_ALIGN) &&
           !((uintptr_t)buf % BFILE_DIRECT_ALIGN);
}

int plat_bfile_pread(struct plat_bfile *f, uint64_t off, void *buf, size_t len)
{
    int fd = bfile_direct_ok(f, off, buf, len) ? f->direct_fd : f->fd;
    uint8_t *p = buf;

    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EINVAL && fd == f->direct_fd) {
                fd = f->fd;
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            memset(p, 0, len); /* past the end */
            return 0;
        }
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

int plat_bfile_pwrite(struct plat_bfile *f, uint64_t off, const void *buf, size_t len)
{
    int fd = bfile_direct_ok(f, off, buf, len) ? f->direct_fd : f->fd;
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EINVAL && fd == f->direct_fd) {
                fd = f->fd;
                continue;
            }
            return -errno;
        }
        if (n == 0)
            return -EIO;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

int plat_bfile_flush(struct plat_bfile *f)
{
    return fdatasync(f->fd) < 0 ? -errno : 0;
}

int plat_bfile_truncate(struct plat_bfile *f, uint64_t size)
{
    return ftruncate(f->fd, (off_t)size) < 0 ? -errno : 0;
}

int64_t plat_bfile_length(struct plat_bfile *f)
{
    struct stat st;

    if (fstat(f->fd, &st) < 0)
        return -errno;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(f->fd, 0, SEEK_END);
        return end < 0 ? -errno : end;
    }
    return st.st_size;
}

int64_t plat_bfile_allocated(struct plat_bfile *f)
{
    struct stat st;

    if (fstat(f->fd, &st) < 0)
        return -errno;
    return (int64_t)st.st_blocks * 512;
}

int plat_bfile_discard(struct plat_bfile *f, uint64_t off, uint64_t len)
{
    if (!f->can_punch)
        return -EOPNOTSUPP;
    if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) < 0) {
        if (errno == EOPNOTSUPP || errno == ENOSYS) {
            f->can_punch = false;
            return -EOPNOTSUPP;
        }
        return -errno;
    }
    return 0;
}

int plat_bfile_extent(struct plat_bfile *f, uint64_t off, uint64_t len, uint64_t *pnum)
{
    off_t data, hole;

    data = lseek(f->fd, (off_t)off, SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO) { /* off is in a hole that runs to the end */
            *pnum = len;
            return 0;
        }
        *pnum = len; /* cannot tell: data */
        return 1;
    }
    if ((uint64_t)data > off) {
        *pnum = (uint64_t)data - off < len ? (uint64_t)data - off : len;
        return 0;
    }
    hole = lseek(f->fd, (off_t)off, SEEK_HOLE);
    if (hole < 0 || (uint64_t)hole <= off) {
        *pnum = len;
        return 1;
    }
    *pnum = (uint64_t)hole - off < len ? (uint64_t)hole - off : len;
    return 1;
}

void plat_bfile_close(struct plat_bfile *f)
{
    if (!f)
        return;
    if (f->direct_fd >= 0)
        close(f->direct_fd);
    close(f->fd);
    free(f);
}

int plat_bfile_exists(const char *name)
{
    struct stat st;

    return stat(name, &st) == 0;
}

int plat_deflate_raw(const void *in, size_t in_len, void *out, size_t out_len)
{
    z_stream z;
    int ret;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return -ENOMEM;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)out_len;
    ret = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (ret != Z_STREAM_END)
        return -ENOSPC;
    return (int)z.total_out;
}

int plat_inflate_raw(const void *in, size_t in_len, void *out, size_t out_len)
{
    z_stream z;
    int ret;

    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -12) != Z_OK)
        return -ENOMEM;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)out_len;
    ret = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    /* The stored size is rounded up to sectors: a full output is what counts. */
    if ((ret != Z_STREAM_END && ret != Z_BUF_ERROR) || z.avail_out)
        return -EIO;
    return 0;
}

/*
 * plat-fallback.c - the "block files" functions of emu-core/platform.h for
 * platforms that do not provide them yet (the appliance: disks and boot
 * modules as block devices come later). Weak, so a platform's own
 * definitions (host/block-file.c) replace them. They fail honestly: no
 * image can be opened, compression is unavailable.
 */
#include <errno.h>

#include "emu-core/platform.h"

#define PLAT_WEAK __attribute__((weak))

PLAT_WEAK int plat_bfile_open(const char *name, unsigned flags, struct plat_bfile **out)
{
    (void)name;
    (void)flags;
    (void)out;
    return -ENOSYS;
}

PLAT_WEAK int plat_bfile_pread(struct plat_bfile *f, uint64_t off, void *buf, size_t len)
{
    (void)f, (void)off, (void)buf, (void)len;
    return -ENOSYS;
}

PLAT_WEAK int plat_bfile_pwrite(struct plat_bfile *f, uint64_t off, const void *buf, size_t len)
{
    (void)f, (void)off, (void)buf, (void)len;
    return -ENOSYS;
}

PLAT_WEAK int plat_bfile_flush(struct plat_bfile *f)
{
    (void)f;
    return -ENOSYS;
}

PLAT_WEAK int plat_bfile_truncate(struct plat_bfile *f, uint64_t size)
{
    (void)f, (void)size;
    return -ENOSYS;
}

PLAT_WEAK int64_t plat_bfile_length(struct plat_bfile *f)
{
    (void)f;
    return -ENOSYS;
}

PLAT_WEAK int64_t plat_bfile_allocated(struct plat_bfile *f)
{
    (void)f;
    return -ENOSYS;
}

PLAT_WEAK int plat_bfile_discard(struct plat_bfile *f, uint64_t off, uint64_t len)
{
    (void)f, (void)off, (void)len;
    return -EOPNOTSUPP;
}

PLAT_WEAK int plat_bfile_extent(struct plat_bfile *f, uint64_t off, uint64_t len, uint64_t *pnum)
{
    (void)f, (void)off;
    *pnum = len;
    return 1;
}

PLAT_WEAK void plat_bfile_close(struct plat_bfile *f)
{
    (void)f;
}

PLAT_WEAK int plat_bfile_exists(const char *name)
{
    (void)name;
    return 0;
}

PLAT_WEAK int plat_deflate_raw(const void *in, size_t in_len, void *out, size_t out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return -ENOTSUP;
}

PLAT_WEAK int plat_inflate_raw(const void *in, size_t in_len, void *out, size_t out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return -ENOTSUP;
}

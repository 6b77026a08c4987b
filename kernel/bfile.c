/*
 * bfile.c - block files on the appliance: the boot modules, read-only. A
 * module lives in RAM only, so accepting writes would lose them at power-off
 * while claiming they were stored: writable opens are refused with -EROFS
 * (the user adds readonly=on, or -snapshot once it keeps its overlay in RAM).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/platform.h"
#include "kernel/kernel.h"
#include "kernel/metal.h"

struct plat_bfile {
    const struct kern_module *mod;
};

int plat_bfile_open(const char *name, unsigned flags, struct plat_bfile **out)
{
    const struct kern_module *m;

    if (!(m = metal_module_for_file(name)))
        return -ENOENT;
    if (flags & (PLAT_BF_RDWR | PLAT_BF_CREATE))
        return -EROFS;
    struct plat_bfile *f = malloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->mod = m;
    *out = f;
    return 0;
}

int plat_bfile_pread(struct plat_bfile *f, uint64_t off, void *buf, size_t len)
{
    uint64_t size = f->mod->size;
    size_t n = off < size ? (size - off < len ? size - off : len) : 0;

    if (n)
        memcpy(buf, (const uint8_t *)(uintptr_t)f->mod->start + off, n);
    memset((uint8_t *)buf + n, 0, len - n);
    return 0;
}

int plat_bfile_pwrite(struct plat_bfile *f, uint64_t off, const void *buf, size_t len)
{
    (void)f;
    (void)off;
    (void)buf;
    (void)len;
    return -EBADF;
}

int plat_bfile_flush(struct plat_bfile *f)
{
    (void)f;
    return 0; /* read-only: nothing was written that could be lost */
}

int plat_bfile_truncate(struct plat_bfile *f, uint64_t size)
{
    (void)f;
    (void)size;
    return -EROFS;
}

int64_t plat_bfile_length(struct plat_bfile *f)
{
    return (int64_t)f->mod->size;
}

int64_t plat_bfile_allocated(struct plat_bfile *f)
{
    return (int64_t)f->mod->size;
}

int plat_bfile_discard(struct plat_bfile *f, uint64_t off, uint64_t len)
{
    (void)f;
    (void)off;
    (void)len;
    return -EOPNOTSUPP;
}

int plat_bfile_extent(struct plat_bfile *f, uint64_t off, uint64_t len, uint64_t *pnum)
{
    (void)f;
    (void)off;
    *pnum = len;
    return 1;
}

void plat_bfile_close(struct plat_bfile *f)
{
    free(f);
}

int plat_bfile_exists(const char *name)
{
    return metal_module_for_file(name) != NULL;
}

/*
 * qcow2-compress.c - compressed clusters: raw deflate streams (zlib,
 * window 2^12) stored at byte granularity, several packed into one host
 * cluster. Reading any of them and writing them (convert -c).
 */
#include "block/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/platform.h"

static int qcow2_compress_bufs(struct qcow2 *s)
{
    if (!s->zbuf)
        s->zbuf = malloc(2 * (size_t)s->cluster_size + 512);
    if (!s->dcache)
        s->dcache = malloc(s->cluster_size);
    return s->zbuf && s->dcache ? 0 : -ENOMEM;
}

int qcow2_read_compressed(struct qcow2 *s, uint64_t l2e)
{
    uint64_t off, len;
    int ret;

    ret = qcow2_compress_bufs(s);
    if (ret < 0)
        return ret;
    if (s->dcache_off == l2e)
        return 0;
    s->dcache_off = 0;
    qcow2_compressed_loc(s, l2e, &off, &len);
    if (len > 2 * (uint64_t)s->cluster_size + 512)
        return qcow2_signal_corruption(s, "compressed cluster at 0x%llx is too large",
                                       (unsigned long long)off);
    if (off + len > s->file_size + 512) /* the last sector may be partial */
        return qcow2_signal_corruption(s,
                                       "compressed cluster at 0x%llx is past the end of "
                                       "the file",
                                       (unsigned long long)off);
    ret = blk_file_pread(s->b->file, off, s->zbuf, len);
    if (ret < 0)
        return ret;
    ret = plat_inflate_raw(s->zbuf, len, s->dcache, s->cluster_size);
    if (ret == -ENOTSUP)
        return blk_error(ret, "qcow2: compressed clusters need zlib, which this build lacks");
    if (ret < 0)
        return blk_error(-EIO, "qcow2: compressed cluster at 0x%llx does not decompress",
                         (unsigned long long)off);
    s->dcache_off = l2e;
    return 0;
}

int qcow2_pwrite_compressed(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    struct qcow2 *s = qcow2_state(b);
    uint64_t cs = s->cluster_size, e, old, nsec;
    uint8_t *in = NULL, *out = NULL;
    unsigned shift = 62 - (s->cluster_bits - 8);
    int64_t coff;
    int ret;

    if (s->corrupt)
        return blk_error(-EIO, "qcow2: image is marked corrupt; refusing to write");
    if ((off & (cs - 1)) || (len != cs && off + len != b->size) || len > cs)
        return blk_error(-EINVAL, "compressed writes must cover one whole cluster");
    ret = qcow2_get_l2_entry(s, off, &e);
    if (ret < 0)
        return ret;
    if (qcow2_entry_type(s, e) != QCOW2_UNALLOCATED && qcow2_entry_type(s, e) != QCOW2_ZERO_PLAIN)
        return qcow2_pwrite(b, off, buf, len);
    in = calloc(1, cs);
    out = malloc(cs);
    if (!in || !out) {
        ret = -ENOMEM;
        goto out;
    }
    memcpy(in, buf, len);
    ret = plat_deflate_raw(in, cs, out, cs - 1);
    if (ret == -ENOTSUP) {
        ret = blk_error(ret, "compression needs zlib, which this build lacks");
        goto out;
    }
    if (ret < 0) { /* did not shrink: store it plainly */
        ret = qcow2_pwrite(b, off, buf, len);
        goto out;
    }
    uint32_t zlen = (uint32_t)ret;
    coff = qcow2_alloc_bytes(s, zlen);
    if (coff < 0) {
        ret = (int)coff;
        goto out;
    }
    ret = blk_file_pwrite(b->file, (uint64_t)coff, out, zlen);
    if (ret < 0)
        goto out;
    nsec = (((uint64_t)coff + zlen - 1) >> 9) - ((uint64_t)coff >> 9);
    ret =
        qcow2_set_l2_entry(s, off, QCOW_OFLAG_COMPRESSED | (uint64_t)coff | (nsec << shift), &old);
    if (ret >= 0)
        ret = qcow2_free_l2_entry(s, old);
out:
    free(in);
    free(out);
    return ret;
}

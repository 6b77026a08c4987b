/*
 * img-convert.c - baremu-img convert, compare, commit and rebase: the
 * commands that copy data between images. Holes and zeros are found with
 * block status and skipped, data is moved in 2 MiB requests.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/img.h"

#define IMG_CHUNK (2u << 20)

static bool img_is_zero(const uint8_t *p, size_t len)
{
    if (len < 16) {
        for (size_t i = 0; i < len; i++)
            if (p[i])
                return false;
        return true;
    }
    for (size_t i = 0; i < 16; i++)
        if (p[i])
            return false;
    return !memcmp(p, p + 16, len - 16);
}

/* Write buf at off, skipping zero runs of `sparse` bytes when the target is fresh. */
static int img_write_sparse(struct blk *dst, uint64_t off, const uint8_t *buf, uint64_t len,
                            uint64_t sparse, bool fresh)
{
    uint64_t i = 0;

    if (!sparse)
        return blk_pwrite(dst, off, buf, len);
    while (i < len) {
        uint64_t g = sparse - ((off + i) % sparse), j;
        bool z;

        if (g > len - i)
            g = len - i;
        z = img_is_zero(buf + i, g);
        for (j = i + g; j < len;) {
            uint64_t h = sparse < len - j ? sparse : len - j;
            if (img_is_zero(buf + j, h) != z)
                break;
            j += h;
        }
        int ret = z ? (fresh ? 0 : blk_pwrite_zeroes(dst, off + i, j - i, true))
                    : blk_pwrite(dst, off + i, buf + i, j - i);
        if (ret < 0)
            return ret;
        i = j;
    }
    return 0;
}

/*
 * convert -B: the target shows its backing file where it has no data, so
 * only the 64 KiB pieces where the source differs from what the target
 * reads already are written.
 */
static int img_write_over_backing(struct blk *src, struct blk *dst, uint64_t soff, uint64_t doff,
                                  uint64_t n, int st, uint8_t *buf)
{
    static uint8_t cur[65536];
    int ret;

    if (st & BLK_STATUS_DATA)
        ret = blk_pread(src, soff, buf, n);
    else
        ret = (memset(buf, 0, n), 0);
    for (uint64_t i = 0; ret >= 0 && i < n; i += sizeof(cur)) {
        uint64_t m = n - i < sizeof(cur) ? n - i : sizeof(cur);
        ret = blk_pread(dst, doff + i, cur, m);
        if (ret >= 0 && memcmp(cur, buf + i, m))
            ret = img_is_zero(buf + i, m) ? blk_pwrite_zeroes(dst, doff + i, m, false)
                                          : blk_pwrite(dst, doff + i, buf + i, m);
    }
    return ret;
}

int img_convert(int argc, char **argv)
{
    const char *fmt = NULL, *ofmt = "raw", *cache = "unsafe", *scache = NULL, *opts = NULL;
    bool progress = false, compress = false, no_create = false, quiet = false;
    struct blk_create_opts o = {0};
    struct img_create_extra x = {0};
    uint64_t sparse = 4096, total = 0, done = 0, dst_off = 0;
    struct blk **src = NULL, *dst = NULL;
    int nsrc, c, ret = 1;
    uint8_t *buf = NULL;
    const char *out;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:O:o:pcnqt:T:S:WUm:B:F:")) != -1) {
        switch (c) {
        case 'B':
            o.backing_file = optarg;
            break;
        case 'F':
            o.backing_fmt = optarg;
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            ofmt = optarg;
            break;
        case 'o':
            opts = optarg;
            break;
        case 'p':
            progress = true;
            break;
        case 'c':
            compress = true;
            break;
        case 'n':
            no_create = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 't':
            cache = optarg;
            break;
        case 'T':
            scache = optarg;
            break;
        case 'S':
            if (img_parse_size(optarg, &sparse) < 0 || (sparse % 512)) {
                img_error("Invalid buffer size for sparse output specified");
                return 1;
            }
            break;
        case 'W':
        case 'U':
        case 'm':
            break;
        default:
            return 1;
        }
    }
    nsrc = argc - optind - 1;
    if (nsrc < 1) {
        img_error("Expecting image file name");
        return 1;
    }
    out = argv[argc - 1];
    if (compress && strcmp(ofmt, "qcow2")) {
        img_error("Compression not supported for this file format");
        return 1;
    }
    if (opts && img_parse_create_opts(opts, &o, &x) < 0)
        return 1;
    if (o.backing_file && (no_create || compress)) {
        img_error("-B cannot be combined with -n or -c");
        return 1;
    }
    src = calloc(nsrc, sizeof(*src));
    buf = malloc(IMG_CHUNK);
    if (!src || !buf)
        goto out;
    for (int i = 0; i < nsrc; i++) {
        src[i] = img_open(argv[optind + i], fmt, 0, scache);
        if (!src[i])
            goto out;
        total += blk_length(src[i]);
    }
    if (o.backing_file && !o.backing_fmt) {
        char path[4096];
        struct blk *bb;
        blk_resolve_backing_path(out, o.backing_file, path, sizeof(path));
        if (blk_open(&bb, path, NULL, BLK_O_NO_BACKING, BLK_CACHE_WRITEBACK) < 0) {
            img_error("Could not open backing file '%s': %s", path, blk_last_error());
            goto out;
        }
        o.backing_fmt = strdup(blk_format(bb));
        blk_close(bb);
    }
    if (!no_create) {
        o.size = total;
        if (blk_create(out, ofmt, &o) < 0) {
            img_error("%s: error while converting %s: %s", out, ofmt, blk_last_error());
            goto out;
        }
    }
    dst = img_open(out, no_create ? NULL : ofmt, BLK_O_RDWR, cache);
    if (!dst)
        goto out;
    if (blk_length(dst) < total) {
        img_error("output file is smaller than input file");
        goto out;
    }
    uint32_t cs = blk_cluster_size(dst);
    for (int i = 0; i < nsrc; i++) {
        uint64_t size = blk_length(src[i]), off = 0;
        while (off < size) {
            uint64_t n, host, chunk = size - off < IMG_CHUNK ? size - off : IMG_CHUNK;
            int depth, st = blk_block_status_above(src[i], off, chunk, &n, &host, &depth);

            if (st < 0) {
                img_error("error while reading block status of %s: %s", argv[optind + i],
                          blk_last_error());
                goto out;
            }
            if (compress) {
                /* Whole clusters, each compressed on its own. */
                uint64_t start = (dst_off + off) & ~(uint64_t)(cs - 1);
                n = start + cs - (dst_off + off);
                if (n > size - off)
                    n = size - off;
                if (n > IMG_CHUNK)
                    n = IMG_CHUNK;
                memset(buf, 0, cs);
                /* The cluster's head may hold the previous source's tail. */
                ret = dst_off + off > start ? blk_pread(dst, start, buf, dst_off + off - start) : 0;
                if (ret >= 0)
                    ret = blk_pread(src[i], off, buf + (dst_off + off - start), n);
                if (ret >= 0 && !img_is_zero(buf, cs)) {
                    uint64_t len = cs;
                    if (start + len > blk_length(dst))
                        len = blk_length(dst) - start;
                    ret = blk_pwrite_compressed(dst, start, buf, len);
                }
            } else if (o.backing_file) {
                ret = img_write_over_backing(src[i], dst, off, dst_off + off, n, st, buf);
            } else if (!(st & BLK_STATUS_DATA)) {
                ret = no_create ? blk_pwrite_zeroes(dst, dst_off + off, n, true) : 0;
            } else {
                ret = blk_pread(src[i], off, buf, n);
                if (ret >= 0)
                    ret = img_write_sparse(dst, dst_off + off, buf, n, sparse, !no_create);
            }
            if (ret < 0) {
                img_error("error while converting: %s", blk_last_error());
                ret = 1;
                goto out;
            }
            off += n;
            if (progress && !quiet)
                img_progress(NULL, done + off, total);
        }
        done += size;
        dst_off += size;
    }
    if (progress && !quiet)
        img_progress_end();
    ret = 0;
out:
    if (dst && blk_close(dst) < 0 && !ret) {
        img_error("error while closing the output: %s", blk_last_error());
        ret = 1;
    }
    for (int i = 0; src && i < nsrc; i++)
        blk_close(src[i]);
    free(src);
    free(buf);
    return ret;
}

int img_compare(int argc, char **argv)
{
    const char *fmt1 = NULL, *fmt2 = NULL;
    bool strict = false, quiet = false, progress = false;
    struct blk *a = NULL, *b = NULL;
    uint8_t *ba = NULL, *bb = NULL;
    uint64_t sa, sb, common, off = 0;
    int c, ret = 2;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:F:sqpT:U")) != -1) {
        switch (c) {
        case 'f':
            fmt1 = optarg;
            break;
        case 'F':
            fmt2 = optarg;
            break;
        case 's':
            strict = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'p':
            progress = true;
            break;
        case 'T':
        case 'U':
            break;
        default:
            return 2;
        }
    }
    if (argc - optind != 2) {
        img_error("Expecting two image file names");
        return 2;
    }
    if (!fmt2)
        fmt2 = fmt1;
    a = img_open(argv[optind], fmt1, 0, NULL);
    b = a ? img_open(argv[optind + 1], fmt2, 0, NULL) : NULL;
    ba = malloc(IMG_CHUNK);
    bb = malloc(IMG_CHUNK);
    if (!a || !b || !ba || !bb)
        goto out;
    sa = blk_length(a);
    sb = blk_length(b);
    common = sa < sb ? sa : sb;
    if (sa != sb) {
        if (strict) {
            if (!quiet)
                printf("Strict mode: Image size mismatch!\n");
            ret = 1;
            goto out;
        }
        if (!quiet)
            printf("Warning: Image size mismatch!\n");
    }
    while (off < (sa > sb ? sa : sb)) {
        uint64_t n = IMG_CHUNK, pa, pb, host;
        int da, db, st1 = 0, st2 = 0;
        struct blk *longer = sa > sb ? a : b;

        if (off < common) {
            if (n > common - off)
                n = common - off;
            st1 = blk_block_status_above(a, off, n, &pa, &host, &da);
            st2 = st1 < 0 ? st1 : blk_block_status_above(b, off, n, &pb, &host, &db);
            if (st1 < 0 || st2 < 0) {
                img_error("error while reading image metadata: %s", blk_last_error());
                goto out;
            }
            n = pa < pb ? pa : pb;
            if ((st1 | st2) & BLK_STATUS_DATA) {
                if (blk_pread(a, off, ba, n) < 0 || blk_pread(b, off, bb, n) < 0) {
                    img_error("error while reading: %s", blk_last_error());
                    goto out;
                }
                if (memcmp(ba, bb, n)) {
                    uint64_t i = 0;
                    while (!memcmp(ba + i, bb + i, 512 < n - i ? 512 : n - i))
                        i += 512;
                    if (!quiet)
                        printf("Content mismatch at offset %llu!\n", (unsigned long long)(off + i));
                    ret = 1;
                    goto out;
                }
            }
        } else {
            uint64_t size = blk_length(longer);
            if (n > size - off)
                n = size - off;
            if (blk_pread(longer, off, ba, n) < 0) {
                img_error("error while reading: %s", blk_last_error());
                goto out;
            }
            if (!img_is_zero(ba, n)) {
                uint64_t i = 0;
                while (img_is_zero(ba + i, 512 < n - i ? 512 : n - i))
                    i += 512;
                if (!quiet)
                    printf("Content mismatch at offset %llu!\n", (unsigned long long)(off + i));
                ret = 1;
                goto out;
            }
        }
        off += n;
        if (progress && !quiet)
            img_progress(NULL, off, sa > sb ? sa : sb);
    }
    if (progress && !quiet)
        img_progress_end();
    if (!quiet)
        printf("Images are identical.\n");
    ret = 0;
out:
    if (a)
        blk_close(a);
    if (b)
        blk_close(b);
    free(ba);
    free(bb);
    return ret;
}

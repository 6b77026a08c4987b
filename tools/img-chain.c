/*
 * img-chain.c - baremu-img commit and rebase: the commands that move data
 * along a backing chain.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/img.h"

#define IMG_CHUNK (2u << 20)

int img_commit(int argc, char **argv)
{
    const char *fmt = NULL, *cache = "unsafe", *base_name = NULL;
    bool keep = false, progress = false, quiet = false;
    struct blk *b, *parent, *base = NULL;
    int c, ret;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:t:b:dpqr:")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 't':
            cache = optarg;
            break;
        case 'b':
            base_name = optarg;
            keep = true; /* as in qemu-img: a base other than the backing file implies -d */
            break;
        case 'd':
            keep = true;
            break;
        case 'p':
            progress = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'r':
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        img_error("Expecting one image file name");
        return 1;
    }
    b = img_open(argv[optind], fmt, BLK_O_RDWR, cache);
    if (!b)
        return 1;
    /* The base: the backing file, or the chain member -b names (as stored or resolved). */
    for (parent = b; blk_backing(parent); parent = blk_backing(parent)) {
        struct blk *cand = blk_backing(parent);
        const char *fn = blk_filename(cand);
        size_t fl = strlen(fn), bl = base_name ? strlen(base_name) : 0;
        if (!base_name || !strcmp(fn, base_name) ||
            (fl > bl && fn[fl - bl - 1] == '/' && !strcmp(fn + fl - bl, base_name))) {
            base = cand;
            break;
        }
    }
    if (!base) {
        img_error(base_name ? "'%s' is not in the backing chain of '%s'"
                            : "Image '%s' has no backing file (%s)",
                  base_name ? base_name : argv[optind], argv[optind]);
        blk_close(b);
        return 1;
    }
    ret = blk_reopen_backing_rw(parent);
    if (ret >= 0)
        ret = blk_commit(b, blk_backing(parent), progress && !quiet ? img_progress : NULL, NULL);
    if (progress && !quiet)
        img_progress_end();
    if (ret >= 0 && !keep)
        ret = blk_make_empty(b);
    if (ret < 0)
        img_error("%s", blk_last_error());
    else if (!quiet)
        printf("Image committed.\n");
    if (blk_close(b) < 0 && ret >= 0) {
        img_error("%s", blk_last_error());
        ret = -EIO;
    }
    return ret < 0;
}

int img_rebase(int argc, char **argv)
{
    const char *fmt = NULL, *bfile = NULL, *bfmt = NULL, *cache = "unsafe";
    bool unsafe = false, progress = false, quiet = false;
    struct blk *b = NULL, *nb = NULL;
    uint8_t *bo = NULL, *bn = NULL;
    int c, ret = -1;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:b:F:ut:T:pqU")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'b':
            bfile = optarg;
            break;
        case 'F':
            bfmt = optarg;
            break;
        case 'u':
            unsafe = true;
            break;
        case 't':
            cache = optarg;
            break;
        case 'p':
            progress = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'T':
        case 'U':
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        img_error("Expecting one image file name");
        return 1;
    }
    if (!bfile) {
        img_error("Must specify backing file (-b) or use '-b \"\"' to remove the backing file");
        return 1;
    }
    b = img_open(argv[optind], fmt, BLK_O_RDWR | (unsafe ? BLK_O_NO_BACKING : 0), cache);
    if (!b)
        return 1;
    if (*bfile && (!unsafe || !bfmt)) {
        char path[4096];
        blk_resolve_backing_path(argv[optind], bfile, path, sizeof(path));
        if (blk_open(&nb, path, bfmt, 0, BLK_CACHE_WRITEBACK) < 0) {
            img_error("Could not open new backing file '%s': %s", path, blk_last_error());
            goto out;
        }
        if (!bfmt)
            bfmt = blk_format(nb);
    }
    if (!unsafe) {
        uint64_t size = blk_length(b), off = 0;
        struct blk *old = blk_backing(b);

        bo = malloc(IMG_CHUNK);
        bn = malloc(IMG_CHUNK);
        if (!bo || !bn)
            goto out;
        while (off < size) {
            uint64_t n, host, chunk = size - off < IMG_CHUNK ? size - off : IMG_CHUNK;
            int st = blk_block_status(b, off, chunk, &n, &host);

            if (st < 0)
                goto io_err;
            if (!(st & BLK_STATUS_ALLOCATED)) {
                /* Keep what the old chain showed wherever the new one differs. */
                memset(bo, 0, n);
                memset(bn, 0, n);
                if (old && off < blk_length(old) &&
                    blk_pread(old, off, bo, n < blk_length(old) - off ? n : blk_length(old) - off) <
                        0)
                    goto io_err;
                if (nb && off < blk_length(nb) &&
                    blk_pread(nb, off, bn, n < blk_length(nb) - off ? n : blk_length(nb) - off) < 0)
                    goto io_err;
                for (uint64_t i = 0; i < n; i += 65536) {
                    uint64_t m = n - i < 65536 ? n - i : 65536;
                    if (memcmp(bo + i, bn + i, m) && blk_pwrite(b, off + i, bo + i, m) < 0)
                        goto io_err;
                }
            }
            off += n;
            if (progress && !quiet)
                img_progress(NULL, off, size);
        }
        if (progress && !quiet)
            img_progress_end();
    }
    ret = blk_change_backing_file(b, *bfile ? bfile : NULL, *bfile ? bfmt : NULL);
    if (ret < 0)
        img_error("Could not change the backing file to '%s': %s", bfile, blk_last_error());
    goto out;
io_err:
    img_error("error while rebasing: %s", blk_last_error());
    ret = -1;
out:
    if (nb)
        blk_close(nb);
    if (blk_close(b) < 0 && ret >= 0)
        ret = -1;
    free(bo);
    free(bn);
    return ret < 0;
}

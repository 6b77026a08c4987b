/*
 * fuzz-qcow2.c - libFuzzer target for the qcow2 driver: the input is an
 * image file. It is opened read-only and read, checked, repaired, then
 * written to, snapshotted and discarded in, as blk-fuzz does, but guided by
 * coverage. The image must never make us crash, hang or grow the file past
 * a bound (a write outside the image).
 *   make fuzz-qcow2-long   (seeds: small images made by the block layer)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/block.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[1 << 20];
    struct blk_check_result r;
    struct blk *b;
    struct stat st;
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/fuzz-qcow2-%d.img", (int)getpid());
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    if (blk_open(&b, path, "qcow2", BLK_O_NO_BACKING, BLK_CACHE_WRITEBACK) >= 0) {
        uint64_t len = blk_length(b);
        for (uint64_t off = 0; off < len && off < (4 << 20); off += sizeof(buf))
            blk_pread(b, off, buf, len - off < sizeof(buf) ? len - off : sizeof(buf));
        blk_check(b, &r, 0, NULL, NULL);
        blk_close(b);
    }
    if (blk_open(&b, path, "qcow2", BLK_O_RDWR | BLK_O_CHECK | BLK_O_NO_BACKING,
                 BLK_CACHE_UNSAFE) >= 0) {
        blk_check(b, &r, BLK_FIX_LEAKS | BLK_FIX_ERRORS, NULL, NULL);
        blk_close(b);
    }
    if (blk_open(&b, path, "qcow2", BLK_O_RDWR | BLK_O_NO_BACKING, BLK_CACHE_UNSAFE) >= 0) {
        uint64_t len = blk_length(b);
        memset(buf, 0x5a, 8192);
        if (len >= 8192) {
            blk_pwrite(b, 512, buf, 8192);
            blk_pwrite(b, len - 4096, buf, 4096);
            blk_pwrite_zeroes(b, 0, len < (1 << 20) ? len : (1 << 20), true);
        }
        blk_snapshot_create(b, "f");
        blk_close(b);
    }
    if (stat(path, &st) == 0 && st.st_size > (64 << 20) + (int64_t)size)
        abort(); /* grew far past anything the input could justify */
    unlink(path);
    return 0;
}

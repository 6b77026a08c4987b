/*
 * blk-io - drives the block layer from test scripts (what qemu-io is to
 * QEMU's tests). Usage:
 *   blk-io [-f fmt] [-t cache] [-w on|off] IMAGE CMD...
 * Commands (offsets and lengths in bytes):
 *   write OFF LEN BYTE   fill with BYTE        read OFF LEN BYTE  verify (exit 1 on mismatch)
 *   zero OFF LEN         write zeroes          zerou OFF LEN      same, may unmap
 *   discard OFF LEN      flush                 stream             block-stream into IMAGE
 *   snap-create NAME     snap-apply NAME       snap-delete NAME
 *   crash SEED LOG       random stamped writes, zero writes and flushes for ever, logging
 *                        "W|Z seq off len" before each write and "F seq" after each flush
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/block.h"

static uint64_t num(const char *s)
{
    return strtoull(s, NULL, 0);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Each 512-byte sector carries (seq, offset) records so a verifier can tell who wrote it. */
static void stamp(uint8_t *buf, uint64_t seq, uint64_t off, uint64_t len)
{
    for (uint64_t i = 0; i < len; i += 16) {
        uint64_t sec = (off + i) & ~511ull;
        memcpy(buf + i, &seq, 8);
        memcpy(buf + i + 8, &sec, 8);
    }
}

static int crash_loop(struct blk *b, uint64_t seed, const char *logname)
{
    int log = open(logname, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    uint64_t size = blk_length(b), seq = 0;
    uint8_t *buf = malloc(256 << 10);
    char line[80];

    if (log < 0 || !buf)
        return 1;
    rng_state = seed * 2654435761u + 1;
    for (;;) {
        uint64_t len = ((rng() % 512) + 1) * 512, off = (rng() % (size / 512)) * 512;
        int n;

        if (off + len > size)
            len = size - off;
        bool zero = rng() % 5 == 0; /* zero writes free clusters: refcount decrements */

        seq++;
        stamp(buf, seq, off, len);
        n = snprintf(line, sizeof(line), "%c %llu %llu %llu\n", zero ? 'Z' : 'W',
                     (unsigned long long)seq, (unsigned long long)off, (unsigned long long)len);
        if (write(log, line, n) != n)
            return 1;
        if (zero ? blk_pwrite_zeroes(b, off, len, true) < 0 : blk_pwrite(b, off, buf, len) < 0) {
            fprintf(stderr, "write: %s\n", blk_last_error());
            return 1;
        }
        if (rng() % 4 == 0) {
            if (blk_flush(b) < 0) {
                fprintf(stderr, "flush: %s\n", blk_last_error());
                return 1;
            }
            n = snprintf(line, sizeof(line), "F %llu\n", (unsigned long long)seq);
            if (write(log, line, n) != n)
                return 1;
        }
    }
}

int main(int argc, char **argv)
{
    const char *fmt = NULL, *cache = "writeback";
    enum blk_cache_mode mode;
    int wce = -1, c, i;
    struct blk *b;

    while ((c = getopt(argc, argv, "+f:t:w:")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 't':
            cache = optarg;
            break;
        case 'w':
            wce = !strcmp(optarg, "on");
            break;
        default:
            return 2;
        }
    }
    if (optind >= argc || blk_parse_cache_mode(cache, &mode) < 0)
        return 2;
    if (blk_open(&b, argv[optind], fmt, BLK_O_RDWR, mode) < 0) {
        fprintf(stderr, "blk-io: %s\n", blk_last_error());
        return 1;
    }
    if (wce >= 0)
        blk_set_write_cache(b, wce);
    for (i = optind + 1; i < argc; i++) {
        const char *cmd = argv[i];
        int ret = 0;

        if (!strcmp(cmd, "write") || !strcmp(cmd, "read")) {
            uint64_t off = num(argv[i + 1]), len = num(argv[i + 2]);
            uint8_t *buf = malloc(len ? len : 1), *want = malloc(len ? len : 1);
            memset(want, (int)num(argv[i + 3]), len);
            if (cmd[0] == 'w') {
                ret = blk_pwrite(b, off, want, len);
            } else {
                ret = blk_pread(b, off, buf, len);
                if (ret >= 0 && memcmp(buf, want, len)) {
                    fprintf(stderr, "blk-io: read %s %s: data differs\n", argv[i + 1], argv[i + 2]);
                    return 1;
                }
            }
            free(buf);
            free(want);
            i += 3;
        } else if (!strcmp(cmd, "zero") || !strcmp(cmd, "zerou")) {
            ret = blk_pwrite_zeroes(b, num(argv[i + 1]), num(argv[i + 2]), cmd[4] == 'u');
            i += 2;
        } else if (!strcmp(cmd, "discard")) {
            ret = blk_discard(b, num(argv[i + 1]), num(argv[i + 2]));
            i += 2;
        } else if (!strcmp(cmd, "flush")) {
            ret = blk_flush(b);
        } else if (!strcmp(cmd, "stream")) {
            ret = blk_stream(b, NULL, NULL);
        } else if (!strcmp(cmd, "snap-create")) {
            ret = blk_snapshot_create(b, argv[++i]);
        } else if (!strcmp(cmd, "snap-apply")) {
            ret = blk_snapshot_apply(b, argv[++i]);
        } else if (!strcmp(cmd, "snap-delete")) {
            ret = blk_snapshot_delete(b, argv[++i]);
        } else if (!strcmp(cmd, "crash")) {
            return crash_loop(b, num(argv[i + 1]), argv[i + 2]);
        } else {
            fprintf(stderr, "blk-io: unknown command %s\n", cmd);
            return 2;
        }
        if (ret < 0) {
            fprintf(stderr, "blk-io: %s: %s\n", cmd, blk_last_error());
            blk_close(b);
            return 1;
        }
    }
    if (blk_close(b) < 0) {
        fprintf(stderr, "blk-io: close: %s\n", blk_last_error());
        return 1;
    }
    return 0;
}

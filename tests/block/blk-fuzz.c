/*
 * blk-fuzz - a self-contained mutation fuzzer for the qcow2 driver's
 * parsing of headers, extensions, L1/L2 tables, refcount structures and
 * snapshot tables. It builds a few valid seed images, mutates them
 * (random bytes, and "interesting" 64/32-bit values written over header
 * fields and table entries), and on each mutant: opens read-only and
 * reads, checks, then opens read-write, repairs, writes and closes.
 * Fails if an iteration takes too long (a hang), crashes (the process
 * dies), or the file grows beyond a bound (a write outside the image).
 *   blk-fuzz DIR SECONDS [SEED]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "block/block.h"

#define FUZZ_MAX_FILE (64ull << 20)

static uint64_t rs;

static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static int make_seed(const char *path, uint32_t cs, int compat, int rbits, bool backing,
                     const char *base)
{
    struct blk_create_opts o = {
        .size = 8 << 20, .cluster_size = cs, .compat = compat, .refcount_bits = rbits};
    struct blk *b;
    uint8_t buf[65536];

    if (backing) {
        o.backing_file = base;
        o.backing_fmt = "qcow2";
    }
    if (blk_create(path, "qcow2", &o) < 0 ||
        blk_open(&b, path, "qcow2", BLK_O_RDWR | BLK_O_NO_BACKING, BLK_CACHE_UNSAFE) < 0) {
        fprintf(stderr, "seed %s: %s\n", path, blk_last_error());
        return -1;
    }
    memset(buf, 0xa5, sizeof(buf));
    blk_pwrite(b, 0, buf, sizeof(buf));
    blk_pwrite(b, 3 << 20, buf, 4096);
    if (compat == 3)
        blk_pwrite_zeroes(b, 1 << 20, cs, false);
    blk_snapshot_create(b, "s1");
    blk_pwrite(b, 100, buf, 1000);
    if (cs >= 4096) {
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (uint8_t)(i / 7);
        blk_pwrite_compressed(b, 5ull << 20, buf, cs);
    }
    return blk_close(b) < 0 ? -1 : 0;
}

static int load(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(*len);
    if (fread(*data, 1, *len, f) != *len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static void store(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void mutate(uint8_t *d, size_t len, uint32_t cs)
{
    static const uint64_t interesting[] = {
        0,
        1,
        0x200,
        0x10000,
        0x7fffffff,
        0xffffffff,
        0x100000000ull,
        0x8000000000000000ull,
        0xffffffffffffffffull,
        0x00fffffffffffe00ull,
        0x4000000000000000ull,
        0x30000,
    };
    int n = 1 + (int)(rnd() % 6);

    for (int i = 0; i < n; i++) {
        /* Mostly the metadata-rich first clusters, sometimes anywhere. */
        size_t span = rnd() % 4 ? (len < 6 * (size_t)cs ? len : 6 * (size_t)cs) : len;
        size_t at = rnd() % span;
        switch (rnd() % 4) {
        case 0:
            d[at] ^= (uint8_t)(1u << (rnd() % 8));
            break;
        case 1:
            d[at] = (uint8_t)rnd();
            break;
        default:
            at &= ~(size_t)7;
            if (at + 8 <= len) {
                uint64_t v = interesting[rnd() % (sizeof(interesting) / 8)];
                if (rnd() % 2)
                    v += (rnd() % 64) * cs;
                if (at + 8 <= len)
                    put64(d + at, v);
            }
            break;
        }
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "blk-fuzz: FAIL: an iteration hung\n";
    if (write(2, msg, sizeof(msg) - 1) < 0)
        _exit(1);
    _exit(1);
}

static void exercise(const char *path)
{
    struct blk *b;
    struct blk_check_result r;
    uint8_t *buf = malloc(1 << 20);
    struct stat st;

    if (blk_open(&b, path, "qcow2", 0, BLK_CACHE_WRITEBACK) >= 0) {
        uint64_t size = blk_length(b);
        for (uint64_t off = 0; off < size && off < (16 << 20); off += 1 << 20)
            blk_pread(b, off, buf, size - off < (1 << 20) ? size - off : (1 << 20));
        if (size > 4096)
            blk_pread(b, (rnd() % (size / 512)) * 512 & ~4095ull, buf, 4096);
        blk_check(b, &r, 0, NULL, NULL);
        blk_close(b);
    }
    if (blk_open(&b, path, "qcow2", BLK_O_RDWR | BLK_O_CHECK | BLK_O_NO_BACKING,
                 BLK_CACHE_UNSAFE) >= 0) {
        blk_check(b, &r, BLK_FIX_LEAKS | BLK_FIX_ERRORS, NULL, NULL);
        blk_close(b);
    }
    if (blk_open(&b, path, "qcow2", BLK_O_RDWR | BLK_O_NO_BACKING, BLK_CACHE_UNSAFE) >= 0) {
        uint64_t size = blk_length(b);
        memset(buf, 0x5a, 65536);
        for (int i = 0; i < 4 && size >= 65536; i++) {
            uint64_t off = (rnd() % (size / 512)) * 512;
            uint64_t len = 1 + rnd() % 65536;
            if (off + len > size)
                len = size - off;
            blk_pwrite(b, off, buf, len);
        }
        if (size > 0)
            blk_discard(b, 0, size < (1 << 20) ? size : (1 << 20));
        blk_snapshot_create(b, "fz");
        blk_snapshot_delete(b, "s1");
        blk_close(b);
    }
    free(buf);
    if (stat(path, &st) == 0 && (uint64_t)st.st_size > FUZZ_MAX_FILE) {
        fprintf(stderr, "blk-fuzz: FAIL: image grew to %lld bytes (write outside the image?)\n",
                (long long)st.st_size);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static const struct {
        uint32_t cs;
        int compat, rbits;
        bool backing;
    } seeds[] = {{65536, 3, 16, false},
                 {512, 3, 1, false},
                 {4096, 2, 16, false},
                 {4096, 3, 64, true},
                 {1024, 3, 4, false}};
    char path[4096], mut[4096], base[4096];
    uint8_t *img[5];
    size_t len[5];
    time_t end;
    long iters = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: blk-fuzz DIR SECONDS [SEED]\n");
        return 2;
    }
    rs = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL);
    if (!rs)
        rs = 1;
    printf("blk-fuzz: seed %llu\n", (unsigned long long)rs);
    snprintf(base, sizeof(base), "%s/base.qcow2", argv[1]);
    if (make_seed(base, 65536, 3, 16, false, NULL) < 0)
        return 1;
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/seed%d.qcow2", argv[1], i);
        if (make_seed(path, seeds[i].cs, seeds[i].compat, seeds[i].rbits, seeds[i].backing,
                      "base.qcow2") < 0 ||
            load(path, &img[i], &len[i]) < 0)
            return 1;
    }
    snprintf(mut, sizeof(mut), "%s/mutant.qcow2", argv[1]);
    signal(SIGALRM, on_alarm);
    end = time(NULL) + atoi(argv[2]);
    while (time(NULL) < end) {
        int k = (int)(rnd() % 5);
        uint8_t *d = malloc(len[k]);
        memcpy(d, img[k], len[k]);
        mutate(d, len[k], seeds[k].cs);
        store(mut, d, len[k]);
        free(d);
        alarm(20);
        exercise(mut);
        alarm(0);
        iters++;
    }
    printf("blk-fuzz: %ld mutants, no crash, hang or escape\n", iters);
    return 0;
}

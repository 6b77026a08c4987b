/*
 * test-block.c - block layer logic: refcount entry packing for every
 * width, compressed L2 entry decoding, path and option parsing, and a
 * qcow2 round trip (write, COW over a snapshot, discard, check) in a
 * temporary file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/qcow2.h"
#include "check.h"

static void test_refcount_packing(void)
{
    for (uint32_t order = 0; order <= 6; order++) {
        struct qcow2 s = {.refcount_order = order};
        uint8_t rb[64] = {0};
        uint64_t max = order == 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;
        uint64_t n = 64 * 8 >> order;

        for (uint64_t i = 0; i < n; i++)
            qcow2_rb_set(&s, rb, i, (i * 0x9e3779b97f4a7c15ull) & max);
        for (uint64_t i = 0; i < n; i++)
            CHECK_EQ(qcow2_rb_get(&s, rb, i), (i * 0x9e3779b97f4a7c15ull) & max);
        qcow2_rb_set(&s, rb, 1, 0);
        CHECK_EQ(qcow2_rb_get(&s, rb, 0), 0);
        CHECK_EQ(qcow2_rb_get(&s, rb, 2), (2 * 0x9e3779b97f4a7c15ull) & max);
    }
    /* The byte layout QEMU uses: sub-byte entries from the low bits, wider ones big-endian. */
    struct qcow2 s1 = {.refcount_order = 0}, s16 = {.refcount_order = 4};
    uint8_t b[4] = {0};
    qcow2_rb_set(&s1, b, 1, 1);
    CHECK_EQ(b[0], 2);
    qcow2_rb_set(&s16, b, 1, 0x1234);
    CHECK_EQ(b[2], 0x12);
    CHECK_EQ(b[3], 0x34);
}

static void test_compressed_entry(void)
{
    struct qcow2 s = {.cluster_bits = 16, .version = 3};
    /* 64 KiB clusters: offset in bits 0..53, (sectors - 1) in bits 54..61. */
    uint64_t e = QCOW_OFLAG_COMPRESSED | (3ull << 54) | 0x50100;
    uint64_t off, len;

    CHECK_EQ(qcow2_entry_type(&s, e), QCOW2_COMPRESSED);
    qcow2_compressed_loc(&s, e, &off, &len);
    CHECK_EQ(off, 0x50100);
    CHECK_EQ(len, 4 * 512 - 0x100);
    CHECK_EQ(qcow2_entry_type(&s, QCOW_OFLAG_ZERO), QCOW2_ZERO_PLAIN);
    CHECK_EQ(qcow2_entry_type(&s, QCOW_OFLAG_ZERO | 0x70000), QCOW2_ZERO_ALLOC);
    s.version = 2; /* no zero flag in compat=0.10 */
    CHECK_EQ(qcow2_entry_type(&s, QCOW_OFLAG_ZERO), QCOW2_UNALLOCATED);
}

static void test_paths_and_options(void)
{
    char out[256];
    enum blk_cache_mode m;

    blk_resolve_backing_path("dir/sub/top.qcow2", "base.raw", out, sizeof(out));
    CHECK(!strcmp(out, "dir/sub/base.raw"));
    blk_resolve_backing_path("dir/top.qcow2", "/abs/base", out, sizeof(out));
    CHECK(!strcmp(out, "/abs/base"));
    blk_resolve_backing_path("top.qcow2", "base", out, sizeof(out));
    CHECK(!strcmp(out, "base"));
    CHECK(blk_parse_cache_mode("none", &m) == 0 && m == BLK_CACHE_NONE);
    CHECK(blk_parse_cache_mode("unsafe", &m) == 0 && m == BLK_CACHE_UNSAFE);
    CHECK(blk_parse_cache_mode("bogus", &m) < 0);
}

static void test_qcow2_roundtrip(void)
{
    char path[] = "/tmp/test-block-XXXXXX";
    int fd = mkstemp(path);
    struct blk_create_opts o = {.size = 4 << 20, .cluster_size = 4096, .refcount_bits = 2};
    struct blk_check_result r;
    uint8_t *buf = malloc(65536), *rd = malloc(65536);
    struct blk *b;

    CHECK(fd >= 0);
    close(fd);
    CHECK(blk_create(path, "qcow2", &o) == 0);
    CHECK(blk_open(&b, path, "qcow2", BLK_O_RDWR, BLK_CACHE_WRITEBACK) == 0);
    memset(buf, 0x11, 65536);
    CHECK(blk_pwrite(b, 1000, buf, 20000) == 0);
    CHECK(blk_snapshot_create(b, "s") == 0);
    memset(buf, 0x22, 65536);
    CHECK(blk_pwrite(b, 4096, buf, 512) == 0); /* copy-on-write of a shared cluster */
    CHECK(blk_pread(b, 0, rd, 24576) == 0);
    CHECK(rd[999] == 0 && rd[1000] == 0x11 && rd[4095] == 0x11 && rd[4096] == 0x22 &&
          rd[4608] == 0x11 && rd[20999] == 0x11 && rd[21000] == 0);
    CHECK(blk_discard(b, 8192, 8192) == 0);
    CHECK(blk_pread(b, 8192, rd, 8192) == 0);
    CHECK(rd[0] == 0 && rd[8191] == 0);
    CHECK(blk_check(b, &r, 0, NULL, NULL) == 0);
    CHECK_EQ(r.corruptions, 0);
    CHECK_EQ(r.leaks, 0);
    CHECK(blk_snapshot_apply(b, "s") == 0);
    CHECK(blk_pread(b, 4096, rd, 4096) == 0);
    CHECK(rd[0] == 0x11 && rd[4095] == 0x11);
    /* A 2-bit refcount holds 3 (active, s, t): a fourth reference must be refused, not wrap. */
    CHECK(blk_snapshot_create(b, "t") == 0);
    CHECK(blk_snapshot_create(b, "u") < 0);
    CHECK(strstr(blk_last_error(), "overflow") != NULL);
    CHECK(blk_close(b) == 0);
    unlink(path);
    free(buf);
    free(rd);
}

/* block-stream in steps with a guest write between them: both survive, the backing goes. */
static void test_stream_steps(void)
{
    char base[] = "/tmp/test-block-base-XXXXXX", top[] = "/tmp/test-block-top-XXXXXX";
    int fb = mkstemp(base), ft = mkstemp(top);
    struct blk_create_opts o = {.size = 8 << 20};
    struct blk_stream_job *j;
    uint64_t done, total;
    uint8_t *buf = malloc(8 << 20);
    struct blk *b;
    int r, steps = 0;

    CHECK(fb >= 0 && ft >= 0);
    close(fb);
    close(ft);
    CHECK(blk_create(base, "raw", &o) == 0);
    CHECK(blk_open(&b, base, "raw", BLK_O_RDWR, BLK_CACHE_WRITEBACK) == 0);
    memset(buf, 0x33, 8 << 20);
    CHECK(blk_pwrite(b, 0, buf, 8 << 20) == 0);
    CHECK(blk_close(b) == 0);
    o.backing_file = base;
    o.backing_fmt = "raw";
    CHECK(blk_create(top, "qcow2", &o) == 0);
    CHECK(blk_open(&b, top, "qcow2", BLK_O_RDWR, BLK_CACHE_WRITEBACK) == 0);
    CHECK(blk_stream_start(b, &j) == 0);
    CHECK(blk_stream_step(j, &done, &total) == 0);
    CHECK(done == 2 << 20 && total == 8 << 20);
    memset(buf, 0x44, 4096);
    CHECK(blk_pwrite(b, 6 << 20, buf, 4096) == 0); /* the guest, mid-stream */
    while ((r = blk_stream_step(j, &done, &total)) == 0)
        steps++;
    CHECK(r == 1 && steps == 3); /* 2-4M, 4-6M, the guest's own cluster skipped, the rest */
    CHECK(blk_stream_finish(j, true) == 0);
    CHECK(blk_backing(b) == NULL);
    CHECK(blk_close(b) == 0);
    unlink(base); /* the top must not need it any more */
    CHECK(blk_open(&b, top, "qcow2", 0, BLK_CACHE_WRITEBACK) == 0);
    CHECK(blk_pread(b, 0, buf, 8 << 20) == 0);
    CHECK(buf[0] == 0x33 && buf[(6 << 20) - 1] == 0x33 && buf[6 << 20] == 0x44 &&
          buf[(6 << 20) + 4095] == 0x44 && buf[(6 << 20) + 4096] == 0x33 &&
          buf[(8 << 20) - 1] == 0x33);
    CHECK(blk_close(b) == 0);
    unlink(top);
    free(buf);
}

int main(void)
{
    test_refcount_packing();
    test_compressed_entry();
    test_paths_and_options();
    test_qcow2_roundtrip();
    test_stream_steps();
    return check_summary("test-block");
}

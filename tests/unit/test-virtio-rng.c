/*
 * test-virtio-rng.c - the virtio entropy device from the driver's side,
 * through the virtio-mmio transport's registers: buffers come back filled
 * (used length = what was asked, capped at 64 KiB), two requests differ,
 * buffers the driver got wrong (read-only, empty, outside RAM, a broken
 * ring) come back unused or stop the device without a crash; QEMU's
 * max-bytes/period rate limit on the virtual clock; the rng-random back end
 * reading a file, holding the buffer when the file runs dry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "guest-mem.h"
#include "emu-core/clock.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/memory.h"
#include "emu-core/rng.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-rng.h"

#define MMIO_AT 0x10000000u
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define BUF 0x10000
#define RAM_SIZE (1u << 20)
#define QSIZE 8

static struct address_space as;
static struct mem_region root, ram;
static struct vclock clk;
static uint16_t avail_idx;
static struct device *transport;

static uint32_t rd(uint32_t off)
{
    uint64_t v = 0;
    address_space_load(&as, MMIO_AT + off, 4, &v);
    return (uint32_t)v;
}
static void wr(uint32_t off, uint32_t v)
{
    address_space_store(&as, MMIO_AT + off, 4, v);
}

/* A device and its modern virtio-mmio transport, driven to DRIVER_OK with queue 0 set up. */
static struct device *rng_new(const char *props[][2])
{
    struct device *d = device_new(NULL, &virtio_rng_type, "rng"), *t;

    CHECK(d != NULL);
    for (int i = 0; props && props[i][0]; i++)
        CHECK_EQ(device_prop_parse(d, props[i][0], props[i][1]), 0);
    device_prop_set_link(d, "clock", &clk);
    if (device_realize(d) < 0) {
        device_destroy(d);
        return NULL;
    }
    virtio_rng_vdev(d)->as = &as;
    t = device_new(NULL, &virtio_mmio_type, "vmmio");
    device_prop_set_link(t, "backend", virtio_rng_vdev(d));
    device_prop_set_u64(t, "force-legacy", 0);
    CHECK_EQ(device_realize(t), 0);
    mem_region_add_subregion(&root, MMIO_AT, virtio_mmio_region(t), 0);
    transport = t;

    CHECK_EQ(rd(0x000), VIRTIO_MMIO_MAGIC);
    CHECK_EQ(rd(0x004), 2);
    CHECK_EQ(rd(0x008), VIRTIO_ID_RNG);
    wr(0x070, 0); /* reset */
    wr(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(0x024, 1);
    wr(0x020, 1); /* VIRTIO_F_VERSION_1 */
    wr(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    CHECK(rd(0x070) & VIRTIO_STATUS_FEATURES_OK);
    wr(0x030, 0);
    CHECK_EQ(rd(0x034), QSIZE);
    wr(0x038, QSIZE);
    wr(0x080, DESC);
    wr(0x090, AVAIL);
    wr(0x0a0, USED);
    wr(0x044, 1);
    /* requestq is the only queue. */
    wr(0x030, 1);
    CHECK_EQ(rd(0x034), 0);
    gm_st(&as, USED + 2, 0, 2);
    gm_st(&as, AVAIL + 2, 0, 2);
    avail_idx = 0;
    return d;
}

static void rng_free(struct device *d)
{
    mem_region_del_subregion(&root, virtio_mmio_region(transport));
    device_destroy(transport);
    device_destroy(d);
}

static void driver_ok(void)
{
    wr(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                  VIRTIO_STATUS_DRIVER_OK);
}

/* Post a chain of (addr, len, flags) descriptors and kick. */
static void post(int n, const uint64_t (*segs)[3])
{
    int head = (avail_idx * 2) % QSIZE; /* two descriptors per slot at most */

    for (int i = 0; i < n; i++)
        gm_vring_desc(&as, DESC, head + i, segs[i][0], (uint32_t)segs[i][1],
                      (uint16_t)(segs[i][2] | (i + 1 < n ? 1 /* NEXT */ : 0)),
                      (uint16_t)(head + i + 1));
    gm_st(&as, AVAIL + 4 + 2 * (avail_idx % QSIZE), head, 2);
    gm_st(&as, AVAIL + 2, ++avail_idx, 2);
    wr(0x050, 0);
}

static void post1(uint64_t addr, uint64_t len, uint16_t flags)
{
    const uint64_t seg[1][3] = {{addr, len, flags}};
    post(1, seg);
}

static uint16_t used_idx(void)
{
    return (uint16_t)gm_ld(&as, USED + 2, 2);
}
static uint32_t used_len(int i)
{
    return (uint32_t)gm_ld(&as, USED + 4 + 8 * (i % QSIZE) + 4, 4);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void test_basic(void)
{
    uint8_t a[64], b[64], big[256];
    struct device *d = rng_new(NULL);

    post1(BUF, 64, 2 /* WRITE */);
    CHECK_EQ(used_idx(), 0); /* not DRIVER_OK yet */
    driver_ok();
    wr(0x050, 0);
    CHECK_EQ(used_idx(), 1);
    CHECK_EQ(used_len(0), 64);
    CHECK(rd(0x060) & VIRTIO_ISR_QUEUE);
    wr(0x064, rd(0x060));

    post1(BUF + 0x100, 64, 2);
    CHECK_EQ(used_idx(), 2);
    CHECK_EQ(used_len(1), 64);
    address_space_read(&as, BUF, a, sizeof(a));
    address_space_read(&as, BUF + 0x100, b, sizeof(b));
    CHECK(!all_zero(a, sizeof(a)));
    CHECK(!all_zero(b, sizeof(b)));
    CHECK(memcmp(a, b, sizeof(a)) != 0);

    /* Two writable segments: both filled, used length is the sum. */
    const uint64_t two[2][3] = {{BUF + 0x200, 16, 2}, {BUF + 0x300, 200, 2}};
    post(2, two);
    CHECK_EQ(used_idx(), 3);
    CHECK_EQ(used_len(2), 216);
    address_space_read(&as, BUF + 0x300, big, 200);
    CHECK(!all_zero(big, 200));

    /* A device-readable buffer breaks the spec: returned with 0 bytes, the queue goes on. */
    memset(big, 0xa5, sizeof(big));
    address_space_write(&as, BUF + 0x400, big, 32);
    post1(BUF + 0x400, 32, 0);
    CHECK_EQ(used_idx(), 4);
    CHECK_EQ(used_len(3), 0);
    address_space_read(&as, BUF + 0x400, a, 32);
    CHECK(!memcmp(a, big, 32)); /* untouched */
    /* A readable header then a writable part: only the writable part is filled. */
    const uint64_t mixed[2][3] = {{BUF + 0x400, 8, 0}, {BUF + 0x500, 24, 2}};
    post(2, mixed);
    CHECK_EQ(used_idx(), 5);
    CHECK_EQ(used_len(4), 24);
    /* Zero-length writable buffer. */
    post1(BUF + 0x600, 0, 2);
    CHECK_EQ(used_idx(), 6);
    CHECK_EQ(used_len(5), 0);
    /* Outside RAM: returned unused. */
    post1(0x40000000, 64, 2);
    CHECK_EQ(used_idx(), 7);
    CHECK_EQ(used_len(6), 0);
    /* A 4 GiB - 1 length from inside RAM: capped at 64 KiB, no overrun past it. */
    gm_st(&as, BUF + VIRTIO_RNG_ELEM_MAX, 0x5a, 1);
    post1(BUF, 0xffffffffu, 2);
    CHECK_EQ(used_idx(), 8);
    CHECK_EQ(used_len(7), VIRTIO_RNG_ELEM_MAX);
    CHECK_EQ(gm_ld(&as, BUF + VIRTIO_RNG_ELEM_MAX, 1), 0x5a);
    /* A length running past the end of RAM: what fits is not enough, returned unused. */
    post1(RAM_SIZE - 16, 64, 2);
    CHECK_EQ(used_idx(), 9);
    CHECK_EQ(used_len(8), 0);
    CHECK(!(rd(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    /* A broken ring (head out of range) stops the device, no crash; reset recovers it. */
    gm_st(&as, AVAIL + 4 + 2 * (avail_idx % QSIZE), 200, 2);
    gm_st(&as, AVAIL + 2, ++avail_idx, 2);
    wr(0x050, 0);
    CHECK(rd(0x070) & VIRTIO_STATUS_NEEDS_RESET);
    CHECK_EQ(used_idx(), 9);

    rng_free(d);
}

/* QEMU's max-bytes per period: what is over waits for the next period. */
static void test_rate_limit(void)
{
    const char *props[][2] = {{"max-bytes", "100"}, {"period", "1000"}, {NULL, NULL}};
    struct device *d;

    vclock_init(&clk);
    vclock_start(&clk);
    d = rng_new(props);
    CHECK(d != NULL);
    driver_ok();
    post1(BUF, 64, 2);
    CHECK_EQ(used_idx(), 1);
    CHECK_EQ(used_len(0), 64);
    post1(BUF + 0x100, 64, 2);
    CHECK_EQ(used_idx(), 2);
    CHECK_EQ(used_len(1), 36);
    post1(BUF + 0x200, 64, 2);
    CHECK_EQ(used_idx(), 2); /* held until the period ends */
    vclock_stop(&clk);
    vclock_set(&clk, vclock_ns(&clk) + 999000000ull);
    vclock_run_timers(&clk);
    CHECK_EQ(used_idx(), 2);
    vclock_set(&clk, vclock_ns(&clk) + 2000000ull);
    vclock_run_timers(&clk);
    CHECK_EQ(used_idx(), 3);
    CHECK_EQ(used_len(2), 64);
    rng_free(d);

    const char *zero[][2] = {{"max-bytes", "0"}, {NULL, NULL}};
    CHECK(rng_new(zero) == NULL);
    const char *noperiod[][2] = {{"period", "0"}, {NULL, NULL}};
    CHECK(rng_new(noperiod) == NULL);
}

/* -object rng-random,filename=F: its bytes, in order; at its end the buffer waits. */
static void test_rng_random(void)
{
    char path[] = "/tmp/test-virtio-rng-XXXXXX", err[200], opt[120];
    uint8_t pattern[40], got[40];
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + 1);
    CHECK_EQ(write(fd, pattern, sizeof(pattern)), sizeof(pattern));
    close(fd);
    snprintf(opt, sizeof(opt), "rng-random,id=r0,filename=%s", path);
    CHECK_EQ(config_object_add(opt, err, sizeof(err)), 0);
    CHECK(config_object_add(opt, err, sizeof(err)) < 0); /* duplicate id */
    CHECK(strstr(err, "Duplicate ID") != NULL);
    CHECK(config_object_add("rng-random,id=r1,filename=/nonexistent/x", err, sizeof(err)) < 0);
    CHECK(strstr(err, "Could not open") != NULL);
    CHECK(config_object_add("rng-builtin,id=r2,filename=x", err, sizeof(err)) < 0);
    CHECK_EQ(config_object_add("rng-builtin,id=r3", err, sizeof(err)), 0);
    CHECK(rng_backend_find("r3") != NULL);
    CHECK(rng_backend_find("r1") == NULL);

    const char *noobj[][2] = {{"rng", "nosuch"}, {NULL, NULL}};
    CHECK(rng_new(noobj) == NULL);

    const char *props[][2] = {{"rng", "r0"}, {NULL, NULL}};
    vclock_init(&clk);
    vclock_start(&clk);
    struct device *d = rng_new(props);
    CHECK(d != NULL);
    driver_ok();
    post1(BUF, 32, 2);
    CHECK_EQ(used_idx(), 1);
    CHECK_EQ(used_len(0), 32);
    address_space_read(&as, BUF, got, 32);
    CHECK(!memcmp(got, pattern, 32));
    post1(BUF + 0x100, 32, 2); /* 8 bytes left in the file */
    CHECK_EQ(used_idx(), 2);
    CHECK_EQ(used_len(1), 8);
    address_space_read(&as, BUF + 0x100, got, 8);
    CHECK(!memcmp(got, pattern + 32, 8));
    post1(BUF + 0x200, 32, 2); /* the file is dry: held, retried on a timer */
    CHECK_EQ(used_idx(), 2);
    vclock_stop(&clk);
    vclock_set(&clk, vclock_ns(&clk) + 20000000ull);
    vclock_run_timers(&clk);
    CHECK_EQ(used_idx(), 2);
    /* More data arrives: the retry hands it over. */
    fd = open(path, O_WRONLY | O_APPEND);
    CHECK_EQ(write(fd, "entropy!", 8), 8);
    close(fd);
    vclock_set(&clk, vclock_ns(&clk) + 20000000ull);
    vclock_run_timers(&clk);
    CHECK_EQ(used_idx(), 3);
    CHECK_EQ(used_len(2), 8);
    address_space_read(&as, BUF + 0x200, got, 8);
    CHECK(!memcmp(got, "entropy!", 8));
    rng_free(d);
    rng_backends_clear();
    CHECK(rng_backend_find("r0") == NULL);
    unlink(path);
}

int main(void)
{
    log_enabled = 0;
    mem_region_init_container(&root, "sys", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", RAM_SIZE), 0);
    mem_region_add_subregion(&root, 0, &ram, 0);
    vclock_init(&clk);

    test_basic();
    test_rate_limit();
    test_rng_random();
    return check_summary("virtio-rng");
}

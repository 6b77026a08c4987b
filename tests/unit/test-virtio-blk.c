/*
 * test-virtio-blk.c - the virtio-blk model driven through a split ring in
 * a RAM address space, on a raw image in a temporary file: read, write,
 * flush, get-id, discard, write-zeroes, errors for bad requests, and the
 * guest's write cache switch (CONFIG_WCE) reaching the block layer.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/block.h"
#include "check.h"
#include "guest-mem.h"
#include "emu-core/memory.h"
#include "hw/virtio/virtio-blk.h"

#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define HDR 0x10000
#define DATA 0x20000
#define STATUS 0x30000

static struct address_space as;
static struct virtio_device *vd;
static uint16_t avail_idx;

#define st(addr, v, n) gm_st(&as, addr, v, n)
#define ld(addr, n) gm_ld(&as, addr, n)

#define desc(i, addr, len, flags, next) gm_vring_desc(&as, DESC, i, addr, len, flags, next)

/* One request; data_len bytes at DATA (device-writable if in). Returns the status byte. */
static int request(uint32_t type, uint64_t sector, uint32_t data_len, bool in, uint32_t *used_len)
{
    st(HDR, type, 4);
    st(HDR + 4, 0, 4);
    st(HDR + 8, sector, 8);
    st(STATUS, 0xff, 1);
    if (data_len) {
        desc(0, HDR, 16, 1, 1);
        desc(1, DATA, data_len, 1 | (in ? 2 : 0), 2);
        desc(2, STATUS, 1, 2, 0);
    } else {
        desc(0, HDR, 16, 1, 2);
        desc(2, STATUS, 1, 2, 0);
    }
    st(AVAIL + 4 + 2 * (avail_idx % 16), 0, 2);
    st(AVAIL + 2, ++avail_idx, 2);
    vd->ops->queue_notify(vd, 0);
    CHECK_EQ(ld(USED + 2, 2), avail_idx);
    if (used_len)
        *used_len = (uint32_t)ld(USED + 4 + 8 * ((avail_idx - 1) % 16) + 4, 4);
    return (int)ld(STATUS, 1);
}

int main(void)
{
    struct mem_region root, ram;
    char path[] = "/tmp/test-vblk-XXXXXX";
    int fd = mkstemp(path);
    struct blk *b;
    struct device *dev;
    uint8_t buf[4096];
    uint32_t len;

    CHECK(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
    close(fd);
    mem_region_init_container(&root, "root", UINT64_MAX);
    address_space_init(&as, &root, "mem");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 0x40000), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0, &ram, 0), 0);
    CHECK_EQ(blk_open(&b, path, "raw", BLK_O_RDWR, BLK_CACHE_WRITEBACK), 0);

    dev = device_new(NULL, &virtio_blk_type, "vblk");
    CHECK(dev != NULL);
    CHECK_EQ(device_prop_set_link(dev, "drive", b), 0);
    CHECK_EQ(device_prop_set_u64(dev, "discard", 1), 0);
    CHECK_EQ(device_prop_set_str(dev, "serial", "BAREMU-SN-1"), 0);
    CHECK_EQ(device_realize(dev), 0);
    vd = virtio_blk_vdev(dev);
    vd->as = &as;
    vd->guest_features = vd->ops->get_features(vd);
    vd->vq[0] =
        (struct virtqueue){.num = 16, .ready = true, .desc = DESC, .avail = AVAIL, .used = USED};

    /* Capacity in sectors, and the writeback byte. */
    CHECK_EQ(vd->ops->config_read(vd, 0, 4), (1 << 20) / 512);
    CHECK_EQ(vd->ops->config_read(vd, 32, 1), 1);

    memset(buf, 0xab, sizeof(buf));
    address_space_write(&as, DATA, buf, 4096);
    CHECK_EQ(request(1, 8, 4096, false, &len), 0); /* write sectors 8..15 */
    CHECK_EQ(len, 1);
    address_space_write(&as, DATA, (uint8_t[4096]){0}, 4096);
    CHECK_EQ(request(0, 8, 1024, true, &len), 0); /* read back two sectors */
    CHECK_EQ(len, 1025);
    CHECK_EQ(ld(DATA, 8), 0xababababababababull);
    CHECK_EQ(ld(DATA + 1016, 8), 0xababababababababull);
    CHECK(blk_pread(b, 4096, buf, 512) == 0 && buf[0] == 0xab && buf[511] == 0xab);

    CHECK_EQ(request(4, 0, 0, false, &len), 0); /* flush */
    CHECK_EQ(request(8, 0, 20, true, &len), 0); /* get-id */
    CHECK_EQ(len, 21);
    CHECK_EQ(ld(DATA, 8), 0x532d554d45524142ull); /* "BAREMU-S" */

    /* write-zeroes sectors 8..9, then discard 10..15: both read back as zeros. */
    st(DATA, 8, 8);
    st(DATA + 8, 2, 4);
    st(DATA + 12, 0, 4);
    CHECK_EQ(request(13, 0, 16, false, NULL), 0);
    st(DATA, 10, 8);
    st(DATA + 8, 6, 4);
    st(DATA + 12, 0, 4);
    CHECK_EQ(request(11, 0, 16, false, NULL), 0);
    CHECK(blk_pread(b, 4096, buf, 4096) == 0);
    CHECK(buf[0] == 0 && buf[1023] == 0 && buf[1024] == 0 && buf[4095] == 0);

    /* Bad requests: past the end, unknown type, discard with flags. */
    CHECK_EQ(request(0, 2047, 1024, true, NULL), 1);
    CHECK_EQ(request(1, 1ull << 40, 512, false, NULL), 1);
    CHECK_EQ(request(99, 0, 0, false, NULL), 2);
    st(DATA, 0, 8);
    st(DATA + 8, 1, 4);
    st(DATA + 12, 1, 4);
    CHECK_EQ(request(11, 0, 16, false, NULL), 2);

    /* CONFIG_WCE: the guest turns the write cache off and on. */
    vd->ops->config_write(vd, 32, 0, 1);
    CHECK(!blk_write_cache(b));
    CHECK_EQ(vd->ops->config_read(vd, 32, 1), 0);
    vd->ops->config_write(vd, 32, 1, 1);
    CHECK(blk_write_cache(b));
    /* A driver without FLUSH cannot flush, so the cache must be off; with it, on. */
    vd->ops->set_features(vd, 0);
    CHECK(!blk_write_cache(b));
    vd->ops->set_features(vd, 1ull << 9);
    CHECK(blk_write_cache(b));

    device_destroy(dev);
    CHECK_EQ(blk_close(b), 0);
    unlink(path);
    return check_summary("test-virtio-blk");
}

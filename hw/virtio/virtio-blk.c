/*
 * virtio-blk.c - virtio block device model. Requests are served
 * synchronously when the guest kicks the queue: the block layer is
 * synchronous too. Everything from the guest (header, lengths, sectors,
 * segment counts) is checked; a bad request completes with an error
 * status, a malformed ring is the transport helpers' business.
 */
#include "hw/virtio/virtio-blk.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "emu-core/vmstate.h"

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VBLK_QUEUE_SIZE 256
#define VBLK_SEG_MAX (VBLK_QUEUE_SIZE - 2)
#define VBLK_CONFIG_SIZE 60
#define VBLK_MAX_DISCARD_SECTORS (32768u * 8) /* 128 MiB per segment */
#define VBLK_MAX_DISCARD_SEG 1
#define VBLK_CHUNK (64u << 10)

struct virtio_blk {
    struct device dev;
    struct virtio_device vdev;
    struct blk *blk;
    char *serial;
    bool discard;
    bool wce_default; /* the drive's cache mode: writethrough starts with WCE off */
    uint8_t *buf;     /* VBLK_CHUNK bounce buffer */
};

static struct virtio_blk *vblk_of(struct virtio_device *vd)
{
    return (struct virtio_blk *)((char *)vd - offsetof(struct virtio_blk, vdev));
}

struct virtio_device *virtio_blk_vdev(struct device *dev)
{
    return &((struct virtio_blk *)dev)->vdev;
}

static uint64_t vblk_get_features(struct virtio_device *vd)
{
    struct virtio_blk *s = vblk_of(vd);
    uint64_t f = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
                 1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_CONFIG_WCE |
                 1ull << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_BLK_F_WRITE_ZEROES |
                 1ull << VIRTIO_F_RING_INDIRECT_DESC;

    if (blk_is_read_only(s->blk))
        f |= 1ull << VIRTIO_BLK_F_RO;
    return f;
}

static void vblk_set_features(struct virtio_device *vd, uint64_t features)
{
    struct virtio_blk *s = vblk_of(vd);

    /*
     * As QEMU: without CONFIG_WCE the write cache is on exactly when the
     * driver can flush it; with CONFIG_WCE the driver sets it in config.
     */
    if (!(features & (1ull << VIRTIO_BLK_F_CONFIG_WCE)))
        blk_set_write_cache(s->blk, features & (1ull << VIRTIO_BLK_F_FLUSH));
}

static void vblk_config(struct virtio_blk *s, uint8_t *c)
{
    uint64_t sectors = blk_length(s->blk) / 512;

    memset(c, 0, VBLK_CONFIG_SIZE);
    for (int i = 0; i < 8; i++)
        c[i] = (uint8_t)(sectors >> (8 * i));
    c[12] = VBLK_SEG_MAX; /* seg_max */
    c[21] = 512 >> 8;     /* blk_size = 512 */
    c[32] = blk_write_cache(s->blk);
    c[34] = 1; /* num_queues */
    c[36] = (uint8_t)VBLK_MAX_DISCARD_SECTORS;
    c[37] = (uint8_t)(VBLK_MAX_DISCARD_SECTORS >> 8);
    c[38] = (uint8_t)(VBLK_MAX_DISCARD_SECTORS >> 16);
    c[40] = VBLK_MAX_DISCARD_SEG;
    c[44] = 1; /* discard_sector_alignment */
    c[48] = c[36];
    c[49] = c[37];
    c[50] = c[38];
    c[52] = VBLK_MAX_DISCARD_SEG;
    c[56] = 1; /* write_zeroes_may_unmap */
}

static uint32_t vblk_config_read(struct virtio_device *vd, uint32_t off, unsigned size)
{
    uint8_t c[VBLK_CONFIG_SIZE + 8];
    uint32_t v = 0;

    vblk_config(vblk_of(vd), c);
    for (unsigned i = 0; i < size && off + i < VBLK_CONFIG_SIZE; i++)
        v |= (uint32_t)c[off + i] << (8 * i);
    return v;
}

static void vblk_config_write(struct virtio_device *vd, uint32_t off, uint32_t val, unsigned size)
{
    struct virtio_blk *s = vblk_of(vd);

    /* Only the writeback byte is writable, and only with CONFIG_WCE. */
    if (off <= 32 && off + size > 32 && (vd->guest_features & (1ull << VIRTIO_BLK_F_CONFIG_WCE))) {
        bool wce = (val >> (8 * (32 - off))) & 1;
        if (!wce)
            blk_flush(s->blk);
        blk_set_write_cache(s->blk, wce);
    }
}

static bool vblk_range_ok(struct virtio_blk *s, uint64_t sector, uint64_t bytes)
{
    uint64_t size = blk_length(s->blk);

    return sector <= size / 512 && bytes <= size - sector * 512 && !(bytes % 512);
}

/* DISCARD and WRITE_ZEROES: 16-byte {sector, num_sectors, flags} records. */
static uint8_t vblk_discard_zero(struct virtio_blk *s, const struct virtqueue_elem *e,
                                 uint64_t out_len, uint32_t type)
{
    uint64_t nrec = (out_len - 16) / 16;
    uint8_t rec[16];

    if ((out_len - 16) % 16 || nrec == 0 || nrec > VBLK_MAX_DISCARD_SEG)
        return VIRTIO_BLK_S_UNSUPP;
    for (uint64_t i = 0; i < nrec; i++) {
        uint64_t sector = 0;
        uint32_t num = 0, flags = 0;
        int ret;

        if (!virtio_seg_copy(&s->vdev, e->out, e->n_out, 16 + i * 16, rec, 16, false))
            return VIRTIO_BLK_S_IOERR;
        for (int b = 0; b < 8; b++)
            sector |= (uint64_t)rec[b] << (8 * b);
        for (int b = 0; b < 4; b++) {
            num |= (uint32_t)rec[8 + b] << (8 * b);
            flags |= (uint32_t)rec[12 + b] << (8 * b);
        }
        if (flags & ~1u || (type == VIRTIO_BLK_T_DISCARD && flags))
            return VIRTIO_BLK_S_UNSUPP;
        if (num > VBLK_MAX_DISCARD_SECTORS || !vblk_range_ok(s, sector, (uint64_t)num * 512))
            return VIRTIO_BLK_S_IOERR;
        if (type == VIRTIO_BLK_T_DISCARD)
            ret = s->discard ? blk_discard(s->blk, sector * 512, (uint64_t)num * 512) : 0;
        else
            ret = blk_pwrite_zeroes(s->blk, sector * 512, (uint64_t)num * 512,
                                    (flags & 1) && s->discard);
        if (ret < 0)
            return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

/* Serve one request; returns the bytes written to the guest (data + status). */
static uint32_t vblk_handle(struct virtio_blk *s, const struct virtqueue_elem *e)
{
    struct virtio_device *vd = &s->vdev;
    uint64_t out_len = virtio_seg_total(e->out, e->n_out),
             in_len = virtio_seg_total(e->in, e->n_in);
    uint64_t sector = 0, done = 0, data_len;
    uint8_t hdr[16], status = VIRTIO_BLK_S_OK;
    uint32_t type;

    if (out_len < 16 || in_len < 1 || !virtio_seg_copy(vd, e->out, e->n_out, 0, hdr, 16, false)) {
        log_guest_error("virtio-blk: request without header or status byte");
        return 0;
    }
    type = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    for (int b = 0; b < 8; b++)
        sector |= (uint64_t)hdr[8 + b] << (8 * b);
    data_len = in_len - 1;

    switch (type) {
    case VIRTIO_BLK_T_IN:
        if (!vblk_range_ok(s, sector, data_len)) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        for (; done < data_len; done += VBLK_CHUNK) {
            uint64_t n = data_len - done < VBLK_CHUNK ? data_len - done : VBLK_CHUNK;
            if (blk_pread(s->blk, sector * 512 + done, s->buf, n) < 0 ||
                !virtio_seg_copy(vd, e->in, e->n_in, done, s->buf, n, true)) {
                status = VIRTIO_BLK_S_IOERR;
                break;
            }
        }
        break;
    case VIRTIO_BLK_T_OUT: {
        uint64_t len = out_len - 16;
        if (blk_is_read_only(s->blk)) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        if (!vblk_range_ok(s, sector, len)) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        for (uint64_t off = 0; off < len; off += VBLK_CHUNK) {
            uint64_t n = len - off < VBLK_CHUNK ? len - off : VBLK_CHUNK;
            if (!virtio_seg_copy(vd, e->out, e->n_out, 16 + off, s->buf, n, false) ||
                blk_pwrite(s->blk, sector * 512 + off, s->buf, n) < 0) {
                status = VIRTIO_BLK_S_IOERR;
                break;
            }
        }
        done = 0;
        break;
    }
    case VIRTIO_BLK_T_FLUSH:
        if (blk_flush(s->blk) < 0)
            status = VIRTIO_BLK_S_IOERR;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        char id[20] = {0};
        if (s->serial)
            memcpy(id, s->serial, strnlen(s->serial, sizeof(id)));
        done = data_len < sizeof(id) ? data_len : sizeof(id);
        if (!virtio_seg_copy(vd, e->in, e->n_in, 0, id, done, true))
            status = VIRTIO_BLK_S_IOERR;
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        if (blk_is_read_only(s->blk))
            status = VIRTIO_BLK_S_IOERR;
        else
            status = vblk_discard_zero(s, e, out_len, type);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    if (status != VIRTIO_BLK_S_OK && type != VIRTIO_BLK_T_IN)
        done = 0;
    if (done > data_len)
        done = data_len;
    virtio_seg_copy(vd, e->in, e->n_in, data_len, &status, 1, true);
    return (uint32_t)(done + 1);
}

static void vblk_queue_notify(struct virtio_device *vd, int q)
{
    struct virtio_blk *s = vblk_of(vd);
    struct virtqueue_elem *e = malloc(sizeof(*e));
    bool any = false;

    if (!e)
        return;
    while (virtqueue_pop(vd, q, e) == 1) {
        virtqueue_push(vd, q, e, vblk_handle(s, e));
        any = true;
    }
    if (any)
        virtio_notify(vd, q);
    free(e);
}

static void vblk_reset_dev(struct virtio_device *vd)
{
    struct virtio_blk *s = vblk_of(vd);

    /* After a reset the write cache is as the drive's cache mode set it. */
    blk_set_write_cache(s->blk, s->wce_default);
}

static const struct virtio_device_ops vblk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_max = VBLK_QUEUE_SIZE,
    .config_size = VBLK_CONFIG_SIZE,
    .get_features = vblk_get_features,
    .set_features = vblk_set_features,
    .config_read = vblk_config_read,
    .config_write = vblk_config_write,
    .queue_notify = vblk_queue_notify,
    .reset = vblk_reset_dev,
};

static int vblk_realize(struct device *dev)
{
    struct virtio_blk *s = (struct virtio_blk *)dev;

    if (!s->blk) {
        error_report("virtio-blk-device: drive property is required");
        return -EINVAL;
    }
    s->buf = malloc(VBLK_CHUNK);
    if (!s->buf)
        return -ENOMEM;
    s->vdev.ops = &vblk_ops;
    if (dev->machine) /* unit tests set vdev.as themselves */
        s->vdev.as = &dev->machine->as;
    s->wce_default = blk_write_cache(s->blk);
    return 0;
}

static void vblk_unrealize(struct device *dev)
{
    struct virtio_blk *s = (struct virtio_blk *)dev;

    free(s->buf);
    s->buf = NULL;
}

/* Requests complete synchronously, so the rings and features are all the state there is. */
static const struct vmstate_field vblk_vmstate_fields[] = {
    {.name = "vdev",
     .type = VMS_STRUCT,
     .offset = offsetof(struct virtio_blk, vdev),
     .count = 1,
     .size = sizeof(struct virtio_device),
     .sub = &virtio_device_vmstate},
    {.type = VMS_END},
};

static const struct vmstate_desc vblk_vmstate = {
    .name = "virtio-blk",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vblk_vmstate_fields,
};

static const struct device_prop vblk_props[] = {
    {.name = "drive", .type = PROP_LINK, .offset = offsetof(struct virtio_blk, blk)},
    {.name = "serial", .type = PROP_STR, .offset = offsetof(struct virtio_blk, serial)},
    {.name = "discard", .type = PROP_BOOL, .offset = offsetof(struct virtio_blk, discard)},
    {.type = PROP_END},
};

const struct device_type virtio_blk_type = {
    .name = "virtio-blk-device",
    .desc = "virtio block device (on a virtio-mmio transport)",
    .state_size = sizeof(struct virtio_blk),
    .props = vblk_props,
    .realize = vblk_realize,
    .unrealize = vblk_unrealize,
    .vmsd = &vblk_vmstate,
};

/* A realized virtio-blk device on drive d; NULL after error_report(). */
static struct device *vblk_new(struct machine *m, const struct blk_drive_info *d, const char *id)
{
    struct device *dev = device_new(m, &virtio_blk_type, id ? id : d->id);

    if (!dev) {
        error_report("virtio-blk-device: out of memory");
        return NULL;
    }
    device_prop_set_link(dev, "drive", d->blk);
    device_prop_set_u64(dev, "discard", d->discard);
    if (d->serial)
        device_prop_set_str(dev, "serial", d->serial);
    if (device_realize(dev) < 0)
        return NULL;
    return dev;
}

int virtio_blk_open_drives(struct machine *m)
{
    const struct emu_config *cfg = m->cfg;

    for (int i = 0; i < cfg->ndrives; i++) {
        int ret = blk_drive_add(cfg->drives[i], cfg->snapshot);
        if (ret < 0)
            return ret;
    }
    return 0;
}

struct device *virtio_blk_from_opts(struct machine *m, const struct opts *o, const char *optstr)
{
    const char *drive = opts_get(o, "drive");
    const struct blk_drive_info *d;

    if (!drive) {
        error_report("-device %s: drive= is required", optstr);
        return NULL;
    }
    if (!(d = blk_drive_claim(drive, BLK_IF_NONE)))
        return NULL;
    return vblk_new(m, d, opts_get(o, "id"));
}

struct device *virtio_blk_next_drive(struct machine *m, int *err)
{
    const struct blk_drive_info *d = blk_drive_claim(NULL, BLK_IF_VIRTIO);
    struct device *dev = d ? vblk_new(m, d, NULL) : NULL;

    *err = d && !dev ? -EINVAL : 0;
    return dev;
}

/*
 * virtio-rng.c - the virtio entropy device (virtio-rng.h). Each buffer the
 * driver posts is filled as far as the back end, the 64 KiB cap and the
 * rate limit allow, and returned at once; when the back end has nothing
 * (a pipe or /dev/hwrng that would block) the buffer is held and tried
 * again on a timer, so the main loop never waits on it.
 */
#include "hw/virtio/virtio-rng.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/rng.h"
#include "emu-core/vmstate.h"

#define VRNG_QUEUE 0
#define VRNG_QUEUE_SIZE 8 /* QEMU's */
#define VRNG_RETRY_NS 10000000ull
#define VRNG_FAIL_RETRY_NS 1000000000ull
#define VRNG_NO_LIMIT ((uint64_t)INT64_MAX)

static struct virtio_rng *vrng_of(struct virtio_device *vd)
{
    return (struct virtio_rng *)((char *)vd - offsetof(struct virtio_rng, vdev));
}

static bool vrng_limited(const struct virtio_rng *s)
{
    return s->max_bytes < VRNG_NO_LIMIT;
}

/*
 * Fill the held buffer with up to want bytes. Returns the bytes given, 0 if
 * the source had none, -EFAULT if the buffer points outside guest memory,
 * or the source's negative errno.
 */
static int64_t vrng_fill(struct virtio_rng *s, uint64_t want)
{
    uint64_t done = 0;

    while (done < want) {
        size_t ask = want - done < sizeof(s->buf) ? (size_t)(want - done) : sizeof(s->buf);
        int n = rng_backend_read(s->rng, s->buf, ask);
        if (n <= 0)
            return done ? (int64_t)done : n;
        if ((size_t)n > ask)
            n = (int)ask; /* a platform that overfills would otherwise overrun the guest's buffer */
        if (!virtio_seg_copy(&s->vdev, s->elem->in, s->elem->n_in, done, s->buf, (uint64_t)n, true))
            return -EFAULT;
        done += (uint64_t)n;
    }
    memset(s->buf, 0, sizeof(s->buf)); /* entropy handed out should not linger */
    return (int64_t)done;
}

static void vrng_process(struct virtio_rng *s)
{
    bool any = false;

    if (!(s->vdev.status & VIRTIO_STATUS_DRIVER_OK) || timer_pending(&s->retry_timer))
        return;
    for (;;) {
        if (vrng_limited(s) && !s->quota)
            break; /* the period timer gives the next quota and calls us */
        if (!s->held) {
            if (virtqueue_pop(&s->vdev, VRNG_QUEUE, s->elem) != 1)
                break;
            s->held = true;
        }
        uint64_t want = virtio_seg_total(s->elem->in, s->elem->n_in);
        if (!want) {
            log_guest_error("virtio-rng: a buffer with no device-writable bytes, returned "
                            "unused");
        }
        if (want > VIRTIO_RNG_ELEM_MAX)
            want = VIRTIO_RNG_ELEM_MAX;
        if (vrng_limited(s) && want > s->quota)
            want = s->quota;
        int64_t got = want ? vrng_fill(s, want) : 0;
        if (got == 0 && want) {
            if (s->clock)
                timer_mod(&s->retry_timer, vclock_ns(s->clock) + VRNG_RETRY_NS);
            break; /* keep the buffer until the source has something */
        }
        if (got < 0 && got != -EFAULT) {
            if (!s->src_failed_logged)
                error_report("virtio-rng: the entropy source failed (%s); retrying",
                             strerror((int)-got));
            s->src_failed_logged = true;
            if (s->clock)
                timer_mod(&s->retry_timer, vclock_ns(s->clock) + VRNG_FAIL_RETRY_NS);
            break;
        }
        if (got == -EFAULT) {
            log_guest_error("virtio-rng: buffer outside guest memory, returned unused");
            got = 0;
        }
        s->src_failed_logged = false;
        virtqueue_push(&s->vdev, VRNG_QUEUE, s->elem, (uint32_t)got);
        s->held = false;
        any = true;
        if (vrng_limited(s) && got) {
            if (!timer_pending(&s->period_timer) && s->clock)
                timer_mod(&s->period_timer, vclock_ns(s->clock) + s->period_ms * 1000000ull);
            s->quota -= (uint64_t)got;
        }
    }
    if (any)
        virtio_notify(&s->vdev, VRNG_QUEUE);
}

static void vrng_period_end(void *opaque)
{
    struct virtio_rng *s = opaque;

    s->quota = s->max_bytes;
    vrng_process(s);
}

static void vrng_retry(void *opaque)
{
    vrng_process(opaque);
}

static void vrng_queue_notify(struct virtio_device *vd, int q)
{
    if (q == VRNG_QUEUE)
        vrng_process(vrng_of(vd));
}

static uint64_t vrng_get_features(struct virtio_device *vd)
{
    (void)vd;
    return 0;
}

static uint32_t vrng_config_read(struct virtio_device *vd, uint32_t off, unsigned size)
{
    (void)vd;
    (void)off;
    (void)size;
    return 0;
}

static void vrng_config_write(struct virtio_device *vd, uint32_t off, uint32_t val, unsigned size)
{
    (void)vd;
    (void)off;
    (void)val;
    (void)size;
}

static void vrng_reset_dev(struct virtio_device *vd)
{
    struct virtio_rng *s = vrng_of(vd);

    s->held = false;
    if (s->clock) {
        timer_del(&s->retry_timer);
        timer_del(&s->period_timer);
    }
    s->quota = s->max_bytes;
}

static const struct virtio_device_ops vrng_ops = {
    .device_id = VIRTIO_ID_RNG,
    .num_queues = 1,
    .queue_max = VRNG_QUEUE_SIZE,
    .config_size = 0,
    .get_features = vrng_get_features,
    .config_read = vrng_config_read,
    .config_write = vrng_config_write,
    .queue_notify = vrng_queue_notify,
    .reset = vrng_reset_dev,
};

static int vrng_realize(struct device *dev)
{
    struct virtio_rng *s = (struct virtio_rng *)dev;

    if (s->rng_id && !(s->rng = rng_backend_find(s->rng_id))) {
        error_report("virtio-rng: Property 'rng' can't find value '%s' (no -object "
                     "rng-random or rng-builtin with that id)",
                     s->rng_id);
        return -EINVAL;
    }
    if (!s->max_bytes || s->max_bytes > VRNG_NO_LIMIT) {
        error_report("virtio-rng: 'max-bytes' parameter must be non-zero, and less than 2^63");
        return -EINVAL;
    }
    if (!s->period_ms) {
        error_report("virtio-rng: 'period' parameter expects a positive integer");
        return -EINVAL;
    }
    if (!s->clock && dev->machine)
        s->clock = &dev->machine->clock;
    if (!s->clock && vrng_limited(s)) {
        error_report("virtio-rng: max-bytes needs the virtual clock");
        return -EINVAL;
    }
    s->elem = malloc(sizeof(*s->elem));
    if (!s->elem) {
        error_report("virtio-rng: out of memory");
        return -ENOMEM;
    }
    if (s->clock) {
        timer_init(&s->period_timer, s->clock, vrng_period_end, s);
        timer_init(&s->retry_timer, s->clock, vrng_retry, s);
    }
    s->quota = s->max_bytes;
    s->vdev.ops = &vrng_ops;
    if (dev->machine) /* unit tests set vdev.as themselves */
        s->vdev.as = &dev->machine->as;
    return 0;
}

static void vrng_unrealize(struct device *dev)
{
    struct virtio_rng *s = (struct virtio_rng *)dev;

    if (s->clock) {
        timer_del(&s->retry_timer);
        timer_del(&s->period_timer);
    }
    free(s->elem);
    s->elem = NULL;
}

struct virtio_device *virtio_rng_vdev(struct device *dev)
{
    return &((struct virtio_rng *)dev)->vdev;
}

/* A held buffer goes back on the avail ring (it is unchanged there), to be taken again. */
static int vrng_pre_save(void *opaque)
{
    struct virtio_rng *s = opaque;

    if (s->held) {
        s->vdev.vq[VRNG_QUEUE].last_avail_idx--;
        s->held = false;
    }
    return 0;
}

static int vrng_post_load(void *opaque, int version_id)
{
    struct virtio_rng *s = opaque;

    (void)version_id;
    s->held = false;
    s->quota = s->max_bytes;
    /* The driver may be waiting on a buffer it posted before the save: look again soon. */
    if (s->clock)
        timer_mod(&s->retry_timer, vclock_ns(s->clock));
    return 0;
}

static const struct vmstate_field vrng_fields[] = {
    {.name = "vdev",
     .type = VMS_STRUCT,
     .offset = offsetof(struct virtio_rng, vdev),
     .count = 1,
     .size = sizeof(struct virtio_device),
     .sub = &virtio_device_vmstate},
    {.type = VMS_END},
};

static const struct vmstate_desc vrng_vmstate = {.name = "virtio-rng",
                                                 .version_id = 1,
                                                 .minimum_version_id = 1,
                                                 .fields = vrng_fields,
                                                 .pre_save = vrng_pre_save,
                                                 .post_load = vrng_post_load};

static const struct device_prop vrng_props[] = {
    {.name = "rng", .type = PROP_STR, .offset = offsetof(struct virtio_rng, rng_id)},
    {.name = "max-bytes",
     .type = PROP_U64,
     .offset = offsetof(struct virtio_rng, max_bytes),
     .defval = VRNG_NO_LIMIT},
    {.name = "period",
     .type = PROP_U32,
     .offset = offsetof(struct virtio_rng, period_ms),
     .defval = 1u << 16},
    {.name = "clock", .type = PROP_LINK, .offset = offsetof(struct virtio_rng, clock)},
    {.type = PROP_END},
};

const struct device_type virtio_rng_type = {
    .name = "virtio-rng-device",
    .desc = "virtio entropy device",
    .state_size = sizeof(struct virtio_rng),
    .props = vrng_props,
    .realize = vrng_realize,
    .unrealize = vrng_unrealize,
    .vmsd = &vrng_vmstate,
};

struct device *virtio_rng_from_opts(struct machine *m, const struct opts *o, const char *optstr)
{
    static const char *const known[] = {"driver", "id", "rng", "max-bytes", "period", NULL};
    const char *bad = opts_unknown_key(o, known);
    struct device *dev;

    if (bad) {
        error_report("-device %s: %s has no property '%s'", optstr, opts_get(o, "driver"), bad);
        return NULL;
    }
    dev = device_new(m, &virtio_rng_type, opts_get(o, "id"));
    if (!dev) {
        error_report("virtio-rng: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < o->count; i++) {
        const char *k = o->items[i].key;
        if (!strcmp(k, "driver") || !strcmp(k, "id"))
            continue;
        if (device_prop_parse(dev, k, o->items[i].value) < 0) {
            error_report("-device %s: bad value for %s", optstr, k);
            return NULL;
        }
    }
    if (device_realize(dev) < 0)
        return NULL; /* realize said why */
    return dev;
}

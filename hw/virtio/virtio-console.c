/*
 * virtio-console.c - a single-port virtio console (virtio spec 1.2, 5.3.6:
 * receiveq0/transmitq0). Input is taken from the chardev only as far as
 * the guest has offered receive buffers; the rest waits in the chardev.
 */
#include "hw/virtio/virtio-console.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"

#define VCON_RX 0
#define VCON_TX 1
#define VCON_QUEUE_SIZE 128
#define VCON_CONFIG_SIZE 12 /* cols, rows, max_nr_ports, emerg_wr: all 0 (no features) */

static struct virtio_console *vcon_of(struct virtio_device *vd)
{
    return (struct virtio_console *)((char *)vd - offsetof(struct virtio_console, vdev));
}

/* Hold the next receive buffer, if the guest has one ready. */
static bool vcon_hold_rx(struct virtio_console *s)
{
    if (s->rx_held)
        return true;
    if (!(s->vdev.status & VIRTIO_STATUS_DRIVER_OK))
        return false;
    if (virtqueue_pop(&s->vdev, VCON_RX, s->rx_elem) != 1)
        return false;
    s->rx_held = true;
    return true;
}

static int vcon_can_receive(void *opaque)
{
    struct virtio_console *s = opaque;
    uint64_t room;

    if (!vcon_hold_rx(s))
        return 0;
    room = virtio_seg_total(s->rx_elem->in, s->rx_elem->n_in);
    return room > 4096 ? 4096 : (int)room;
}

static void vcon_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct virtio_console *s = opaque;

    while (len && vcon_hold_rx(s)) {
        uint64_t room = virtio_seg_total(s->rx_elem->in, s->rx_elem->n_in);
        size_t n = len < room ? len : (size_t)room;
        if (!n ||
            !virtio_seg_copy(&s->vdev, s->rx_elem->in, s->rx_elem->n_in, 0, (void *)buf, n, true))
            n = 0; /* an unmapped or empty buffer: hand it back empty */
        virtqueue_push(&s->vdev, VCON_RX, s->rx_elem, (uint32_t)n);
        s->rx_held = false;
        virtio_notify(&s->vdev, VCON_RX);
        if (!n)
            break;
        buf += n;
        len -= n;
    }
    if (len)
        log_guest_error("virtio-console: %zu input bytes dropped (no receive buffer)", len);
}

/* Output: every transmit buffer goes to the chardev as it is. */
static void vcon_tx(struct virtio_console *s)
{
    struct virtqueue_elem *e = malloc(sizeof(*e));
    bool any = false;

    if (!e)
        return;
    while (virtqueue_pop(&s->vdev, VCON_TX, e) == 1) {
        uint64_t total = virtio_seg_total(e->out, e->n_out), off = 0;
        while (off < total) {
            uint64_t n = total - off < sizeof(s->buf) ? total - off : sizeof(s->buf);
            if (!virtio_seg_copy(&s->vdev, e->out, e->n_out, off, s->buf, n, false))
                break;
            if (s->chr)
                chardev_write(s->chr, s->buf, n);
            off += n;
        }
        virtqueue_push(&s->vdev, VCON_TX, e, 0);
        any = true;
    }
    if (any)
        virtio_notify(&s->vdev, VCON_TX);
    free(e);
}

static void vcon_queue_notify(struct virtio_device *vd, int q)
{
    struct virtio_console *s = vcon_of(vd);

    if (q == VCON_TX)
        vcon_tx(s);
    else if (q == VCON_RX && s->chr)
        chardev_accept_input(s->chr); /* new buffers: pass on what waited */
}

static uint64_t vcon_get_features(struct virtio_device *vd)
{
    (void)vd;
    return 0;
}

static uint32_t vcon_config_read(struct virtio_device *vd, uint32_t off, unsigned size)
{
    (void)vd;
    (void)off;
    (void)size;
    return 0;
}

static void vcon_config_write(struct virtio_device *vd, uint32_t off, uint32_t val, unsigned size)
{
    (void)vd;
    (void)val;
    (void)size;
    log_guest_error("virtio-console: config write at %u ignored (no emergency write)", off);
}

static void vcon_reset_dev(struct virtio_device *vd)
{
    vcon_of(vd)->rx_held = false;
}

static const struct virtio_device_ops vcon_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .num_queues = 2,
    .queue_max = VCON_QUEUE_SIZE,
    .config_size = VCON_CONFIG_SIZE,
    .get_features = vcon_get_features,
    .config_read = vcon_config_read,
    .config_write = vcon_config_write,
    .queue_notify = vcon_queue_notify,
    .reset = vcon_reset_dev,
};

int virtio_console_set_chardev(struct device *dev, struct chardev *chr)
{
    struct virtio_console *s = (struct virtio_console *)dev;

    if (s->chr)
        return -EBUSY;
    s->chr = chr;
    s->fe = (struct chardev_frontend){
        .can_receive = vcon_can_receive, .receive = vcon_receive, .opaque = s};
    chardev_set_frontend(chr, &s->fe);
    return 0;
}

static int vcon_realize(struct device *dev)
{
    struct virtio_console *s = (struct virtio_console *)dev;
    struct chardev *chr = s->chr;

    s->rx_elem = malloc(sizeof(*s->rx_elem));
    if (!s->rx_elem)
        return -ENOMEM;
    s->vdev.ops = &vcon_ops;
    if (dev->machine) /* unit tests set vdev.as themselves */
        s->vdev.as = &dev->machine->as;
    s->chr = NULL;
    if (chr)
        virtio_console_set_chardev(dev, chr);
    return 0;
}

static void vcon_unrealize(struct device *dev)
{
    struct virtio_console *s = (struct virtio_console *)dev;

    free(s->rx_elem);
    s->rx_elem = NULL;
}

struct virtio_device *virtio_console_vdev(struct device *dev)
{
    return &((struct virtio_console *)dev)->vdev;
}

/* A held receive buffer is not saved: the ring still shows it taken, so it is popped again. */
static int vcon_post_load(void *opaque, int version_id)
{
    struct virtio_console *s = opaque;

    (void)version_id;
    s->rx_held = false;
    return 0;
}

static int vcon_pre_save(void *opaque)
{
    struct virtio_console *s = opaque;

    /* Give a held buffer back (empty) so the stream's ring state is complete. */
    if (s->rx_held) {
        virtqueue_push(&s->vdev, VCON_RX, s->rx_elem, 0);
        virtio_notify(&s->vdev, VCON_RX);
        s->rx_held = false;
    }
    return 0;
}

static const struct vmstate_field vcon_fields[] = {
    {.name = "vdev",
     .type = VMS_STRUCT,
     .offset = offsetof(struct virtio_console, vdev),
     .count = 1,
     .size = sizeof(struct virtio_device),
     .sub = &virtio_device_vmstate},
    {.type = VMS_END},
};

static const struct vmstate_desc vcon_vmstate = {.name = "virtio-console",
                                                 .version_id = 1,
                                                 .minimum_version_id = 1,
                                                 .fields = vcon_fields,
                                                 .pre_save = vcon_pre_save,
                                                 .post_load = vcon_post_load};

static const struct device_prop vcon_props[] = {
    {.name = "chardev", .type = PROP_CHARDEV, .offset = offsetof(struct virtio_console, chr)},
    {.type = PROP_END},
};

const struct device_type virtio_console_type = {
    .name = "virtio-console-device",
    .desc = "virtio console, one port (hvc0)",
    .state_size = sizeof(struct virtio_console),
    .props = vcon_props,
    .realize = vcon_realize,
    .unrealize = vcon_unrealize,
    .vmsd = &vcon_vmstate,
};

struct device *virtio_console_from_opts(struct machine *m, const struct opts *o, const char *optstr)
{
    static const char *const known[] = {"driver", "id", NULL};
    const char *bad = opts_unknown_key(o, known);
    struct device *dev;

    if (bad) {
        error_report("-device %s: %s has no property '%s' (this one has a single port: "
                     "add -device virtconsole,chardev=ID)",
                     optstr, opts_get(o, "driver"), bad);
        return NULL;
    }
    dev = device_new(m, &virtio_console_type, opts_get(o, "id"));
    if (!dev) {
        error_report("virtio-console: out of memory");
        return NULL;
    }
    if (device_realize(dev) < 0) {
        error_report("-device %s: cannot start", optstr);
        return NULL;
    }
    return dev;
}

int virtio_console_attach_opts(struct device *con, const struct opts *o, const char *optstr)
{
    static const char *const known[] = {"driver", "id", "chardev", "name", NULL};
    const char *bad = opts_unknown_key(o, known), *id = opts_get(o, "chardev");
    struct chardev *chr;

    if (bad) {
        error_report("-device %s: virtconsole has no property '%s'", optstr, bad);
        return -EINVAL;
    }
    if (!con) {
        error_report("-device %s: no virtio-serial device before it to sit on", optstr);
        return -EINVAL;
    }
    if (!id || !(chr = chardev_find(id))) {
        error_report("-device %s: %s", optstr,
                     id ? "no chardev with that id" : "chardev=ID is required");
        return -EINVAL;
    }
    if (virtio_console_set_chardev(con, chr) < 0) {
        error_report("-device %s: the virtio-serial device has its one port taken already "
                     "(no multiport here)",
                     optstr);
        return -EBUSY;
    }
    return 0;
}

/*
 * virtio.c - split virtqueues in guest memory, shared by every virtio device
 * model and transport. The driver owns the rings: every index, length and
 * descriptor is checked, and a malformed ring stops the device (NEEDS_RESET)
 * instead of being followed.
 */
#include "hw/virtio/virtio.h"

#include <errno.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_DESC_SIZE 16

static uint16_t ld16(const uint8_t *p) { return p[0] | (uint16_t)p[1] << 8; }
static uint32_t ld32(const uint8_t *p) { return ld16(p) | (uint32_t)ld16(p + 2) << 16; }
static uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static void st16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static void st32(uint8_t *p, uint32_t v)
{
    st16(p, v);
    st16(p + 2, v >> 16);
}

static bool guest_read(struct virtio_device *vd, uint64_t addr, void *buf, uint64_t len)
{
    return address_space_read(vd->as, addr, buf, len) == MEMTX_OK;
}

static bool guest_u16(struct virtio_device *vd, uint64_t addr, uint16_t *v)
{
    uint8_t b[2];
    if (!guest_read(vd, addr, b, 2))
        return false;
    *v = ld16(b);
    return true;
}

static void virtio_update_irq(struct virtio_device *vd)
{
    if (vd->transport.update_irq)
        vd->transport.update_irq(vd->transport.opaque);
}

/* The driver broke the ring protocol: stop using the device until it resets it. */
static int virtio_set_broken(struct virtio_device *vd, int q, const char *why)
{
    log_guest_error("virtio (device %u) queue %d: %s; device needs reset", vd->ops->device_id, q,
                    why);
    if (!(vd->status & VIRTIO_STATUS_NEEDS_RESET)) {
        vd->status |= VIRTIO_STATUS_NEEDS_RESET;
        virtio_notify_config(vd);
    }
    return -EINVAL;
}

void virtio_device_reset(struct virtio_device *vd)
{
    vd->guest_features = 0;
    vd->status = 0;
    vd->isr = 0;
    memset(vd->vq, 0, sizeof(vd->vq));
    virtio_update_irq(vd);
}

/* One descriptor into elem; the writable ones must come after the readable ones. */
static int elem_add(struct virtio_device *vd, int q, struct virtqueue_elem *elem, const uint8_t *d)
{
    uint64_t addr = ld64(d);
    uint32_t len = ld32(d + 8);
    uint16_t flags = ld16(d + 12);

    if (flags & VRING_DESC_F_WRITE) {
        if (elem->n_in >= VIRTQUEUE_MAX_SEGS)
            return virtio_set_broken(vd, q, "chain too long");
        elem->in[elem->n_in++] = (struct virtio_seg){addr, len};
    } else {
        if (elem->n_in)
            return virtio_set_broken(vd, q, "readable descriptor after a writable one");
        if (elem->n_out >= VIRTQUEUE_MAX_SEGS)
            return virtio_set_broken(vd, q, "chain too long");
        elem->out[elem->n_out++] = (struct virtio_seg){addr, len};
    }
    return 0;
}

/* Walk an indirect table (no nesting), bounded by its own size. */
static int elem_indirect(struct virtio_device *vd, int q, struct virtqueue_elem *elem,
                         const uint8_t *d)
{
    uint64_t table = ld64(d);
    uint32_t len = ld32(d + 8);
    uint32_t count = len / VRING_DESC_SIZE;
    uint8_t ind[VRING_DESC_SIZE];
    uint32_t i = 0;

    if (len == 0 || len % VRING_DESC_SIZE || count > VIRTIO_QUEUE_MAX_SIZE)
        return virtio_set_broken(vd, q, "bad indirect table size");
    for (uint32_t steps = 0;; steps++) {
        if (steps >= count)
            return virtio_set_broken(vd, q, "loop in indirect table");
        if (!guest_read(vd, table + (uint64_t)i * VRING_DESC_SIZE, ind, sizeof(ind)))
            return virtio_set_broken(vd, q, "indirect table outside memory");
        if (ld16(ind + 12) & VRING_DESC_F_INDIRECT)
            return virtio_set_broken(vd, q, "nested indirect table");
        if (elem_add(vd, q, elem, ind) < 0)
            return -EINVAL;
        if (!(ld16(ind + 12) & VRING_DESC_F_NEXT))
            return 0;
        i = ld16(ind + 14);
        if (i >= count)
            return virtio_set_broken(vd, q, "indirect next out of range");
    }
}

int virtqueue_pop(struct virtio_device *vd, int q, struct virtqueue_elem *elem)
{
    struct virtqueue *vq;
    uint16_t avail_idx, head, i;
    uint8_t d[VRING_DESC_SIZE];

    if (q < 0 || q >= vd->ops->num_queues)
        return 0;
    vq = &vd->vq[q];
    if (!vq->ready || !vq->num || (vd->status & VIRTIO_STATUS_NEEDS_RESET))
        return 0;
    if (!guest_u16(vd, vq->avail + 2, &avail_idx))
        return virtio_set_broken(vd, q, "avail ring outside memory");
    if (avail_idx == vq->last_avail_idx)
        return 0;
    if ((uint16_t)(avail_idx - vq->last_avail_idx) > vq->num)
        return virtio_set_broken(vd, q, "avail index moved by more than the ring size");
    if (!guest_u16(vd, vq->avail + 4 + 2ull * (vq->last_avail_idx % vq->num), &head))
        return virtio_set_broken(vd, q, "avail ring outside memory");
    if (head >= vq->num)
        return virtio_set_broken(vd, q, "head descriptor out of range");

    elem->head = head;
    elem->n_out = elem->n_in = 0;
    i = head;
    for (unsigned steps = 0;; steps++) {
        if (steps >= vq->num)
            return virtio_set_broken(vd, q, "loop in descriptor chain");
        if (!guest_read(vd, vq->desc + (uint64_t)i * VRING_DESC_SIZE, d, sizeof(d)))
            return virtio_set_broken(vd, q, "descriptor table outside memory");
        uint16_t flags = ld16(d + 12);
        if (flags & VRING_DESC_F_INDIRECT) {
            if (steps || (flags & VRING_DESC_F_NEXT))
                return virtio_set_broken(vd, q, "indirect descriptor inside a chain");
            if (elem_indirect(vd, q, elem, d) < 0)
                return -EINVAL;
            break;
        }
        if (elem_add(vd, q, elem, d) < 0)
            return -EINVAL;
        if (!(flags & VRING_DESC_F_NEXT))
            break;
        i = ld16(d + 14);
        if (i >= vq->num)
            return virtio_set_broken(vd, q, "next descriptor out of range");
    }
    vq->last_avail_idx++;
    return 1;
}

void virtqueue_push(struct virtio_device *vd, int q, const struct virtqueue_elem *elem,
                    uint32_t len)
{
    struct virtqueue *vq = &vd->vq[q];
    uint8_t ent[8], idx[2];

    if (!vq->num)
        return;
    st32(ent, elem->head);
    st32(ent + 4, len);
    address_space_write(vd->as, vq->used + 4 + 8ull * (vq->used_idx % vq->num), ent, sizeof(ent));
    vq->used_idx++;
    st16(idx, vq->used_idx);
    address_space_write(vd->as, vq->used + 2, idx, sizeof(idx));
}

void virtio_notify(struct virtio_device *vd, int q)
{
    uint16_t flags = 0;

    if (q < 0 || q >= vd->ops->num_queues)
        return;
    if (guest_u16(vd, vd->vq[q].avail, &flags) && (flags & VRING_AVAIL_F_NO_INTERRUPT))
        return;
    vd->isr |= VIRTIO_ISR_QUEUE;
    if (vd->transport.notify)
        vd->transport.notify(vd->transport.opaque, q);
    else
        virtio_update_irq(vd);
}

void virtio_notify_config(struct virtio_device *vd)
{
    vd->config_generation++;
    vd->isr |= VIRTIO_ISR_CONFIG;
    if (vd->transport.notify)
        vd->transport.notify(vd->transport.opaque, -1);
    else
        virtio_update_irq(vd);
}

static int virtio_device_post_load(void *opaque, int version_id)
{
    struct virtio_device *vd = opaque;

    (void)version_id;
    /* Ring sizes come from the stream: keep them within what the device offers. */
    for (int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
        struct virtqueue *vq = &vd->vq[q];
        if (vq->num > VIRTIO_QUEUE_MAX_SIZE || (vq->num & (vq->num - 1)) ||
            (vd->ops && q >= vd->ops->num_queues && vq->num))
            return -EINVAL;
    }
    virtio_update_irq(vd);
    return 0;
}

#define QF(field, t) {.name = #field, .type = t, .offset = offsetof(struct virtqueue, field)}
static const struct vmstate_field virtqueue_fields[] = {
    QF(num, VMS_U16),         QF(ready, VMS_BOOL),   QF(desc, VMS_U64),
    QF(avail, VMS_U64),       QF(used, VMS_U64),     QF(last_avail_idx, VMS_U16),
    QF(used_idx, VMS_U16),    {.type = VMS_END},
};
#undef QF

static const struct vmstate_desc virtqueue_vmstate = {
    .name = "virtqueue",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = virtqueue_fields,
};

#define VF(field, t) {.name = #field, .type = t, .offset = offsetof(struct virtio_device, field)}
static const struct vmstate_field virtio_device_fields[] = {
    VF(guest_features, VMS_U64),
    VF(status, VMS_U8),
    VF(isr, VMS_U32),
    VF(config_generation, VMS_U32),
    {.name = "vq", .type = VMS_STRUCT, .offset = offsetof(struct virtio_device, vq),
     .count = VIRTIO_MAX_QUEUES, .size = sizeof(struct virtqueue), .sub = &virtqueue_vmstate},
    {.type = VMS_END},
};
#undef VF

const struct vmstate_desc virtio_device_vmstate = {
    .name = "virtio-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = virtio_device_fields,
    .post_load = virtio_device_post_load,
};

/* The guest chose where the segments point: every access goes through the address space. */
bool virtio_seg_copy(struct virtio_device *vd, const struct virtio_seg *segs, unsigned n,
                     uint64_t skip, void *buf, uint64_t len, bool to_guest)
{
    uint8_t *p = buf;

    for (unsigned i = 0; i < n && len; i++) {
        uint64_t l = segs[i].len;
        if (skip >= l) {
            skip -= l;
            continue;
        }
        uint64_t m = l - skip < len ? l - skip : len;
        enum memtx r = to_guest ? address_space_write(vd->as, segs[i].addr + skip, p, m)
                                : address_space_read(vd->as, segs[i].addr + skip, p, m);
        if (r != MEMTX_OK)
            return false;
        p += m;
        len -= m;
        skip = 0;
    }
    return len == 0;
}

uint64_t virtio_seg_total(const struct virtio_seg *segs, unsigned n)
{
    uint64_t t = 0;

    for (unsigned i = 0; i < n; i++)
        t += segs[i].len;
    return t;
}

/*
 * test-vmstate.c - round trips, and hostile streams rejected without
 * touching the state they were loaded into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/vmstate.h"
#include "tests/unit/check.h"

struct point {
    uint16_t x, y;
};

struct dev {
    bool on;
    uint8_t b;
    uint16_t h;
    uint32_t w;
    uint64_t q;
    uint8_t buf[5];
    uint32_t regs[4];
    uint32_t nitems;
    uint64_t items[8]; /* nitems of them */
    struct point pts[2];
    uint32_t v2field; /* since version 2 */
    uint64_t extra;   /* in subsection "dev/extra" */
    bool want_extra;
    int post_loads, pre_saves, last_version;
    uint8_t guard[16]; /* must never change */
};

static const struct vmstate_field point_fields[] = {
    {.name = "x", .type = VMS_U16, .offset = offsetof(struct point, x)},
    {.name = "y", .type = VMS_U16, .offset = offsetof(struct point, y)},
    {.type = VMS_END},
};

static int point_post_loads;
static int point_post_load(void *opaque, int version)
{
    (void)opaque;
    (void)version;
    point_post_loads++;
    return 0;
}

static const struct vmstate_desc point_vmsd = {
    .name = "point",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = point_fields,
    .post_load = point_post_load,
};

static bool extra_needed(void *opaque)
{
    return ((struct dev *)opaque)->want_extra;
}

static const struct vmstate_field extra_fields[] = {
    {.name = "extra", .type = VMS_U64, .offset = offsetof(struct dev, extra)},
    {.type = VMS_END},
};

static const struct vmstate_desc extra_vmsd = {
    .name = "dev/extra",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = extra_fields,
    .needed = extra_needed,
};

static const struct vmstate_desc *const dev_subs[] = {&extra_vmsd, NULL};

static const struct vmstate_field dev_fields[] = {
    {.name = "on", .type = VMS_BOOL, .offset = offsetof(struct dev, on)},
    {.name = "b", .type = VMS_U8, .offset = offsetof(struct dev, b)},
    {.name = "h", .type = VMS_U16, .offset = offsetof(struct dev, h)},
    {.name = "w", .type = VMS_U32, .offset = offsetof(struct dev, w)},
    {.name = "q", .type = VMS_U64, .offset = offsetof(struct dev, q)},
    {.name = "buf", .type = VMS_BUFFER, .offset = offsetof(struct dev, buf), .size = 5},
    {.name = "regs", .type = VMS_U32, .offset = offsetof(struct dev, regs), .count = 4},
    {.name = "nitems", .type = VMS_U32, .offset = offsetof(struct dev, nitems)},
    {.name = "items",
     .type = VMS_U64,
     .offset = offsetof(struct dev, items),
     .count = 8,
     .count_offset_valid = true,
     .count_offset = offsetof(struct dev, nitems)},
    {.name = "pts",
     .type = VMS_STRUCT,
     .offset = offsetof(struct dev, pts),
     .count = 2,
     .size = sizeof(struct point),
     .sub = &point_vmsd},
    {.name = "v2field", .type = VMS_U32, .offset = offsetof(struct dev, v2field), .version_id = 2},
    {.type = VMS_END},
};

static int dev_pre_save(void *opaque)
{
    ((struct dev *)opaque)->pre_saves++;
    return 0;
}

static int dev_post_load(void *opaque, int version)
{
    struct dev *d = opaque;
    d->post_loads++;
    d->last_version = version;
    return 0;
}

static const struct vmstate_desc dev_vmsd = {
    .name = "dev",
    .version_id = 2,
    .minimum_version_id = 1,
    .fields = dev_fields,
    .subsections = dev_subs,
    .pre_save = dev_pre_save,
    .post_load = dev_post_load,
};

/* The same device as an older release described it. */
static const struct vmstate_desc dev_vmsd_v1 = {
    .name = "dev",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = dev_fields,
    .subsections = dev_subs,
};

static void fill(struct dev *d)
{
    memset(d, 0, sizeof(*d));
    d->on = true;
    d->b = 0x12;
    d->h = 0x3456;
    d->w = 0x789abcde;
    d->q = 0x0102030405060708ull;
    memcpy(d->buf, "hello", 5);
    for (int i = 0; i < 4; i++)
        d->regs[i] = 0x1000 + i;
    d->nitems = 3;
    for (int i = 0; i < 8; i++)
        d->items[i] = 0xaa00 + i;
    d->pts[0] = (struct point){1, 2};
    d->pts[1] = (struct point){3, 4};
    d->v2field = 0xfeed;
    d->extra = 0xe;
    d->want_extra = true;
    memset(d->guard, 0x5a, sizeof(d->guard));
}

/* Fields the stream carries, compared between two structs. */
static int same_state(const struct dev *a, const struct dev *b)
{
    return a->on == b->on && a->b == b->b && a->h == b->h && a->w == b->w && a->q == b->q &&
           !memcmp(a->buf, b->buf, 5) && !memcmp(a->regs, b->regs, sizeof(a->regs)) &&
           a->nitems == b->nitems && !memcmp(a->items, b->items, a->nitems * 8) &&
           !memcmp(a->pts, b->pts, sizeof(a->pts)) && a->v2field == b->v2field &&
           a->extra == b->extra && !memcmp(a->guard, b->guard, sizeof(a->guard));
}

static int load_into(const struct vmstate_desc *vmsd, struct dev *d, const uint8_t *p, size_t n)
{
    struct vm_buf in;
    vm_buf_init_reader(&in, p, n);
    return vmstate_load(vmsd, d, &in);
}

static void test_buffers(void)
{
    struct vm_buf b;
    vm_buf_init_writer(&b);
    vm_put_u8(&b, 0xab);
    vm_put_be16(&b, 0x1234);
    vm_put_be32(&b, 0x56789abc);
    vm_put_be64(&b, 0x0102030405060708ull);
    CHECK_EQ(b.len, 15);
    CHECK_EQ(b.data[1], 0x12);
    CHECK_EQ(b.data[3], 0x56);
    CHECK_EQ(b.data[7], 0x01);
    struct vm_buf r;
    vm_buf_init_reader(&r, b.data, b.len);
    CHECK_EQ(vm_get_u8(&r), 0xab);
    CHECK_EQ(vm_get_be16(&r), 0x1234);
    CHECK_EQ(vm_get_be32(&r), 0x56789abc);
    CHECK_EQ(vm_get_be64(&r), 0x0102030405060708ull);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(vm_get_u8(&r), 0);
    CHECK_EQ(r.error, -EINVAL);
    vm_buf_free(&b);
}

static void test_round_trip(void)
{
    struct dev a, b;
    fill(&a);
    struct vm_buf out;
    vm_buf_init_writer(&out);
    CHECK_EQ(vmstate_save(&dev_vmsd, &a, &out), 0);
    CHECK_EQ(a.pre_saves, 1);
    /* Section header: be32 3, "dev", be32 2. */
    CHECK(out.len > 11 && !memcmp(out.data, "\0\0\0\3dev\0\0\0\2", 11));

    memset(&b, 0, sizeof(b));
    memset(b.guard, 0x5a, sizeof(b.guard));
    point_post_loads = 0;
    CHECK_EQ(load_into(&dev_vmsd, &b, out.data, out.len), 0);
    CHECK(same_state(&a, &b));
    CHECK_EQ(b.items[3], 0); /* beyond nitems: not carried */
    CHECK_EQ(b.post_loads, 1);
    CHECK_EQ(b.last_version, 2);
    CHECK_EQ(point_post_loads, 2);

    /* Without the subsection, extra keeps its value. */
    a.want_extra = false;
    struct vm_buf out2;
    vm_buf_init_writer(&out2);
    CHECK_EQ(vmstate_save(&dev_vmsd, &a, &out2), 0);
    CHECK_EQ(out2.len, out.len - 1 - (4 + 9 + 4 + 8 + 1));
    b.extra = 77;
    CHECK_EQ(load_into(&dev_vmsd, &b, out2.data, out2.len), 0);
    CHECK_EQ(b.extra, 77);

    /* Two saves back to back load back to back. */
    struct vm_buf two;
    vm_buf_init_writer(&two);
    CHECK_EQ(vmstate_save(&dev_vmsd, &a, &two), 0);
    CHECK_EQ(vmstate_save(&point_vmsd, &a.pts[1], &two), 0);
    struct vm_buf in;
    struct point p = {0, 0};
    vm_buf_init_reader(&in, two.data, two.len);
    CHECK_EQ(vmstate_load(&dev_vmsd, &b, &in), 0);
    CHECK_EQ(vmstate_load(&point_vmsd, &p, &in), 0);
    CHECK_EQ(p.y, 4);
    CHECK_EQ(in.pos, in.len);

    /* An older sender (version 1) lacks v2field; we accept it and keep ours. */
    struct vm_buf old;
    vm_buf_init_writer(&old);
    CHECK_EQ(vmstate_save(&dev_vmsd_v1, &a, &old), 0);
    CHECK_EQ(old.len, out2.len - 4);
    b.v2field = 99;
    CHECK_EQ(load_into(&dev_vmsd, &b, old.data, old.len), 0);
    CHECK_EQ(b.v2field, 99);
    CHECK_EQ(b.last_version, 1);
    /* A newer sender is refused by the older reader. */
    CHECK_EQ(load_into(&dev_vmsd_v1, &b, out.data, out.len), -EINVAL);

    vm_buf_free(&out);
    vm_buf_free(&out2);
    vm_buf_free(&two);
    vm_buf_free(&old);
}

static void test_hostile(void)
{
    struct dev a, b, before;
    fill(&a);
    struct vm_buf out;
    vm_buf_init_writer(&out);
    CHECK_EQ(vmstate_save(&dev_vmsd, &a, &out), 0);
    uint8_t *s = malloc(out.len);

    fill(&b);
    b.h = 0x1111;
    b.nitems = 2;
    before = b;

    /* Every truncation fails and changes nothing. */
    int bad = 0;
    for (size_t n = 0; n < out.len; n++) {
        if (load_into(&dev_vmsd, &b, out.data, n) != -EINVAL || memcmp(&b, &before, sizeof(b)))
            bad++;
    }
    CHECK_EQ(bad, 0);

    /* Wrong name, wrong versions, oversized name length. */
    memcpy(s, out.data, out.len);
    s[4] = 'x';
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    memcpy(s, out.data, out.len);
    s[10] = 3; /* version 3 > 2 */
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    s[10] = 0; /* version 0 < minimum 1 */
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    memcpy(s, out.data, out.len);
    s[7] = 0xff;
    s[0] = 0x7f; /* a huge name length */
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    CHECK(!memcmp(&b, &before, sizeof(b)));

    /* A count beyond the array: offset of nitems in the stream. */
    size_t nitems_at = 11 + 1 + 1 + 2 + 4 + 8 + 5 + 16;
    CHECK_EQ(s[nitems_at + 3] = out.data[nitems_at + 3], 3);
    memcpy(s, out.data, out.len);
    s[nitems_at + 3] = 9;
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    s[nitems_at] = 0x80;
    s[nitems_at + 3] = 3;
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    CHECK(!memcmp(&b, &before, sizeof(b)));

    /* A bool that is neither 0 nor 1. */
    memcpy(s, out.data, out.len);
    s[11] = 2;
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);

    /* Unknown subsection name, bad marker, trailing garbage is left to the caller. */
    memcpy(s, out.data, out.len);
    size_t sub_at = out.len - 1 - (4 + 9 + 4 + 8 + 1) - 1;
    CHECK_EQ(s[sub_at], 1);
    s[sub_at + 5 + 4] = 'X'; /* "dev/Xxtra" */
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    memcpy(s, out.data, out.len);
    s[sub_at] = 7;
    CHECK_EQ(load_into(&dev_vmsd, &b, s, out.len), -EINVAL);
    CHECK(!memcmp(&b, &before, sizeof(b)));
    CHECK_EQ(b.post_loads, 0);

    /* Deterministic random mutations: never crash (run under ASan), never touch the guard. */
    uint32_t rng = 12345;
    int ok = 0, guard_ok = 1;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(s, out.data, out.len);
        int nmut = 1 + iter % 4;
        for (int k = 0; k < nmut; k++) {
            rng = rng * 1103515245u + 12345u;
            size_t pos = (rng >> 8) % out.len;
            rng = rng * 1103515245u + 12345u;
            s[pos] =
                (iter & 1) ? (uint8_t)(rng >> 16) : s[pos] ^ (uint8_t)(1u << ((rng >> 16) & 7));
        }
        rng = rng * 1103515245u + 12345u;
        size_t n = (iter % 3) ? out.len : (rng >> 8) % (out.len + 1);
        struct dev t = before;
        if (load_into(&dev_vmsd, &t, s, n) == 0) {
            ok++;
            if (t.nitems > 8)
                guard_ok = 0;
        } else if (memcmp(&t, &before, sizeof(t))) {
            guard_ok = 0; /* a failed load changed state */
        }
        if (memcmp(t.guard, before.guard, sizeof(t.guard)))
            guard_ok = 0;
    }
    CHECK(guard_ok);
    CHECK(ok > 0); /* mutations of plain data bytes still load */

    free(s);
    vm_buf_free(&out);
}

int main(void)
{
    test_buffers();
    test_round_trip();
    test_hostile();
    return check_summary("vmstate");
}

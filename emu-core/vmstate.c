/*
 * vmstate.c - saving and loading described state.
 *
 * Wire format (big-endian), one section per description:
 *   be32 name length, name bytes, be32 version,
 *   the fields in table order (arrays element by element; bool as one byte
 *   0/1; VMS_STRUCT elements as nested sections of their own),
 *   then for each subsection sent: u8 1 and its section; finally u8 0.
 *
 * Loading is done twice: first into a scratch copy of the bytes the
 * description can touch, with no hooks, so a stream that is bad anywhere is
 * rejected before the real state changes; then for real with the hooks.
 */
#include "emu-core/vmstate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define VMSTATE_NAME_MAX 256
#define VMSTATE_DEPTH_MAX 16

/* ---- buffers ---- */

void vm_buf_init_writer(struct vm_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void vm_buf_init_reader(struct vm_buf *b, const uint8_t *data, size_t len)
{
    memset(b, 0, sizeof(*b));
    /* The reader never writes through data; the struct is shared with writers. */
    b->data = (uint8_t *)data;
    b->len = len;
}

void vm_buf_free(struct vm_buf *b)
{
    if (b->cap)
        free(b->data);
    memset(b, 0, sizeof(*b));
}

void vm_put_bytes(struct vm_buf *b, const void *p, size_t n)
{
    if (b->error)
        return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2) {
                b->error = -ENOMEM;
                return;
            }
            cap *= 2;
        }
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->error = -ENOMEM;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void vm_put_u8(struct vm_buf *b, uint8_t v)
{
    vm_put_bytes(b, &v, 1);
}

void vm_put_be16(struct vm_buf *b, uint16_t v)
{
    uint8_t d[2] = {v >> 8, v};
    vm_put_bytes(b, d, 2);
}

void vm_put_be32(struct vm_buf *b, uint32_t v)
{
    uint8_t d[4] = {v >> 24, v >> 16, v >> 8, v};
    vm_put_bytes(b, d, 4);
}

void vm_put_be64(struct vm_buf *b, uint64_t v)
{
    vm_put_be32(b, v >> 32);
    vm_put_be32(b, v);
}

int vm_get_bytes(struct vm_buf *b, void *p, size_t n)
{
    if (b->error || n > b->len - b->pos) {
        b->error = -EINVAL;
        if (n)
            memset(p, 0, n);
        return -EINVAL;
    }
    if (n)
        memcpy(p, b->data + b->pos, n);
    b->pos += n;
    return 0;
}

uint8_t vm_get_u8(struct vm_buf *b)
{
    uint8_t v;
    vm_get_bytes(b, &v, 1);
    return v;
}

uint16_t vm_get_be16(struct vm_buf *b)
{
    uint8_t d[2];
    vm_get_bytes(b, d, 2);
    return (uint16_t)(d[0] << 8 | d[1]);
}

uint32_t vm_get_be32(struct vm_buf *b)
{
    uint8_t d[4];
    vm_get_bytes(b, d, 4);
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

uint64_t vm_get_be64(struct vm_buf *b)
{
    uint64_t hi = vm_get_be32(b);
    return hi << 32 | vm_get_be32(b);
}

/* ---- field layout ---- */

static size_t field_elem_size(const struct vmstate_field *f)
{
    switch (f->type) {
    case VMS_BOOL:
        return sizeof(bool);
    case VMS_U8:
        return 1;
    case VMS_U16:
        return 2;
    case VMS_U32:
        return 4;
    case VMS_U64:
        return 8;
    case VMS_BUFFER:
    case VMS_STRUCT:
        return f->size;
    case VMS_END:
        break;
    }
    return 0;
}

static uint32_t field_max(const struct vmstate_field *f)
{
    return f->count ? f->count : 1;
}

/* Element count of f in the struct at base, or -EINVAL if it exceeds the maximum. */
static int64_t field_count(const struct vmstate_field *f, const uint8_t *base)
{
    if (!f->count_offset_valid)
        return field_max(f);
    uint32_t n;
    memcpy(&n, base + f->count_offset, sizeof(n));
    return n > field_max(f) ? -EINVAL : (int64_t)n;
}

/* Bytes from the struct's start that loading d may touch (its fields and subsections'). */
static size_t desc_extent(const struct vmstate_desc *d, int depth)
{
    size_t ext = 0;
    if (depth > VMSTATE_DEPTH_MAX)
        return 0;
    for (const struct vmstate_field *f = d->fields; f && f->type != VMS_END; f++) {
        size_t end = f->offset + field_elem_size(f) * field_max(f);
        if (end > ext)
            ext = end;
        if (f->count_offset_valid && f->count_offset + sizeof(uint32_t) > ext)
            ext = f->count_offset + sizeof(uint32_t);
    }
    for (const struct vmstate_desc *const *s = d->subsections; s && *s; s++) {
        size_t e = desc_extent(*s, depth + 1);
        if (e > ext)
            ext = e;
    }
    return ext;
}

/* ---- save ---- */

static int save_section(const struct vmstate_desc *d, void *opaque, struct vm_buf *out, int depth);

static int save_field(const struct vmstate_field *f, uint8_t *base, struct vm_buf *out, int depth)
{
    int64_t n = field_count(f, base);
    if (n < 0)
        return (int)n; /* the device's own count is past its array: a bug, not a stream */
    size_t esz = field_elem_size(f);
    for (int64_t i = 0; i < n; i++) {
        uint8_t *p = base + f->offset + (size_t)i * esz;
        switch (f->type) {
        case VMS_BOOL:
            vm_put_u8(out, *(bool *)p ? 1 : 0);
            break;
        case VMS_U8:
            vm_put_u8(out, *p);
            break;
        case VMS_U16:
            vm_put_be16(out, *(uint16_t *)p);
            break;
        case VMS_U32:
            vm_put_be32(out, *(uint32_t *)p);
            break;
        case VMS_U64:
            vm_put_be64(out, *(uint64_t *)p);
            break;
        case VMS_BUFFER:
            vm_put_bytes(out, p, f->size);
            break;
        case VMS_STRUCT: {
            int ret = save_section(f->sub, p, out, depth + 1);
            if (ret < 0)
                return ret;
            break;
        }
        case VMS_END:
            break;
        }
    }
    return out->error;
}

static int save_section(const struct vmstate_desc *d, void *opaque, struct vm_buf *out, int depth)
{
    if (depth > VMSTATE_DEPTH_MAX)
        return -ELOOP;
    if (d->pre_save) {
        int ret = d->pre_save(opaque);
        if (ret < 0)
            return ret;
    }
    size_t nlen = strlen(d->name);
    if (nlen > VMSTATE_NAME_MAX)
        return -ENAMETOOLONG;
    vm_put_be32(out, (uint32_t)nlen);
    vm_put_bytes(out, d->name, nlen);
    vm_put_be32(out, (uint32_t)d->version_id);
    for (const struct vmstate_field *f = d->fields; f && f->type != VMS_END; f++) {
        if (f->version_id > d->version_id)
            continue;
        int ret = save_field(f, opaque, out, depth);
        if (ret < 0)
            return ret;
    }
    for (const struct vmstate_desc *const *s = d->subsections; s && *s; s++) {
        if ((*s)->needed && !(*s)->needed(opaque))
            continue;
        vm_put_u8(out, 1);
        int ret = save_section(*s, opaque, out, depth + 1);
        if (ret < 0)
            return ret;
    }
    vm_put_u8(out, 0);
    return out->error;
}

int vmstate_save(const struct vmstate_desc *d, void *opaque, struct vm_buf *out)
{
    if (out->error)
        return out->error;
    return save_section(d, opaque, out, 0);
}

/* ---- load ---- */

/* Read a section header; returns the stream's version or -EINVAL. */
static int load_header(const struct vmstate_desc *d, struct vm_buf *in)
{
    char name[VMSTATE_NAME_MAX];
    uint32_t nlen = vm_get_be32(in);
    if (in->error || nlen > VMSTATE_NAME_MAX || nlen != strlen(d->name))
        return -EINVAL;
    if (vm_get_bytes(in, name, nlen) < 0 || memcmp(name, d->name, nlen) != 0)
        return -EINVAL;
    uint32_t v = vm_get_be32(in);
    if (in->error || v > (uint32_t)d->version_id || (int)v < d->minimum_version_id)
        return -EINVAL;
    return (int)v;
}

static int load_section(const struct vmstate_desc *d, uint8_t *base, struct vm_buf *in, bool hooks,
                        int depth);

static int load_field(const struct vmstate_field *f, uint8_t *base, struct vm_buf *in, bool hooks,
                      int depth)
{
    int64_t n = field_count(f, base);
    if (n < 0)
        return -EINVAL;
    size_t esz = field_elem_size(f);
    for (int64_t i = 0; i < n; i++) {
        uint8_t *p = base + f->offset + (size_t)i * esz;
        switch (f->type) {
        case VMS_BOOL: {
            uint8_t v = vm_get_u8(in);
            if (v > 1)
                return -EINVAL; /* any other byte would be an invalid bool */
            *(bool *)p = v;
            break;
        }
        case VMS_U8:
            *p = vm_get_u8(in);
            break;
        case VMS_U16: {
            uint16_t v = vm_get_be16(in);
            memcpy(p, &v, 2);
            break;
        }
        case VMS_U32: {
            uint32_t v = vm_get_be32(in);
            memcpy(p, &v, 4);
            break;
        }
        case VMS_U64: {
            uint64_t v = vm_get_be64(in);
            memcpy(p, &v, 8);
            break;
        }
        case VMS_BUFFER:
            vm_get_bytes(in, p, f->size);
            break;
        case VMS_STRUCT: {
            int ret = load_section(f->sub, p, in, hooks, depth + 1);
            if (ret < 0)
                return ret;
            break;
        }
        case VMS_END:
            break;
        }
        if (in->error)
            return -EINVAL;
    }
    return 0;
}

static int load_section(const struct vmstate_desc *d, uint8_t *base, struct vm_buf *in, bool hooks,
                        int depth)
{
    if (depth > VMSTATE_DEPTH_MAX)
        return -EINVAL;
    int version = load_header(d, in);
    if (version < 0)
        return version;
    for (const struct vmstate_field *f = d->fields; f && f->type != VMS_END; f++) {
        if (f->version_id > version)
            continue; /* the sender's version predates this field */
        int ret = load_field(f, base, in, hooks, depth);
        if (ret < 0)
            return ret;
    }
    for (;;) {
        uint8_t marker = vm_get_u8(in);
        if (in->error || marker > 1)
            return -EINVAL;
        if (!marker)
            break;
        /* Peek at the name to pick the subsection; load_section re-reads it. */
        size_t save_pos = in->pos;
        char name[VMSTATE_NAME_MAX];
        uint32_t nlen = vm_get_be32(in);
        if (in->error || nlen > VMSTATE_NAME_MAX || vm_get_bytes(in, name, nlen) < 0)
            return -EINVAL;
        in->pos = save_pos;
        const struct vmstate_desc *sub = NULL;
        for (const struct vmstate_desc *const *s = d->subsections; s && *s; s++) {
            if (strlen((*s)->name) == nlen && !memcmp((*s)->name, name, nlen)) {
                sub = *s;
                break;
            }
        }
        if (!sub)
            return -EINVAL;
        int ret = load_section(sub, base, in, hooks, depth + 1);
        if (ret < 0)
            return ret;
    }
    if (hooks && d->post_load)
        return d->post_load(base, version);
    return 0;
}

int vmstate_load(const struct vmstate_desc *d, void *opaque, struct vm_buf *in)
{
    if (in->error)
        return in->error;
    size_t start = in->pos;

    /* Dry run on a copy: nothing in opaque changes unless the whole section is sound. */
    size_t ext = desc_extent(d, 0);
    uint8_t *scratch = malloc(ext ? ext : 1);
    if (!scratch)
        return -ENOMEM;
    memcpy(scratch, opaque, ext);
    int ret = load_section(d, scratch, in, false, 0);
    free(scratch);
    if (ret < 0) {
        in->error = ret;
        return ret;
    }

    in->pos = start;
    ret = load_section(d, opaque, in, true, 0);
    if (ret < 0 && !in->error)
        in->error = ret;
    return ret;
}

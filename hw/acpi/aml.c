/*
 * aml.c - the AML encoder of aml.h (section numbers of ACPI 6.4).
 */
#include "hw/acpi/aml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void aml_begin(struct aml *a, struct acpi_blob *b)
{
    memset(a, 0, sizeof(*a));
    a->b = b;
}

int aml_end(struct aml *a)
{
    if (!a->err && a->depth)
        a->err = -EINVAL;
    return a->err;
}

/* Room for n more bytes. */
static int aml_reserve(struct aml *a, uint32_t n)
{
    struct acpi_blob *b = a->b;

    if (a->err)
        return a->err;
    if (b->len + n <= b->cap)
        return 0;
    uint32_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return a->err = -ENOMEM;
    memset(p + b->cap, 0, cap - b->cap);
    b->data = p;
    b->cap = cap;
    return 0;
}

void aml_bytes(struct aml *a, const void *p, uint32_t n)
{
    if (aml_reserve(a, n) < 0)
        return;
    memcpy(a->b->data + a->b->len, p, n);
    a->b->len += n;
}

void aml_byte(struct aml *a, uint8_t v)
{
    aml_bytes(a, &v, 1);
}

static void aml_le(struct aml *a, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        aml_byte(a, (uint8_t)(v >> (8 * i)));
}

/* 20.2.2: RootChar/PrefixPath, then one NameSeg, DualNamePath or MultiNamePath. */
void aml_name(struct aml *a, const char *path)
{
    int segs = 1;

    while (*path == '\\' || *path == '^')
        aml_byte(a, (uint8_t)*path++);
    for (const char *p = path; *p; p++)
        segs += *p == '.';
    if (segs == 2) {
        aml_byte(a, 0x2e); /* DualNamePrefix */
    } else if (segs > 2) {
        aml_byte(a, 0x2f); /* MultiNamePrefix */
        aml_byte(a, (uint8_t)segs);
    }
    for (;;) {
        const char *dot = strchr(path, '.');
        uint32_t n = dot ? (uint32_t)(dot - path) : (uint32_t)strlen(path);
        char seg[4] = {'_', '_', '_', '_'};
        memcpy(seg, path, n < 4 ? n : 4);
        if (n != 4 && !a->err)
            a->err = -EINVAL; /* callers spell segments in full */
        aml_bytes(a, seg, 4);
        if (!dot)
            break;
        path = dot + 1;
    }
}

/* 20.2.3: ConstObj or ComputationalData. */
void aml_int(struct aml *a, uint64_t v)
{
    if (v <= 1) {
        aml_byte(a, (uint8_t)v); /* ZeroOp, OneOp */
    } else if (v <= 0xff) {
        aml_byte(a, 0x0a);
        aml_le(a, v, 1);
    } else if (v <= 0xffff) {
        aml_byte(a, 0x0b);
        aml_le(a, v, 2);
    } else if (v <= 0xffffffff) {
        aml_byte(a, 0x0c);
        aml_le(a, v, 4);
    } else {
        aml_byte(a, 0x0e);
        aml_le(a, v, 8);
    }
}

/* 19.6.35 EISAID: three letters of five bits each, then four hex digits, big-endian. */
void aml_eisaid(struct aml *a, const char *id)
{
    uint32_t v = (uint32_t)((id[0] - 0x40) & 31) << 26 | (uint32_t)((id[1] - 0x40) & 31) << 21 |
                 (uint32_t)((id[2] - 0x40) & 31) << 16 | (uint32_t)strtoul(id + 3, NULL, 16);

    aml_byte(a, 0x0c);
    aml_byte(a, (uint8_t)(v >> 24));
    aml_byte(a, (uint8_t)(v >> 16));
    aml_byte(a, (uint8_t)(v >> 8));
    aml_byte(a, (uint8_t)v);
}

void aml_string(struct aml *a, const char *s)
{
    aml_byte(a, AML_STRING_PREFIX);
    aml_bytes(a, s, (uint32_t)strlen(s) + 1);
}

static void aml_push(struct aml *a)
{
    if (a->depth == AML_MAX_DEPTH) {
        if (!a->err)
            a->err = -EINVAL;
        return;
    }
    a->open[a->depth++] = a->b->len;
}

void aml_open(struct aml *a, uint8_t op)
{
    aml_byte(a, op);
    aml_push(a);
}

void aml_open_ext(struct aml *a, uint8_t ext)
{
    aml_byte(a, AML_EXT);
    aml_open(a, ext);
}

/*
 * 20.2.4 PkgLength: the length of what follows the op, itself included. One
 * byte up to 63; else the lead byte holds the count of extra bytes in bits
 * 6-7 and the low nibble, the extra bytes the rest.
 */
void aml_close(struct aml *a)
{
    if (a->err)
        return;
    if (!a->depth) {
        a->err = -EINVAL;
        return;
    }
    uint32_t at = a->open[--a->depth], n = a->b->len - at, k = 1;
    while (k < 4 && n + k > (k == 1 ? 63u : (1u << (4 + 8 * (k - 1))) - 1))
        k++;
    if (aml_reserve(a, k) < 0)
        return;
    uint8_t *p = a->b->data + at;
    uint32_t len = n + k;
    memmove(p + k, p, n);
    a->b->len += k;
    if (k == 1) {
        p[0] = (uint8_t)len;
        return;
    }
    p[0] = (uint8_t)((k - 1) << 6 | (len & 15));
    for (uint32_t i = 1; i < k; i++)
        p[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
}

void aml_name_decl(struct aml *a, const char *name)
{
    aml_byte(a, AML_NAME);
    aml_name(a, name);
}

void aml_scope(struct aml *a, const char *name)
{
    aml_open(a, AML_SCOPE);
    aml_name(a, name);
}

void aml_device(struct aml *a, const char *name)
{
    aml_open_ext(a, AML_EXT_DEVICE);
    aml_name(a, name);
}

/* 20.2.5.2 MethodFlags: ArgCount in bits 0-2, SerializeFlag in bit 3. */
void aml_method(struct aml *a, const char *name, int nargs, int serialized)
{
    aml_open(a, AML_METHOD);
    aml_name(a, name);
    aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 8 : 0)));
}

void aml_buffer(struct aml *a, const void *p, uint32_t n)
{
    aml_open(a, AML_BUFFER);
    aml_int(a, n);
    aml_bytes(a, p, n);
    aml_close(a);
}

/*
 * json.c - JSON values, the growable buffer and the writer (json.h).
 */
#include "emu-core/json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct json_value *json_new(enum json_type t)
{
    struct json_value *v = calloc(1, sizeof(*v));

    if (v)
        v->type = t;
    return v;
}

struct json_value *json_null(void)
{
    return json_new(JSON_NULL);
}

struct json_value *json_bool(bool b)
{
    struct json_value *v = json_new(JSON_BOOL);

    if (v)
        v->b = b;
    return v;
}

struct json_value *json_int(int64_t i)
{
    struct json_value *v = json_new(JSON_INT);

    if (v)
        v->i = i;
    return v;
}

struct json_value *json_double(double d)
{
    struct json_value *v = json_new(JSON_DOUBLE);

    if (v)
        v->d = d;
    return v;
}

struct json_value *json_string_len(const char *s, size_t len)
{
    struct json_value *v = json_new(JSON_STRING);

    if (!v)
        return NULL;
    v->str.s = malloc(len + 1);
    if (!v->str.s) {
        free(v);
        return NULL;
    }
    memcpy(v->str.s, s, len);
    v->str.s[len] = 0;
    v->str.len = len;
    return v;
}

struct json_value *json_string(const char *s)
{
    return json_string_len(s, strlen(s));
}

struct json_value *json_array(void)
{
    return json_new(JSON_ARRAY);
}

struct json_value *json_object(void)
{
    return json_new(JSON_OBJECT);
}

int json_array_append(struct json_value *arr, struct json_value *v)
{
    if (!v)
        return -ENOMEM;
    if (arr->arr.n == arr->arr.cap) {
        size_t cap = arr->arr.cap ? arr->arr.cap * 2 : 4;
        struct json_value **n = realloc(arr->arr.items, cap * sizeof(*n));
        if (!n) {
            json_free(v);
            return -ENOMEM;
        }
        arr->arr.items = n;
        arr->arr.cap = cap;
    }
    arr->arr.items[arr->arr.n++] = v;
    return 0;
}

int json_object_set(struct json_value *obj, const char *key, struct json_value *v)
{
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < obj->obj.n; i++) {
        if (!strcmp(obj->obj.m[i].key, key)) {
            json_free(obj->obj.m[i].val);
            obj->obj.m[i].val = v;
            return 0;
        }
    }
    if (obj->obj.n == obj->obj.cap) {
        size_t cap = obj->obj.cap ? obj->obj.cap * 2 : 4;
        struct json_member *n = realloc(obj->obj.m, cap * sizeof(*n));
        if (!n) {
            json_free(v);
            return -ENOMEM;
        }
        obj->obj.m = n;
        obj->obj.cap = cap;
    }
    char *k = strdup(key);
    if (!k) {
        json_free(v);
        return -ENOMEM;
    }
    obj->obj.m[obj->obj.n++] = (struct json_member){k, v};
    return 0;
}

struct json_value *json_object_get(const struct json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->obj.n; i++)
        if (!strcmp(obj->obj.m[i].key, key))
            return obj->obj.m[i].val;
    return NULL;
}

struct json_value *json_object_take(struct json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->obj.n; i++) {
        if (!strcmp(obj->obj.m[i].key, key)) {
            struct json_value *v = obj->obj.m[i].val;
            free(obj->obj.m[i].key);
            memmove(&obj->obj.m[i], &obj->obj.m[i + 1],
                    (obj->obj.n - i - 1) * sizeof(obj->obj.m[0]));
            obj->obj.n--;
            return v;
        }
    }
    return NULL;
}

void json_free(struct json_value *v)
{
    if (!v)
        return;
    switch (v->type) {
    case JSON_STRING:
        free(v->str.s);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->arr.n; i++)
            json_free(v->arr.items[i]);
        free(v->arr.items);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->obj.n; i++) {
            free(v->obj.m[i].key);
            json_free(v->obj.m[i].val);
        }
        free(v->obj.m);
        break;
    default:
        break;
    }
    free(v);
}

struct json_value *json_copy(const struct json_value *v)
{
    struct json_value *c;

    switch (v->type) {
    case JSON_STRING:
        return json_string_len(v->str.s, v->str.len);
    case JSON_ARRAY:
        c = json_array();
        for (size_t i = 0; c && i < v->arr.n; i++) {
            if (json_array_append(c, json_copy(v->arr.items[i])) < 0) {
                json_free(c);
                return NULL;
            }
        }
        return c;
    case JSON_OBJECT:
        c = json_object();
        for (size_t i = 0; c && i < v->obj.n; i++) {
            if (json_object_set(c, v->obj.m[i].key, json_copy(v->obj.m[i].val)) < 0) {
                json_free(c);
                return NULL;
            }
        }
        return c;
    default:
        c = json_new(v->type);
        if (c)
            *c = *v;
        return c;
    }
}

const char *json_type_name(enum json_type t)
{
    static const char *const names[] = {"null",   "boolean", "integer", "number",
                                        "string", "array",   "object"};
    return names[t];
}

/* ---- buffer ---- */

void json_buf_append(struct json_buf *b, const void *data, size_t len)
{
    if (b->oom)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *n = realloc(b->data, cap);
        if (!n) {
            b->oom = true;
            return;
        }
        b->data = n;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
}

void json_buf_printf(struct json_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        json_buf_append(b, small, n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    json_buf_append(b, big, n);
    free(big);
}

void json_buf_free(struct json_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

/* ---- writer ---- */

/* Decode one UTF-8 sequence at s (n bytes left); returns its length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2, c = s[0] & 0x1f, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3, c = s[0] & 0x0f, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms and surrogates are not UTF-8. */
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
        return 0;
    *cp = c;
    return len;
}

static void json_write_string(struct json_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0;

    json_buf_append(b, "\"", 1);
    while (i < len) {
        uint32_t cp;
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
            continue;
        }
        json_buf_append(b, p + start, i - start);
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            cp = 0xfffd;
            n = 1;
        }
        i += n;
        start = i;
        switch (cp) {
        case '"':
            json_buf_append(b, "\\\"", 2);
            break;
        case '\\':
            json_buf_append(b, "\\\\", 2);
            break;
        case '\b':
            json_buf_append(b, "\\b", 2);
            break;
        case '\f':
            json_buf_append(b, "\\f", 2);
            break;
        case '\n':
            json_buf_append(b, "\\n", 2);
            break;
        case '\r':
            json_buf_append(b, "\\r", 2);
            break;
        case '\t':
            json_buf_append(b, "\\t", 2);
            break;
        default:
            if (cp >= 0x10000) {
                cp -= 0x10000;
                json_buf_printf(b, "\\u%04x\\u%04x", 0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
            } else {
                json_buf_printf(b, "\\u%04x", cp);
            }
        }
    }
    json_buf_append(b, p + start, len - start);
    json_buf_append(b, "\"", 1);
}

void json_write(struct json_buf *b, const struct json_value *v)
{
    switch (v->type) {
    case JSON_NULL:
        json_buf_append(b, "null", 4);
        break;
    case JSON_BOOL:
        json_buf_printf(b, "%s", v->b ? "true" : "false");
        break;
    case JSON_INT:
        json_buf_printf(b, "%lld", (long long)v->i);
        break;
    case JSON_DOUBLE:
        /* JSON has no NaN or infinity; QEMU would not produce them either. */
        if (!isfinite(v->d))
            json_buf_append(b, "null", 4);
        else if (v->d == 0 && signbit(v->d))
            json_buf_append(b, "-0.0", 4); /* "-0" would read back as the integer 0 */
        else
            json_buf_printf(b, "%.17g", v->d);
        break;
    case JSON_STRING:
        json_write_string(b, v->str.s, v->str.len);
        break;
    case JSON_ARRAY:
        json_buf_append(b, "[", 1);
        for (size_t i = 0; i < v->arr.n; i++) {
            if (i)
                json_buf_append(b, ", ", 2);
            json_write(b, v->arr.items[i]);
        }
        json_buf_append(b, "]", 1);
        break;
    case JSON_OBJECT:
        json_buf_append(b, "{", 1);
        for (size_t i = 0; i < v->obj.n; i++) {
            if (i)
                json_buf_append(b, ", ", 2);
            json_write_string(b, v->obj.m[i].key, strlen(v->obj.m[i].key));
            json_buf_append(b, ": ", 2);
            json_write(b, v->obj.m[i].val);
        }
        json_buf_append(b, "}", 1);
        break;
    }
}

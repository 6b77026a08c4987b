/*
 * json-parse.c - the JSON parser (json.h). Input comes from any client that
 * can reach the monitor, so it is hostile: every read is bounds-checked,
 * nesting is limited before recursing, and errors name what went wrong in
 * QEMU's words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/json.h"

struct json_parser {
    const char *p, *end;
    int depth;
    char *err;
    size_t errlen;
    bool failed;
};

static void jp_error(struct json_parser *jp, const char *fmt, const char *arg)
{
    char msg[160];

    if (jp->failed)
        return;
    jp->failed = true;
    snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
    if (jp->err && jp->errlen)
        snprintf(jp->err, jp->errlen, "JSON parse error, %s", msg);
}

static void jp_skip_ws(struct json_parser *jp)
{
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
        jp->p++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int jp_hex4(struct json_parser *jp, uint32_t *out)
{
    uint32_t v = 0;

    if (jp->end - jp->p < 4)
        return -EINVAL;
    for (int i = 0; i < 4; i++) {
        int h = hexval(jp->p[i]);
        if (h < 0)
            return -EINVAL;
        v = v << 4 | (uint32_t)h;
    }
    jp->p += 4;
    *out = v;
    return 0;
}

static void utf8_put(struct json_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    json_buf_append(b, u, n);
}

/* Validate one raw UTF-8 sequence at p; returns its length or 0. */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t c, min;

    if ((s[0] & 0xe0) == 0xc0)
        len = 2, c = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, c = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, c = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
        return 0;
    return len;
}

/* A string in "..." or (QEMU's extension) '...'; *jp->p is the quote. */
static struct json_value *jp_string(struct json_parser *jp)
{
    char quote = *jp->p++;
    struct json_buf b = {0};
    struct json_value *v = NULL;

    while (jp->p < jp->end && *jp->p != quote) {
        unsigned char c = (unsigned char)*jp->p;
        if (c < 0x20) {
            jp_error(jp, "control character in string%s", NULL);
            goto out;
        }
        if (c >= 0x80) {
            size_t n = utf8_valid((const unsigned char *)jp->p, jp->end - jp->p);
            if (!n) {
                jp_error(jp, "invalid UTF-8 sequence in string%s", NULL);
                goto out;
            }
            json_buf_append(&b, jp->p, n);
            jp->p += n;
            continue;
        }
        if (c != '\\') {
            json_buf_append(&b, jp->p++, 1);
            continue;
        }
        if (++jp->p >= jp->end)
            break;
        char e = *jp->p++;
        uint32_t cp, lo;
        switch (e) {
        case '"':
        case '\'':
        case '\\':
        case '/':
            json_buf_append(&b, &e, 1);
            break;
        case 'b':
            json_buf_append(&b, "\b", 1);
            break;
        case 'f':
            json_buf_append(&b, "\f", 1);
            break;
        case 'n':
            json_buf_append(&b, "\n", 1);
            break;
        case 'r':
            json_buf_append(&b, "\r", 1);
            break;
        case 't':
            json_buf_append(&b, "\t", 1);
            break;
        case 'u':
            if (jp_hex4(jp, &cp) < 0) {
                jp_error(jp, "invalid hex escape sequence in string%s", NULL);
                goto out;
            }
            if (cp >= 0xd800 && cp < 0xdc00) {
                /* A high surrogate must pair with a low one. */
                if (jp->end - jp->p < 2 || jp->p[0] != '\\' || jp->p[1] != 'u') {
                    jp_error(jp, "missing low surrogate in string%s", NULL);
                    goto out;
                }
                jp->p += 2;
                if (jp_hex4(jp, &lo) < 0 || lo < 0xdc00 || lo >= 0xe000) {
                    jp_error(jp, "invalid low surrogate in string%s", NULL);
                    goto out;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                jp_error(jp, "lone low surrogate in string%s", NULL);
                goto out;
            }
            utf8_put(&b, cp);
            break;
        default:
            jp_error(jp, "invalid escape sequence in string%s", NULL);
            goto out;
        }
    }
    if (jp->p >= jp->end) {
        jp_error(jp, "premature end of string%s", NULL);
        goto out;
    }
    jp->p++; /* closing quote */
    if (b.oom) {
        jp_error(jp, "out of memory%s", NULL);
        goto out;
    }
    v = json_string_len(b.data ? b.data : "", b.len);
    if (!v)
        jp_error(jp, "out of memory%s", NULL);
out:
    json_buf_free(&b);
    return v;
}

static struct json_value *jp_number(struct json_parser *jp)
{
    const char *s = jp->p;
    bool is_float = false;
    char tmp[64];

    if (jp->p < jp->end && *jp->p == '-')
        jp->p++;
    if (jp->p >= jp->end || !(*jp->p >= '0' && *jp->p <= '9')) {
        jp_error(jp, "invalid number%s", NULL);
        return NULL;
    }
    /* RFC 8259: no leading zeros. */
    if (*jp->p == '0' && jp->p + 1 < jp->end && jp->p[1] >= '0' && jp->p[1] <= '9') {
        jp_error(jp, "invalid number%s", NULL);
        return NULL;
    }
    while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
        jp->p++;
    if (jp->p < jp->end && *jp->p == '.') {
        is_float = true;
        jp->p++;
        if (jp->p >= jp->end || !(*jp->p >= '0' && *jp->p <= '9')) {
            jp_error(jp, "invalid number%s", NULL);
            return NULL;
        }
        while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
            jp->p++;
    }
    if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
        is_float = true;
        jp->p++;
        if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
            jp->p++;
        if (jp->p >= jp->end || !(*jp->p >= '0' && *jp->p <= '9')) {
            jp_error(jp, "invalid number%s", NULL);
            return NULL;
        }
        while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
            jp->p++;
    }
    size_t n = jp->p - s;
    if (n >= sizeof(tmp)) {
        /* Digits beyond what a double distinguishes: refuse rather than copy unbounded. */
        jp_error(jp, "number too long%s", NULL);
        return NULL;
    }
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (!is_float) {
        errno = 0;
        long long ll = strtoll(tmp, NULL, 10);
        if (errno != ERANGE)
            return json_int(ll);
        /* As QEMU: an integer beyond int64 becomes a number. */
    }
    return json_double(strtod(tmp, NULL));
}

static struct json_value *jp_value(struct json_parser *jp);

static struct json_value *jp_container(struct json_parser *jp, bool is_obj)
{
    struct json_value *c = is_obj ? json_object() : json_array();
    char close = is_obj ? '}' : ']';

    if (!c) {
        jp_error(jp, "out of memory%s", NULL);
        return NULL;
    }
    if (++jp->depth > JSON_MAX_DEPTH) {
        jp_error(jp, "nesting depth limit exceeded%s", NULL);
        goto fail;
    }
    jp->p++;
    jp_skip_ws(jp);
    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        jp->depth--;
        return c;
    }
    for (;;) {
        struct json_value *key = NULL, *v;
        jp_skip_ws(jp);
        if (is_obj) {
            if (jp->p >= jp->end || (*jp->p != '"' && *jp->p != '\'')) {
                jp_error(jp, "key is not a string in object%s", NULL);
                goto fail;
            }
            key = jp_string(jp);
            if (!key)
                goto fail;
            jp_skip_ws(jp);
            if (jp->p >= jp->end || *jp->p != ':') {
                json_free(key);
                jp_error(jp, "missing : in object pair%s", NULL);
                goto fail;
            }
            jp->p++;
        }
        v = jp_value(jp);
        if (!v) {
            json_free(key);
            goto fail;
        }
        int r = is_obj ? json_object_set(c, key->str.s, v) : json_array_append(c, v);
        json_free(key);
        if (r < 0) {
            jp_error(jp, "out of memory%s", NULL);
            goto fail;
        }
        jp_skip_ws(jp);
        if (jp->p >= jp->end) {
            jp_error(jp, "premature end of input%s", NULL);
            goto fail;
        }
        if (*jp->p == close) {
            jp->p++;
            break;
        }
        if (*jp->p != ',') {
            jp_error(jp, is_obj ? "expected separator in dict%s" : "expected separator in list%s",
                     NULL);
            goto fail;
        }
        jp->p++;
    }
    jp->depth--;
    return c;
fail:
    json_free(c);
    return NULL;
}

static bool jp_keyword(struct json_parser *jp, const char *kw)
{
    size_t n = strlen(kw);

    if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, kw, n))
        return false;
    jp->p += n;
    return true;
}

static struct json_value *jp_value(struct json_parser *jp)
{
    struct json_value *v;

    jp_skip_ws(jp);
    if (jp->p >= jp->end) {
        jp_error(jp, "expecting value%s", NULL);
        return NULL;
    }
    switch (*jp->p) {
    case '{':
        return jp_container(jp, true);
    case '[':
        return jp_container(jp, false);
    case '"':
    case '\'':
        return jp_string(jp);
    case '-':
    case '0' ... '9':
        return jp_number(jp);
    default:
        break;
    }
    if (jp_keyword(jp, "true"))
        v = json_bool(true);
    else if (jp_keyword(jp, "false"))
        v = json_bool(false);
    else if (jp_keyword(jp, "null"))
        v = json_null();
    else {
        char tok[24];
        size_t n = 0;
        while (jp->p + n < jp->end && n < sizeof(tok) - 1 && jp->p[n] > ' ' && jp->p[n] < 0x7f &&
               !strchr("{}[],:", jp->p[n]))
            n++;
        if (!n) {
            jp_error(jp, "expecting value%s", NULL);
            return NULL;
        }
        memcpy(tok, jp->p, n);
        tok[n] = 0;
        jp_error(jp, "invalid keyword '%s'", tok);
        return NULL;
    }
    if (!v)
        jp_error(jp, "out of memory%s", NULL);
    return v;
}

struct json_value *json_parse(const char *buf, size_t len, char *err, size_t errlen)
{
    struct json_parser jp = {.p = buf, .end = buf + len, .err = err, .errlen = errlen};
    struct json_value *v = jp_value(&jp);

    if (!v)
        return NULL;
    jp_skip_ws(&jp);
    if (jp.p != jp.end) {
        json_free(v);
        jp_error(&jp, "unexpected data after the value%s", NULL);
        return NULL;
    }
    return v;
}

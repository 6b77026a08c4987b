/*
 * json.h - JSON values for the monitor (QMP): a tree type, a parser with
 * limits for hostile input, and a writer in QEMU's spacing.
 *
 * The parser accepts what QEMU's QMP parser accepts: RFC 8259 JSON plus
 * single-quoted strings. Integers that fit int64 are JSON_INT; others are
 * JSON_DOUBLE. Strings are UTF-8 and may hold NUL (len is authoritative).
 */
#ifndef EMU_JSON_H
#define EMU_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_INT,
    JSON_DOUBLE,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
};

struct json_value;

struct json_member {
    char *key;
    struct json_value *val;
};

struct json_value {
    enum json_type type;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *s; /* NUL-terminated too */
            size_t len;
        } str;
        struct {
            struct json_value **items;
            size_t n, cap;
        } arr;
        struct {
            struct json_member *m; /* in insertion order */
            size_t n, cap;
        } obj;
    };
};

/* QEMU's nesting limit; deeper input is refused, never recursed into. */
#define JSON_MAX_DEPTH 1024

/*
 * Parse exactly one value from buf[0..len) (surrounding whitespace allowed).
 * Returns the value, or NULL with a QEMU-worded reason in err ("JSON parse
 * error, ..."). Never reads past len; memory is bounded by O(len).
 */
struct json_value *json_parse(const char *buf, size_t len, char *err, size_t errlen);

/* Constructors: NULL on ENOMEM. json_string copies s. */
struct json_value *json_null(void);
struct json_value *json_bool(bool b);
struct json_value *json_int(int64_t i);
struct json_value *json_double(double d);
struct json_value *json_string(const char *s);
struct json_value *json_string_len(const char *s, size_t len);
struct json_value *json_array(void);
struct json_value *json_object(void);

/*
 * Containers take ownership of v (freed on failure, so calls chain without
 * leaks: json_object_set(o, "k", json_int(1))). A NULL v is an ENOMEM from
 * its constructor and makes the call fail. Return 0 or -ENOMEM. A key set
 * twice keeps the later value.
 */
int json_array_append(struct json_value *arr, struct json_value *v);
int json_object_set(struct json_value *obj, const char *key, struct json_value *v);

/* Member lookup; NULL if obj is not an object or has no such key. */
struct json_value *json_object_get(const struct json_value *obj, const char *key);
/* Remove a member and return its value (caller owns it), or NULL. */
struct json_value *json_object_take(struct json_value *obj, const char *key);

void json_free(struct json_value *v);
/* Deep copy; NULL on ENOMEM. */
struct json_value *json_copy(const struct json_value *v);

/* The type as QAPI error messages name it ("integer", "string", ...). */
const char *json_type_name(enum json_type t);

/* A growable byte buffer, for the writer and the monitor's output. */
struct json_buf {
    char *data;
    size_t len, cap;
    bool oom; /* an append failed; the content is truncated */
};

void json_buf_append(struct json_buf *b, const void *data, size_t len);
void json_buf_printf(struct json_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void json_buf_free(struct json_buf *b);

/*
 * Append v as QEMU writes QMP: one line, ", " and ": " separators, strings
 * ASCII-only with \uXXXX escapes (invalid UTF-8 becomes \uFFFD).
 */
void json_write(struct json_buf *b, const struct json_value *v);

#endif

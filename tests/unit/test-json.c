/*
 * test-json.c - the JSON parser and writer: values, escapes, QEMU's
 * spacing, the limits hostile input meets, and a bounded mutation fuzzer
 * (about 5 s) that checks parse -> write -> parse round trips and that
 * nothing crashes or leaks under ASan.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu-core/json.h"
#include "tests/unit/check.h"

static char *roundtrip(const char *in)
{
    char err[200];
    struct json_buf b = {0};
    struct json_value *v = json_parse(in, strlen(in), err, sizeof(err));

    if (!v)
        return strdup(err);
    json_write(&b, v);
    json_free(v);
    return b.data ? b.data : strdup("");
}

static bool rt_is(const char *in, const char *want)
{
    char *got = roundtrip(in);
    bool ok = !strcmp(got, want);

    if (!ok)
        fprintf(stderr, "  in:   %s\n  want: %s\n  got:  %s\n", in, want, got);
    free(got);
    return ok;
}

static void test_values(void)
{
    CHECK(rt_is("{\"execute\":\"query-status\",\"id\":[1,{\"a\":2}]}",
                "{\"execute\": \"query-status\", \"id\": [1, {\"a\": 2}]}"));
    CHECK(rt_is(" [ true , false , null ] ", "[true, false, null]"));
    CHECK(rt_is("-9223372036854775808", "-9223372036854775808"));
    CHECK(rt_is("9223372036854775808", "9.2233720368547758e+18")); /* beyond int64: a number */
    CHECK(rt_is("1.5e3", "1500"));
    CHECK(rt_is("{}", "{}"));
    CHECK(rt_is("[]", "[]"));
    /* QEMU's extension: single quotes. */
    CHECK(rt_is("{'a': 'it\\'s'}", "{\"a\": \"it's\"}"));
    /* Escapes in, and out as QEMU writes them (non-ASCII as \u). */
    CHECK(rt_is("\"a\\n\\t\\\"\\\\\\/\\u00e9\"", "\"a\\n\\t\\\"\\\\/\\u00e9\""));
    CHECK(rt_is("\"\xc3\xa9\"", "\"\\u00e9\""));
    CHECK(rt_is("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\""));
    CHECK(rt_is("\"\\u0000x\"", "\"\\u0000x\""));
    /* Later duplicate keys win, as QEMU's QDict. */
    CHECK(rt_is("{\"a\":1,\"a\":2}", "{\"a\": 2}"));
}

static void test_errors(void)
{
    CHECK(rt_is("{\"execute\": }", "JSON parse error, expecting value"));
    CHECK(rt_is("foo", "JSON parse error, invalid keyword 'foo'"));
    CHECK(rt_is("{\"a\" 1}", "JSON parse error, missing : in object pair"));
    CHECK(rt_is("{1: 2}", "JSON parse error, key is not a string in object"));
    CHECK(rt_is("[1 2]", "JSON parse error, expected separator in list"));
    CHECK(rt_is("\"abc", "JSON parse error, premature end of string"));
    CHECK(rt_is("\"\xff\"", "JSON parse error, invalid UTF-8 sequence in string"));
    CHECK(rt_is("\"\xc0\x80\"", "JSON parse error, invalid UTF-8 sequence in string"));
    CHECK(rt_is("\"\\ud800\"", "JSON parse error, missing low surrogate in string"));
    CHECK(rt_is("\"\\x\"", "JSON parse error, invalid escape sequence in string"));
    CHECK(rt_is("01", "JSON parse error, invalid number"));
    CHECK(rt_is("[1] x", "JSON parse error, unexpected data after the value"));
    CHECK(rt_is("", "JSON parse error, expecting value"));
}

static void test_depth(void)
{
    size_t n = JSON_MAX_DEPTH;
    char *s = malloc(2 * n + 2);

    /* Exactly the limit parses; one more is refused without recursing further. */
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = 0;
    char *r = roundtrip(s);
    CHECK(r[0] == '[');
    free(r);
    free(s);
    s = malloc(2 * n + 4);
    memset(s, '[', n + 1);
    memset(s + n + 1, ']', n + 1);
    s[2 * n + 2] = 0;
    CHECK(rt_is(s, "JSON parse error, nesting depth limit exceeded"));
    free(s);
    /* A million opening brackets: an error, not a stack overflow. */
    n = 1000000;
    s = malloc(n + 1);
    memset(s, '{', n);
    s[n] = 0;
    r = roundtrip(s);
    CHECK(strstr(r, "JSON parse error") != NULL);
    free(r);
    free(s);
}

static void test_api(void)
{
    struct json_value *o = json_object();

    CHECK(json_object_set(o, "x", json_int(5)) == 0);
    CHECK(json_object_set(o, "y", NULL) < 0); /* a failed constructor propagates */
    CHECK(json_object_get(o, "x")->i == 5);
    struct json_value *x = json_object_take(o, "x");
    CHECK(x && x->i == 5 && !json_object_get(o, "x"));
    json_free(x);
    struct json_value *c = json_copy(o);
    CHECK(c && c->type == JSON_OBJECT && c->obj.n == 0);
    json_free(c);
    json_free(o);
    CHECK(!strcmp(json_type_name(JSON_INT), "integer"));
}

/* ---- mutation fuzzing, bounded in time ---- */

static const char *const seeds[] = {
    "{\"execute\": \"qmp_capabilities\"}",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}, "
    "\"id\": [1, 2.5, null, true, {\"k\": 'v'}]}",
    "\"\\ud83d\\ude00\\u00e9\\n\"",
    "[-0.5e-3, 1E+2, 9223372036854775807, -9223372036854775809]",
    "{\"a\": {\"b\": {\"c\": [[[[]]]]}}}",
};

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void mutate(char *buf, size_t *len, size_t cap)
{
    static const char tokens[] = "{}[]\",:'\\u0123456789eE.-+ tfn\xff\xc3\xa9";
    int ops = 1 + (int)(rnd() % 4);

    for (int i = 0; i < ops; i++) {
        size_t pos = *len ? rnd() % *len : 0;
        switch (rnd() % 4) {
        case 0: /* replace */
            if (*len)
                buf[pos] = rnd() % 2 ? tokens[rnd() % (sizeof(tokens) - 1)] : (char)rnd();
            break;
        case 1: /* insert */
            if (*len < cap) {
                memmove(buf + pos + 1, buf + pos, *len - pos);
                buf[pos] = tokens[rnd() % (sizeof(tokens) - 1)];
                (*len)++;
            }
            break;
        case 2: /* delete */
            if (*len) {
                memmove(buf + pos, buf + pos + 1, *len - pos - 1);
                (*len)--;
            }
            break;
        default: { /* duplicate a slice */
            size_t n = rnd() % 16;
            if (pos + n <= *len && *len + n <= cap) {
                memmove(buf + pos + n, buf + pos, *len - pos);
                (*len) += n;
            }
            break;
        }
        }
    }
}

static void test_fuzz(double seconds)
{
    char buf[4096], err[200];
    long iters = 0, parsed = 0, bad_rt = 0;
    clock_t end = clock() + (clock_t)(seconds * CLOCKS_PER_SEC);

    while (clock() < end) {
        for (int k = 0; k < 256; k++, iters++) {
            const char *seed = seeds[rnd() % (sizeof(seeds) / sizeof(seeds[0]))];
            size_t len = strlen(seed);
            memcpy(buf, seed, len);
            for (int r = (int)(rnd() % 8); r >= 0; r--)
                mutate(buf, &len, sizeof(buf));
            struct json_value *v = json_parse(buf, len, err, sizeof(err));
            if (!v) {
                if (strncmp(err, "JSON parse error, ", 18))
                    bad_rt++; /* every failure must carry QEMU's prefix */
                continue;
            }
            parsed++;
            /* What we write must parse back to the same text. */
            struct json_buf a = {0}, b = {0};
            json_write(&a, v);
            struct json_value *w = json_parse(a.data, a.len, err, sizeof(err));
            if (!w) {
                bad_rt++;
            } else {
                json_write(&b, w);
                if (a.len != b.len || memcmp(a.data, b.data, a.len))
                    bad_rt++;
            }
            json_free(v);
            json_free(w);
            json_buf_free(&a);
            json_buf_free(&b);
        }
    }
    printf("fuzz: %ld inputs, %ld parsed, %ld round-trip failures\n", iters, parsed, bad_rt);
    CHECK(iters > 10000);
    CHECK(parsed > 0);
    CHECK_EQ(bad_rt, 0);
}

int main(int argc, char **argv)
{
    test_values();
    test_errors();
    test_depth();
    test_api();
    test_fuzz(argc > 1 ? atof(argv[1]) : 5.0);
    return check_summary("json");
}

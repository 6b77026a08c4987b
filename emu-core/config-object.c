/*
 * config-object.c - QEMU's -object, of which baremu has secret (config.h)
 * and the entropy back ends rng-builtin and rng-random (emu-core/rng.h). A
 * secret guards the monitor on a network, so its value is never printed:
 * errors name the object by id only, never the option text (QEMU echoes
 * that, data= included).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/platform.h"
#include "emu-core/rng.h"

#define SECRET_MAX_LEN 65536

struct config_secret {
    char *id;
    char *value; /* NUL-terminated, no NUL inside */
    size_t len;
    struct config_secret *next;
};

static struct config_secret *secrets;

static void obj_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void obj_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Overwrite before free: a secret should not linger in freed heap for a later dump to show. */
static void secret_wipe(char *p, size_t len)
{
    volatile char *v = p;

    while (len--)
        *v++ = 0;
}

void config_secrets_clear(void)
{
    while (secrets) {
        struct config_secret *s = secrets;
        secrets = s->next;
        secret_wipe(s->value, s->len);
        free(s->value);
        free(s->id);
        free(s);
    }
}

const char *config_secret_lookup(const char *id)
{
    for (struct config_secret *s = secrets; s; s = s->next)
        if (!strcmp(s->id, id))
            return s->value;
    return NULL;
}

/* QEMU's identifiers: a letter, then letters, digits, '-', '.', '_'. */
static bool id_valid(const char *id)
{
    if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
        return false;
    for (const char *p = id + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            return false;
    return true;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard base64 with '=' padding (as QEMU's g_base64 check); out holds len*3/4+3. */
int config_base64_decode(const char *in, size_t len, char *out, size_t *outlen)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0, pad = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == '=') {
            pad++;
            continue;
        }
        int v = b64_value(in[i]);
        if (v < 0 || pad)
            return -EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)(acc >> bits);
        }
    }
    if ((len % 4) || pad > 2)
        return -EINVAL;
    *outlen = n;
    return 0;
}

static int secret_add(const char *id, const struct opts *o, char *err, size_t errlen)
{
    const char *data = opts_get(o, "data"), *file = opts_get(o, "file"),
               *format = opts_get(o, "format");
    char *raw = NULL, *value = NULL;
    size_t rawlen = 0, len;
    int ret = -EINVAL;

    for (size_t i = 0; i < o->count; i++) {
        const char *k = o->items[i].key;
        if (!strcmp(k, "qom-type") || !strcmp(k, "id") || !strcmp(k, "data") ||
            !strcmp(k, "file") || !strcmp(k, "format"))
            continue;
        if (!strcmp(k, "keyid") || !strcmp(k, "iv"))
            obj_err(err, errlen,
                    "-object secret,id=%s: encrypted secrets (keyid=, iv=) are not "
                    "supported",
                    id);
        else
            obj_err(err, errlen, "-object secret,id=%s: Invalid parameter '%s'", id, k);
        return -EINVAL;
    }
    if (format && strcmp(format, "raw") && strcmp(format, "base64")) {
        obj_err(err, errlen, "-object secret,id=%s: Parameter 'format' does not accept value '%s'",
                id, format);
        return -EINVAL;
    }
    if (config_secret_lookup(id)) {
        obj_err(err, errlen, "-object secret,id=%s: Duplicate ID '%s' for object", id, id);
        return -EINVAL;
    }
    if (!data == !file) {
        obj_err(err, errlen, "-object secret,id=%s: %s", id,
                data ? "'file' and 'data' are mutually exclusive"
                     : "Either 'file' or 'data' must be provided");
        return -EINVAL;
    }
    if (file) {
        void *buf;
        uint64_t size;
        int r = plat_file_load(file, SECRET_MAX_LEN, &buf, &size);
        if (r < 0) {
            obj_err(err, errlen, "-object secret,id=%s: Unable to read %s: %s", id, file,
                    strerror(-r));
            return -EINVAL;
        }
        raw = buf;
        rawlen = (size_t)size;
    } else {
        rawlen = strlen(data);
        raw = malloc(rawlen + 1);
        if (!raw)
            goto nomem;
        memcpy(raw, data, rawlen);
    }
    value = malloc(rawlen + 4);
    if (!value)
        goto nomem;
    if (format && !strcmp(format, "base64")) {
        if (config_base64_decode(raw, rawlen, value, &len) < 0) {
            obj_err(err, errlen, "-object secret,id=%s: Base64 data contains invalid characters",
                    id);
            goto out;
        }
    } else {
        memcpy(value, raw, rawlen);
        len = rawlen;
    }
    value[len] = 0;
    /* It is compared as text (the QMP authentication takes a JSON string). */
    if (!len || memchr(value, 0, len)) {
        obj_err(err, errlen, "-object secret,id=%s: the secret is %s", id,
                len ? "not text (it holds a NUL byte)" : "empty");
        goto out;
    }
    struct config_secret *s = calloc(1, sizeof(*s));
    if (!s || !(s->id = strdup(id))) {
        free(s);
        goto nomem;
    }
    s->value = value;
    s->len = len;
    s->next = secrets;
    secrets = s;
    value = NULL;
    ret = 0;
    goto out;
nomem:
    obj_err(err, errlen, "-object secret,id=%s: out of memory", id);
    ret = -ENOMEM;
out:
    if (raw) {
        secret_wipe(raw, rawlen);
        free(raw);
    }
    if (value) {
        secret_wipe(value, rawlen);
        free(value);
    }
    return ret;
}

/* Types QEMU has and baremu does not: say so rather than that they do not exist. */
static const char *const qemu_object_types[] = {
    "iothread",
    "memory-backend-ram",
    "memory-backend-file",
    "memory-backend-memfd",
    "rng-egd",
    "tls-creds-x509",
    "tls-creds-psk",
    "tls-creds-anon",
    "authz-simple",
    "authz-list",
    "authz-listfile",
    "authz-pam",
    "throttle-group",
    "filter-buffer",
    "filter-dump",
    "filter-mirror",
    "filter-redirector",
    "filter-rewriter",
    "colo-compare",
    "cryptodev-backend-builtin",
    "input-linux",
    "main-loop",
    "can-bus",
    "dbus-vmstate",
    "pr-manager-helper",
    "sev-guest",
};

int config_object_add(const char *arg, char *err, size_t errlen)
{
    struct opts o = {0};
    char msg[200];
    int ret = -EINVAL;

    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        printf("List of user creatable objects:\n  rng-builtin\n  rng-random\n  secret\n");
        return 1;
    }
    if (opts_parse(&o, arg, "qom-type", msg, sizeof(msg)) < 0) {
        /* msg quotes the option text, which may hold data=: do not pass it on. */
        obj_err(err, errlen, "-object: malformed options");
        return -EINVAL;
    }
    const char *type = opts_get(&o, "qom-type"), *id = opts_get(&o, "id");
    if (!type) {
        obj_err(err, errlen, "-object: Parameter 'qom-type' is missing");
        goto out;
    }
    bool is_rng = !strcmp(type, "rng-builtin") || !strcmp(type, "rng-random");
    if (strcmp(type, "secret") && !is_rng) {
        bool qemu_has = false;
        for (size_t i = 0; i < sizeof(qemu_object_types) / sizeof(qemu_object_types[0]); i++)
            qemu_has |= !strcmp(type, qemu_object_types[i]);
        if (qemu_has)
            obj_err(err, errlen,
                    "-object %s: not supported by baremu (it has secret, rng-builtin and "
                    "rng-random)",
                    type);
        else
            obj_err(err, errlen, "-object %s: Parameter 'qom-type' does not accept value '%s'",
                    type, type);
        goto out;
    }
    if (!id) {
        obj_err(err, errlen, "-object %s: Parameter 'id' is missing", type);
        goto out;
    }
    if (!id_valid(id)) {
        obj_err(err, errlen,
                "-object %s: Parameter 'id' expects an identifier (letters, "
                "digits, '-', '.', '_', starting with a letter)",
                type);
        goto out;
    }
    ret = is_rng ? rng_backend_add(type, &o, err, errlen) : secret_add(id, &o, err, errlen);
out:
    for (size_t i = 0; i < o.count; i++)
        secret_wipe(o.items[i].value, strlen(o.items[i].value));
    opts_free(&o);
    return ret;
}

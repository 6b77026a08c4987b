/*
 * rng.c - the -object rng-builtin / rng-random back ends (rng.h).
 */
#include "emu-core/rng.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/platform.h"

#define RNG_DEFAULT_FILE "/dev/urandom" /* QEMU's rng-random default since 5.0 */

struct rng_backend {
    char *id;
    struct plat_entropy_file *file; /* NULL: plat_entropy */
    struct rng_backend *next;
};

static struct rng_backend *rng_backends;

struct rng_backend *rng_backend_find(const char *id)
{
    for (struct rng_backend *b = rng_backends; b; b = b->next)
        if (!strcmp(b->id, id))
            return b;
    return NULL;
}

int rng_backend_add(const char *type, const struct opts *o, char *err, size_t errlen)
{
    static const char *const builtin_keys[] = {"qom-type", "id", NULL};
    static const char *const random_keys[] = {"qom-type", "id", "filename", NULL};
    bool is_random = !strcmp(type, "rng-random");
    const char *id = opts_get(o, "id"), *file = opts_get(o, "filename");
    const char *bad = opts_unknown_key(o, is_random ? random_keys : builtin_keys);
    struct rng_backend *b;
    int ret;

    if (bad) {
        snprintf(err, errlen, "-object %s,id=%s: Invalid parameter '%s'", type, id, bad);
        return -EINVAL;
    }
    if (rng_backend_find(id)) {
        snprintf(err, errlen, "-object %s,id=%s: Duplicate ID '%s' for object", type, id, id);
        return -EINVAL;
    }
    b = calloc(1, sizeof(*b));
    if (!b || !(b->id = strdup(id))) {
        free(b);
        snprintf(err, errlen, "-object %s,id=%s: out of memory", type, id);
        return -ENOMEM;
    }
    if (is_random) {
        if (!file)
            file = RNG_DEFAULT_FILE;
        ret = plat_entropy_file_open(file, &b->file);
        /* The appliance has no device files; its own source is what these name. */
        if (ret == -ENOTSUP && (!strcmp(file, "/dev/urandom") || !strcmp(file, "/dev/random")))
            ret = 0, b->file = NULL;
        if (ret < 0) {
            snprintf(err, errlen, "-object %s,id=%s: Could not open '%s': %s", type, id, file,
                     ret == -ENOTSUP ? "no such files on this platform (use rng-builtin)"
                                     : strerror(-ret));
            free(b->id);
            free(b);
            return ret;
        }
    }
    b->next = rng_backends;
    rng_backends = b;
    return 0;
}

int rng_backend_read(struct rng_backend *b, void *buf, size_t len)
{
    int n;

    if (b && b->file)
        return plat_entropy_file_read(b->file, buf, len);
    n = plat_entropy(buf, len);
    return n == -EAGAIN ? 0 : n;
}

void rng_backends_clear(void)
{
    while (rng_backends) {
        struct rng_backend *b = rng_backends;
        rng_backends = b->next;
        plat_entropy_file_close(b->file);
        free(b->id);
        free(b);
    }
}

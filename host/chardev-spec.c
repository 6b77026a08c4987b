/*
 * chardev-spec.c - QEMU's -serial/-monitor device specs ("stdio",
 * "mon:stdio", "file:log.txt") turned into registered chardevs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "console/console.h"
#include "emu-core/chardev.h"
#include "host/host.h"

static struct chardev *backend_from_spec(const char *id, const char *spec, bool muxed, char *err,
                                         size_t errlen)
{
    if (!strcmp(spec, "stdio"))
        /* Ctrl-C kills a plain stdio console; under the mux it goes to the guest (QEMU). */
        return host_chardev_stdio(id, !muxed, err, errlen);
    if (!strcmp(spec, "null"))
        return host_chardev_null(id, err, errlen);
    if (!strncmp(spec, "file:", 5)) {
        if (!spec[5]) {
            snprintf(err, errlen, "'%s': file: needs a path", spec);
            return NULL;
        }
        return host_chardev_file(id, spec + 5, err, errlen);
    }
    snprintf(err, errlen, "'%s': not supported yet (use stdio, mon:stdio, file:PATH, null or none)",
             spec);
    return NULL;
}

int host_chardev_from_spec(const char *id, const char *spec, char *err, size_t errlen)
{
    char bid[64];

    if (!strcmp(spec, "none"))
        return 0;
    if (chardev_find(id)) {
        snprintf(err, errlen, "chardev '%s' exists already", id);
        return -EEXIST;
    }
    if (strncmp(spec, "mon:", 4)) {
        char msg[200];
        if (backend_from_spec(id, spec, false, msg, sizeof(msg)))
            return 0;
        snprintf(err, errlen, "%s", msg);
        return -EINVAL;
    }

    /* The back end gets its own id so the mux port can carry the one the board asks for. */
    snprintf(bid, sizeof(bid), "%s-backend", id);
    struct chardev *be = backend_from_spec(bid, spec + 4, true, err, errlen);
    if (!be)
        return -EINVAL;
    struct console_mux *mux = console_mux_new(be);
    if (!mux || !console_mux_add_port(mux, id)) {
        snprintf(err, errlen, "'%s': cannot create the console mux", spec);
        return -ENOMEM;
    }
    return 0;
}

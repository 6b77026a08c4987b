/*
 * chardev-file.c - output-only back ends: file:PATH (a log of the guest's
 * console) and null.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-core/chardev.h"
#include "host/host.h"
#include "host/monitor-host.h"

struct file_chardev {
    struct chardev chr;
    int fd;
};

static int file_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    struct file_chardev *f = chr->opaque;
    int r = host_write_all(f->fd, buf, len);

    return r < 0 ? r : (int)len;
}

static void file_close(struct chardev *chr)
{
    struct file_chardev *f = chr->opaque;

    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

static const struct chardev_ops file_ops = {
    .write = file_write,
    .close = file_close,
};

struct chardev *host_chardev_file(const char *id, const char *path, char *err, size_t errlen)
{
    struct file_chardev *f = calloc(1, sizeof(*f));

    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* As QEMU's file back end: truncate, so each run's log stands alone. */
    f->fd = host_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (f->fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(-f->fd));
        free(f);
        return NULL;
    }
    chardev_register(&f->chr, id, &file_ops, f);
    return &f->chr;
}

static int null_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    (void)buf;
    return (int)len;
}

static const struct chardev_ops null_ops = {
    .write = null_write,
};

struct chardev *host_chardev_null(const char *id, char *err, size_t errlen)
{
    struct chardev *c = calloc(1, sizeof(*c));

    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    chardev_register(c, id, &null_ops, NULL);
    return c;
}

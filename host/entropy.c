/*
 * entropy.c - emu-core/platform.h's entropy on Linux: getrandom(2) for the
 * default source (what QEMU's rng-builtin uses), and files read
 * non-blocking for rng-random, so a slow /dev/hwrng or an empty pipe never
 * stalls the main loop.
 */
#define _GNU_SOURCE
#include "emu-core/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

struct plat_entropy_file {
    int fd;
};

int plat_entropy(void *buf, size_t len)
{
    ssize_t n;

    if (!len)
        return 0;
    if (len > 65536)
        len = 65536; /* the int result; getrandom itself caps a call at 32 MiB */
    do
        n = getrandom(buf, len, GRND_NONBLOCK);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOSYS) {
        /* A kernel before 3.17: /dev/urandom, as QEMU's rng-random default. */
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -errno;
        do
            n = read(fd, buf, len);
        while (n < 0 && errno == EINTR);
        int err = errno;
        close(fd);
        errno = err;
    }
    if (n < 0)
        return -errno;
    return n ? (int)n : -EAGAIN;
}

int plat_entropy_file_open(const char *name, struct plat_entropy_file **out)
{
    struct plat_entropy_file *f = malloc(sizeof(*f));

    if (!f)
        return -ENOMEM;
    f->fd = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f->fd < 0) {
        int err = -errno;
        free(f);
        return err;
    }
    *out = f;
    return 0;
}

int plat_entropy_file_read(struct plat_entropy_file *f, void *buf, size_t len)
{
    ssize_t n;

    if (len > 65536)
        len = 65536;
    do
        n = read(f->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    return (int)n;
}

void plat_entropy_file_close(struct plat_entropy_file *f)
{
    if (!f)
        return;
    close(f->fd);
    free(f);
}

/*
 * test-fdset.c - host_open() on /dev/fdset/N: the descriptor whose access
 * mode (and O_DIRECT) fits is dup'ed, a wrong mode is -EACCES, a missing set
 * -ENOENT, and a set's file reads whole each time (plat_file_load by position).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-core/platform.h"
#include "host/monitor-host.h"
#include "tests/unit/check.h"

int host_fdset_add_option(const char *arg); /* host/fdset.c */

static int add(int fd, int set)
{
    char arg[64];

    snprintf(arg, sizeof(arg), "fd=%d,set=%d", fd, set);
    return host_fdset_add_option(arg);
}

int main(void)
{
    char path[] = "/tmp/baremu-fdset-XXXXXX";
    int fd = mkstemp(path);

    CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10);
    close(fd);

    /* Set 1: read-only only. Set 2: read-write only. */
    CHECK_EQ(add(open(path, O_RDONLY), 1), 0);
    CHECK_EQ(add(open(path, O_RDWR), 2), 0);

    int r = host_open("/dev/fdset/1", O_RDONLY, 0);
    CHECK(r >= 0);
    if (r >= 0)
        close(r);
    CHECK_EQ(host_open("/dev/fdset/1", O_RDWR, 0), -EACCES);
    CHECK_EQ(host_open("/dev/fdset/2", O_RDONLY, 0), -EACCES);
    r = host_open("/dev/fdset/2", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(r >= 0);
    if (r >= 0) {
        CHECK_EQ(lseek(r, 0, SEEK_END), 10); /* O_TRUNC is not applied to a set's file */
        close(r);
    }
    /* A request for O_DIRECT wants a descriptor opened that way. */
    CHECK_EQ(host_open("/dev/fdset/2", O_RDWR | O_DIRECT, 0), -EINVAL);
    CHECK_EQ(host_open("/dev/fdset/7", O_RDONLY, 0), -ENOENT);
    CHECK_EQ(host_open("/dev/fdset/x", O_RDONLY, 0), -EINVAL);
    CHECK_EQ(host_open("/dev/fdset/", O_RDONLY, 0), -EINVAL);

    /* The dup shares the offset; loading twice still gives the whole file. */
    for (int i = 0; i < 2; i++) {
        void *data = NULL;
        uint64_t size = 0;
        CHECK_EQ(plat_file_load("/dev/fdset/1", 1 << 20, &data, &size), 0);
        CHECK_EQ(size, 10);
        CHECK(data && !memcmp(data, "0123456789", 10));
        free(data);
    }

    /* -add-fd's own checks. */
    CHECK(host_fdset_add_option("fd=1,set=3") < 0);   /* stdio is not passed */
    CHECK(host_fdset_add_option("fd=999,set=3") < 0); /* not open */
    CHECK(host_fdset_add_option("set=3") < 0);
    CHECK(host_fdset_add_option("fd=5,set=3,bogus=1") < 0);
    unlink(path);
    return check_summary("fdset");
}

/*
 * platform.c - emu-core/platform.h for Linux: clocks, the poll() loop over
 * watched input fds, guest RAM, files, and process exit.
 */
#define _GNU_SOURCE
#include "emu-core/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/host.h"
#include "host/monitor-host.h"

uint64_t plat_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t plat_wallclock_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- input fds ---- */

#define HOST_MAX_WATCHES 32

struct host_watch {
    int fd; /* -1: free slot */
    bool (*can_read)(void *opaque);
    void (*read_cb)(void *opaque);
    void *opaque;
};

static struct host_watch watches[HOST_MAX_WATCHES];
static int nwatches;

int host_fd_watch(int fd, bool (*can_read)(void *), void (*read_cb)(void *), void *opaque)
{
    int slot = -1;

    for (int i = 0; i < nwatches; i++) {
        if (watches[i].fd == fd)
            return -EEXIST;
        if (watches[i].fd < 0 && slot < 0)
            slot = i;
    }
    if (slot < 0) {
        if (nwatches >= HOST_MAX_WATCHES)
            return -ENOSPC;
        slot = nwatches++;
    }
    watches[slot] = (struct host_watch){fd, can_read, read_cb, opaque};
    return 0;
}

void host_fd_unwatch(int fd)
{
    /* Only mark the slot free: plat_wait() may be iterating over it. */
    for (int i = 0; i < nwatches; i++)
        if (watches[i].fd == fd)
            watches[i].fd = -1;
}

/* One poll over the watched fds; timeout NULL waits for ever. */
static int host_poll(const struct timespec *timeout)
{
    struct pollfd pfd[HOST_MAX_WATCHES];
    int idx[HOST_MAX_WATCHES];
    int n = 0, events = 0;

    for (int i = 0; i < nwatches; i++) {
        if (watches[i].fd < 0 || (watches[i].can_read && !watches[i].can_read(watches[i].opaque)))
            continue;
        pfd[n] = (struct pollfd){.fd = watches[i].fd, .events = POLLIN};
        idx[n++] = i;
    }
    int r = ppoll(pfd, n, timeout, NULL);
    if (r <= 0)
        return 0; /* timeout, or EINTR: a signal handler has queued its own input */
    for (int j = 0; j < n; j++) {
        struct host_watch *w = &watches[idx[j]];
        /* The slot may have been freed or reused by an earlier callback. */
        if (!pfd[j].revents || w->fd != pfd[j].fd)
            continue;
        if (pfd[j].revents & POLLNVAL) {
            w->fd = -1; /* closed behind our back: stop polling it */
            continue;
        }
        w->read_cb(w->opaque);
        events++;
    }
    return events;
}

int plat_wait(uint64_t deadline_ns)
{
    struct timespec ts;

    if (deadline_ns == UINT64_MAX)
        return host_poll(NULL);
    uint64_t now = plat_clock_ns();
    uint64_t d = deadline_ns > now ? deadline_ns - now : 0;
    ts.tv_sec = d / 1000000000ull;
    ts.tv_nsec = d % 1000000000ull;
    return host_poll(&ts);
}

int plat_poll(void)
{
    static const struct timespec zero;

    return host_poll(&zero);
}

/* ---- memory and files ---- */

void *plat_ram_alloc(uint64_t size)
{
    /* NORESERVE: a large -m should cost only what the guest touches. */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);

    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* fewer TLB misses for the guest; a hint only */
#endif
    return p;
}

void plat_ram_free(void *p, uint64_t size)
{
    if (p)
        munmap(p, size);
}

int plat_file_load(const char *name, uint64_t max_size, void **data, uint64_t *size)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    int fd, ret;

    fd = host_open(name, O_RDONLY, 0);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st) < 0) {
        ret = -errno;
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        ret = -EISDIR;
        goto fail;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_size) {
        ret = -EFBIG;
        goto fail;
    }
    /* Non-regular files (a pipe, /dev/stdin) have no size up front: grow as we read. */
    cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    for (;;) {
        if (len == cap) {
            if (len > max_size) {
                ret = -EFBIG;
                goto fail;
            }
            uint8_t *n = realloc(buf, cap * 2);
            if (!n) {
                ret = -ENOMEM;
                goto fail;
            }
            buf = n;
            cap *= 2;
        }
        if (!buf && !(buf = malloc(cap))) {
            ret = -ENOMEM;
            goto fail;
        }
        /*
         * A file from an fd set shares its offset with the set's descriptor: read a
         * regular file by position so a second load (a reset, another option) sees it all.
         */
        ssize_t r = S_ISREG(st.st_mode) ? pread(fd, buf + len, cap - len, (off_t)len)
                                        : read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ret = -EIO;
            goto fail;
        }
        if (r == 0)
            break;
        len += r;
    }
    if (len > max_size) {
        ret = -EFBIG;
        goto fail;
    }
    close(fd);
    *data = buf;
    *size = len;
    return 0;

fail:
    free(buf);
    close(fd);
    return ret;
}

int plat_file_store(const char *name, const void *data, uint64_t size)
{
    int fd = host_open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int ret;

    if (fd < 0)
        return fd;
    ret = host_write_all(fd, data, size);
    if (close(fd) < 0 && ret == 0)
        ret = -errno;
    return ret;
}

int host_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                poll(&pfd, 1, -1);
                continue;
            }
            return -errno;
        }
        p += n;
        len -= n;
    }
    return 0;
}

_Noreturn void plat_exit(int status)
{
    host_term_restore();
    fflush(stdout);
    fflush(stderr);
    exit(status);
}

static int diag_fd = -1;

int host_diag_set_file(const char *path)
{
    int fd = host_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

    if (fd < 0)
        return fd;
    diag_fd = fd;
    return 0;
}

void plat_diag_write(const char *buf, size_t len)
{
    if (diag_fd < 0) {
        host_write_all(STDERR_FILENO, buf, len);
        return;
    }
    host_write_all(diag_fd, buf, len);
    /* Errors and warnings carry the program's prefix; the user must still see those. */
    if (len >= 8 && !memcmp(buf, "baremu: ", 8))
        host_write_all(STDERR_FILENO, buf, len);
}

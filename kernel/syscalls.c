/*
 * syscalls.c - the system calls newlib expects of its host
 * (--disable-newlib-supplied-syscalls), backed by the kernel: the heap,
 * console output on the UART, and exit. There are no files: the emulator
 * reads boot modules through plat_file_load().
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#include "emu-core/platform.h"
#include "kernel/kernel.h"

#undef errno
extern int errno;

void kern_console_write(const char *buf, size_t len);

void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
    void *p = kern_mem_sbrk(incr);

    if (!p) {
        errno = ENOMEM;
        return (void *)-1;
    }
    return p;
}

int _write(int fd, const void *buf, size_t len);
int _write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    kern_console_write(buf, len);
    return (int)len;
}

/* Console input belongs to the emulator's chardev: stdin reads as empty. */
int _read(int fd, void *buf, size_t len);
int _read(int fd, void *buf, size_t len)
{
    (void)buf;
    (void)len;
    if (fd != 0) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

int _open(const char *name, int flags, int mode);
int _open(const char *name, int flags, int mode)
{
    (void)name;
    (void)flags;
    (void)mode;
    errno = ENOENT;
    return -1;
}

int _close(int fd);
int _close(int fd)
{
    if (fd < 0 || fd > 2) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

int _fstat(int fd, struct stat *st);
int _fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > 2) {
        errno = EBADF;
        return -1;
    }
    *st = (struct stat){.st_mode = S_IFCHR};
    return 0;
}

int _isatty(int fd);
int _isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

off_t _lseek(int fd, off_t off, int whence);
off_t _lseek(int fd, off_t off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

_Noreturn void _exit(int status);
_Noreturn void _exit(int status)
{
    plat_exit(status);
}

int _getpid(void);
int _getpid(void)
{
    return 1;
}

int _kill(int pid, int sig);
int _kill(int pid, int sig)
{
    /* abort() raises SIGABRT at itself: stop the way a crashed process would. */
    if (pid == 1)
        kern_panic("aborted (signal %d)", sig);
    errno = ESRCH;
    return -1;
}

int _gettimeofday(struct timeval *tv, void *tz);
int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    uint64_t ns = plat_wallclock_ns();

    tv->tv_sec = ns / 1000000000ull;
    tv->tv_usec = ns % 1000000000ull / 1000;
    return 0;
}

clock_t _times(struct tms *t);
clock_t _times(struct tms *t)
{
    clock_t c = (clock_t)(kern_time_ns() / (1000000000ull / CLOCKS_PER_SEC));

    *t = (struct tms){.tms_utime = c};
    return c;
}

int _unlink(const char *name);
int _unlink(const char *name)
{
    (void)name;
    errno = ENOENT;
    return -1;
}

int _link(const char *old, const char *new);
int _link(const char *old, const char *new)
{
    (void)old;
    (void)new;
    errno = EMLINK;
    return -1;
}

/*
 * This newlib configuration (x86_64-elf, no supplied syscalls) calls the
 * plain names from its reentrant wrappers; the underscored ones are what
 * newlib's documentation names, so both exist.
 */
#define SYSCALL_ALIAS(name) __typeof__(_##name) name __attribute__((alias("_" #name)))
SYSCALL_ALIAS(sbrk);
SYSCALL_ALIAS(write);
SYSCALL_ALIAS(read);
SYSCALL_ALIAS(close);
SYSCALL_ALIAS(fstat);
SYSCALL_ALIAS(isatty);
SYSCALL_ALIAS(lseek);
SYSCALL_ALIAS(getpid);
SYSCALL_ALIAS(kill);
SYSCALL_ALIAS(gettimeofday);
SYSCALL_ALIAS(times);
SYSCALL_ALIAS(unlink);
SYSCALL_ALIAS(link);

/* newlib 3.3's aligned_alloc() calls posix_memalign(), which it does not have. */
int posix_memalign(void **out, size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size)
{
    if (!align || (align & (align - 1)) || align % sizeof(void *))
        return EINVAL;
    void *p = memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

/* Stack protector (libfdt-dev's libfdt.a is built with it); the guard lives at %fs:0x28. */
static uint64_t kern_tls[8] = {0, 0, 0, 0, 0, 0x00A5F00D2BAD5EEDull};

void kern_tls_init(void);
void kern_tls_init(void)
{
    kern_tls[5] ^= rdtsc() << 8; /* byte 0 stays 0: string overflows stop at it */
    wrmsr(0xC0000100, (uint64_t)(uintptr_t)kern_tls); /* FS.base */
}

_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
    kern_panic("stack smashing detected (return address %p)", __builtin_return_address(0));
}

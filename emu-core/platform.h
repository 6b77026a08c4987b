/*
 * platform.h - the only view of the machine that emu-core, targets/, hw/,
 * block/, net/ and console/ have. host/ (Linux) and kernel/ (the appliance)
 * each implement every function here; the Makefile links one or the other.
 *
 * Libc (malloc, string, stdio's snprintf) may be used freely by the portable
 * code; anything that touches files, time, terminals or the process goes
 * through here.
 */
#ifndef EMU_PLATFORM_H
#define EMU_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic host time in nanoseconds. Never goes backwards. */
uint64_t plat_clock_ns(void);

/* Wall-clock time (ns since the Unix epoch) for RTC models; 0 if unknown. */
uint64_t plat_wallclock_ns(void);

/*
 * Wait until host monotonic time reaches deadline_ns (UINT64_MAX: no
 * deadline) or until an input source has data, whichever comes first. Input
 * is delivered by the platform calling chardev_input() (and later net/block
 * completion callbacks) from inside this function. Returns the number of
 * input events dispatched (0 on plain timeout).
 */
int plat_wait(uint64_t deadline_ns);

/*
 * Poll input sources without sleeping; same delivery as plat_wait(). Called
 * by the main loop between vCPU slices so console input is never starved.
 */
int plat_poll(void);

/* Allocate guest RAM: page-aligned, zero-filled. NULL on failure. */
void *plat_ram_alloc(uint64_t size);
void plat_ram_free(void *p, uint64_t size);

/*
 * Allocate a buffer for generated host code (the CPU JIT): readable,
 * writable and executable for the life of the process, page-aligned.
 * NULL if the platform cannot provide executable memory (the caller then
 * interprets).
 */
void *plat_code_alloc(size_t size);

/*
 * Read a whole file named as the user named it (a path when hosted,
 * "module:NAME" or an ESP path on the appliance) into a malloc'd buffer.
 * Returns 0 and sets *data and *size, or a negative errno (-ENOENT, -EIO,
 * -EFBIG if it exceeds max_size).
 */
int plat_file_load(const char *name, uint64_t max_size, void **data, uint64_t *size);

/*
 * Write a whole buffer to a file (dumpdtb, memory dumps). Returns 0 or a
 * negative errno.
 */
int plat_file_store(const char *name, const void *data, uint64_t size);

/* Restore the console and terminate the emulator with this status. */
_Noreturn void plat_exit(int status);

/* Write text for the user (errors, logs) to the platform's diagnostic stream. */
void plat_diag_write(const char *buf, size_t len);

#endif

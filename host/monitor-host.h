/*
 * monitor-host.h - the monitor on the hosted platform: its transports from
 * the command line (-qmp, -monitor, -chardev/-mon, the console mux's
 * monitor port), file descriptor sets passed over Unix sockets, and where
 * dumps are written.
 */
#ifndef HOST_MONITOR_HOST_H
#define HOST_MONITOR_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct emu_config;

/*
 * Register the hosted commands (add-fd, remove-fd, query-fdsets), the dump
 * writer, and start every monitor the configuration asks for. Call after
 * the serial chardevs exist (the mux monitor port attaches to serial0's
 * mux). Returns 0, or -errno after error_report() naming the option.
 */
int host_monitor_setup(const struct emu_config *cfg);

/* Whether -monitor/-qmp/-chardev puts a monitor on stdio (serial0 must then stay off it). */
bool host_monitor_wants_stdio(const struct emu_config *cfg);

/*
 * Open a file name as given by the user, where "/dev/fdset/N" means a
 * descriptor from fd set N (add-fd, -add-fd) whose access mode suits flags
 * (a dup is returned, as QEMU does; O_DIRECT must match too, since a dup
 * cannot change it; O_CREAT/O_TRUNC do not apply). Other names are open()ed
 * with flags | O_CLOEXEC and mode. Every hosted open of a user's file name
 * (drives, -kernel/-bios/-initrd/-dtb, file: chardevs, -D, dumps) comes
 * here. Returns an fd or -errno (-ENOENT: no such set, -EACCES: no
 * descriptor in it with that access mode, -EINVAL: none with that O_DIRECT).
 */
int host_open(const char *name, int flags, int mode);

/*
 * The -add-fd options, before anything opens a file (-D, -serial file:,
 * -drive). Returns 0, or -errno after error_report() naming the option.
 */
int host_fdset_options(const struct emu_config *cfg);

#endif

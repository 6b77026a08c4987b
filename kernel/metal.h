/*
 * metal.h - glue between the kernel and the emulator's layers: the UART as a
 * chardev back end, the boot modules, and main's pieces.
 */
#ifndef KERNEL_METAL_H
#define KERNEL_METAL_H

#include <stddef.h>

#include "kernel/boot-info.h"

struct emu_config;

/* serialN chardevs from -serial (default: mon:stdio), stdio being the PC's COM1. */
int metal_serial_setup(const struct emu_config *cfg);
/* Pass UART input to its chardev; returns the number of input events. */
int metal_console_poll(void);

/* The module named NAME (as in "module:NAME"), or NULL. */
const struct kern_module *metal_module_find(const char *name);
/*
 * The module a file name given to the emulator stands for: "module:NAME",
 * or a path whose last component is a module's name, so that a command line
 * written for the hosted program (-bios /usr/lib/.../fw_dynamic.bin, or the
 * default firmware's path) finds the module of that name. NULL if none.
 */
const struct kern_module *metal_module_for_file(const char *file);

/* Read the CMOS clock for plat_wallclock_ns(). */
void kern_wallclock_init(void);
/* Write user-facing text to the console, LF as CR LF. */
void kern_console_write(const char *buf, size_t len);

#endif

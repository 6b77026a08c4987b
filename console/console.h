/*
 * console.h - the console multiplexer: one back end (stdio, the appliance's
 * UART) shared by several front ends, with QEMU's Ctrl-A escapes, as QEMU's
 * mon:stdio and -nographic.
 *
 * Each front end sees its own chardev, a "port" of the mux, registered under
 * an id: port 0 is the guest's serial port ("serial0"), port 1 the monitor
 * once one attaches (HMP, a later addition). Output from every port goes to
 * the back end whichever has focus (as QEMU); input goes to the focused one.
 *
 * Escapes (Ctrl-A, then): h or ? help, x quit, s save disks, t toggle
 * timestamps, b send a break to the focused port, c switch focus, Ctrl-A a
 * literal Ctrl-A. Other keys after Ctrl-A are swallowed, as in QEMU.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stdbool.h>

#include "emu-core/chardev.h"

#define CONSOLE_MUX_MAX_PORTS 4
#define CONSOLE_ESCAPE_CHAR 0x01 /* Ctrl-A */

struct console_mux;

/*
 * Become backend's front end. The back end must stay registered for the
 * mux's lifetime. Returns NULL on ENOMEM.
 */
struct console_mux *console_mux_new(struct chardev *backend);

/*
 * Add the next port (index = number added before) registered under id.
 * The first port has focus. Returns NULL if the id is taken, the mux is full
 * or memory ran out.
 */
struct chardev *console_mux_add_port(struct console_mux *mux, const char *id);

/* The mux a chardev is a port of, or NULL (how the monitor finds its console). */
struct console_mux *console_mux_of(struct chardev *port);

int console_mux_port_count(const struct console_mux *mux);
int console_mux_focus(const struct console_mux *mux);
/* Move input to port n: CHR_EVENT_MUX_OUT to the old port, MUX_IN to the new. */
void console_mux_set_focus(struct console_mux *mux, int n);

/* Unregister the ports and stop being the back end's front end. */
void console_mux_free(struct console_mux *mux);

/*
 * Serve HMP with a line editor and history on chr (a mux port, stdio, a
 * socket connection). The banner and prompt come on CHR_EVENT_OPENED, the
 * first CHR_EVENT_MUX_IN, or at once with HMP_CONSOLE_GREET_NOW. With
 * HMP_CONSOLE_PER_CONNECTION the session ends at CHR_EVENT_CLOSED.
 * Returns 0 or -ENOMEM.
 */
#define HMP_CONSOLE_GREET_NOW 1u
#define HMP_CONSOLE_PER_CONNECTION 2u
int hmp_console_attach(struct chardev *chr, unsigned flags);

/*
 * HMP on a new port of the console mux that serial_id ("serial0") is a port
 * of, as QEMU's mon:stdio and -nographic: Ctrl-A c switches to it. Both
 * platforms call this; 0 if serial_id is not muxed (nothing to do), or
 * -ENOMEM.
 */
int hmp_console_attach_mux(const char *serial_id);

/* The first unused "compat_monitorN" chardev id (QEMU's names for monitors). */
const char *hmp_console_free_id(void);

#endif

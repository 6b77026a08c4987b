/*
 * serial.c - the PC's serial port as the emulator's console: a chardev back
 * end over drivers/uart, shared with the monitor through the console mux
 * exactly as the hosted program's mon:stdio. In -serial specs "stdio" means
 * this port, so QEMU command lines carry over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "drivers/uart.h"
#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/monitor.h"
#include "kernel/kernel.h"
#include "kernel/metal.h"

static struct chardev *uart_chr;

static int uart_chr_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    uart_write(buf, len);
    return (int)len;
}

static const struct chardev_ops uart_chr_ops = {
    .write = uart_chr_write,
};

/*
 * Looking at the UART costs a trap to ring 0 (kernel.h), over a millisecond
 * under the paravirtual KVM, and the main loop polls between every pair of
 * vCPU slices, however short: look at most this often. What the receive
 * interrupt drained while we slept is taken at once.
 */
#define CONSOLE_POLL_NS 10000000ull

int metal_console_poll(void)
{
    static uint64_t last_ns;
    uint8_t buf[256];

    uart_flush(); /* output of the last slice */
    uint64_t now = kern_time_ns();
    if (now - last_ns >= CONSOLE_POLL_NS) {
        last_ns = now;
        uart_drain_rx();
    }
    if (!uart_chr) {
        uart_take(buf,
                  sizeof(buf)); /* nobody listens: keep the ring from filling with stale input */
        return 0;
    }
    size_t room = CHARDEV_INBUF - uart_chr->in_len;
    if (!room)
        return 0; /* the front end is behind: leave the rest in the UART ring */
    size_t n = uart_take(buf, room < sizeof(buf) ? room : sizeof(buf));
    if (!n)
        return 0;
    chardev_input(uart_chr, buf, n);
    return 1;
}

static struct chardev *uart_backend(const char *id)
{
    if (uart_chr) {
        error_report("cannot use stdio (the serial port) by multiple character devices");
        return NULL;
    }
    struct chardev *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    chardev_register(c, id, &uart_chr_ops, NULL);
    uart_chr = c;
    return c;
}

static int serial_from_spec(const char *id, const char *spec)
{
    char bid[64];
    bool mux = !strncmp(spec, "mon:", 4);
    const char *be = mux ? spec + 4 : spec;

    if (!strcmp(spec, "none"))
        return 0;
    if (!strcmp(be, "null")) {
        /* A chardev that swallows output: no back end registered, the board sees none. */
        return 0;
    }
    if (strcmp(be, "stdio")) {
        error_report("-serial %s: not supported on the appliance (use stdio, mon:stdio, null "
                     "or none; stdio is the PC's serial port)",
                     spec);
        return -EINVAL;
    }
    if (!mux)
        return uart_backend(id) ? 0 : -ENOMEM;
    snprintf(bid, sizeof(bid), "%s-backend", id);
    struct chardev *c = uart_backend(bid);
    if (!c)
        return -ENOMEM;
    struct console_mux *m = console_mux_new(c);
    if (!m || !console_mux_add_port(m, id)) {
        error_report("-serial %s: cannot create the console mux", spec);
        return -ENOMEM;
    }
    return 0;
}

int metal_serial_setup(const struct emu_config *cfg)
{
    char id[16];
    int r;

    if (cfg->nchardevs) {
        error_report("-chardev %s: not supported yet (use -serial)", cfg->chardevs[0]);
        return -EINVAL;
    }
    if (cfg->monitor && strcmp(cfg->monitor, "none")) {
        error_report("-monitor %s: the appliance has HMP only on the serial console "
                     "(mon:stdio, the default; Ctrl-A c) or none at all (-monitor none)",
                     cfg->monitor);
        return -EINVAL;
    }
    if (!cfg->nserial) {
        r = cfg->nodefaults ? 0 : serial_from_spec("serial0", "mon:stdio");
    } else {
        r = 0;
        for (int i = 0; i < cfg->nserial && !r; i++) {
            snprintf(id, sizeof(id), "serial%d", i);
            r = serial_from_spec(id, cfg->serial[i]);
        }
    }
    if (r < 0)
        return r;
    /*
     * As QEMU and the hosted program: HMP shares a muxed serial0 (the default, or -serial
     * mon:stdio) behind Ctrl-A c, unless -monitor none. A plain -serial stdio has no monitor.
     */
    monitor_setup();
    if (cfg->monitor)
        return 0;
    r = hmp_console_attach_mux("serial0");
    if (r < 0)
        error_report("cannot add the monitor to the console: %s", strerror(-r));
    return r;
}

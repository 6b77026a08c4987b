/*
 * main.c - the hosted program: command line, logging, console back ends,
 * then the machine.
 */
#include <stdio.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/platform.h"
#include "host/host.h"
#include "host/monitor-host.h"

/* serialN chardevs (config.h); without -serial, serial0 on mon:stdio as with -nographic. */
static int setup_serial(const struct emu_config *cfg)
{
    char err[256], id[16];

    if (!cfg->nserial) {
        if (cfg->nodefaults)
            return 0;
        /*
         * A monitor on stdio takes the terminal: QEMU's serial0 would be on a window then
         * (null here), or with -nographic on plain stdio, which then clashes, as in QEMU.
         */
        const char *spec = !host_monitor_wants_stdio(cfg) ? "mon:stdio"
                         : cfg->nographic                 ? "stdio"
                                                          : "null";
        if (host_chardev_from_spec("serial0", spec, err, sizeof(err)) < 0) {
            error_report("serial0: %s", err);
            return -1;
        }
        return 0;
    }
    for (int i = 0; i < cfg->nserial; i++) {
        snprintf(id, sizeof(id), "serial%d", i);
        if (host_chardev_from_spec(id, cfg->serial[i], err, sizeof(err)) < 0) {
            error_report("-serial %s", err);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct emu_config cfg;
    struct machine *m;
    char err[256];
    int info_exit, r;

    if (config_parse(&cfg, argc, argv, err, sizeof(err), &info_exit) < 0) {
        fprintf(stderr, "baremu: %s\n", err);
        return 1;
    }
    if (info_exit)
        return 0;
    /* First: a descriptor set may be what -D, -serial file: or -drive names. */
    if (host_fdset_options(&cfg) < 0)
        return 1;
    if (cfg.log_file && (r = host_diag_set_file(cfg.log_file)) < 0) {
        fprintf(stderr, "baremu: -D %s: %s\n", cfg.log_file, strerror(-r));
        return 1;
    }
    if (cfg.log_items) {
        if (log_parse_mask(cfg.log_items) < 0)
            return 1;
        if (!strcmp(cfg.log_items, "help"))
            return 0;
    }
    if (host_signals_init() < 0) {
        error_report("cannot set up signal handling");
        return 1;
    }
    if (setup_serial(&cfg) < 0)
        plat_exit(1);
    if (host_monitor_setup(&cfg) < 0)
        plat_exit(1);
    if (machine_create(&m, &cfg) < 0)
        plat_exit(1);
    plat_exit(machine_run(m));
}

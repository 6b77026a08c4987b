/*
 * net.h - the appliance on the network: the first NIC (drivers/netdev.h)
 * under lwIP (NO_SYS, polled from plat_poll()), its address from DHCP or the
 * command line, and QMP over TCP for -qmp tcp::PORT,...,secret=ID.
 *
 * The appliance touches the NIC only when told to (-net-appliance, or a
 * -qmp tcp:... listener, which then gets DHCP by default), and listens only
 * with a secret.
 */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H

#include <stdbool.h>
#include <stdint.h>

struct emu_config;
struct netif;

/*
 * Take "-net-appliance OPTS" out of argv (the emulator's parser does not
 * know it) and check OPTS; a bad one stops the boot with a message.
 * Returns the new argc.
 */
int metal_net_options(int argc, char **argv);

/*
 * Bring the network up as the options and cfg->qmps say: probe the NICs,
 * start DHCP or set the static address, open the QMP listeners. Errors
 * (a listener without a secret, no NIC for one) are printed; returns 0 or
 * -errno. The address is printed once known.
 */
int metal_net_start(const struct emu_config *cfg);

/* Receive frames and run lwIP's timers; returns frames handled. Never sleeps. */
int metal_net_poll(void);

/*
 * How long plat_wait() may sleep before the NIC must be polled again (the
 * drivers use no interrupts): short while a QMP client is connected, longer
 * otherwise; UINT64_MAX when the network is down.
 */
uint64_t metal_net_poll_interval_ns(void);

/* net-qmp.c: the listeners from cfg->qmps (0 when there are none) and their upkeep. */
int metal_net_qmp_start(const struct emu_config *cfg, bool have_netif);
void metal_net_qmp_poll(void);
bool metal_net_qmp_busy(void); /* a client is connected */

#endif

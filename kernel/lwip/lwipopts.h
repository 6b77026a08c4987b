/*
 * lwipopts.h - lwIP as the appliance uses it: NO_SYS (no threads; the
 * emulator's main loop polls the NIC and the timers), the raw callback API
 * only, IPv4 with ARP, ICMP (ping), DHCP and TCP. Pools are fixed-size so a
 * hostile network can exhaust them but never the heap.
 */
#ifndef KERNEL_LWIP_LWIPOPTS_H
#define KERNEL_LWIP_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* one CPU, and the stack runs only from the main loop */
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1 /* DHCP */
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 0 /* nothing we serve needs fragments: a reassembly flood costs nothing */
#define IP_FRAG 0
/* The ARP probe before taking a lease costs a second at every boot; lab networks have no rogues
 * that it would catch anyway. */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_STATUS_CALLBACK 1 /* print the address once DHCP binds */
#define LWIP_NETIF_LINK_CALLBACK 1

/* Memory: lwIP's own heap for outgoing data, fixed pools for the rest. */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (256 * 1024)
#define MEMP_NUM_PBUF 32
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_TCP_PCB 16 /* connections at once, half-open ones included */
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG 128
#define MEMP_NUM_ARP_QUEUE 16
#define PBUF_POOL_SIZE 64
#define PBUF_POOL_BUFSIZE 1536
#define ARP_TABLE_SIZE 16

#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1 /* a SYN flood fills the backlog, not the connection pool */
#define TCP_DEFAULT_LISTEN_BACKLOG 4
#define LWIP_TCP_KEEPALIVE 1 /* a client that vanished without a FIN is found and dropped */

#define LWIP_STATS 0
#define LWIP_CHECKSUM_ON_COPY 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_SINGLE_NETIF 0

#endif

/*
 * net.h - the network layer's entry points: bring-up from the kernel
 * command line and what the C library asks about interfaces.
 *
 * Options (validated as names by kernel/options.c, as values here):
 *   ip=ADDR/PREFIX | ip=dhcp   one entry per NIC, comma-separated, in the
 *                              order the NICs were found (vnet0 first)
 *   gw=ADDR                    default gateway (on the NIC whose subnet
 *                              holds it, else the first)
 *   mtu=N                      IP MTU, at most what the device offers
 *   hostname=NAME              also the DHCP host name
 * (hosts=name:addr,... is read by libc/netdb.c.)
 *
 * Contract: net_init MAY be called any number of times from any thread;
 * the first call does the work and the others wait for it. Without an
 * ip= option or without a NIC it configures nothing, logs why (if ip= was
 * given) and net_is_up stays false; sockets then fail with ENETDOWN. A
 * bad ip=/gw=/mtu= value is reported and leaves the network down, never
 * a half-configured interface. All threads net_init starts run on CPU 0.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stdint.h>

#define NET_IF_MAX 8

struct net_if_info {
    char name[8];               /* "vnet0" */
    uint32_t addr, netmask;     /* network byte order; 0 before DHCP answers */
    uint8_t mac[6];
    uint16_t mtu;
    bool up;
};

void net_init(void);
bool net_is_up(void);
unsigned net_if_count(void);
/* false if index >= net_if_count(). */
bool net_if_get(unsigned index, struct net_if_info *out);

/* The C library's start-up hook (libc/start.c calls it after the files). */
void libc_net_init(void);

#endif

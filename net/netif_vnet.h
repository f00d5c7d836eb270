/*
 * netif_vnet.h - an lwIP network interface over one virtio-net device,
 * driven by its own thread on CPU 0.
 *
 * Contract: net_vnet_attach MUST be called with the lwIP core unlocked,
 * once per device, after tcpip_init. It adds the interface (static
 * address, or DHCP if dhcp is true), marks it up and starts the driver
 * thread; it returns the netif or NULL (out of memory, device refused).
 * net_vnet_get_stats MAY be called at any time, from any thread, without
 * locks (for the exit report): the counters are read as they are.
 */
#ifndef NET_NETIF_VNET_H
#define NET_NETIF_VNET_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

struct netdev;

struct net_vnet_config {
    ip4_addr_t addr, netmask, gw;   /* ignored with dhcp */
    bool dhcp;
    unsigned mtu;                   /* 0: the device's */
    const char *hostname;           /* for DHCP; may be NULL */
};

/* What this layer drops on top of the driver's own counters. */
struct net_vnet_stats {
    uint64_t rx_nomem;              /* received frames with no pbuf to copy into */
    uint64_t tx_overflow;           /* frames lwIP sent while the queue was full */
    uint64_t rx_bad_csum;           /* TCP frames dropped: wrong checksum, or an IP fragment,
                                       on an interface that checks TCP itself */
};

struct netif *net_vnet_attach(struct netdev *dev, const struct net_vnet_config *cfg);
void net_vnet_get_stats(const struct netif *netif, struct net_vnet_stats *out);

#endif

/*
 * net_stats.h - the network layer's lines in the kernel's exit report
 * (option `stats`): one per NIC with the driver's and the netif glue's
 * counters, and one with lwIP's TCP counters, for diagnosing aborted
 * connections and throughput collapses on a lossy cluster network.
 *
 * Contract: net_stats_register MUST be called once, after the interfaces
 * are attached; interfaces[i] drives vnet_get(i), and the array MUST live
 * (and stay unchanged) until exit. The report reads
 * counters other threads update, without locks: each number is exact or
 * a moment old, and the numbers of one line are not a consistent snapshot.
 */
#ifndef NET_NET_STATS_H
#define NET_NET_STATS_H

struct netif;

void net_stats_register(struct netif *const *interfaces, unsigned count);

#endif

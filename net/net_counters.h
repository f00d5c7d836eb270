/*
 * net_counters.h - how full lwIP's fixed pools are, for programs that
 * watch for leaks (libc/hermit_counters.c, the soak test).
 *
 * lwIP is built with MEMP_STATS off (net/include/lwipopts.h), so its own
 * per-pool counters do not exist. Every pool is a static array with a
 * free list, though: the used count is the array size minus the length
 * of that list, which this module counts under lwIP's SYS_ARCH_PROTECT
 * lock, the one memp_malloc and memp_free take. No lwIP header is needed
 * to call it.
 *
 * Contract: net_pool_usage fills at most `max` entries in lwIP's pool
 * order (memp_std.h) and returns the number of pools, which may exceed
 * `max`. Each entry is exact at the moment its list was counted; entries
 * are counted one after another, so they are not one snapshot. The names
 * are static strings. Declared weak: NULL in an image without the
 * network layer.
 */
#ifndef NET_NET_COUNTERS_H
#define NET_NET_COUNTERS_H

#include <stdint.h>

struct net_pool_usage {
    const char *name;           /* lwIP's pool name: TCP_PCB, PBUF_POOL, ... */
    uint32_t used;              /* elements handed out */
    uint32_t size;              /* elements in the pool */
};

unsigned net_pool_usage(struct net_pool_usage *out, unsigned max) __attribute__((weak));

#endif

/*
 * net_counters.c - counts what is in use in each of lwIP's memp pools by
 * walking the pools' free lists (net_counters.h says why not MEMP_STATS).
 *
 * The walk holds SYS_ARCH_PROTECT (net/sys_arch.c: a spinlock, interrupts
 * off) for one pool at a time: the largest list (TCP_SEG, 8192 elements)
 * takes some microseconds, short enough for a sample every few seconds
 * and too long for a hot path, which is why this is a reader for soak tests and
 * not a statistic the stack keeps.
 */
#include "lwip/opt.h"
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/sys.h"

#include "net_counters.h"

/* The names, in the order of memp_t (memp.h builds it from the same list). */
static const char *const pool_names[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

/* Elements on desc's free list; its length only changes under the lock held here. */
static uint32_t free_count(const struct memp_desc *desc)
{
    uint32_t n = 0;
    SYS_ARCH_DECL_PROTECT(lev);

    SYS_ARCH_PROTECT(lev);
    for (const struct memp *m = *desc->tab; m && n <= desc->num; m = m->next)
        n++;
    SYS_ARCH_UNPROTECT(lev);
    return n;
}

unsigned net_pool_usage(struct net_pool_usage *out, unsigned max)
{
    for (unsigned i = 0; i < MEMP_MAX && i < max; i++) {
        const struct memp_desc *desc = memp_pools[i];
        uint32_t free = free_count(desc);

        out[i].name = pool_names[i];
        out[i].size = desc->num;
        /* A list longer than the pool means a corrupt list: say "all used" loudly rather than wrap. */
        out[i].used = free <= desc->num ? desc->num - free : UINT32_MAX;
    }
    return MEMP_MAX;
}

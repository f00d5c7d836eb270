/*
 * hermit_counters.c - gathers the leak-watch counters of
 * hermit_counters.h from the kernel, newlib and the network layer.
 *
 * Read-only: nothing here allocates (mallinfo walks malloc's bins under
 * malloc's lock and returns a struct), so a sample does not disturb what
 * it measures.
 */
#include "hermit_counters.h"

#include "libc_internal.h"
#include "fd.h"

#include "cpu.h"
#include "heap.h"
#include "percpu.h"
#include "pmem.h"
#include "trap.h"
#include "vmem.h"
#include "net_counters.h"

#include <reent.h>
#include <string.h>

/*
 * newlib 3.3.0's mallocr.c defines _mallinfo_r with its own SVID struct
 * of ten ints (40 bytes), while <malloc.h> declares size_t fields (80
 * bytes), and mallinfo() in mstats.c is compiled against <malloc.h>: on
 * x86-64 it hands _mallinfo_r an 80-byte result buffer of which only
 * the first 40 bytes are written, so mallinfo().uordblks is stack
 * garbage and .arena holds arena and ordblks together. Hence
 * _mallinfo_r, declared here as mallocr.c defines it. The fields are
 * ints: exact below 2 GiB of heap.
 */
struct newlib_mallinfo {
    int arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};
struct newlib_mallinfo newlib_mallinfo_r(struct _reent *r) __asm__("_mallinfo_r");

int hermit_counters(struct hermit_counters *c)
{
    memset(c, 0, sizeof(*c));

    /* The heap's lock with interrupts off, as kmalloc takes it: both numbers from one moment. */
    struct heap *h = kheap();
    uint64_t flags = irq_save();
    spinlock_lock(&h->lock);
    c->kheap_bytes = h->bytes_in_use;
    c->kheap_pages = h->pages_held;
    spinlock_unlock(&h->lock);
    irq_restore(flags);

    c->pmem_free = pmem_free_bytes();
    unsigned live, cached;
    stack_counts(&live, &cached);
    c->stacks_live = live;
    c->stacks_cached = cached;

    struct newlib_mallinfo mi = newlib_mallinfo_r(_REENT);
    c->malloc_in_use = (uint32_t)mi.uordblks;
    c->malloc_arena = (uint32_t)mi.arena;
    c->malloc_free_chunks = (uint32_t)mi.ordblks;

    libc_heap_usage(&c->sbrk_bytes, &c->sbrk_mapped);
    unsigned regions;
    libc_mmap_usage(&c->mmap_bytes, &regions);
    c->mmap_regions = regions;
    c->fds_open = fd_open_count();

    if (net_pool_usage) {
        struct net_pool_usage u[HERMIT_COUNTERS_POOLS];
        unsigned n = net_pool_usage(u, HERMIT_COUNTERS_POOLS);
        if (n > HERMIT_COUNTERS_POOLS)
            n = HERMIT_COUNTERS_POOLS;
        for (unsigned i = 0; i < n; i++) {
            c->pool[i].name = u[i].name;
            c->pool[i].used = u[i].used;
            c->pool[i].size = u[i].size;
        }
        c->net_pools = n;
    }
    return 0;
}

int hermit_cpu_counters(unsigned cpu, struct hermit_cpu_counters *c)
{
    if (cpu >= cpu_online_count())
        return -1;
    c->interrupts = 0;
    for (unsigned vector = 0; vector < 256; vector++)
        c->interrupts += trap_count(cpu, vector);
    c->context_switches = __atomic_load_n(&cpus[cpu].context_switches, __ATOMIC_RELAXED);
    return 0;
}

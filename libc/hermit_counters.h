/*
 * hermit_counters.h - one call that reads the memory and network
 * counters a long-running program can watch for leaks: the kernel heap,
 * physical memory, thread stacks, newlib's malloc, mmap, descriptors and
 * the use of each of lwIP's pools. The soak test (tests/soak/, docs/soak.md)
 * samples it on every rank and expects the numbers back at their
 * baseline whenever the network is quiet.
 *
 * This header lives in libc/ and not libc/include/ on purpose: the cache
 * keys of the lwIP and MPICH builds hash every header under libc/include
 * (their builds see those headers), and a new one there would rebuild
 * both for nobody's benefit. Programs add -Ilibc (the Makefile's soak
 * rule does).
 *
 * Contract: hermit_counters fills *c and returns 0. It only reads; it
 * takes the locks of the kernel heap, malloc, the mmap list, the
 * descriptor table and lwIP's pools one after another, so each group is
 * consistent in itself but the groups are not one snapshot. It may
 * sleep on those locks: never call it from an interrupt or with a
 * spinlock held. In an image without the network layer net_pools is 0.
 */
#ifndef LIBC_HERMIT_COUNTERS_H
#define LIBC_HERMIT_COUNTERS_H

#include <stdint.h>

#define HERMIT_COUNTERS_POOLS 32

struct hermit_counters {
    /* Kernel (kernel/heap.c, kernel/pmem.c, kernel/vmem.c). */
    uint64_t kheap_bytes;       /* usable bytes of the kernel heap's live blocks */
    uint64_t kheap_pages;       /* 4 KiB pages the kernel heap holds (small classes keep theirs) */
    uint64_t pmem_free;         /* free physical memory, bytes */
    uint32_t stacks_live;       /* thread stacks in use: threads alive */
    uint32_t stacks_cached;     /* freed stacks kept for reuse */
    /* C library (newlib's malloc via _mallinfo_r, libc/memory.c, libc/fd.c). */
    uint64_t malloc_in_use;     /* mallinfo uordblks: bytes of allocated chunks, headers included */
    uint64_t malloc_arena;      /* mallinfo arena: bytes malloc got from sbrk (never given back) */
    uint64_t malloc_free_chunks;/* mallinfo ordblks: free chunks (fragmentation, not a leak sign) */
    uint64_t sbrk_bytes;        /* the break, from the heap's base: what malloc holds from sbrk */
    uint64_t sbrk_mapped;       /* heap pages backed: sbrk's high-water mark (never returned) */
    uint64_t mmap_bytes;        /* anonymous mmap not yet unmapped */
    uint32_t mmap_regions;
    uint32_t fds_open;          /* open descriptors, sockets included */
    /* lwIP's fixed pools (net/net_counters.c), in lwIP's order. */
    uint32_t net_pools;         /* entries filled below; 0 without the network layer */
    struct {
        const char *name;       /* TCP_PCB, TCP_SEG, NETCONN, PBUF_POOL, ... */
        uint32_t used;
        uint32_t size;
    } pool[HERMIT_COUNTERS_POOLS];
};

int hermit_counters(struct hermit_counters *c);

/*
 * What has disturbed one CPU since boot: the interrupts it took (every
 * vector) and its context switches. A compute core that nothing
 * disturbs keeps both still while it works (bench/noise/fwq_traffic.c).
 * Lock-free reads of counters only their CPU writes; any thread may ask.
 * Returns 0, or -1 for a CPU that is not online.
 */
struct hermit_cpu_counters {
    uint64_t interrupts;
    uint64_t context_switches;
};

int hermit_cpu_counters(unsigned cpu, struct hermit_cpu_counters *c);

#endif

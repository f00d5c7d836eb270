/*
 * memory.c - the memory calls newlib and POSIX programs expect: sbrk for
 * malloc, anonymous mmap with munmap and mprotect, page size.
 *
 * sbrk grows a heap in kernel virtual space (vmem) backed page by page
 * as it grows, in 2 MiB steps where it can so that large heaps use large
 * pages.
 *
 * Anonymous mmap gets address space of its own from vmem, backed at once
 * (no demand paging: what cannot be backed fails with ENOMEM) with 2 MiB
 * pages where the range allows, and zeroed. The mappings are listed, so
 * munmap and mprotect act only on what mmap returned (EINVAL, resp.
 * ENOTSUP, for anything else, never a free() of a foreign pointer); both
 * work on any page-aligned part of a mapping. mprotect changes the page
 * tables for real: PROT_NONE pages fault on any access (guard pages),
 * PROT_READ pages on writes; PROT_EXEC is refused (ENOTSUP), since data
 * never runs here (W^X). Every change is shot down on all CPUs before the
 * call returns, and munmap frees the memory only after that.
 */
#include "libc_internal.h"

#include "paging.h"
#include "pmem.h"
#include "sync.h"
#include "tlb.h"
#include "vmem.h"

#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ull
#define STEP PAGE_SIZE_2M

static uint64_t heap_base, heap_limit, heap_mapped, heap_brk;
static struct mutex sbrk_lock;
static struct mutex map_lock;       /* the mapping list, and mmap's page-table changes */

void libc_memory_init(void)
{
    /* Address space is cheap; reserve as much as there is RAM. */
    uint64_t size = (pmem_total_bytes() + STEP - 1) & ~(STEP - 1);

    mutex_init(&sbrk_lock, MUTEX_NORMAL);
    mutex_init(&map_lock, MUTEX_NORMAL);
    heap_base = vmem_alloc(size, STEP);
    heap_limit = heap_base ? heap_base + size : 0;
    heap_mapped = heap_brk = heap_base;
}

/* Backs [heap_mapped, end) with memory: 2 MiB pages first, else 4 KiB. */
static int grow(uint64_t end)
{
    while (heap_mapped < end) {
        uint64_t size = (heap_mapped % STEP == 0 && end - heap_mapped >= STEP) ? STEP : PAGE;
        uint64_t phys = pmem_alloc(size, size);
        if (!phys && size == STEP) {
            size = PAGE;
            phys = pmem_alloc(size, size);
        }
        if (!phys)
            return -ENOMEM;
        if (page_map(heap_mapped, phys, size, PAGE_WRITE)) {
            pmem_free(phys, size);
            return -ENOMEM;
        }
        heap_mapped += size;
    }
    return 0;
}

void *sbrk(ptrdiff_t increment)
{
    void *old = (void *)-1;

    mutex_lock(&sbrk_lock);
    uint64_t target = heap_brk + (uint64_t)increment;
    if (!heap_base || target < heap_base || target > heap_limit) {
        errno = ENOMEM;
    } else if (increment <= 0 || grow((target + PAGE - 1) & ~(PAGE - 1)) == 0) {
        old = (void *)(uintptr_t)heap_brk;
        heap_brk = target;
    } else {
        errno = ENOMEM;
    }
    mutex_unlock(&sbrk_lock);
    return old;
}

/* One mapping (or what munmap left of it): page-aligned, sorted by address. */
struct region {
    uint64_t base, len;
    struct region *next;
};

static struct region *regions;

/* Rounds len up to pages; 0 if it does not fit (a length near SIZE_MAX). */
static uint64_t page_round(size_t len)
{
    return len > SIZE_MAX - (PAGE - 1) ? 0 : (len + PAGE - 1) & ~(PAGE - 1);
}

/* The heap's break and how much of it is backed (the high-water mark: pages are never returned). */
void libc_heap_usage(uint64_t *brk_bytes, uint64_t *mapped_bytes)
{
    mutex_lock(&sbrk_lock);
    *brk_bytes = heap_brk - heap_base;
    *mapped_bytes = heap_mapped - heap_base;
    mutex_unlock(&sbrk_lock);
}

/* What mmap has handed out and not taken back (for leak checks: libc/hermit_counters.c). */
void libc_mmap_usage(uint64_t *bytes, unsigned *count)
{
    uint64_t b = 0;
    unsigned n = 0;

    mutex_lock(&map_lock);
    for (struct region *r = regions; r; r = r->next, n++)
        b += r->len;
    mutex_unlock(&map_lock);
    *bytes = b;
    *count = n;
}

/* Frees the frames behind [virt, virt + len) and removes their entries. */
static void release(uint64_t virt, uint64_t len)
{
    for (uint64_t v = virt, end = virt + len; v < end;) {
        uint64_t phys, size;
        if (!page_frame(v, &phys, &size)) {
            v += PAGE;
            continue;
        }
        page_unmap(v, size);
        pmem_free(phys, size);
        v += size;
    }
}

/* Backs [virt, virt + len) with zeroed read-write memory, 2 MiB pages where aligned. */
static int back(uint64_t virt, uint64_t len)
{
    for (uint64_t v = virt, end = virt + len; v < end;) {
        uint64_t size = (v % STEP == 0 && end - v >= STEP) ? STEP : PAGE;
        uint64_t phys = pmem_alloc(size, size);
        if (!phys && size == STEP) {
            size = PAGE;
            phys = pmem_alloc(size, size);
        }
        if (!phys || page_map(v, phys, size, PAGE_WRITE)) {
            if (phys)
                pmem_free(phys, size);
            release(virt, v - virt);
            return -ENOMEM;
        }
        v += size;
    }
    memset((void *)(uintptr_t)virt, 0, len);
    return 0;
}

/* The page_protect flags for prot; -errno if it cannot be had. */
static int page_flags(int prot)
{
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (prot & PROT_EXEC)
        return -ENOTSUP;
    if (prot & PROT_WRITE)
        return PAGE_WRITE;              /* x86 cannot write without reading */
    return prot & PROT_READ ? PAGE_READ : PAGE_NOACCESS;
}

/*
 * How [base, end) lies in the mappings: 1 covered by them (no gap), 0
 * outside all of them, -1 in part. Caller holds map_lock.
 */
static int coverage(uint64_t base, uint64_t end)
{
    uint64_t at = base;

    for (struct region *r = regions; r && at < end; r = r->next) {
        if (r->base + r->len <= at)
            continue;
        if (r->base > at)
            break;
        at = r->base + r->len;
    }
    if (at >= end)
        return 1;
    return at == base ? 0 : -1;
}

static void insert_region(struct region *n)
{
    struct region **p = &regions;

    while (*p && (*p)->base < n->base)
        p = &(*p)->next;
    n->next = *p;
    *p = n;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)addr, (void)off;
    if (!(flags & MAP_ANONYMOUS) || fd != -1) {
        errno = ENODEV;                 /* no file mappings in a unikernel */
        return MAP_FAILED;
    }
    if (flags & MAP_FIXED) {
        errno = ENOTSUP;                /* addresses are ours to choose */
        return MAP_FAILED;
    }
    int pflags = page_flags(prot);
    if (pflags < 0 || len == 0) {
        errno = len == 0 ? EINVAL : -pflags;
        return MAP_FAILED;
    }
    uint64_t rounded = page_round(len);
    struct region *r = malloc(sizeof(*r));
    uint64_t virt = rounded ? vmem_alloc(rounded, rounded >= STEP ? STEP : PAGE) : 0;
    if (!r || !virt || back(virt, rounded)) {
        if (virt)
            vmem_free(virt, rounded);
        free(r);
        errno = ENOMEM;
        return MAP_FAILED;
    }
    /* Fresh pages, whole leaves: nothing to split, no CPU holds a translation yet. */
    if (pflags != PAGE_WRITE)
        page_protect(virt, rounded, (unsigned)pflags);
    r->base = virt;
    r->len = rounded;
    mutex_lock(&map_lock);
    insert_region(r);
    mutex_unlock(&map_lock);
    return (void *)(uintptr_t)virt;
}

/* Takes [base, end), which lies in one region, out of the list; `spare` serves a split. */
static void cut_region(uint64_t base, uint64_t end, struct region **spare)
{
    struct region **p = &regions;

    while ((*p)->base + (*p)->len <= base)
        p = &(*p)->next;
    struct region *r = *p;
    uint64_t r_end = r->base + r->len;
    if (r->base < base && end < r_end) {
        struct region *tail = *spare;
        *spare = NULL;
        tail->base = end;
        tail->len = r_end - end;
        tail->next = r->next;
        r->next = tail;
        r->len = base - r->base;
    } else if (r->base < base) {
        r->len = base - r->base;
    } else if (end < r_end) {
        r->base = end;
        r->len = r_end - end;
    } else {
        *p = r->next;
        free(r);
    }
}

int munmap(void *addr, size_t len)
{
    uint64_t base = (uintptr_t)addr, rounded = page_round(len);

    if ((base & (PAGE - 1)) || !rounded || base + rounded < base)
        return (int)syscall_result(-EINVAL);
    /* Allocated before anything changes: unmapping the middle splits a region. */
    struct region *spare = malloc(sizeof(*spare));
    if (!spare)
        return (int)syscall_result(-ENOMEM);
    mutex_lock(&map_lock);
    /* Only (a part of) one mapping: never memory mmap did not hand out. */
    struct region *r = regions;
    while (r && r->base + r->len <= base)
        r = r->next;
    int err = !r || r->base > base || base + rounded > r->base + r->len ? -EINVAL : 0;
    /*
     * No access first (this splits large pages at the edges), so that no
     * CPU can touch the frames once they are free.
     */
    if (!err && page_protect(base, rounded, PAGE_NOACCESS) != PAGING_OK)
        err = -ENOMEM;
    if (!err) {
        cut_region(base, base + rounded, &spare);
        tlb_shootdown(base, rounded);
        release(base, rounded);
        vmem_free(base, rounded);
    }
    mutex_unlock(&map_lock);
    free(spare);
    return (int)syscall_result(err);
}

int mprotect(void *addr, size_t len, int prot)
{
    uint64_t base = (uintptr_t)addr, rounded = page_round(len);
    int flags = page_flags(prot);

    if (base & (PAGE - 1))
        return (int)syscall_result(-EINVAL);
    if (flags < 0)
        return (int)syscall_result(flags);
    if (len == 0)
        return 0;
    if (!rounded || base + rounded < base)
        return (int)syscall_result(-ENOMEM);
    mutex_lock(&map_lock);
    /* Memory mmap did not return (the heap, stacks, static data) shares its pages. */
    int cover = coverage(base, base + rounded), err = 0;
    if (cover == 0)
        err = -ENOTSUP;
    else if (cover < 0)
        err = -ENOMEM;
    else if (page_protect(base, rounded, (unsigned)flags) != PAGING_OK)
        err = -ENOMEM;                  /* no memory for a page table: left as far as it got */
    if (cover > 0)
        tlb_shootdown(base, rounded);
    mutex_unlock(&map_lock);
    return (int)syscall_result(err);
}

int getpagesize(void)
{
    return (int)PAGE;
}

int msync(void *addr, size_t len, int flags)
{
    (void)addr, (void)len, (void)flags;
    return 0;
}

int madvise(void *addr, size_t len, int advice)
{
    (void)addr, (void)len, (void)advice;
    return 0;
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (!alignment || (alignment & (alignment - 1)) || alignment % sizeof(void *))
        return EINVAL;
    void *p = memalign(alignment, size ? size : 1);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

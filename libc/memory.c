/*
 * memory.c - the memory calls newlib and POSIX programs expect: sbrk for
 * malloc, anonymous mmap, page size.
 *
 * sbrk grows a heap in kernel virtual space (vmem) backed page by page
 * as it grows, in 2 MiB steps where it can so that large heaps use large
 * pages. Anonymous mmap is served from malloc, page aligned and zeroed;
 * a mapping must be unmapped whole.
 */
#include "libc_internal.h"

#include "paging.h"
#include "pmem.h"
#include "sync.h"
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

void libc_memory_init(void)
{
    /* Address space is cheap; reserve as much as there is RAM. */
    uint64_t size = (pmem_total_bytes() + STEP - 1) & ~(STEP - 1);

    mutex_init(&sbrk_lock, MUTEX_NORMAL);
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

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)addr, (void)prot, (void)off;
    if (!(flags & MAP_ANONYMOUS) || fd != -1) {
        errno = ENODEV;                 /* no file mappings in a unikernel */
        return MAP_FAILED;
    }
    if (len == 0) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    size_t rounded = (len + PAGE - 1) & ~(size_t)(PAGE - 1);
    void *p = memalign(PAGE, rounded);
    if (!p) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    memset(p, 0, rounded);
    return p;
}

int munmap(void *addr, size_t len)
{
    if (!addr || ((uintptr_t)addr & (PAGE - 1)) || !len)
        return (int)syscall_result(-EINVAL);
    free(addr);
    return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
    (void)addr, (void)len, (void)prot;
    return 0;                           /* one address space, always read-write */
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

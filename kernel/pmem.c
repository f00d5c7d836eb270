/*
 * pmem.c - the physical-memory free list and its boot-time set-up.
 */
#include "pmem.h"
#include "console.h"
#include "exitcode.h"
#include "cpu.h"
#include "freelist.h"
#include "panic.h"
#include "spinlock.h"

#define PAGE            4096ull
#define NODE_COUNT      1024
/* Below this much free RAM after boot the kernel refuses to start. */
#define MIN_FREE_BYTES  (8ull << 20)

extern char __image_start[], __image_end[];

static struct freelist_node nodes[NODE_COUNT];
static struct freelist list;
static struct spinlock lock = SPINLOCK_INIT;
static uint64_t total_bytes, top;
static uint64_t least_free;             /* low-water mark of free bytes, under lock */

static uint64_t round_up(uint64_t x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

static void add_ram(const struct boot_mem_range *r)
{
    uint64_t base = round_up(r->base);
    uint64_t end = (r->base + r->size) & ~(PAGE - 1);

    if (end <= base)
        return;
    int err = freelist_free(&list, base, end - base);
    if (err) {
        klog(LOG_WARN, "memory map range %#llx-%#llx ignored: %s\n",
             (unsigned long long)base, (unsigned long long)end, freelist_strerror(err));
        return;
    }
    total_bytes += end - base;
    if (end > top)
        top = end;
}

int pmem_init(const struct boot_info *bi)
{
    freelist_init(&list, nodes, NODE_COUNT);
    for (unsigned i = 0; i < bi->memmap_count; i++)
        if (bi->memmap[i].type == BOOT_MEM_RAM)
            add_ram(&bi->memmap[i]);
    if (!total_bytes) {
        kprintf("hermit: the memory map lists no usable RAM\n");
        return EXIT_BAD_BOOT;
    }

    freelist_reserve_any(&list, 0, PMEM_LOW_RESERVED);
    uint64_t image = (uintptr_t)__image_start;
    freelist_reserve_any(&list, image, round_up((uintptr_t)__image_end) - image);
    for (unsigned i = 0; i < bi->module_count; i++) {
        const struct boot_module *m = &bi->modules[i];
        if (m->size)
            freelist_reserve_any(&list, m->base & ~(PAGE - 1),
                                 round_up(m->base + m->size) - (m->base & ~(PAGE - 1)));
    }

    uint64_t free = freelist_free_bytes(&list);
    least_free = free;
    if (free < MIN_FREE_BYTES) {
        kprintf("hermit: too little memory: %llu KiB free after loading the kernel, "
                "need at least %llu MiB (give the VM more, e.g. -m 64M)\n",
                (unsigned long long)(free >> 10), (unsigned long long)(MIN_FREE_BYTES >> 20));
        return EXIT_NO_MEMORY;
    }
    klog(LOG_INFO, "memory: %llu MiB RAM, %llu MiB free, top %#llx\n",
         (unsigned long long)(total_bytes >> 20), (unsigned long long)(free >> 20),
         (unsigned long long)top);
    return 0;
}

uint64_t pmem_alloc(uint64_t size, uint64_t align)
{
    uint64_t base = 0;

    if (align < PAGE)
        align = PAGE;
    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    if (freelist_alloc(&list, round_up(size), align, &base))
        base = 0;
    else if (freelist_free_bytes(&list) < least_free)
        least_free = freelist_free_bytes(&list);
    spinlock_unlock(&lock);
    irq_restore(irqs);
    return base;
}

void pmem_free(uint64_t base, uint64_t size)
{
    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    int err = freelist_free(&list, base, round_up(size));
    spinlock_unlock(&lock);
    irq_restore(irqs);
    if (err)
        panic("pmem_free(%#llx, %#llx): %s", (unsigned long long)base,
              (unsigned long long)size, freelist_strerror(err));
}

uint64_t pmem_total_bytes(void)
{
    return total_bytes;
}

uint64_t pmem_free_bytes(void)
{
    return freelist_free_bytes(&list);
}

uint64_t pmem_peak_used_bytes(void)
{
    return total_bytes - least_free;
}

uint64_t pmem_top(void)
{
    return top;
}

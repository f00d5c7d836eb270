/*
 * kmalloc.c - the kernel's heap instance, fed with identity-mapped pages
 * from physical memory.
 *
 * Interrupts stay off while the heap's spinlock is held: the scheduler
 * frees a dead thread's memory with interrupts off, and a thread that was
 * preempted while holding the lock on the same CPU would never get to
 * release it.
 */
#include "heap.h"
#include "cpu.h"
#include "panic.h"

#include <string.h>

static struct heap kernel_heap;

void kheap_init(struct heap_page_source source)
{
    heap_init(&kernel_heap, source);
}

struct heap *kheap(void)
{
    return &kernel_heap;
}

void *kmalloc(size_t size)
{
    uint64_t flags = irq_save();
    void *p = heap_alloc(&kernel_heap, size);

    irq_restore(flags);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);

    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *ptr)
{
    uint64_t flags = irq_save();
    int err = heap_free(&kernel_heap, ptr);

    irq_restore(flags);
    if (err == HEAP_EDOUBLEFREE)
        panic("kfree(%p): double free", ptr);
    if (err)
        panic("kfree(%p): not a heap block (or its header is corrupt)", ptr);
}

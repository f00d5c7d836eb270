/*
 * kmalloc.c - the kernel's heap instance, fed with identity-mapped pages
 * from physical memory.
 */
#include "heap.h"
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
    return heap_alloc(&kernel_heap, size);
}

void *kzalloc(size_t size)
{
    void *p = heap_alloc(&kernel_heap, size);

    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *ptr)
{
    int err = heap_free(&kernel_heap, ptr);

    if (err == HEAP_EDOUBLEFREE)
        panic("kfree(%p): double free", ptr);
    if (err)
        panic("kfree(%p): not a heap block (or its header is corrupt)", ptr);
}

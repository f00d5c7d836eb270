/*
 * heap.h - the kernel heap: small objects from size classes, large ones
 * straight from whole pages.
 *
 * Every block starts with a 16-byte header holding a magic word, its
 * size class and its size; the header is how heap_free finds the size and
 * how it catches double frees and stray pointers. Blocks are 16-byte
 * aligned. Small-class pages are kept for reuse, never returned, so their
 * headers can always be read. A large block's pages go back to the page
 * source when it is freed, and their next owner may write anything there:
 * large blocks are therefore also listed apart (by address, in small
 * blocks of the heap's own), their payload starts 32 bytes into their
 * first page where no small block's can, and heap_free recognizes them by
 * that list without reading their pages.
 *
 * Contract: the page source MUST return `count` contiguous, 4 KiB aligned
 * pages (or NULL), and take back exactly what it gave. heap_* are
 * thread-safe.
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "spinlock.h"

#define HEAP_CLASSES        8           /* 16 .. 2048 bytes, with the header */
#define HEAP_PAGE_SIZE      4096
#define HEAP_LARGE_BUCKETS  64          /* live large blocks, hashed by address */
#define HEAP_FREED_RING     16          /* recently freed large blocks, for the report */

enum heap_error {
    HEAP_OK = 0,
    HEAP_EINVAL,                /* not a pointer this heap returned */
    HEAP_EDOUBLEFREE,           /* the block is already free */
};

struct heap_block;
struct heap_large;

struct heap_page_source {
    void *(*alloc)(void *ctx, size_t count);
    void (*free)(void *ctx, void *pages, size_t count);
    void *ctx;
};

struct heap {
    struct spinlock lock;
    struct heap_page_source pages;
    struct heap_block *free_lists[HEAP_CLASSES];
    struct heap_large *large[HEAP_LARGE_BUCKETS];
    uintptr_t freed_large[HEAP_FREED_RING];
    unsigned freed_next;
    uint64_t bytes_in_use;      /* usable bytes of the blocks handed out */
    uint64_t pages_held;
};

void heap_init(struct heap *h, struct heap_page_source source);
void *heap_alloc(struct heap *h, size_t size);
int heap_free(struct heap *h, void *ptr);
/* Usable size of an allocated block (at least what was asked for). */
size_t heap_block_size(const void *ptr);

/* The kernel's own heap; kfree panics on heap errors. */
void kheap_init(struct heap_page_source source);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *ptr);
struct heap *kheap(void);

#endif

/*
 * heap.c - size-class allocator over a page source.
 *
 * A small request is rounded up, header included, to a power of two from
 * 16 to 2048 bytes and served from that class's free list; an empty list
 * is refilled by cutting a fresh page into blocks. A larger request gets
 * its own run of pages with the header at the front.
 */
#include "heap.h"

#include <stdbool.h>
#include <string.h>

#define MAGIC_USED      0x48454150u     /* "HEAP" */
#define MAGIC_FREE      0x46524545u     /* "FREE" */
#define CLASS_LARGE     0xFFFFu
#define MIN_SHIFT       4

struct heap_block {
    uint32_t magic;
    uint16_t size_class;
    uint16_t reserved;
    uint64_t size;              /* usable bytes after the header */
    /* A free block reuses its first payload word as the list link. */
};

_Static_assert(sizeof(struct heap_block) == 16, "header keeps 16-byte alignment");

static struct heap_block **next_link(struct heap_block *b)
{
    return (struct heap_block **)(b + 1);
}

static int class_for(size_t total)
{
    for (int c = 0; c < HEAP_CLASSES; c++)
        if (total <= ((size_t)1 << (c + MIN_SHIFT)))
            return c;
    return -1;
}

void heap_init(struct heap *h, struct heap_page_source source)
{
    memset(h, 0, sizeof(*h));
    h->pages = source;
}

static bool refill(struct heap *h, int c)
{
    size_t block = (size_t)1 << (c + MIN_SHIFT);
    char *page = h->pages.alloc(h->pages.ctx, 1);

    if (!page)
        return false;
    h->pages_held++;
    for (size_t off = 0; off + block <= HEAP_PAGE_SIZE; off += block) {
        struct heap_block *b = (struct heap_block *)(page + off);
        b->magic = MAGIC_FREE;
        b->size_class = (uint16_t)c;
        b->size = block - sizeof(*b);
        *next_link(b) = h->free_lists[c];
        h->free_lists[c] = b;
    }
    return true;
}

static void *alloc_large(struct heap *h, size_t size)
{
    size_t count = (size + sizeof(struct heap_block) + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
    struct heap_block *b = h->pages.alloc(h->pages.ctx, count);

    if (!b)
        return NULL;
    h->pages_held += count;
    b->magic = MAGIC_USED;
    b->size_class = CLASS_LARGE;
    b->size = count * HEAP_PAGE_SIZE - sizeof(*b);
    return b + 1;
}

void *heap_alloc(struct heap *h, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL;
    int c = class_for(size + sizeof(struct heap_block));
    void *result = NULL;

    spinlock_lock(&h->lock);
    if (c < 0) {
        result = alloc_large(h, size);
    } else if (h->free_lists[c] || refill(h, c)) {
        struct heap_block *b = h->free_lists[c];
        h->free_lists[c] = *next_link(b);
        b->magic = MAGIC_USED;
        result = b + 1;
    }
    if (result)
        h->bytes_in_use += ((struct heap_block *)result - 1)->size;
    spinlock_unlock(&h->lock);
    return result;
}

int heap_free(struct heap *h, void *ptr)
{
    if (!ptr)
        return HEAP_OK;
    if ((uintptr_t)ptr & 15)
        return HEAP_EINVAL;
    struct heap_block *b = (struct heap_block *)ptr - 1;

    spinlock_lock(&h->lock);
    int err = HEAP_OK;
    if (b->magic == MAGIC_FREE) {
        err = HEAP_EDOUBLEFREE;
    } else if (b->magic != MAGIC_USED) {
        err = HEAP_EINVAL;
    } else if (b->size_class == CLASS_LARGE) {
        size_t count = (b->size + sizeof(*b)) / HEAP_PAGE_SIZE;
        b->magic = MAGIC_FREE;
        h->pages_held -= count;
        h->bytes_in_use -= b->size;
        h->pages.free(h->pages.ctx, b, count);
    } else if (b->size_class >= HEAP_CLASSES) {
        err = HEAP_EINVAL;
    } else {
        b->magic = MAGIC_FREE;
        h->bytes_in_use -= b->size;
        *next_link(b) = h->free_lists[b->size_class];
        h->free_lists[b->size_class] = b;
    }
    spinlock_unlock(&h->lock);
    return err;
}

size_t heap_block_size(const void *ptr)
{
    return ((const struct heap_block *)ptr - 1)->size;
}

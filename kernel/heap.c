/*
 * heap.c - size-class allocator over a page source.
 *
 * A small request is rounded up, header included, to a power of two from
 * 16 to 2048 bytes and served from that class's free list; an empty list
 * is refilled by cutting a fresh page into blocks. A larger request gets
 * its own run of pages, its header 16 bytes in and its payload at 32:
 * small payloads sit 16 bytes past a multiple of 32, so the offset alone
 * tells which list to believe.
 */
#include "heap.h"

#include <stdbool.h>
#include <string.h>

#define MAGIC_USED      0x48454150u     /* "HEAP" */
#define MAGIC_FREE      0x46524545u     /* "FREE" */
#define CLASS_LARGE     0xFFFFu
#define MIN_SHIFT       4
#define LARGE_OFFSET    32              /* payload offset in a large block's first page */

struct heap_block {
    uint32_t magic;
    uint16_t size_class;
    uint16_t reserved;
    uint64_t size;              /* usable bytes after the header */
    /* A free block reuses its first payload word as the list link. */
};

_Static_assert(sizeof(struct heap_block) == 16, "header keeps 16-byte alignment");

/* A live large block, in the heap's own small blocks (never in its pages). */
struct heap_large {
    uintptr_t pages;
    size_t count;
    struct heap_large *next;
};

static unsigned bucket(uintptr_t pages)
{
    return (unsigned)(pages / HEAP_PAGE_SIZE) % HEAP_LARGE_BUCKETS;
}

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

/* A block of class c, or NULL; the caller holds the lock. */
static struct heap_block *take_small(struct heap *h, int c)
{
    if (!h->free_lists[c] && !refill(h, c))
        return NULL;
    struct heap_block *b = h->free_lists[c];
    h->free_lists[c] = *next_link(b);
    b->magic = MAGIC_USED;
    return b;
}

static void put_small(struct heap *h, struct heap_block *b)
{
    b->magic = MAGIC_FREE;
    *next_link(b) = h->free_lists[b->size_class];
    h->free_lists[b->size_class] = b;
}

static void *alloc_large(struct heap *h, size_t size)
{
    size_t count = (size + LARGE_OFFSET + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
    struct heap_block *rec = take_small(h, class_for(sizeof(struct heap_large) + sizeof(*rec)));

    if (!rec)
        return NULL;
    char *pages = h->pages.alloc(h->pages.ctx, count);
    if (!pages) {
        put_small(h, rec);
        return NULL;
    }
    struct heap_large *l = (struct heap_large *)(rec + 1);
    l->pages = (uintptr_t)pages;
    l->count = count;
    l->next = h->large[bucket(l->pages)];
    h->large[bucket(l->pages)] = l;
    h->pages_held += count;
    struct heap_block *b = (struct heap_block *)(pages + LARGE_OFFSET) - 1;
    b->magic = MAGIC_USED;
    b->size_class = CLASS_LARGE;
    b->size = count * HEAP_PAGE_SIZE - LARGE_OFFSET;
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
    } else {
        struct heap_block *b = take_small(h, c);
        result = b ? b + 1 : NULL;
    }
    if (result)
        h->bytes_in_use += ((struct heap_block *)result - 1)->size;
    spinlock_unlock(&h->lock);
    return result;
}

/* Frees the large block whose pages start at `pages`; the caller holds the lock. */
static int free_large(struct heap *h, uintptr_t pages)
{
    struct heap_large **p = &h->large[bucket(pages)];

    while (*p && (*p)->pages != pages)
        p = &(*p)->next;
    if (!*p) {
        /* Not live: its pages may be anyone's now, so they are not read. */
        for (unsigned i = 0; i < HEAP_FREED_RING; i++)
            if (h->freed_large[i] == pages)
                return HEAP_EDOUBLEFREE;
        return HEAP_EINVAL;
    }
    struct heap_large *l = *p;
    *p = l->next;
    struct heap_block *b = (struct heap_block *)(pages + LARGE_OFFSET) - 1;
    b->magic = MAGIC_FREE;
    h->bytes_in_use -= b->size;
    h->pages_held -= l->count;
    h->freed_large[h->freed_next++ % HEAP_FREED_RING] = pages;
    h->pages.free(h->pages.ctx, (void *)pages, l->count);
    put_small(h, (struct heap_block *)l - 1);
    return HEAP_OK;
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
    if (((uintptr_t)ptr & (HEAP_PAGE_SIZE - 1)) == LARGE_OFFSET) {
        err = free_large(h, (uintptr_t)ptr - LARGE_OFFSET);
    } else if (b->magic == MAGIC_FREE) {
        err = HEAP_EDOUBLEFREE;
    } else if (b->magic != MAGIC_USED || b->size_class >= HEAP_CLASSES) {
        err = HEAP_EINVAL;
    } else {
        h->bytes_in_use -= b->size;
        put_small(h, b);
    }
    spinlock_unlock(&h->lock);
    return err;
}

size_t heap_block_size(const void *ptr)
{
    return ((const struct heap_block *)ptr - 1)->size;
}

/*
 * freelist.c - sorted, coalescing free-range list with a fixed node pool.
 *
 * Every operation walks the list once. The lists stay short (a handful of
 * ranges per memory-map entry) because allocation is lowest-first and
 * frees coalesce, so linear walks are the simplest correct choice.
 */
#include "freelist.h"

#include <stdbool.h>

static bool is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

/* Ranges may not reach the very top of the address space: end is exclusive. */
static bool wraps(uint64_t base, uint64_t size)
{
    return base + size <= base;
}

static struct freelist_node *node_get(struct freelist *fl)
{
    struct freelist_node *n = fl->spare;

    if (n) {
        fl->spare = n->next;
        fl->nodes_used++;
    }
    return n;
}

static void node_put(struct freelist *fl, struct freelist_node *n)
{
    n->next = fl->spare;
    fl->spare = n;
    fl->nodes_used--;
}

void freelist_init(struct freelist *fl, struct freelist_node *pool, unsigned count)
{
    fl->head = NULL;
    fl->spare = NULL;
    fl->free_bytes = 0;
    fl->nodes_used = count;
    fl->nodes_total = count;
    for (unsigned i = 0; i < count; i++)
        node_put(fl, &pool[i]);
}

int freelist_free(struct freelist *fl, uint64_t base, uint64_t size)
{
    if (!size || wraps(base, size))
        return FREELIST_EINVAL;
    uint64_t end = base + size;

    struct freelist_node *prev = NULL, *next = fl->head;
    while (next && next->base < base) {
        prev = next;
        next = next->next;
    }
    if (prev && prev->base + prev->size > base)
        return FREELIST_EOVERLAP;
    if (next && end > next->base)
        return FREELIST_EOVERLAP;

    bool join_prev = prev && prev->base + prev->size == base;
    bool join_next = next && end == next->base;
    if (join_prev && join_next) {
        prev->size += size + next->size;
        prev->next = next->next;
        node_put(fl, next);
    } else if (join_prev) {
        prev->size += size;
    } else if (join_next) {
        next->base = base;
        next->size += size;
    } else {
        struct freelist_node *n = node_get(fl);
        if (!n)
            return FREELIST_ENODES;
        *n = (struct freelist_node){ base, size, next };
        if (prev)
            prev->next = n;
        else
            fl->head = n;
    }
    fl->free_bytes += size;
    return FREELIST_OK;
}

/*
 * Removes [base, base+size) from node n (whose predecessor is prev); the
 * range MUST lie within n. Needs a spare node when it splits n in two.
 */
static int carve(struct freelist *fl, struct freelist_node *prev,
                 struct freelist_node *n, uint64_t base, uint64_t size)
{
    uint64_t n_end = n->base + n->size, end = base + size;

    if (base == n->base && end == n_end) {
        if (prev)
            prev->next = n->next;
        else
            fl->head = n->next;
        node_put(fl, n);
    } else if (base == n->base) {
        n->base = end;
        n->size -= size;
    } else if (end == n_end) {
        n->size -= size;
    } else {
        struct freelist_node *tail = node_get(fl);
        if (!tail)
            return FREELIST_ENODES;
        *tail = (struct freelist_node){ end, n_end - end, n->next };
        n->size = base - n->base;
        n->next = tail;
    }
    fl->free_bytes -= size;
    return FREELIST_OK;
}

int freelist_alloc(struct freelist *fl, uint64_t size, uint64_t align, uint64_t *base)
{
    if (!size || !is_pow2(align))
        return FREELIST_EINVAL;
    for (struct freelist_node *prev = NULL, *n = fl->head; n; prev = n, n = n->next) {
        uint64_t start = (n->base + align - 1) & ~(align - 1);
        if (start < n->base)
            continue;                   /* aligning wrapped around */
        uint64_t skip = start - n->base;
        if (skip >= n->size || n->size - skip < size)
            continue;
        int err = carve(fl, prev, n, start, size);
        if (!err)
            *base = start;
        return err;
    }
    return FREELIST_ENOSPC;
}

int freelist_reserve(struct freelist *fl, uint64_t base, uint64_t size)
{
    if (!size || wraps(base, size))
        return FREELIST_EINVAL;
    for (struct freelist_node *prev = NULL, *n = fl->head; n; prev = n, n = n->next) {
        if (base >= n->base && base - n->base <= n->size && n->size - (base - n->base) >= size)
            return carve(fl, prev, n, base, size);
        if (n->base > base)
            break;
    }
    return FREELIST_ENOTFREE;
}

int freelist_reserve_any(struct freelist *fl, uint64_t base, uint64_t size)
{
    if (!size || wraps(base, size))
        return FREELIST_EINVAL;
    uint64_t end = base + size;

    struct freelist_node *prev = NULL, *n = fl->head;
    while (n && n->base < end) {
        struct freelist_node *next = n->next;
        uint64_t n_end = n->base + n->size;
        uint64_t lo = n->base > base ? n->base : base;
        uint64_t hi = n_end < end ? n_end : end;
        bool removes_node = lo == n->base && hi == n_end;
        if (hi > lo) {
            int err = carve(fl, prev, n, lo, hi - lo);
            if (err)
                return err;
        }
        if (!removes_node)
            prev = n;
        n = next;
    }
    return FREELIST_OK;
}

uint64_t freelist_free_bytes(const struct freelist *fl)
{
    return fl->free_bytes;
}

const char *freelist_strerror(int error)
{
    switch (error) {
    case FREELIST_OK: return "no error";
    case FREELIST_EINVAL: return "invalid range or alignment";
    case FREELIST_ENOSPC: return "out of space";
    case FREELIST_EOVERLAP: return "range is already free (double free)";
    case FREELIST_ENOTFREE: return "range is not free";
    case FREELIST_ENODES: return "free-list node pool exhausted";
    default: return "unknown error";
    }
}

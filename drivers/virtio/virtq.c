/*
 * virtq.c - split virtqueue bookkeeping: descriptor free list, available
 * and used ring indices, notification and interrupt suppression.
 *
 * Indices are free-running 16-bit counters; a ring slot is the index
 * modulo the (power-of-two) size, so wrap-around needs no special case.
 * Shared fields are read and written with explicit atomics: the device
 * runs concurrently, and the orderings below are what the spec's
 * "memory barrier" steps ask for.
 */
#include "virtq.h"

#include <string.h>

static uint16_t load16(const uint16_t *p, int order)
{
    return __atomic_load_n(p, order);
}

static void store16(uint16_t *p, uint16_t v, int order)
{
    __atomic_store_n(p, v, order);
}

size_t virtq_ring_bytes(uint16_t size, size_t used_align)
{
    size_t avail_end = 16u * size + 6 + 2u * size;
    size_t used_off = (avail_end + used_align - 1) & ~(used_align - 1);

    return used_off + 6 + 8u * size;
}

int virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *mem, size_t used_align,
               bool event_idx, void **cookies)
{
    if (size == 0 || size > VIRTQ_SIZE_MAX || (size & (size - 1)) || !mem || !cookies ||
        used_align == 0 || (used_align & (used_align - 1)))
        return VIRTQ_EINVAL;
    size_t avail_end = 16u * size + 6 + 2u * size;
    size_t used_off = (avail_end + used_align - 1) & ~(used_align - 1);

    memset(mem, 0, virtq_ring_bytes(size, used_align));
    memset(q, 0, sizeof(*q));
    q->size = size;
    q->index = index;
    q->event_idx = event_idx;
    q->desc = mem;
    q->avail = (struct virtq_avail *)((char *)mem + 16u * size);
    q->used = (struct virtq_used *)((char *)mem + used_off);
    q->cookies = cookies;
    for (uint16_t i = 0; i < size; i++) {
        q->desc[i].next = (uint16_t)(i + 1);    /* the last one's next is never followed */
        cookies[i] = NULL;
    }
    q->free_head = 0;
    q->num_free = size;
    return VIRTQ_OK;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned out, unsigned in,
              void *cookie)
{
    unsigned n = out + in;

    if (n == 0 || !cookie)
        return VIRTQ_EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (bufs[i].len == 0)
            return VIRTQ_EINVAL;
    if (n > q->num_free)
        return VIRTQ_ENOSPC;

    uint16_t head = q->free_head, d = head, last = head;
    for (unsigned i = 0; i < n; i++) {
        struct virtq_desc *desc = &q->desc[d];
        desc->addr = bufs[i].addr;
        desc->len = bufs[i].len;
        desc->flags = (uint16_t)((i < out ? 0 : VIRTQ_DESC_F_WRITE) |
                                 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        last = d;
        d = desc->next;
    }
    /* The chain's last descriptor keeps its old next: where the free list goes on. */
    q->free_head = q->desc[last].next;
    q->num_free = (uint16_t)(q->num_free - n);
    q->cookies[head] = cookie;

    q->avail->ring[q->avail_next & (q->size - 1)] = head;
    q->avail_next++;
    return VIRTQ_OK;
}

uint16_t virtq_next_head(const struct virtq *q)
{
    return q->free_head;
}

bool virtq_kick_prepare(struct virtq *q)
{
    uint16_t old = q->avail_published, now = q->avail_next;

    /* Descriptors and ring slots become visible before the index does. */
    store16(&q->avail->idx, now, __ATOMIC_RELEASE);
    q->avail_published = now;
    /* The index store must land before we read what the device asked for. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (old == now)
        return false;
    if (q->event_idx)
        return virtq_need_event(load16(virtq_avail_event(q), __ATOMIC_RELAXED), now, old);
    return !(load16(&q->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_pending(const struct virtq *q)
{
    return load16(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used;
}

int virtq_get(struct virtq *q, uint32_t *len, void **cookie)
{
    if (load16(&q->used->idx, __ATOMIC_ACQUIRE) == q->last_used)
        return VIRTQ_EMPTY;
    const struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
    uint32_t id = e->id;

    if (id >= q->size || !q->cookies[id])
        return VIRTQ_EBADID;
    *len = e->len;
    *cookie = q->cookies[id];
    q->cookies[id] = NULL;

    /* Give the chain back to the front of the free list. */
    uint16_t d = (uint16_t)id, n = 1;
    while ((q->desc[d].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
        d = q->desc[d].next;
        n++;
    }
    q->desc[d].next = q->free_head;
    q->free_head = (uint16_t)id;
    q->num_free = (uint16_t)(q->num_free + n);
    q->last_used++;
    return VIRTQ_OK;
}

bool virtq_enable_cb(struct virtq *q)
{
    if (q->event_idx)
        store16(virtq_used_event(q), q->last_used, __ATOMIC_RELAXED);
    else
        store16(&q->avail->flags, 0, __ATOMIC_RELAXED);
    /* The request must be visible before we look for buffers that beat it. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return virtq_pending(q);
}

void virtq_disable_cb(struct virtq *q)
{
    /*
     * With EVENT_IDX the device ignores the flag and interrupts once
     * used->idx passes used_event; leaving used_event behind last_used
     * pushes the next interrupt 65536 buffers away.
     */
    if (q->event_idx)
        store16(virtq_used_event(q), (uint16_t)(q->last_used - 1), __ATOMIC_RELAXED);
    store16(&q->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
}

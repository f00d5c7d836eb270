/*
 * handle.c - a two-level table from 32-bit handles to pointers.
 *
 * Chunks of 1024 slots are allocated as needed and never freed, so a
 * lookup needs no lock: a chunk, once published, stays. Freed slots are
 * reused through a free list.
 */
#include "handle.h"
#include "libc_internal.h"

#include "heap.h"

#include <stddef.h>

#define CHUNK_SLOTS 1024
#define CHUNKS      1024            /* up to about a million live objects */

struct slot {
    void *object;
    uint32_t next_free;             /* 1-based index, 0 = end */
};

static struct slot *chunks[CHUNKS];
static uint32_t issued, free_head;
static struct spinlock lock = SPINLOCK_INIT;

static struct slot *slot_of(uint32_t handle)
{
    uint32_t index = handle - 1;
    struct slot *chunk;

    if (handle == 0 || handle == HANDLE_STATIC_INIT || index / CHUNK_SLOTS >= CHUNKS)
        return NULL;
    chunk = __atomic_load_n(&chunks[index / CHUNK_SLOTS], __ATOMIC_ACQUIRE);
    return chunk ? &chunk[index % CHUNK_SLOTS] : NULL;
}

uint32_t handle_new(void *object)
{
    uint32_t h = 0;

    spinlock_lock(&lock);
    if (free_head) {
        h = free_head;
        free_head = slot_of(h)->next_free;
    } else if (issued < CHUNKS * CHUNK_SLOTS) {
        uint32_t index = issued;
        if (!chunks[index / CHUNK_SLOTS]) {
            struct slot *chunk = libc_kernel_zalloc(CHUNK_SLOTS * sizeof(struct slot));
            __atomic_store_n(&chunks[index / CHUNK_SLOTS], chunk, __ATOMIC_RELEASE);
        }
        if (chunks[index / CHUNK_SLOTS]) {
            issued++;
            h = index + 1;
        }
    }
    if (h)
        __atomic_store_n(&slot_of(h)->object, object, __ATOMIC_RELEASE);
    spinlock_unlock(&lock);
    return h;
}

void *handle_get(uint32_t handle)
{
    struct slot *s = slot_of(handle);

    return s ? __atomic_load_n(&s->object, __ATOMIC_ACQUIRE) : NULL;
}

void handle_free(uint32_t handle)
{
    struct slot *s = slot_of(handle);

    if (!s)
        return;
    spinlock_lock(&lock);
    if (s->object) {
        s->object = NULL;
        s->next_free = free_head;
        free_head = handle;
    }
    spinlock_unlock(&lock);
}

void *handle_resolve(volatile uint32_t *slot, void *(*create)(void), void (*destroy)(void *))
{
    uint32_t h = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

    if (h != HANDLE_STATIC_INIT)
        return handle_get(h);
    void *object = create();
    uint32_t mine = object ? handle_new(object) : 0;
    if (!mine) {
        if (object)
            destroy(object);
        return NULL;
    }
    uint32_t expected = HANDLE_STATIC_INIT;
    if (__atomic_compare_exchange_n(slot, &expected, mine, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return object;
    handle_free(mine);
    destroy(object);
    return handle_get(expected);
}

int handle_publish(volatile uint32_t *slot, void *object)
{
    uint32_t h = handle_new(object);

    if (!h) {
        kfree(object);
        return ENOMEM;
    }
    *slot = h;
    return 0;
}

void handle_retire(volatile uint32_t *slot, void *object)
{
    handle_free(*slot);
    kfree(object);
    *slot = 0;
}

void handle_object_free(void *object)
{
    kfree(object);
}

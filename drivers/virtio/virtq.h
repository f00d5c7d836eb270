/*
 * virtq.h - split virtqueues (virtio 1.1 section 2.6): the ring
 * bookkeeping only, with no register or port access, so that the same
 * code runs in the kernel and in a host unit test.
 *
 * A queue is three areas in one zeroed, physically contiguous block:
 * the descriptor table, the available ring (driver -> device, followed
 * by used_event) and the used ring (device -> driver, followed by
 * avail_event). The block uses the legacy layout (used ring aligned to
 * `used_align`), which every transport accepts, so one allocation rule
 * serves modern PCI, legacy PCI and both MMIO versions.
 *
 * Free descriptors form a list threaded through their `next` fields.
 * A buffer is a chain of descriptors: the device-readable segments
 * first, then the device-writable ones; its head index names it in both
 * rings, and the caller's cookie is kept per head.
 *
 * Contract:
 * - The caller MUST serialize all calls on one queue (one thread drives
 *   it, or a lock). Interrupt handlers MUST NOT touch the queue.
 * - After one or more virtq_add calls the caller MUST call
 *   virtq_kick_prepare, and notify the device when it returns true;
 *   buffers are invisible to the device until then.
 * - Addresses in struct virtq_buf are what the device uses (physical
 *   addresses in the kernel; plain pointers in host tests).
 * - virtq_get returns VIRTQ_EBADID when the device names a buffer that
 *   is not outstanding: the queue is then unusable until the device is
 *   reset.
 */
#ifndef DRIVERS_VIRTQ_H
#define DRIVERS_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_SIZE_MAX          32768   /* the spec's limit for split queues */

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT       1
#define VIRTQ_DESC_F_WRITE      2       /* device writes (else reads) */

/* avail->flags: the driver asks for no interrupts (ignored with EVENT_IDX). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT  1
/* used->flags: the device asks for no notifications (ignored with EVENT_IDX). */
#define VIRTQ_USED_F_NO_NOTIFY      1

enum virtq_error {
    VIRTQ_OK = 0,
    VIRTQ_EINVAL,       /* bad size, empty chain, NULL cookie, zero-length segment */
    VIRTQ_ENOSPC,       /* not enough free descriptors for the chain */
    VIRTQ_EMPTY,        /* no used buffer to collect */
    VIRTQ_EBADID,       /* the device returned an id that is not outstanding */
};

/* The shared structures, exactly as the device sees them (little-endian x86). */
struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];        /* size entries, then used_event */
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];  /* size entries, then avail_event */
};

/* One segment of a buffer, as the device will address it. */
struct virtq_buf {
    uint64_t addr;
    uint32_t len;
};

struct virtq {
    uint16_t size;              /* power of two */
    uint16_t index;             /* queue number on the device */
    bool event_idx;             /* VIRTIO_F_RING_EVENT_IDX negotiated */
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    uint16_t free_head;         /* first free descriptor */
    uint16_t num_free;
    uint16_t avail_next;        /* avail idx the next add will publish */
    uint16_t avail_published;   /* avail idx at the last kick decision */
    uint16_t last_used;         /* next used idx to collect */
    void **cookies;             /* per head descriptor; NULL = not outstanding */
};

/* Bytes for the three areas of a queue of `size` (used ring at used_align). */
size_t virtq_ring_bytes(uint16_t size, size_t used_align);

/*
 * Lays the queue out in `mem` (virtq_ring_bytes long, zeroed here) and
 * builds the free list. `cookies` MUST hold `size` pointers.
 */
int virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *mem, size_t used_align,
               bool event_idx, void **cookies);

/* Queues one buffer: `out` readable then `in` writable segments. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned out, unsigned in,
              void *cookie);

/* The descriptor the next virtq_add's chain will start at (its id until used). */
uint16_t virtq_next_head(const struct virtq *q);

/* Publishes the added buffers; true if the device wants a notification. */
bool virtq_kick_prepare(struct virtq *q);

/* Collects one used buffer: its cookie and the bytes the device wrote. */
int virtq_get(struct virtq *q, uint32_t *len, void **cookie);

/* True if the device has returned buffers not collected yet. */
bool virtq_pending(const struct virtq *q);

/*
 * Asks for an interrupt at the next used buffer. Returns true if buffers
 * are already pending: the caller MUST then collect them instead of
 * waiting, or it may sleep on an interrupt that already passed.
 */
bool virtq_enable_cb(struct virtq *q);

/* Asks for no interrupts (best effort: the device may still send one). */
void virtq_disable_cb(struct virtq *q);

/*
 * EVENT_IDX rule (spec 2.6.7.2): after moving an index from old_idx to
 * new_idx, the other side is told iff event_idx lies in [old_idx, new_idx)
 * modulo 2^16.
 */
static inline bool virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/* The event fields that sit after each ring. */
static inline uint16_t *virtq_used_event(const struct virtq *q)
{
    return &q->avail->ring[q->size];
}

static inline uint16_t *virtq_avail_event(const struct virtq *q)
{
    return (uint16_t *)&q->used->ring[q->size];
}

#endif

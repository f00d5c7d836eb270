/*
 * virtio.c - the device initialization handshake, feature negotiation
 * and queue creation shared by every transport and device type.
 */
#include "virtio.h"
#include "console.h"
#include "heap.h"
#include "pci.h"
#include "pmem.h"

#include <stddef.h>

#define RING_ALIGN 4096     /* the legacy used-ring alignment; fine for modern too */

static struct virtio_dev *found[VIRTIO_DEVICES_MAX];
static unsigned found_count;
static bool searched;

unsigned virtio_find_all(struct virtio_dev **out, unsigned max)
{
    if (!searched) {
        searched = true;
        pci_init();
        for (struct pci_dev *p = NULL; (p = pci_find(VIRTIO_VENDOR_PCI, 0xFFFF, p));) {
            struct virtio_dev *d;
            if (found_count < VIRTIO_DEVICES_MAX && virtio_pci_probe(p, &d) == VIRTIO_OK)
                found[found_count++] = d;
        }
        found_count += virtio_mmio_find(found + found_count, VIRTIO_DEVICES_MAX - found_count);
    }
    unsigned n = found_count < max ? found_count : max;
    for (unsigned i = 0; i < n; i++)
        out[i] = found[i];
    return n;
}

void virtio_fail(struct virtio_dev *d)
{
    d->ops->set_status(d, (uint8_t)(d->ops->get_status(d) | VIRTIO_STATUS_FAILED));
}

int virtio_negotiate(struct virtio_dev *d, uint64_t wanted, uint64_t required)
{
    d->ops->reset(d);
    d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);

    d->offered = d->ops->get_features(d);
    if (d->modern) {
        wanted |= VIRTIO_F_VERSION_1;
        required |= VIRTIO_F_VERSION_1;
    } else {
        /* A legacy interface has 32 feature bits (so no VERSION_1). */
        wanted &= 0xFFFFFFFFull;
    }
    d->features = d->offered & wanted;
    if ((d->features & required) != required) {
        klog(LOG_WARN, "virtio %s: device lacks required features %#llx\n", d->where,
             (unsigned long long)(required & ~d->features));
        virtio_fail(d);
        return VIRTIO_EFEATURES;
    }
    d->ops->set_features(d, d->features);
    if (!d->modern)
        return VIRTIO_OK;       /* legacy devices have no FEATURES_OK step */
    uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    d->ops->set_status(d, status);
    if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
        klog(LOG_WARN, "virtio %s: device refused features %#llx\n", d->where,
             (unsigned long long)d->features);
        virtio_fail(d);
        return VIRTIO_EFEATURES;
    }
    return VIRTIO_OK;
}

int virtio_irq_setup(struct virtio_dev *d, void (*on_queue)(void *), void (*on_config)(void *),
                     void *ctx)
{
    d->on_queue = on_queue;
    d->on_config = on_config;
    d->cb_ctx = ctx;
    return d->ops->irq_setup(d);
}

void virtio_irq_mask(struct virtio_dev *d, bool masked)
{
    if (d->vector_queue >= 0)
        d->ops->irq_mask(d, masked);
}

int virtio_queue_create(struct virtio_dev *d, uint16_t index, uint16_t max_size, struct virtq *q)
{
    uint16_t size = d->ops->queue_max(d, index);

    if (size == 0 || index >= VIRTIO_QUEUES_MAX)
        return VIRTIO_EQUEUE;
    if (!d->queue_size_fixed) {
        /* Largest power of two within both limits. */
        uint16_t want = size < max_size ? size : max_size;
        size = 1;
        while ((uint16_t)(size << 1) && (uint16_t)(size << 1) <= want)
            size = (uint16_t)(size << 1);
    }
    if (size & (size - 1))
        return VIRTIO_EQUEUE;
    uint64_t bytes = virtq_ring_bytes(size, RING_ALIGN);
    uint64_t mem = pmem_alloc(bytes, RING_ALIGN);
    void **cookies = kzalloc(sizeof(void *) * size);
    if (!mem || !cookies) {
        if (mem)
            pmem_free(mem, bytes);
        if (cookies)
            kfree(cookies);
        return VIRTIO_ENOMEM;
    }
    virtq_init(q, index, size, (void *)(uintptr_t)mem, RING_ALIGN,
               (d->features & VIRTIO_F_EVENT_IDX) != 0, cookies);
    /* Until a driver asks, the device need not interrupt for this queue. */
    virtq_disable_cb(q);
    int err = d->ops->queue_enable(d, q);
    if (err) {
        pmem_free(mem, bytes);
        kfree(cookies);
    }
    return err;
}

int virtio_driver_ok(struct virtio_dev *d)
{
    uint8_t status = d->ops->get_status(d);

    d->ops->set_status(d, (uint8_t)(status | VIRTIO_STATUS_DRIVER_OK));
    status = d->ops->get_status(d);
    if (status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
        return VIRTIO_EIO;
    return VIRTIO_OK;
}

void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf, unsigned len)
{
    uint8_t *p = buf;
    uint32_t before, after;

    /* A field may change under us; the generation counter says when to retry. */
    do {
        before = d->ops->config_generation(d);
        for (unsigned i = 0; i < len; i++)
            p[i] = (uint8_t)d->ops->config_read(d, off + i, 1);
        after = d->ops->config_generation(d);
    } while (before != after);
}

uint16_t virtio_config_read16(struct virtio_dev *d, unsigned off)
{
    uint32_t before, after, v;

    do {
        before = d->ops->config_generation(d);
        v = d->ops->config_read(d, off, 2);
        after = d->ops->config_generation(d);
    } while (before != after);
    return (uint16_t)v;
}

const char *virtio_strerror(int err)
{
    switch (err) {
    case VIRTIO_OK: return "ok";
    case VIRTIO_ENODEV: return "not a usable virtio device";
    case VIRTIO_ENOMEM: return "out of memory";
    case VIRTIO_EFEATURES: return "feature negotiation failed";
    case VIRTIO_EQUEUE: return "queue unavailable";
    case VIRTIO_EIRQ: return "no interrupt route";
    case VIRTIO_EIO: return "device error";
    case VIRTIO_EBADCFG: return "a register outside what its capability describes";
    default: return "unknown error";
    }
}

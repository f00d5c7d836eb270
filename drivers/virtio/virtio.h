/*
 * virtio.h - virtio devices independent of their transport: status
 * handshake, feature negotiation, queue creation, interrupts.
 *
 * Transports (virtio_pci.c: modern and legacy; virtio_mmio.c: version 2
 * and legacy version 1) fill a struct virtio_ops; device drivers
 * (virtio_net.c) use only the functions below.
 *
 * Contract, in the order a driver MUST follow (virtio 1.1, 3.1.1):
 * 1. virtio_negotiate: resets the device, sets ACKNOWLEDGE and DRIVER,
 *    accepts offered & wanted (bits the driver does not name are never
 *    accepted), and for modern transports requires VERSION_1 and checks
 *    that FEATURES_OK sticks. Any failure sets FAILED and returns
 *    VIRTIO_EFEATURES: the device is left alone, never half-configured.
 * 2. virtio_irq_setup (optional): installs the callbacks and vectors;
 *    interrupts start masked (virtio_irq_mask to change that).
 * 3. virtio_queue_create for each queue (this programs its vector).
 * 4. virtio_driver_ok. On an error after step 1, call virtio_fail.
 * Callbacks run in interrupt context on the boot CPU (see irq.h): they
 * MUST only note the event and wake a thread.
 * Only one thread configures a device; config reads MAY come later from
 * the thread that drives the device.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "virtq.h"

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE   1
#define VIRTIO_STATUS_DRIVER        2
#define VIRTIO_STATUS_DRIVER_OK     4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_NEEDS_RESET   64
#define VIRTIO_STATUS_FAILED        128

/* Device-independent feature bits (6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY    (1ull << 24)    /* legacy */
#define VIRTIO_F_ANY_LAYOUT         (1ull << 27)    /* legacy */
#define VIRTIO_F_INDIRECT_DESC      (1ull << 28)
#define VIRTIO_F_EVENT_IDX          (1ull << 29)
#define VIRTIO_F_VERSION_1          (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM    (1ull << 33)

#define VIRTIO_ID_NET               1
#define VIRTIO_VENDOR_PCI           0x1AF4
#define VIRTIO_QUEUES_MAX           8       /* per device, in this driver */
#define VIRTIO_DEVICES_MAX          16

enum virtio_error {
    VIRTIO_OK = 0,
    VIRTIO_ENODEV,      /* not a virtio device, or its registers make no sense */
    VIRTIO_ENOMEM,      /* ring or buffer memory */
    VIRTIO_EFEATURES,   /* a required feature is missing or FEATURES_OK was refused */
    VIRTIO_EQUEUE,      /* the queue does not exist or could not be enabled */
    VIRTIO_EIRQ,        /* no vector or no route for the interrupt */
    VIRTIO_EIO,         /* the device reports NEEDS_RESET or FAILED */
    VIRTIO_EBADCFG,     /* the device places a register outside the space it describes */
};

struct virtio_dev;

struct virtio_ops {
    void (*reset)(struct virtio_dev *d);
    uint8_t (*get_status)(struct virtio_dev *d);
    void (*set_status)(struct virtio_dev *d, uint8_t status);
    uint64_t (*get_features)(struct virtio_dev *d);
    void (*set_features)(struct virtio_dev *d, uint64_t features);
    uint32_t (*config_generation)(struct virtio_dev *d);       /* 0 when the transport has none */
    uint32_t (*config_read)(struct virtio_dev *d, unsigned off, unsigned width);
    uint16_t (*queue_max)(struct virtio_dev *d, uint16_t index);    /* 0: no such queue */
    int (*queue_enable)(struct virtio_dev *d, struct virtq *q);
    void (*notify)(struct virtio_dev *d, struct virtq *q);
    int (*irq_setup)(struct virtio_dev *d);
    void (*irq_mask)(struct virtio_dev *d, bool masked);
};

struct virtio_dev {
    const struct virtio_ops *ops;
    const char *transport;          /* "pci-modern", "pci-legacy", "mmio-v2", "mmio-v1" */
    char where[24];                 /* "pci 00:03.0", "mmio 0xfeb00e00" */
    uint16_t device_type;           /* VIRTIO_ID_* */
    bool modern;                    /* virtio 1.x interface: VERSION_1 is mandatory */
    bool queue_size_fixed;          /* legacy PCI: the device dictates each queue's size */
    uint64_t offered;               /* what the device offered */
    uint64_t features;              /* what was accepted */
    /* Interrupt callbacks (virtio_irq_setup). */
    void (*on_queue)(void *ctx);
    void (*on_config)(void *ctx);
    void *cb_ctx;
    int vector_queue, vector_config;    /* -1: none; equal when one line serves both */
    const char *irq_kind;           /* "msix", "intx", "gsi" */
    void *priv;                     /* the transport's state */
};

/* All virtio devices on PCI and virtio-mmio, found once (later calls return the same). */
unsigned virtio_find_all(struct virtio_dev **out, unsigned max);

/* Transport probes (virtio_pci.c, virtio_mmio.c). */
struct pci_dev;
int virtio_pci_probe(struct pci_dev *pdev, struct virtio_dev **out);
int virtio_mmio_probe(uint64_t base, uint32_t gsi, struct virtio_dev **out);
/* Lists the virtio-mmio windows: `virtio_mmio.device=` kernel options, else a scan. */
unsigned virtio_mmio_find(struct virtio_dev **out, unsigned max);

int virtio_negotiate(struct virtio_dev *d, uint64_t wanted, uint64_t required);
int virtio_irq_setup(struct virtio_dev *d, void (*on_queue)(void *), void (*on_config)(void *),
                     void *ctx);
void virtio_irq_mask(struct virtio_dev *d, bool masked);
/* Allocates, lays out and enables queue `index` with at most max_size entries. */
int virtio_queue_create(struct virtio_dev *d, uint16_t index, uint16_t max_size, struct virtq *q);
int virtio_driver_ok(struct virtio_dev *d);
void virtio_fail(struct virtio_dev *d);

/* Reads device config bytes [off, off+len) consistently (generation-checked). */
void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf, unsigned len);
uint16_t virtio_config_read16(struct virtio_dev *d, unsigned off);

static inline void virtio_notify(struct virtio_dev *d, struct virtq *q)
{
    d->ops->notify(d, q);
}

const char *virtio_strerror(int err);

#endif

/*
 * virtio_pci.h - what virtio_pci.c (modern interface, interrupts,
 * probing) and virtio_pci_legacy.c (the legacy I/O register block)
 * share. Private to those two files.
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "msix.h"
#include "pci.h"
#include "virtio.h"

/* Legacy: the I/O register block. */
#define LEG_HOST_FEATURES   0x00
#define LEG_GUEST_FEATURES  0x04
#define LEG_Q_PFN           0x08
#define LEG_Q_NUM           0x0C
#define LEG_Q_SELECT        0x0E
#define LEG_Q_NOTIFY        0x10
#define LEG_STATUS          0x12
#define LEG_ISR             0x13
#define LEG_MSIX_CONFIG     0x14
#define LEG_MSIX_QUEUE      0x16

#define NO_VECTOR           0xFFFF
#define ENTRY_CONFIG        0
#define ENTRY_QUEUES        1

struct vpci {
    struct virtio_dev vdev;         /* first: the ops get a virtio_dev pointer */
    struct pci_dev *pdev;
    volatile uint8_t *common, *isr, *device_cfg, *notify_base;
    uint32_t notify_mult;
    uint32_t notify_len, device_cfg_len;    /* what their capabilities say */
    volatile uint16_t *notify[VIRTIO_QUEUES_MAX];
    uint16_t io;                    /* legacy register block */
    bool msix_on;
    struct msix msix;
};

static inline struct vpci *vpci_of(struct virtio_dev *d)
{
    return (struct vpci *)d;
}

extern const struct virtio_ops virtio_pci_legacy_ops;

/* Interrupt set-up and masking, the same for both interfaces (virtio_pci.c). */
int virtio_pci_irq_setup(struct virtio_dev *d);
void virtio_pci_irq_mask(struct virtio_dev *d, bool masked);

#endif

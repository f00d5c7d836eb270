/*
 * virtio_pci_cap.h - the virtio vendor capabilities of a PCI function
 * (virtio 1.1 section 4.1.4) and the bounds they set. Pure logic, read
 * through the same callback as pci_cap.h, tested on the host.
 *
 * Every number in them comes from the device: a capability must fit in
 * the 256 bytes of configuration space and be as long as its type
 * needs, and a queue's notify register (queue_notify_off *
 * notify_off_multiplier into the notify structure) must lie inside the
 * length the notify capability gives.
 */
#ifndef DRIVERS_VIRTIO_PCI_CAP_H
#define DRIVERS_VIRTIO_PCI_CAP_H

#include <stdbool.h>
#include <stdint.h>

#include "pci_cap.h"

/* cfg_type values. */
#define VIRTIO_PCI_CAP_COMMON   1
#define VIRTIO_PCI_CAP_NOTIFY   2
#define VIRTIO_PCI_CAP_ISR      3
#define VIRTIO_PCI_CAP_DEVICE   4

/* struct virtio_pci_common_cfg up to queue_device, the last field we use. */
#define VIRTIO_PCI_COMMON_LEN   0x38

struct virtio_pci_cap {
    uint8_t type;               /* cfg_type */
    uint8_t bar;
    uint32_t offset, length;    /* the structure within the BAR */
    uint32_t notify_mult;       /* notify capabilities only */
};

/* Reads the vendor capability at `at`; false if it is cut short (see above). */
bool virtio_pci_cap_read(pci_cap_read8_fn read8, const void *ctx, uint8_t at,
                         struct virtio_pci_cap *out);

/* The notify register's offset in a notify structure of `length` bytes; false if outside. */
bool virtio_pci_notify_offset(uint32_t length, uint32_t mult, uint16_t queue_notify_off,
                              uint32_t *out);

#endif

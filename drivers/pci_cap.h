/*
 * pci_cap.h - walking a PCI function's capability list (PCI 3.0
 * section 6.7). Pure logic: configuration space is read through a
 * callback, so the same code runs in the kernel (pci_res.c) and in a
 * host unit test against a fake configuration space.
 */
#ifndef DRIVERS_PCI_CAP_H
#define DRIVERS_PCI_CAP_H

#include <stdint.h>

/* Reads one byte of the function's configuration space. */
typedef uint8_t (*pci_cap_read8_fn)(const void *ctx, uint16_t off);

/* Offset of the first capability with this ID after `after` (0: from the start); 0 if none. */
uint8_t pci_cap_find(pci_cap_read8_fn read8, const void *ctx, uint8_t id, uint8_t after);

#endif

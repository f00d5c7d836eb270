/*
 * msix.h - MSI-X for PCI functions: the table and pending-bit array
 * mapped from their BARs, one entry per interrupt source, each entry
 * programmed with a vector on the boot CPU and masked on its own.
 *
 * Contract:
 * - msix_init maps the table and PBA, masks every entry, and turns
 *   MSI-X on with the function mask set (so nothing fires while entries
 *   are half-programmed) and INTx off. The caller then programs entries
 *   with msix_set and lifts the function mask with msix_start.
 * - An entry stays masked until msix_mask(.., false). A masked entry
 *   that fires sets its pending bit and is delivered when unmasked.
 * - The vector comes from irq_alloc (drivers/irq.h); messages go to the
 *   boot CPU in physical destination mode, fixed delivery, edge.
 * - Calls on one struct msix MUST be serialized by the caller; msix_mask
 *   MAY be called with interrupts off (it touches only the table).
 */
#ifndef DRIVERS_MSIX_H
#define DRIVERS_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

struct msix {
    struct pci_dev *dev;
    uint8_t cap;                    /* config offset of the capability */
    unsigned size;                  /* table entries */
    volatile uint32_t *table;       /* 4 words per entry */
    volatile uint32_t *pba;         /* pending bits, read as 32-bit words */
};

/* PCI_ENODEV without the capability; PCI_ENOMAP/PCI_EUNASSIGNED on BAR trouble. */
int msix_init(struct msix *m, struct pci_dev *dev);
/* Points entry at `vector` on the boot CPU; PCI_EINVAL for a bad entry. */
int msix_set(struct msix *m, unsigned entry, int vector);
void msix_mask(struct msix *m, unsigned entry, bool masked);
bool msix_pending(const struct msix *m, unsigned entry);
/* Lifts the function mask: programmed, unmasked entries may now fire. */
void msix_start(struct msix *m);
/* Turns MSI-X off (the function falls back to INTx). */
void msix_disable(struct msix *m);

#endif

/*
 * msix.c - programming MSI-X tables (PCI local bus 3.0, section 6.8.2).
 */
#include "msix.h"
#include "irq.h"

#include <stddef.h>

#define MSIX_CTRL               2       /* message control, in the capability */
#define MSIX_TABLE              4       /* offset | BIR */
#define MSIX_PBA                8
#define MSIX_CTRL_ENABLE        (1u << 15)
#define MSIX_CTRL_FUNC_MASK     (1u << 14)
#define MSIX_CTRL_SIZE_MASK     0x7FFu

#define MSIX_ENTRY_ADDR_LO      0
#define MSIX_ENTRY_ADDR_HI      1
#define MSIX_ENTRY_DATA         2
#define MSIX_ENTRY_CTRL         3
#define MSIX_ENTRY_MASKED       1u

#define MSI_ADDRESS_BASE        0xFEE00000u

static int map_region(struct pci_dev *dev, uint32_t reg, uint64_t bytes, volatile void **out)
{
    volatile void *bar;
    struct pci_bar info;
    unsigned bir = reg & 7;
    uint32_t off = reg & ~7u;
    int err = pci_bar(dev, bir, &info);

    if (err)
        return err;
    if (info.io || off + bytes > info.size)
        return PCI_EINVAL;
    err = pci_map_bar(dev, bir, &bar);
    if (err)
        return err;
    *out = (volatile uint8_t *)bar + off;
    return PCI_OK;
}

int msix_init(struct msix *m, struct pci_dev *dev)
{
    uint8_t cap = pci_find_cap(dev, PCI_CAP_MSIX, 0);
    volatile void *table, *pba;

    if (!cap)
        return PCI_ENODEV;
    uint16_t ctrl = pci_read16(dev, cap + MSIX_CTRL);
    unsigned size = (ctrl & MSIX_CTRL_SIZE_MASK) + 1u;
    int err = map_region(dev, pci_read32(dev, cap + MSIX_TABLE), 16ull * size, &table);
    if (!err)
        err = map_region(dev, pci_read32(dev, cap + MSIX_PBA), 8ull * ((size + 63) / 64), &pba);
    if (err)
        return err;

    m->dev = dev;
    m->cap = cap;
    m->size = size;
    m->table = table;
    m->pba = pba;
    pci_enable(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    pci_write16(dev, cap + MSIX_CTRL, (uint16_t)(ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_FUNC_MASK));
    for (unsigned i = 0; i < size; i++)
        msix_mask(m, i, true);
    pci_intx_mask(dev, true);
    return PCI_OK;
}

int msix_set(struct msix *m, unsigned entry, int vector)
{
    if (entry >= m->size || vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST)
        return PCI_EINVAL;
    volatile uint32_t *e = m->table + 4 * entry;
    uint32_t ctrl = e[MSIX_ENTRY_CTRL];

    /* Rewrite only a masked entry: a live one could fire half-written. */
    e[MSIX_ENTRY_CTRL] = ctrl | MSIX_ENTRY_MASKED;
    e[MSIX_ENTRY_ADDR_LO] = MSI_ADDRESS_BASE | (irq_target_apic_id() & 0xFF) << 12;
    e[MSIX_ENTRY_ADDR_HI] = 0;
    e[MSIX_ENTRY_DATA] = (uint32_t)vector;         /* fixed delivery, edge */
    e[MSIX_ENTRY_CTRL] = ctrl;
    return PCI_OK;
}

void msix_mask(struct msix *m, unsigned entry, bool masked)
{
    if (entry >= m->size)
        return;
    volatile uint32_t *ctrl = m->table + 4 * entry + MSIX_ENTRY_CTRL;
    uint32_t v = *ctrl;

    *ctrl = masked ? v | MSIX_ENTRY_MASKED : v & ~MSIX_ENTRY_MASKED;
    (void)*ctrl;            /* reading back flushes the posted write */
}

bool msix_pending(const struct msix *m, unsigned entry)
{
    return entry < m->size && (m->pba[entry / 32] >> (entry % 32)) & 1;
}

void msix_start(struct msix *m)
{
    uint16_t ctrl = pci_read16(m->dev, m->cap + MSIX_CTRL);

    pci_write16(m->dev, m->cap + MSIX_CTRL, (uint16_t)(ctrl & ~MSIX_CTRL_FUNC_MASK));
}

void msix_disable(struct msix *m)
{
    uint16_t ctrl = pci_read16(m->dev, m->cap + MSIX_CTRL);

    pci_write16(m->dev, m->cap + MSIX_CTRL,
                (uint16_t)(ctrl & ~(MSIX_CTRL_ENABLE | MSIX_CTRL_FUNC_MASK)));
    pci_intx_mask(m->dev, false);
}

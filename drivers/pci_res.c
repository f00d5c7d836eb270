/*
 * pci_res.c - one function's resources: the capability list, BAR sizing
 * and mapping, command bits, and where its INTx pin lands on the I/O
 * APIC.
 */
#include "pci.h"
#include "discovery.h"

#include <stddef.h>

#define Q35_MCH_VENDOR      0x8086
#define Q35_MCH_DEVICE      0x29C0

uint8_t pci_read8_cb(const void *dev, uint16_t off)
{
    return pci_read8(dev, off);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
    return pci_cap_find(pci_read8_cb, d, id, after);
}

static void size_bars(struct pci_dev *d)
{
    unsigned nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
    uint16_t cmd = pci_read16(d, PCI_CFG_COMMAND);

    /* Decoding off while a BAR holds all ones, so nothing answers there. */
    pci_write16(d, PCI_CFG_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (unsigned i = 0; i < nbars; i++) {
        uint16_t off = (uint16_t)(0x10 + 4 * i);
        uint32_t orig = pci_read32(d, off);
        struct pci_bar *b = &d->bars[i];
        pci_write32(d, off, 0xFFFFFFFFu);
        uint32_t mask = pci_read32(d, off);
        pci_write32(d, off, orig);
        if (orig & 1) {
            b->io = true;
            b->base = orig & ~3u;
            mask &= 0xFFFFu & ~3u;      /* x86 ports are 16 bits */
            b->size = mask ? (~mask & 0xFFFFu) + 1 : 0;
            continue;
        }
        b->prefetch = orig & 8;
        b->base = orig & ~0xFull;
        uint64_t mask64 = 0xFFFFFFFF00000000ull | (mask & ~0xFu);
        if (((orig >> 1) & 3) == 2 && i + 1 < nbars) {
            uint32_t orig_hi = pci_read32(d, off + 4);
            pci_write32(d, off + 4, 0xFFFFFFFFu);
            uint32_t mask_hi = pci_read32(d, off + 4);
            pci_write32(d, off + 4, orig_hi);
            b->mem64 = true;
            b->base |= (uint64_t)orig_hi << 32;
            mask64 = (uint64_t)mask_hi << 32 | (mask & ~0xFu);
            i++;                        /* the upper half is not a BAR of its own */
        }
        b->size = (mask & ~0xFu) || b->mem64 ? ~mask64 + 1 : 0;
    }
    pci_write16(d, PCI_CFG_COMMAND, cmd);
    d->bars_sized = true;
}

int pci_bar(struct pci_dev *d, unsigned bar, struct pci_bar *out)
{
    if (bar >= PCI_BARS)
        return PCI_EINVAL;
    if (!d->bars_sized)
        size_bars(d);
    if (!d->bars[bar].size)
        return PCI_ENODEV;
    *out = d->bars[bar];
    return PCI_OK;
}

int pci_map_bar(struct pci_dev *d, unsigned bar, volatile void **out)
{
    struct pci_bar b;
    int err = pci_bar(d, bar, &b);

    if (err)
        return err;
    if (b.io)
        return PCI_EINVAL;
    if (!b.base)
        return PCI_EUNASSIGNED;
    uintptr_t va = discovery_map_mmio(b.base, b.size);
    if (!va)
        return PCI_ENOMAP;
    *out = (volatile void *)va;
    return PCI_OK;
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
    uint16_t cmd = pci_read16(d, PCI_CFG_COMMAND);

    pci_write16(d, PCI_CFG_COMMAND, cmd | (bits & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                                                   PCI_COMMAND_MASTER)));
}

void pci_intx_mask(const struct pci_dev *d, bool masked)
{
    uint16_t cmd = pci_read16(d, PCI_CFG_COMMAND);

    cmd = masked ? cmd | PCI_COMMAND_INTX_OFF : cmd & ~PCI_COMMAND_INTX_OFF;
    pci_write16(d, PCI_CFG_COMMAND, cmd);
}

int pci_intx_gsi(const struct pci_dev *d, uint32_t *gsi, uint16_t *inti_flags)
{
    if (d->irq_pin < 1 || d->irq_pin > 4)
        return PCI_ENODEV;
    struct pci_dev *host = pci_find(Q35_MCH_VENDOR, Q35_MCH_DEVICE, NULL);
    if (host) {
        /* Each PCI-to-PCI bridge rotates the pin by the slot below it (the swizzle). */
        const struct pci_dev *at = d;
        unsigned pin = d->irq_pin;
        for (; at->parent; at = at->parent)
            pin = (pin - 1 + at->slot) % 4 + 1;
        /* q35 in APIC mode: bus-0 slot S pin P goes to PIRQ E + (S+P-1)%4. */
        if (at->bus == 0 && at->slot < 25) {
            *gsi = 20 + (uint32_t)(at->slot + pin - 1) % 4;
            *inti_flags = 0;            /* PCI default: level, active low */
            return PCI_OK;
        }
    }
    if (d->irq_line == 0 || d->irq_line == 0xFF)
        return PCI_ENODEV;
    /* pc: the PIIX routes PIRQs to ISA IRQs, which the MADT may override. */
    const struct platform_info *pi = discovery_platform();
    *gsi = d->irq_line;
    *inti_flags = 0;
    for (unsigned i = 0; i < pi->override_count; i++)
        if (pi->overrides[i].bus_irq == d->irq_line) {
            *gsi = pi->overrides[i].gsi;
            *inti_flags = pi->overrides[i].flags;
        }
    return PCI_OK;
}

/*
 * pci_assign.c - gives addresses to the BARs the firmware left without
 * one.
 *
 * SeaBIOS assigns every BAR; qboot, the minimal firmware that boots a VM
 * about 45 ms sooner under TCG, assigns none. So after the bus walk the
 * kernel places each unassigned BAR of a root-bus function itself:
 *
 * - memory BARs top-down from the I/O APIC's page (0xFEC00000), the top
 *   of the PCI hole on QEMU's pc and q35, each naturally aligned, never
 *   below the highest RAM or reserved range under it (nor the ECAM
 *   window), so nothing the memory map names is overlapped;
 * - I/O BARs bottom-up from port 0xC000, where firmware puts them too,
 *   clear of every legacy ISA port.
 *
 * A 64-bit BAR gets a 32-bit address (its upper half written as 0): a few
 * small BARs fit easily below 4 GiB. Functions behind a bridge keep their
 * BARs unassigned (their window is the bridge's, which we do not
 * program), and pci_map_bar reports PCI_EUNASSIGNED for them as before.
 */
#include "pci.h"
#include "boot.h"
#include "console.h"
#include "discovery.h"

#define MEM_TOP             0xFEC00000ull   /* I/O APIC, then HPET, LAPIC, flash */
#define IO_BASE             0xC000u
#define IO_END              0x10000u
#define BAR_MIN_MEM         0x1000ull       /* a page each: mapped uncached alone */

struct window {
    uint64_t floor, next;   /* memory: next free top; I/O: next free port */
};

/* The lowest address a memory BAR may take: above everything the memory
 * map or the ECAM occupies below MEM_TOP. */
static uint64_t memory_floor(void)
{
    const struct boot_info *bi = boot_get_info();
    const struct platform_info *pi = discovery_platform();
    uint64_t floor = 0;

    for (unsigned i = 0; i < bi->memmap_count; i++) {
        const struct boot_mem_range *r = &bi->memmap[i];
        if (r->base < MEM_TOP && r->base + r->size > floor)
            floor = r->base + r->size;
    }
    if (pi->ecam_base && pi->ecam_base < MEM_TOP) {
        uint64_t end = pi->ecam_base + ((uint64_t)(pi->ecam_bus_end + 1u) << 20);
        if (end > floor)
            floor = end;
    }
    return floor;
}

/* Naturally aligned: a BAR's size is a power of two and so is its alignment. */
static uint64_t take_memory(struct window *w, uint64_t size)
{
    if (size < BAR_MIN_MEM)
        size = BAR_MIN_MEM;
    if (size > w->next)
        return 0;
    uint64_t base = (w->next - size) & ~(size - 1);
    if (base < w->floor)
        return 0;
    w->next = base;
    return base;
}

static uint64_t take_io(struct window *w, uint64_t size)
{
    uint64_t base = (w->next + size - 1) & ~(size - 1);

    if (base + size > IO_END)
        return 0;
    w->next = base + size;
    return base;
}

static void write_bar(struct pci_dev *d, unsigned i, uint64_t base)
{
    uint16_t off = (uint16_t)(0x10 + 4 * i);
    uint32_t low = pci_read32(d, off);

    low = d->bars[i].io ? (low & 3u) : (low & 0xFu);
    pci_write32(d, off, (uint32_t)base | low);
    if (d->bars[i].mem64)
        pci_write32(d, (uint16_t)(off + 4), (uint32_t)(base >> 32));
    d->bars[i].base = base;
}

/* Returns the number of BARs it could not place. */
static unsigned assign_function(struct pci_dev *d, struct window *mem, struct window *io,
                                unsigned *assigned)
{
    unsigned failed = 0;

    /* Bridges: their windows are not ours. The others' BARs were sized by
     * pci_assign_bars' first pass. */
    if (d->header_type != 0)
        return 0;
    uint16_t cmd = pci_read16(d, PCI_CFG_COMMAND);
    pci_write16(d, PCI_CFG_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (unsigned i = 0; i < PCI_BARS; i++) {
        struct pci_bar *b = &d->bars[i];
        if (!b->size || b->base)
            continue;
        uint64_t base = b->io ? take_io(io, b->size) : take_memory(mem, b->size);
        if (!base) {
            klog(LOG_WARN, "pci %02x:%02x.%u: no room for BAR %u (%llu bytes of %s)\n",
                 d->bus, d->slot, d->func, i, (unsigned long long)b->size,
                 b->io ? "I/O ports" : "memory");
            failed++;
            continue;
        }
        write_bar(d, i, base);
        (*assigned)++;
    }
    pci_write16(d, PCI_CFG_COMMAND, cmd);
    return failed;
}

unsigned pci_assign_bars(void)
{
    struct window mem = { memory_floor(), MEM_TOP }, io = { IO_BASE, IO_BASE };
    unsigned assigned = 0, failed = 0;

    /* Past the I/O ports firmware already gave out, so two never share one. */
    for (unsigned n = 0; n < pci_count(); n++) {
        struct pci_dev *d = pci_get(n);
        struct pci_bar b;
        for (unsigned i = 0; i < PCI_BARS; i++)
            if (d->header_type == 0 && pci_bar(d, i, &b) == PCI_OK) {
                if (b.io && b.base >= io.next && b.base + b.size <= IO_END)
                    io.next = b.base + b.size;
                if (!b.io && b.base >= mem.floor && b.base < mem.next)
                    mem.next = b.base;
            }
    }
    for (unsigned n = 0; n < pci_count(); n++) {
        struct pci_dev *d = pci_get(n);
        if (!d->parent)
            failed += assign_function(d, &mem, &io, &assigned);
    }
    if (assigned)
        klog(LOG_INFO, "pci: assigned %u BARs the firmware left empty (memory from %#llx)\n",
             assigned, (unsigned long long)mem.next);
    return failed;
}

/*
 * pci.c - configuration access (ECAM or ports 0xCF8/0xCFC) and the bus
 * walk. What concerns one function's resources (BARs, capabilities,
 * command bits, INTx) is in pci_res.c.
 */
#include "pci.h"
#include "console.h"
#include "cpu.h"
#include "discovery.h"
#include "portio.h"
#include "spinlock.h"

#include <stddef.h>

#define PCI_CONFIG_ADDRESS  0xCF8
#define PCI_CONFIG_DATA     0xCFC
#define ECAM_BUS_BYTES      (1ull << 20)

static struct pci_dev devices[PCI_DEVICES_MAX];
static unsigned device_count;
static bool initialized;
static enum pci_access mode;
static struct spinlock cfg_lock = SPINLOCK_INIT;

static uint64_t ecam_base;
static uint8_t ecam_bus_start, ecam_bus_end;
static bool ecam_bus_mapped[256];

/* --- raw access ---------------------------------------------------------- */

static volatile uint8_t *ecam_addr(uint8_t bus, uint8_t slot, uint8_t func, uint16_t off)
{
    if (bus < ecam_bus_start || bus > ecam_bus_end)
        return NULL;
    uint64_t bus_base = ecam_base + ((uint64_t)(bus - ecam_bus_start) << 20);
    if (!ecam_bus_mapped[bus]) {
        /* One bus at a time: mapping all 256 MiB up front would cost page tables. */
        if (!discovery_map_mmio(bus_base, ECAM_BUS_BYTES))
            return NULL;
        ecam_bus_mapped[bus] = true;
    }
    return (volatile uint8_t *)(uintptr_t)(bus_base + ((uint32_t)slot << 15) +
                                           ((uint32_t)func << 12) + off);
}

static void port_select(uint8_t bus, uint8_t slot, uint8_t func, uint16_t off)
{
    outl(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 |
                             (uint32_t)func << 8 | (off & 0xFC));
}

static uint32_t ecam_rw(volatile uint8_t *p, unsigned width, bool write, uint32_t value)
{
    if (!p)
        return 0xFFFFFFFFu;
    if (width == 1) {
        if (write)
            *p = (uint8_t)value;
        return write ? 0 : *p;
    }
    if (width == 2) {
        if (write)
            *(volatile uint16_t *)p = (uint16_t)value;
        return write ? 0 : *(volatile uint16_t *)p;
    }
    if (write)
        *(volatile uint32_t *)p = value;
    return write ? 0 : *(volatile uint32_t *)p;
}

static uint32_t port_rw(uint16_t off, unsigned width, bool write, uint32_t value)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));

    if (width == 1) {
        if (write)
            outb(port, (uint8_t)value);
        return write ? 0 : inb(port);
    }
    if (width == 2) {
        if (write)
            outw(port, (uint16_t)value);
        return write ? 0 : portio_inw(port);
    }
    if (write)
        outl(port, value);
    return write ? 0 : portio_inl(port);
}

/* One access of `width` bytes; reads return all ones when nothing answers. */
static uint32_t cfg_access(enum pci_access via, uint8_t bus, uint8_t slot, uint8_t func,
                           uint16_t off, unsigned width, bool write, uint32_t value)
{
    uint32_t result = 0xFFFFFFFFu;
    uint64_t flags = irq_save();

    /* Ports need the lock (address, then data); ECAM takes it for the lazy mapping. */
    spinlock_lock(&cfg_lock);
    if (via == PCI_ACCESS_ECAM) {
        result = ecam_rw(ecam_addr(bus, slot, func, off), width, write, value);
    } else if (via == PCI_ACCESS_PORT && off < 256) {
        port_select(bus, slot, func, off);
        result = port_rw(off, width, write, value);
    }
    spinlock_unlock(&cfg_lock);
    irq_restore(flags);
    return result;
}

uint32_t pci_read32_via(enum pci_access via, uint8_t bus, uint8_t slot, uint8_t func,
                        uint16_t off)
{
    return cfg_access(via, bus, slot, func, off, 4, false, 0);
}

static uint32_t raw_read(uint8_t bus, uint8_t slot, uint8_t func, uint16_t off, unsigned w)
{
    return cfg_access(mode, bus, slot, func, off, w, false, 0);
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
    return (uint8_t)cfg_access(mode, d->bus, d->slot, d->func, off, 1, false, 0);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
    return (uint16_t)cfg_access(mode, d->bus, d->slot, d->func, off, 2, false, 0);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
    return cfg_access(mode, d->bus, d->slot, d->func, off, 4, false, 0);
}

void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v)
{
    cfg_access(mode, d->bus, d->slot, d->func, off, 1, true, v);
}

void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
    cfg_access(mode, d->bus, d->slot, d->func, off, 2, true, v);
}

void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
    cfg_access(mode, d->bus, d->slot, d->func, off, 4, true, v);
}

/* --- enumeration ----------------------------------------------------------- */

static bool port_mechanism_present(void)
{
    uint64_t flags = irq_save();
    uint32_t saved = portio_inl(PCI_CONFIG_ADDRESS);

    /* Mechanism #1 latches the enable bit; absent hardware reads back all ones. */
    outl(PCI_CONFIG_ADDRESS, 0x80000000u);
    bool present = portio_inl(PCI_CONFIG_ADDRESS) == 0x80000000u;
    outl(PCI_CONFIG_ADDRESS, saved);
    irq_restore(flags);
    return present;
}

static void scan_bus(uint8_t bus, unsigned depth, struct pci_dev *parent);

static void add_function(uint8_t bus, uint8_t slot, uint8_t func, unsigned depth,
                         struct pci_dev *parent)
{
    if (device_count == PCI_DEVICES_MAX) {
        klog(LOG_WARN, "pci: more than %u functions; %02x:%02x.%u ignored\n", PCI_DEVICES_MAX,
             bus, slot, func);
        return;
    }
    struct pci_dev *d = &devices[device_count++];
    uint32_t id = raw_read(bus, slot, func, 0x00, 4);
    uint32_t class_rev = raw_read(bus, slot, func, 0x08, 4);

    d->parent = parent;
    d->bus = bus;
    d->slot = slot;
    d->func = func;
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    d->revision = (uint8_t)class_rev;
    d->prog_if = (uint8_t)(class_rev >> 8);
    d->subclass = (uint8_t)(class_rev >> 16);
    d->class_code = (uint8_t)(class_rev >> 24);
    d->header_type = (uint8_t)(raw_read(bus, slot, func, 0x0E, 1) & 0x7F);
    d->irq_line = (uint8_t)raw_read(bus, slot, func, 0x3C, 1);
    d->irq_pin = (uint8_t)raw_read(bus, slot, func, 0x3D, 1);
    if (d->header_type == 0) {
        uint32_t sub = raw_read(bus, slot, func, 0x2C, 4);
        d->subsys_vendor = (uint16_t)sub;
        d->subsys_id = (uint16_t)(sub >> 16);
    }
    /* A PCI-to-PCI bridge: the firmware numbered its secondary bus. */
    if (d->header_type == 1 && depth < 8) {
        uint8_t secondary = (uint8_t)raw_read(bus, slot, func, 0x19, 1);
        if (secondary > bus)
            scan_bus(secondary, depth + 1, d);
    }
}

static void scan_bus(uint8_t bus, unsigned depth, struct pci_dev *parent)
{
    for (uint8_t slot = 0; slot < 32; slot++) {
        if ((uint16_t)raw_read(bus, slot, 0, 0x00, 2) == 0xFFFF)
            continue;
        bool multi = raw_read(bus, slot, 0, 0x0E, 1) & 0x80;
        for (uint8_t func = 0; func < (multi ? 8 : 1); func++)
            if ((uint16_t)raw_read(bus, slot, func, 0x00, 2) != 0xFFFF)
                add_function(bus, slot, func, depth, parent);
    }
}

unsigned pci_init(void)
{
    if (initialized)
        return device_count;
    initialized = true;

    const struct platform_info *pi = discovery_platform();
    if (pi->ecam_base) {
        ecam_base = pi->ecam_base;
        ecam_bus_start = pi->ecam_bus_start;
        ecam_bus_end = pi->ecam_bus_end;
        mode = PCI_ACCESS_ECAM;
        if ((uint16_t)raw_read(ecam_bus_start, 0, 0, 0, 2) == 0xFFFF) {
            klog(LOG_WARN, "pci: ECAM at %#llx does not answer; using ports\n",
                 (unsigned long long)ecam_base);
            mode = PCI_ACCESS_NONE;
        }
    }
    if (mode == PCI_ACCESS_NONE && port_mechanism_present())
        mode = PCI_ACCESS_PORT;
    if (mode == PCI_ACCESS_NONE) {
        klog(LOG_INFO, "pci: no configuration mechanism: no PCI bus\n");
        return 0;
    }
    scan_bus(mode == PCI_ACCESS_ECAM ? ecam_bus_start : 0, 0, NULL);
    pci_assign_bars();
    klog(LOG_INFO, "pci: %u functions, configuration through %s\n", device_count,
         pci_access_name(mode));
    return device_count;
}

enum pci_access pci_access_mode(void)
{
    return mode;
}

const char *pci_access_name(enum pci_access m)
{
    return m == PCI_ACCESS_ECAM ? "ecam" : m == PCI_ACCESS_PORT ? "ports" : "none";
}

unsigned pci_count(void)
{
    return device_count;
}

struct pci_dev *pci_get(unsigned index)
{
    return index < device_count ? &devices[index] : NULL;
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t device, struct pci_dev *after)
{
    unsigned i = after ? (unsigned)(after - devices) + 1 : 0;

    for (; i < device_count; i++)
        if ((vendor == 0xFFFF || devices[i].vendor == vendor) &&
            (device == 0xFFFF || devices[i].device == device))
            return &devices[i];
    return NULL;
}

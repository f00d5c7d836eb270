/*
 * pci.h - PCI configuration space, enumeration and BARs.
 *
 * Configuration space is reached through ECAM (memory-mapped, from the
 * ACPI MCFG table: q35) or, without MCFG, configuration mechanism #1
 * (ports 0xCF8/0xCFC: pc). pci_init walks bus 0 and every bus behind a
 * PCI-to-PCI bridge and records each function it finds.
 *
 * Contract:
 * - pci_init MUST run once the kernel is up (discovery done, heap
 *   ready), from a thread; later calls return the same count. Every
 *   other call requires it. Machines without PCI (microvm) give 0.
 * - struct pci_dev records live for the whole run; callers MUST NOT
 *   change their fields.
 * - Config accesses take a lock with interrupts off and MAY come from
 *   any thread; they MUST NOT be made from interrupt handlers. `off`
 *   MUST be aligned to the access width.
 * - pci_bar sizes a BAR on first use (decoding is switched off for the
 *   moment of sizing) and caches the answer. pci_map_bar maps a memory
 *   BAR uncached and returns its address. pci_init gives an address to
 *   every BAR of a root-bus function that the firmware left empty (qboot
 *   assigns none; pci_assign.c); a BAR behind a bridge that the firmware
 *   left empty stays so, and pci_map_bar returns PCI_EUNASSIGNED.
 * - pci_intx_gsi names the I/O APIC input of the function's INTx pin.
 *   q35: the pin is swizzled through each bridge up to bus 0, where
 *   slots below 25 reach PIRQ E-H = GSI 20-23. Otherwise (pc): the
 *   interrupt line the firmware wrote, through the MADT overrides.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "pci_cap.h"

#define PCI_DEVICES_MAX     64
#define PCI_BARS            6

/* Configuration-space registers this layer and its users need. */
#define PCI_CFG_COMMAND     0x04
#define PCI_CFG_STATUS      0x06
#define PCI_CFG_CAP_PTR     0x34
#define PCI_COMMAND_IO      (1u << 0)
#define PCI_COMMAND_MEMORY  (1u << 1)
#define PCI_COMMAND_MASTER  (1u << 2)
#define PCI_COMMAND_INTX_OFF (1u << 10)

/* Capability IDs. */
#define PCI_CAP_MSI         0x05
#define PCI_CAP_VENDOR      0x09
#define PCI_CAP_MSIX        0x11

enum pci_error {
    PCI_OK = 0,
    PCI_ENODEV,         /* no such function, BAR or capability */
    PCI_EINVAL,         /* bad BAR number or a BAR of the wrong kind */
    PCI_EUNASSIGNED,    /* the firmware left the BAR without an address */
    PCI_ENOMAP,         /* mapping the range failed */
};

enum pci_access { PCI_ACCESS_NONE, PCI_ACCESS_PORT, PCI_ACCESS_ECAM };

struct pci_bar {
    uint64_t base;      /* physical address, or I/O port for io BARs */
    uint64_t size;      /* 0: the BAR is not implemented */
    bool io;
    bool mem64;         /* takes this BAR slot and the next */
    bool prefetch;
};

struct pci_dev {
    uint8_t bus, slot, func;
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_id;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t header_type;            /* without the multifunction bit */
    uint8_t irq_line, irq_pin;      /* pin: 0 none, 1..4 = INTA..INTD */
    struct pci_dev *parent;         /* the bridge above, NULL on the root bus */
    bool bars_sized;
    struct pci_bar bars[PCI_BARS];
};

/* Enumerates once; returns the number of functions found. */
unsigned pci_init(void);
/* pci_init's second step: returns how many empty BARs found no room. */
unsigned pci_assign_bars(void);
enum pci_access pci_access_mode(void);
const char *pci_access_name(enum pci_access mode);

unsigned pci_count(void);
struct pci_dev *pci_get(unsigned index);
/* The next function after `after` (NULL: from the start) with these IDs; 0xFFFF matches any. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, struct pci_dev *after);

uint8_t pci_read8(const struct pci_dev *dev, uint16_t off);
uint16_t pci_read16(const struct pci_dev *dev, uint16_t off);
uint32_t pci_read32(const struct pci_dev *dev, uint16_t off);
void pci_write8(const struct pci_dev *dev, uint16_t off, uint8_t value);
void pci_write16(const struct pci_dev *dev, uint16_t off, uint16_t value);
void pci_write32(const struct pci_dev *dev, uint16_t off, uint32_t value);

/* A 32-bit read by address through one mechanism (tests compare ECAM with ports). */
uint32_t pci_read32_via(enum pci_access mode, uint8_t bus, uint8_t slot, uint8_t func,
                        uint16_t off);

/*
 * Offset of the first capability with this ID after `after` (0: from
 * the start); 0 if none. Always ends, even on a looping list
 * (pci_cap.h); a driver that must refuse such a device checks with
 * pci_cap_check(pci_read8_cb, dev, ...).
 */
uint8_t pci_find_cap(const struct pci_dev *dev, uint8_t id, uint8_t after);
/* pci_read8 as a pci_cap_read8_fn (ctx = the struct pci_dev). */
uint8_t pci_read8_cb(const void *dev, uint16_t off);

int pci_bar(struct pci_dev *dev, unsigned bar, struct pci_bar *out);
int pci_map_bar(struct pci_dev *dev, unsigned bar, volatile void **out);

/* Sets the given PCI_COMMAND_* bits (IO, MEMORY, MASTER) on. */
void pci_enable(const struct pci_dev *dev, uint16_t command_bits);
/* Masks (true) or unmasks the function's INTx output. */
void pci_intx_mask(const struct pci_dev *dev, bool masked);

int pci_intx_gsi(const struct pci_dev *dev, uint32_t *gsi, uint16_t *inti_flags);

#endif

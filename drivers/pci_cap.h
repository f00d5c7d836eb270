/*
 * pci_cap.h - walking a PCI function's capability list (PCI 3.0
 * section 6.7). Pure logic: configuration space is read through a
 * callback, so the same code runs in the kernel (pci_res.c) and in a
 * host unit test against a fake configuration space.
 *
 * The list lives in the 192 bytes after the header, so it holds at
 * most 48 entries (dword-aligned, at 0x40..0xFC). A device controls
 * every pointer: a walk visits each offset at most once and stops at a
 * loop or a pointer into the header, so it always ends.
 *
 * Contract: pci_cap_find called with the offset it returned last
 * finds the next entry with that ID, in list order, and returns 0 once
 * there is none, whatever the list looks like; so a loop
 * `for (c = 0; (c = pci_cap_find(..., id, c));)` ends. On a malformed
 * list it sees the entries before the fault; pci_cap_check says whether
 * there was one, for callers that refuse such a device.
 */
#ifndef DRIVERS_PCI_CAP_H
#define DRIVERS_PCI_CAP_H

#include <stdint.h>

#define PCI_CAPS_MAX        48

enum pci_cap_list {
    PCI_CAP_LIST_OK = 0,        /* ends with a null pointer (or there is no list) */
    PCI_CAP_LIST_LOOP,          /* a pointer leads back to an entry already seen */
    PCI_CAP_LIST_BAD_POINTER,   /* a pointer into the header (1..0x3F) */
};

/* Reads one byte of the function's configuration space. */
typedef uint8_t (*pci_cap_read8_fn)(const void *ctx, uint16_t off);

/* Offset of the first capability with this ID after `after` (0: from the start); 0 if none. */
uint8_t pci_cap_find(pci_cap_read8_fn read8, const void *ctx, uint8_t id, uint8_t after);

/* Whether the list is well formed; *where (MAY be NULL) gets the offset of the bad pointer. */
enum pci_cap_list pci_cap_check(pci_cap_read8_fn read8, const void *ctx, uint8_t *where);

const char *pci_cap_strerror(enum pci_cap_list status);

#endif

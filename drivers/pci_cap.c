/*
 * pci_cap.c - the capability list walk.
 */
#include "pci_cap.h"

#include <stdbool.h>

#define CFG_STATUS          0x06
#define CFG_CAP_PTR         0x34
#define STATUS_CAP_LIST     (1u << 4)
#define CAP_FIRST           0x40

/*
 * Walks from the start: returns the first entry with `id` after
 * `after` (from the start when `after` is 0), 0 if none. The walk
 * stops at the end, a pointer into the header, or an offset already
 * visited, so it takes at most PCI_CAPS_MAX steps.
 */
static uint8_t walk(pci_cap_read8_fn read8, const void *ctx, uint8_t id, uint8_t after,
                    enum pci_cap_list *status, uint8_t *where)
{
    uint64_t seen = 0;          /* one bit per dword of 0x40..0xFF */
    bool past = after == 0;
    uint16_t ptr = CFG_CAP_PTR;

    *status = PCI_CAP_LIST_OK;
    if (!(read8(ctx, CFG_STATUS) & STATUS_CAP_LIST))
        return 0;
    for (;;) {
        /* The bottom two bits are reserved: software masks them (6.7). */
        uint8_t off = read8(ctx, ptr) & 0xFC;
        if (off == 0)
            return 0;
        if (off < CAP_FIRST || (seen >> ((off - CAP_FIRST) / 4) & 1)) {
            *status = off < CAP_FIRST ? PCI_CAP_LIST_BAD_POINTER : PCI_CAP_LIST_LOOP;
            *where = (uint8_t)ptr;
            return 0;
        }
        seen |= 1ull << ((off - CAP_FIRST) / 4);
        if (past && read8(ctx, off) == id)
            return off;
        past = past || off == after;
        ptr = (uint16_t)(off + 1);
    }
}

uint8_t pci_cap_find(pci_cap_read8_fn read8, const void *ctx, uint8_t id, uint8_t after)
{
    enum pci_cap_list status;
    uint8_t where;

    return walk(read8, ctx, id, after, &status, &where);
}

enum pci_cap_list pci_cap_check(pci_cap_read8_fn read8, const void *ctx, uint8_t *where)
{
    enum pci_cap_list status;
    uint8_t at = 0;

    /* 0xFF is no entry's offset (entries are dword-aligned): the walk goes to the end. */
    walk(read8, ctx, 0, 0xFF, &status, &at);
    if (where)
        *where = at;
    return status;
}

const char *pci_cap_strerror(enum pci_cap_list status)
{
    switch (status) {
    case PCI_CAP_LIST_OK: return "ok";
    case PCI_CAP_LIST_LOOP: return "capability list loops";
    case PCI_CAP_LIST_BAD_POINTER: return "capability pointer into the header";
    default: return "unknown";
    }
}

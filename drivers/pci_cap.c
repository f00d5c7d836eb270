/*
 * pci_cap.c - the capability list walk.
 */
#include "pci_cap.h"

#define CFG_STATUS          0x06
#define CFG_CAP_PTR         0x34
#define STATUS_CAP_LIST     (1u << 4)

uint8_t pci_cap_find(pci_cap_read8_fn read8, const void *ctx, uint8_t id, uint8_t after)
{
    if (!(read8(ctx, CFG_STATUS) & STATUS_CAP_LIST))
        return 0;
    uint8_t off = after ? read8(ctx, (uint16_t)(after + 1)) : read8(ctx, CFG_CAP_PTR);

    /* 48 entries fill the 192 bytes after the header: a longer walk is a loop. */
    for (unsigned n = 0; n < 48 && (off & 0xFC) >= 0x40; n++) {
        off &= 0xFC;
        if (read8(ctx, off) == id)
            return off;
        off = read8(ctx, (uint16_t)(off + 1));
    }
    return 0;
}

/*
 * virtio_pci_cap.c - reading and bounding virtio's vendor capabilities.
 */
#include "virtio_pci_cap.h"

/* struct virtio_pci_cap, then virtio_pci_notify_cap's multiplier. */
#define CAP_LEN             2
#define CAP_CFG_TYPE        3
#define CAP_BAR             4
#define CAP_OFFSET          8
#define CAP_LENGTH          12
#define CAP_NOTIFY_MULT     16
#define CAP_SIZE            16
#define NOTIFY_CAP_SIZE     20
#define CFG_SPACE           256

static uint32_t read32(pci_cap_read8_fn read8, const void *ctx, uint16_t off)
{
    return (uint32_t)read8(ctx, off) | (uint32_t)read8(ctx, (uint16_t)(off + 1)) << 8 |
           (uint32_t)read8(ctx, (uint16_t)(off + 2)) << 16 |
           (uint32_t)read8(ctx, (uint16_t)(off + 3)) << 24;
}

bool virtio_pci_cap_read(pci_cap_read8_fn read8, const void *ctx, uint8_t at,
                         struct virtio_pci_cap *out)
{
    uint8_t len = read8(ctx, (uint16_t)(at + CAP_LEN));

    *out = (struct virtio_pci_cap){ 0 };
    out->type = read8(ctx, (uint16_t)(at + CAP_CFG_TYPE));
    unsigned need = out->type == VIRTIO_PCI_CAP_NOTIFY ? NOTIFY_CAP_SIZE : CAP_SIZE;
    /* Past byte 255 a port access would wrap to the header: never read there. */
    if (len < need || (unsigned)at + len > CFG_SPACE)
        return false;
    out->bar = read8(ctx, (uint16_t)(at + CAP_BAR));
    out->offset = read32(read8, ctx, (uint16_t)(at + CAP_OFFSET));
    out->length = read32(read8, ctx, (uint16_t)(at + CAP_LENGTH));
    if (out->type == VIRTIO_PCI_CAP_NOTIFY)
        out->notify_mult = read32(read8, ctx, (uint16_t)(at + CAP_NOTIFY_MULT));
    return true;
}

bool virtio_pci_notify_offset(uint32_t length, uint32_t mult, uint16_t queue_notify_off,
                              uint32_t *out)
{
    /* 16 x 32 bits cannot overflow 64; the register is 2 bytes wide (4.1.4.4). */
    uint64_t off = (uint64_t)queue_notify_off * mult;

    if (off + 2 > length)
        return false;
    *out = (uint32_t)off;
    return true;
}

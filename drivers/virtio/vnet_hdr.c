/*
 * vnet_hdr.c - decoding the virtio-net header and completing partial
 * checksums over a frame that may span several receive buffers.
 */
#include "vnet_hdr.h"

#include "inet_sum.h"

static uint16_t get16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

void vnet_hdr_decode(const void *raw, size_t hdr_len, struct vnet_hdr *out)
{
    const uint8_t *p = raw;

    out->flags = p[0];
    out->gso_type = p[1];
    out->hdr_len = get16le(p + 2);
    out->gso_size = get16le(p + 4);
    out->csum_start = get16le(p + 6);
    out->csum_offset = get16le(p + 8);
    out->num_buffers = hdr_len >= VNET_HDR_LEN ? get16le(p + 10) : 1;
}

static void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void vnet_hdr_encode(const struct vnet_hdr *in, size_t hdr_len, void *raw)
{
    uint8_t *p = raw;

    p[0] = in->flags;
    p[1] = in->gso_type;
    put16le(p + 2, in->hdr_len);
    put16le(p + 4, in->gso_size);
    put16le(p + 6, in->csum_start);
    put16le(p + 8, in->csum_offset);
    if (hdr_len >= VNET_HDR_LEN)
        put16le(p + 10, 0);
}

static size_t frame_len(const struct vnet_seg *segs, unsigned nseg)
{
    size_t n = 0;

    for (unsigned i = 0; i < nseg; i++)
        n += segs[i].len;
    return n;
}

/* The byte at frame offset `at`, located across segments. */
static uint8_t *byte_at(const struct vnet_seg *segs, unsigned nseg, size_t at)
{
    for (unsigned i = 0; i < nseg; i++) {
        if (at < segs[i].len)
            return segs[i].base + at;
        at -= segs[i].len;
    }
    return NULL;
}

static uint16_t swap16(uint16_t v)
{
    return (uint16_t)(v << 8 | v >> 8);
}

/*
 * inet_sum reads little-endian words; the sum of byte-swapped words is
 * the byte-swapped sum (RFC 1071), so each segment's sum is swapped back
 * when the segment starts at an odd offset from `start` (a word split
 * across two buffers), and the total once more into network order.
 */
uint16_t vnet_csum_sum(const struct vnet_seg *segs, unsigned nseg, size_t start)
{
    uint32_t sum = 0;
    size_t skip = start, done = 0;

    for (unsigned i = 0; i < nseg; i++) {
        const uint8_t *p = segs[i].base;
        size_t len = segs[i].len;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        p += skip;
        len -= skip;
        skip = 0;
        uint16_t part = inet_sum(p, (int)len);
        sum += done & 1 ? swap16(part) : part;
        done += len;
    }
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return swap16((uint16_t)sum);
}

bool vnet_csum_fits(size_t len, uint16_t start, uint16_t offset)
{
    return start < len && (size_t)start + offset + 2 <= len;
}

bool vnet_csum_complete(struct vnet_seg *segs, unsigned nseg, uint16_t start, uint16_t offset)
{
    size_t len = frame_len(segs, nseg);
    size_t field = (size_t)start + offset;

    if (!vnet_csum_fits(len, start, offset))
        return false;
    uint8_t *hi = byte_at(segs, nseg, field), *lo = byte_at(segs, nseg, field + 1);
    uint16_t csum = (uint16_t)~vnet_csum_sum(segs, nseg, start);

    if (csum == 0)
        csum = 0xFFFF;
    *hi = (uint8_t)(csum >> 8);
    *lo = (uint8_t)csum;
    return true;
}

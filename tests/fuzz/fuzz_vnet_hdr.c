/*
 * fuzz_vnet_hdr.c - the virtio-net header and the partial checksum
 * completion over a frame split across receive buffers
 * (drivers/virtio/vnet_hdr.c).
 *
 * Input: byte 0 bit 0 picks the header length (10 or 12), byte 1 the
 * number of pieces (1..8), the next 7 bytes where the frame is cut, then
 * the header, then the frame. Header and pieces are heap copies of exactly
 * their sizes (a piece may be empty).
 *
 * Properties: the sum and the completed frame are the same whether the
 * frame comes in pieces or whole (a differential check of the piece
 * walking); completion refuses exactly the fields that do not fit and
 * changes no byte but the two of the checksum field.
 */
#include "fuzz.h"
#include "vnet_hdr.h"

#define PIECES_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    size_t hdr_len = fuzz_u8(&in) & 1 ? VNET_HDR_LEN : VNET_HDR_LEN_LEGACY;
    unsigned nseg = fuzz_u8(&in) % PIECES_MAX + 1;
    uint8_t cuts[PIECES_MAX - 1];
    struct vnet_hdr hdr;

    for (unsigned i = 0; i < PIECES_MAX - 1; i++)
        cuts[i] = fuzz_u8(&in);
    if (in.left < hdr_len)
        return 0;
    uint8_t *raw = fuzz_copy(in.p, hdr_len, 0);
    vnet_hdr_decode(raw, hdr_len, &hdr);
    free(raw);
    if (hdr_len == VNET_HDR_LEN_LEGACY)
        FUZZ_CHECK(hdr.num_buffers == 1);
    in.p += hdr_len;
    in.left -= hdr_len;

    /* The frame whole, and in pieces cut at the given lengths. */
    size_t len = in.left;
    struct vnet_seg whole = { fuzz_copy(in.p, len, 0), len };
    struct vnet_seg segs[PIECES_MAX];
    size_t at = 0;
    for (unsigned i = 0; i < nseg; i++) {
        size_t n = i + 1 < nseg ? cuts[i] : len - at;
        if (n > len - at)
            n = len - at;
        segs[i] = (struct vnet_seg){ fuzz_copy(in.p + at, n, 0), n };
        at += n;
    }

    FUZZ_CHECK(vnet_csum_sum(segs, nseg, hdr.csum_start) ==
               vnet_csum_sum(&whole, 1, hdr.csum_start));
    bool fits = hdr.csum_start < len && (size_t)hdr.csum_start + hdr.csum_offset + 2 <= len;
    bool a = vnet_csum_complete(segs, nseg, hdr.csum_start, hdr.csum_offset);
    bool b = vnet_csum_complete(&whole, 1, hdr.csum_start, hdr.csum_offset);
    FUZZ_CHECK(a == fits && b == fits);
    at = 0;
    for (unsigned i = 0; i < nseg; i++) {
        FUZZ_CHECK(segs[i].len == 0 || !memcmp(segs[i].base, whole.base + at, segs[i].len));
        at += segs[i].len;
        free(segs[i].base);
    }
    size_t field = (size_t)hdr.csum_start + hdr.csum_offset;
    for (size_t i = 0; i < len; i++)
        if (!fits || (i != field && i != field + 1))
            FUZZ_CHECK(whole.base[i] == in.p[i]);
    free(whole.base);
    return 0;
}

/*
 * vnet_hdr.h - the virtio-net packet header (virtio 1.1 section 5.1.6)
 * and the software checksum that completes a partially checksummed
 * packet. Pure logic: no device access, tested on the host.
 *
 * Every frame on a virtio-net queue starts with this header. It is 12
 * bytes when VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF is negotiated
 * (num_buffers present) and 10 bytes otherwise (legacy devices).
 *
 * Contract: vnet_hdr_decode reads exactly `hdr_len` bytes (10 or 12)
 * and reports num_buffers = 1 for 10-byte headers. vnet_csum_complete
 * treats the frame as the concatenation of the segments; it returns
 * false (and writes nothing) when csum_start/csum_offset do not fit the
 * frame.
 */
#ifndef DRIVERS_VNET_HDR_H
#define DRIVERS_VNET_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN_LEGACY     10
#define VNET_HDR_LEN            12

/* flags */
#define VNET_HDR_F_NEEDS_CSUM   1   /* checksum at csum_start+csum_offset is partial */
#define VNET_HDR_F_DATA_VALID   2   /* the device checked the checksum */
/* gso_type */
#define VNET_HDR_GSO_NONE       0
#define VNET_HDR_GSO_TCPV4      1

struct vnet_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
};

/* A piece of a received frame, in the driver's own buffer. */
struct vnet_seg {
    uint8_t *base;
    size_t len;
};

void vnet_hdr_decode(const void *raw, size_t hdr_len, struct vnet_hdr *out);
/* Writes `hdr_len` bytes (10 or 12; num_buffers is written as 0). */
void vnet_hdr_encode(const struct vnet_hdr *in, size_t hdr_len, void *raw);

/*
 * Ones' complement sum (RFC 1071, not yet complemented, folded to 16 bits)
 * of the frame bytes [start, end of frame), as big-endian 16-bit words.
 */
uint16_t vnet_csum_sum(const struct vnet_seg *segs, unsigned nseg, size_t start);

/*
 * Completes a NEEDS_CSUM frame: the field at start+offset holds the
 * pseudo-header sum; it is replaced by the complemented sum over
 * [start, end) (0xFFFF instead of 0, which is valid for TCP and UDP).
 */
bool vnet_csum_complete(struct vnet_seg *segs, unsigned nseg, uint16_t start, uint16_t offset);

/* Whether a checksum at start+offset, summed from start, fits a frame of len bytes. */
bool vnet_csum_fits(size_t len, uint16_t start, uint16_t offset);

#endif

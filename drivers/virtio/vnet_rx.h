/*
 * vnet_rx.h - assembling received frames from the receive buffers a
 * virtio-net device returns: the header at the start of a frame's
 * first buffer, the further buffers a merged frame spans
 * (VIRTIO_NET_F_MRG_RXBUF), and the checks that decide whether the
 * frame is delivered. Pure logic: no device access, no allocation, so
 * the same code runs in the driver (vnet_io.c) and in a host unit test
 * against a simulated device.
 *
 * The device's used-ring length is a claim, not a fact: a buffer that
 * claims more bytes than were posted for it (a hostile or broken
 * device; with merged buffers the frame total alone would still pass
 * any MTU above 2 KiB) makes its whole frame a VNET_RX_BADLEN drop, and
 * no byte past the posted size is ever read or written.
 *
 * Contract:
 * - Feed used buffers in used-ring order with vnet_rx_take, each with
 *   the size posted for it. A buffer it
 *   does not keep (it returns false) MUST be posted again by the caller
 *   at once. Once `need` is 0 the frame is complete: call
 *   vnet_rx_finish, then post seg_buf[0..nseg) again, then
 *   vnet_rx_reset.
 * - Segments of a delivered frame point into the caller's buffers.
 */
#ifndef DRIVERS_VNET_RX_H
#define DRIVERS_VNET_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_net.h"

#define VNET_RX_SEGS_MAX    VNET_FRAME_SEGS_MAX

struct vnet_rx {
    /* Set once. */
    uint16_t hdr_len;           /* 10 or 12 */
    bool mergeable;             /* a frame may span buffers (num_buffers counts them) */
    size_t max_frame;           /* longest frame delivered */
    bool gso_tcpv4;             /* uncut TCPv4 frames (GSO_TCPV4), up to VNET_GSO_MAX_FRAME */
    bool keep_partial;          /* NEEDS_CSUM frames are delivered uncompleted */

    /* The frame being collected. */
    struct vnet_hdr hdr;
    struct vnet_seg seg[VNET_RX_SEGS_MAX];
    uint8_t *seg_buf[VNET_RX_SEGS_MAX];
    unsigned nseg, need;
    bool dropping;
    bool bad_len;               /* a buffer claimed more than was posted */
};

enum vnet_rx_verdict {
    VNET_RX_DELIVER,            /* *frame is ready for the client */
    VNET_RX_DROP,               /* malformed, too short or long, unasked GSO, bad checksum offsets */
    VNET_RX_BADLEN,             /* a buffer's used length exceeded its posted size */
};

/*
 * Adds one used buffer of `posted` bytes for which the device claims
 * `len`; false if not kept (see above).
 */
bool vnet_rx_take(struct vnet_rx *rx, uint8_t *buf, uint32_t len, uint32_t posted);

/* Judges the complete frame; on VNET_RX_DELIVER fills *frame (completing a partial checksum). */
enum vnet_rx_verdict vnet_rx_finish(struct vnet_rx *rx, struct vnet_frame *frame);

/* Forgets the frame's buffers (the caller has posted them again). */
void vnet_rx_reset(struct vnet_rx *rx);

#endif

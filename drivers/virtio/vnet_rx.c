/*
 * vnet_rx.c - receive-side frame assembly for virtio-net: header
 * decoding, merged buffers, the delivery checks.
 */
#include "vnet_rx.h"

bool vnet_rx_take(struct vnet_rx *rx, uint8_t *buf, uint32_t len, uint32_t posted)
{
    size_t skip = 0;
    bool bad = len > posted;

    if (rx->need == 0) {
        rx->bad_len = false;
        /*
         * The first buffer of a frame starts with the header. It lies
         * inside the buffer even when the claimed length does not, and
         * its num_buffers says how many buffers go with the frame, lying
         * or not: they are dropped with it, and the next frame starts
         * where the device thinks it does.
         */
        if ((bad ? posted : len) < rx->hdr_len) {
            rx->dropping = true;
            rx->need = 1;
            rx->hdr = (struct vnet_hdr){ 0 };
        } else {
            vnet_hdr_decode(buf, rx->hdr_len, &rx->hdr);
            rx->need = rx->mergeable && rx->hdr.num_buffers ? rx->hdr.num_buffers : 1;
            rx->dropping = false;
            skip = rx->hdr_len;
        }
    }
    rx->need--;
    if (bad) {
        /* The bytes past `posted` are someone else's: keep none of them. */
        len = 0;
        rx->dropping = true;
        rx->bad_len = true;
    }
    if (rx->nseg == VNET_RX_SEGS_MAX) {
        rx->dropping = true;            /* too many pieces: recycle, deliver nothing */
        return false;
    }
    rx->seg[rx->nseg] = (struct vnet_seg){ buf + skip, len > skip ? len - skip : 0 };
    rx->seg_buf[rx->nseg++] = buf;
    return true;
}

enum vnet_rx_verdict vnet_rx_finish(struct vnet_rx *rx, struct vnet_frame *f)
{
    *f = (struct vnet_frame){ .seg = rx->seg, .nseg = rx->nseg };
    if (rx->bad_len)
        return VNET_RX_BADLEN;
    for (unsigned i = 0; i < rx->nseg; i++)
        f->len += rx->seg[i].len;
    uint8_t gso = rx->hdr.gso_type;
    bool uncut = gso == VNET_HDR_GSO_TCPV4 && rx->gso_tcpv4;
    bool ok = !rx->dropping && f->len >= VNET_ETH_HLEN &&
              f->len <= (uncut ? VNET_GSO_MAX_FRAME : rx->max_frame) &&
              (gso == VNET_HDR_GSO_NONE || uncut);
    bool partial = rx->hdr.flags & VNET_HDR_F_NEEDS_CSUM;
    if (ok && partial && rx->keep_partial)
        ok = vnet_csum_fits(f->len, rx->hdr.csum_start, rx->hdr.csum_offset);
    else if (ok && partial)
        ok = vnet_csum_complete(rx->seg, rx->nseg, rx->hdr.csum_start, rx->hdr.csum_offset);
    if (!ok)
        return VNET_RX_DROP;
    f->csum_valid = rx->hdr.flags & (VNET_HDR_F_DATA_VALID | VNET_HDR_F_NEEDS_CSUM);
    if (partial && rx->keep_partial) {
        f->csum_partial = true;
        f->csum_start = rx->hdr.csum_start;
        f->csum_offset = rx->hdr.csum_offset;
    }
    return VNET_RX_DELIVER;
}

bool vnet_frame_complete(const struct vnet_frame *f)
{
    /* rx's contract lets the client modify the frame's bytes. */
    return f->csum_partial && vnet_csum_complete((struct vnet_seg *)f->seg, f->nseg,
                                                 f->csum_start, f->csum_offset);
}

void vnet_rx_reset(struct vnet_rx *rx)
{
    rx->nseg = 0;
}

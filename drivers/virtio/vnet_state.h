/*
 * vnet_state.h - what virtio_net.c (bring-up, link, modes) and
 * vnet_io.c (the data path) share about one device. Private to those
 * two files; users see only virtio_net.h.
 */
#ifndef DRIVERS_VNET_STATE_H
#define DRIVERS_VNET_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sync.h"
#include "virtio.h"
#include "virtio_net.h"
#include "virtq.h"
#include "vnet_rx.h"

#define VNET_RX_QUEUE       0
#define VNET_TX_QUEUE       1
#define VNET_RING_MAX       256     /* entries per queue we ask for */
#define VNET_MRG_BUF_SIZE   2048    /* receive buffer size with MRG_RXBUF */
#define VNET_LINK_POLL_NS   100000000ull
#define VNET_TX_HDR_STRIDE  16      /* bytes per transmit header slot */

struct vnet_state {
    struct virtio_dev *vdev;
    struct virtq rx, tx;
    struct vnet_client client;
    bool has_client;
    bool broken;                /* the device broke the ring protocol */

    uint16_t hdr_len;           /* 10 or 12 */
    bool mergeable;             /* MRG_RXBUF: a frame may span buffers */
    bool rx_split_hdr;          /* legacy without ANY_LAYOUT: header in its own descriptor */
    uint8_t *rx_bufs;           /* rx_nbufs buffers of rx_buf_size, identity-mapped */
    uint32_t rx_buf_size;
    unsigned rx_nbufs;
    uint64_t rx_bytes_alloc;
    uint8_t *tx_hdr;            /* a header slot per descriptor (VNET_TX_HDR_STRIDE each) */

    struct vnet_rx rxf;         /* the frame being collected from used buffers */
    bool refill;                /* buffers went back on the rx ring since the last kick */

    struct semaphore wake;      /* upped by the interrupt handlers and vnet_wake */
    volatile int wake_requested;    /* vnet_wake: survives vnet_wait's draining */
    volatile bool config_changed;
    uint64_t next_link_check;   /* clock_ns, polling mode */
    int no_cookie;              /* its address stands in for a NULL cookie */
};

/* vnet_io.c: puts one receive buffer (back) on the ring. */
int vnet_rx_post(struct vnet_state *st, uint8_t *buf);

#endif

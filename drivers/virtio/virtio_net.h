/*
 * virtio_net.h - Ethernet over virtio-net (virtio 1.1 section 5.1), on
 * any virtio transport: raw frames in and out, for the network stack
 * above (lwIP's netif glue) or for tests.
 *
 * Model: one thread drives a device. It sends with vnet_send and
 * collects received frames and finished transmissions with vnet_poll,
 * which calls the client's callbacks in that same thread. Between polls
 * the thread either keeps polling (polling mode: the device never
 * interrupts, nothing disturbs any core) or sleeps in vnet_wait
 * (interrupt mode: the device interrupts the boot CPU, whose handler
 * only wakes the thread). Frame processing never runs in interrupt
 * context.
 *
 * Contract:
 * - virtio_net_probe_all MUST be called from a thread once the kernel
 *   is up; it brings up every virtio-net device (PCI modern or legacy,
 *   virtio-mmio) and returns their number. Later calls return the same
 *   number without touching the devices.
 * - The caller MUST call vnet_set_client before vnet_send/vnet_poll.
 * - vnet_send, vnet_poll, vnet_wait, vnet_set_polling and
 *   vnet_link_refresh on one device MUST NOT run concurrently (one
 *   thread drives a device, or the caller serializes them). Different
 *   devices are independent. vnet_wake is the exception: it MAY be
 *   called at any time, from any thread or interrupt handler.
 * - vnet_send: the frame is the concatenation of iov[0..n): Ethernet
 *   header + payload, no FCS, 14..max_frame bytes, at most VNET_IOV_MAX
 *   pieces. Nothing is copied: the memory MUST stay valid and unchanged
 *   until tx_done(cookie) is called (cookie MAY be NULL: then no tx_done
 *   comes, and the caller MUST keep the memory unchanged until the frame
 *   has surely left, e.g. static data). Any kernel address works
 *   (identity-mapped memory or mapped stacks: pieces are translated).
 *   VNET_EAGAIN means the ring is full: poll (or wait) and retry.
 * - rx(ctx, dev, frame): the frame's segments point into the driver's
 *   buffers and are valid only during the call; the callback MUST copy
 *   what it keeps, and MAY modify the bytes. It MUST NOT call vnet_poll
 *   on the same device; it MAY call vnet_send.
 * - vnet_queue is vnet_send without telling the device: the frame goes
 *   out at the next vnet_flush (or vnet_send, vnet_poll, vnet_wait). One
 *   notification for a burst instead of one per frame; each is a trap
 *   into the hypervisor. The caller MUST flush before it stops driving
 *   the device for a while.
 * - vnet_queue_offload is vnet_queue with work for the device (off MAY
 *   be NULL: none). csum_start != 0 asks the device to checksum bytes
 *   [csum_start, end) into the 16 bits at csum_start + csum_offset,
 *   which MUST hold the folded, uncomplemented pseudo-header sum; only
 *   if dev->tx_csum. gso_size != 0 (only if dev->tx_tso4, and with
 *   csum_start) marks the frame as one Ethernet + IPv4 + TCP packet of
 *   up to VNET_GSO_MAX_FRAME bytes that the device cuts into segments of
 *   gso_size payload bytes, hdr_len being the bytes of headers. Asking
 *   for what was not negotiated is VNET_EINVAL.
 * - With dev->rx_tso4, received frames MAY be up to VNET_GSO_MAX_FRAME
 *   bytes: TCP packets the device did not cut (their checksum is
 *   completed before rx sees them).
 * - tx_done MAY be called from vnet_send/vnet_queue (when they reclaim
 *   ring space) and from vnet_poll.
 * - link_up and mtu are refreshed by vnet_poll (on a configuration
 *   interrupt, or every 100 ms in polling mode) and vnet_link_refresh.
 */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet_hdr.h"

/* virtio-net feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM           (1ull << 0)
#define VIRTIO_NET_F_GUEST_CSUM     (1ull << 1)
#define VIRTIO_NET_F_MTU            (1ull << 3)
#define VIRTIO_NET_F_MAC            (1ull << 5)
#define VIRTIO_NET_F_GUEST_TSO4     (1ull << 7)
#define VIRTIO_NET_F_HOST_TSO4      (1ull << 11)
#define VIRTIO_NET_F_MRG_RXBUF      (1ull << 15)
#define VIRTIO_NET_F_STATUS         (1ull << 16)
#define VIRTIO_NET_F_CTRL_VQ        (1ull << 17)

#define VNET_DEVICES_MAX    8
#define VNET_IOV_MAX        16      /* pieces per frame in vnet_send */
#define VNET_ETH_HLEN       14
#define VNET_VLAN_HLEN      4       /* a tagged frame may be this much longer */
/* The longest frame with segmentation offload, either way: lwIP's
 * packet lengths are 16 bits. */
#define VNET_GSO_MAX_FRAME  65535

enum vnet_error {
    VNET_OK = 0,
    VNET_ENODEV,        /* no such device, or it failed to come up */
    VNET_ENOMEM,
    VNET_EINVAL,        /* bad arguments: no client, n == 0, n > VNET_IOV_MAX */
    VNET_ETOOBIG,       /* frame shorter than a header or longer than max_frame */
    VNET_EAGAIN,        /* transmit ring full */
    VNET_ETIMEDOUT,     /* vnet_wait: the deadline passed */
    VNET_EIO,           /* the device broke its side of the protocol; reset needed */
};

struct vnet_iov {
    const void *base;
    size_t len;
};

struct vnet_offload {
    uint16_t csum_start, csum_offset;   /* frame offsets; csum_start 0: no checksum asked */
    uint16_t gso_size;                  /* TCP payload bytes per segment; 0: send as is */
    uint16_t hdr_len;                   /* Ethernet + IP + TCP header bytes, with gso_size */
};

#define VNET_FRAME_SEGS_MAX 64      /* pieces of a received frame at most */

struct vnet_frame {
    const struct vnet_seg *seg;     /* the frame, in pieces (one unless merged) */
    unsigned nseg;
    size_t len;                     /* total bytes, Ethernet header included */
    bool csum_valid;                /* device said DATA_VALID, or NEEDS_CSUM (see csum_partial) */
    bool csum_partial;              /* kept NEEDS_CSUM (client keep_partial): the field at
                                       csum_start + csum_offset holds the pseudo-header sum */
    uint16_t csum_start, csum_offset;
};

struct netdev;

struct vnet_client {
    void (*rx)(void *ctx, struct netdev *dev, const struct vnet_frame *frame);
    void (*tx_done)(void *ctx, struct netdev *dev, void *cookie);   /* MAY be NULL */
    void *ctx;
    /* Deliver NEEDS_CSUM frames as they are (csum_partial) instead of
     * completing their checksum: for a client that trusts what a local
     * sender left partial, as Linux does, and calls vnet_frame_complete
     * for the frames it wants whole. */
    bool keep_partial;
};

struct vnet_stats {
    uint64_t rx_frames, rx_bytes, rx_dropped, rx_merged, rx_csum_valid;
    uint64_t tx_frames, tx_bytes, tx_busy;
    uint64_t kicks;             /* notifications sent to the device */
    uint64_t irqs;              /* queue and config interrupts taken */
    uint64_t waits, wait_sleeps;    /* vnet_wait calls; how many slept */
    uint64_t rekicks;           /* queues notified again after a silent second */
    uint64_t rx_badlen;         /* frames dropped: a buffer claimed more than it holds */
    uint64_t tx_gso, rx_gso;    /* frames the device cuts / frames it left uncut (TSO) */
};

struct vnet_state;

/* Read-only for callers, except through the functions below. */
struct netdev {
    char name[8];               /* "vnet0" */
    uint8_t mac[6];
    uint16_t mtu;               /* largest payload: 1500, or the device's VIRTIO_NET_F_MTU */
    size_t max_frame;           /* mtu + Ethernet header + VLAN tag */
    volatile bool link_up;
    bool polling;
    const char *transport;      /* "pci-modern", "pci-legacy", "mmio-v2", "mmio-v1" */
    const char *irq_kind;       /* "msix", "intx", "gsi", "none" */
    uint64_t features;          /* negotiated feature bits */
    bool tx_csum;               /* the device checksums frames we send (VIRTIO_NET_F_CSUM) */
    bool tx_tso4;               /* ... and cuts TCPv4 packets into segments (HOST_TSO4) */
    bool rx_tso4;               /* received TCPv4 frames may be uncut (GUEST_TSO4) */
    uint16_t rx_ring, tx_ring;  /* queue sizes */
    int vector_queue;           /* -1 without interrupts */
    struct vnet_stats stats;
    struct vnet_state *state;   /* the driver's own */
};

unsigned virtio_net_probe_all(void);
unsigned vnet_count(void);
struct netdev *vnet_get(unsigned index);

int vnet_set_client(struct netdev *dev, const struct vnet_client *client);
/* Completes a csum_partial frame's checksum in place (from rx only); false if it cannot. */
bool vnet_frame_complete(const struct vnet_frame *frame);
int vnet_send(struct netdev *dev, const struct vnet_iov *iov, unsigned n, void *cookie);
int vnet_queue(struct netdev *dev, const struct vnet_iov *iov, unsigned n, void *cookie);
int vnet_queue_offload(struct netdev *dev, const struct vnet_iov *iov, unsigned n,
                       const struct vnet_offload *off, void *cookie);
/* Makes queued frames visible to the device and notifies it if it asked to be. */
void vnet_flush(struct netdev *dev);
/* Delivers up to `budget` frames (0: no limit) and reclaims sent ones; returns frames delivered. */
unsigned vnet_poll(struct netdev *dev, unsigned budget);
/*
 * Returns when the device has something for vnet_poll, or at deadline_ns
 * (absolute clock_ns, 0 = none): VNET_OK or VNET_ETIMEDOUT. Interrupt
 * mode sleeps; polling mode spins. Spurious returns are allowed.
 */
int vnet_wait(struct netdev *dev, uint64_t deadline_ns);
/*
 * Makes the vnet_wait in progress return, or, if none is, the next one
 * (a wake-up is never lost; several before a wait count as one). For
 * another thread that has work for the driving thread, e.g. frames
 * queued for transmission.
 */
void vnet_wake(struct netdev *dev);
/*
 * Polling mode masks the device's interrupts; interrupt mode unmasks
 * them. A device without an interrupt route (irq_kind "none") stays in
 * polling mode whatever is asked.
 */
void vnet_set_polling(struct netdev *dev, bool polling);
bool vnet_link_refresh(struct netdev *dev);

const char *vnet_strerror(int err);

#endif

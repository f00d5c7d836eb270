/*
 * vnet_io.c - the virtio-net data path: transmit without copying
 * (shared header + the caller's pieces as one descriptor chain),
 * receive with merged buffers and checksum flags, and the two ways of
 * waiting (interrupt or spin).
 */
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "kerr.h"
#include "paging.h"
#include "vmem.h"
#include "vnet_state.h"

#define TX_DESC_MAX (1 + 2 * VNET_IOV_MAX)  /* header + pieces, each split at most once */

int vnet_rx_post(struct vnet_state *st, uint8_t *buf)
{
    struct virtq_buf b[2] = { { (uintptr_t)buf, st->rx_buf_size }, { 0, 0 } };
    unsigned n = 1;

    if (st->rx_split_hdr) {
        /* Legacy devices without ANY_LAYOUT want the header on its own. */
        b[0].len = st->hdr_len;
        b[1].addr = (uintptr_t)buf + st->hdr_len;
        b[1].len = st->rx_buf_size - st->hdr_len;
        n = 2;
    }
    st->refill = true;
    return virtq_add(&st->rx, b, 0, n, buf) == VIRTQ_OK ? VNET_OK : VNET_ENOMEM;
}

/*
 * Device addresses for [p, p+len): RAM below VMEM_BASE is identity-mapped;
 * above it (thread stacks) each page is translated. Returns the number of
 * pieces written to out, 0 if an address is unmapped or out is too small.
 */
static unsigned dma_pieces(const void *p, size_t len, struct virtq_buf *out, unsigned max)
{
    uintptr_t a = (uintptr_t)p;
    unsigned n = 0;

    if (a + len <= VMEM_BASE && max) {
        out[0] = (struct virtq_buf){ a, (uint32_t)len };
        return 1;
    }
    while (len) {
        uint64_t phys, size;
        if (!page_translate(a, &phys, &size))
            return 0;
        size_t chunk = size - (a & (size - 1));
        if (chunk > len)
            chunk = len;
        if (n && out[n - 1].addr + out[n - 1].len == phys) {
            out[n - 1].len += (uint32_t)chunk;
        } else {
            if (n == max)
                return 0;
            out[n++] = (struct virtq_buf){ phys, (uint32_t)chunk };
        }
        a += chunk;
        len -= chunk;
    }
    return n;
}

static void tx_reclaim(struct netdev *dev)
{
    struct vnet_state *st = dev->state;
    uint32_t len;
    void *cookie;
    int r;

    while ((r = virtq_get(&st->tx, &len, &cookie)) == VIRTQ_OK)
        if (cookie != &st->no_cookie && st->client.tx_done)
            st->client.tx_done(st->client.ctx, dev, cookie);
    if (r == VIRTQ_EBADID && !st->broken) {
        st->broken = true;
        klog(LOG_ERROR, "%s: device returned a bad transmit id\n", dev->name);
    }
}

/* The header a frame asks for; false if it asks for what was not negotiated. */
static bool tx_header(const struct netdev *dev, const struct vnet_offload *off, size_t total,
                      struct vnet_hdr *h)
{
    *h = (struct vnet_hdr){ 0 };
    if (!off || (!off->csum_start && !off->gso_size))
        return total <= dev->max_frame;
    if (!dev->tx_csum || !off->csum_start || off->csum_start + off->csum_offset + 2u > total)
        return false;
    h->flags = VNET_HDR_F_NEEDS_CSUM;
    h->csum_start = off->csum_start;
    h->csum_offset = off->csum_offset;
    if (!off->gso_size)
        return total <= dev->max_frame;
    if (!dev->tx_tso4 || off->hdr_len >= total || total > VNET_GSO_MAX_FRAME)
        return false;
    h->gso_type = VNET_HDR_GSO_TCPV4;
    h->gso_size = off->gso_size;
    h->hdr_len = off->hdr_len;
    return true;
}

int vnet_queue(struct netdev *dev, const struct vnet_iov *iov, unsigned n, void *cookie)
{
    return vnet_queue_offload(dev, iov, n, NULL, cookie);
}

int vnet_queue_offload(struct netdev *dev, const struct vnet_iov *iov, unsigned n,
                       const struct vnet_offload *off, void *cookie)
{
    struct vnet_state *st = dev->state;
    struct virtq_buf bufs[TX_DESC_MAX];
    struct vnet_hdr hdr;
    size_t total = 0;
    unsigned nb = 1;

    if (!st || !st->has_client || n == 0 || n > VNET_IOV_MAX)
        return VNET_EINVAL;
    if (st->broken)
        return VNET_EIO;
    for (unsigned i = 0; i < n; i++) {
        total += iov[i].len;
        if (iov[i].len == 0)
            continue;
        unsigned got = dma_pieces(iov[i].base, iov[i].len, bufs + nb, TX_DESC_MAX - nb);
        if (!got)
            return VNET_EINVAL;
        nb += got;
    }
    if (total < VNET_ETH_HLEN || total > VNET_GSO_MAX_FRAME)
        return VNET_ETOOBIG;
    if (!tx_header(dev, off, total, &hdr))
        return off && (off->csum_start || off->gso_size) ? VNET_EINVAL : VNET_ETOOBIG;
    if (st->tx.num_free < nb)
        tx_reclaim(dev);
    if (st->tx.num_free < nb) {
        dev->stats.tx_busy++;
        return VNET_EAGAIN;
    }
    /* Each chain's header has the slot of its first descriptor: in use
     * until the device returns that chain, like the descriptor itself. */
    uint8_t *raw = st->tx_hdr + (size_t)virtq_next_head(&st->tx) * VNET_TX_HDR_STRIDE;
    vnet_hdr_encode(&hdr, st->hdr_len, raw);
    bufs[0] = (struct virtq_buf){ (uintptr_t)raw, st->hdr_len };
    virtq_add(&st->tx, bufs, nb, 0, cookie ? cookie : &st->no_cookie);
    dev->stats.tx_frames++;
    dev->stats.tx_gso += hdr.gso_type != VNET_HDR_GSO_NONE;
    dev->stats.tx_bytes += total;
    return VNET_OK;
}

void vnet_flush(struct netdev *dev)
{
    struct vnet_state *st = dev->state;

    if (st && virtq_kick_prepare(&st->tx)) {
        virtio_notify(st->vdev, &st->tx);
        dev->stats.kicks++;
    }
}

int vnet_send(struct netdev *dev, const struct vnet_iov *iov, unsigned n, void *cookie)
{
    int r = vnet_queue(dev, iov, n, cookie);

    if (r == VNET_OK)
        vnet_flush(dev);
    return r;
}

/* Hands the collected frame to the client (or drops it) and recycles its buffers. */
static unsigned rx_deliver(struct netdev *dev)
{
    struct vnet_state *st = dev->state;
    struct vnet_rx *rx = &st->rxf;
    struct vnet_frame f;
    unsigned delivered = 0;

    enum vnet_rx_verdict v = vnet_rx_finish(rx, &f);
    if (v == VNET_RX_DELIVER) {
        st->client.rx(st->client.ctx, dev, &f);
        dev->stats.rx_frames++;
        dev->stats.rx_bytes += f.len;
        dev->stats.rx_csum_valid += f.csum_valid;
        dev->stats.rx_gso += rx->hdr.gso_type != VNET_HDR_GSO_NONE;
        dev->stats.rx_merged += rx->nseg > 1 ? rx->nseg - 1 : 0;
        delivered = 1;
    } else {
        dev->stats.rx_dropped++;
    }
    if (v == VNET_RX_BADLEN && dev->stats.rx_badlen++ == 0)
        klog(LOG_ERROR, "%s: device claimed more bytes than a receive buffer holds; "
             "frame dropped (counted as rx-badlen)\n", dev->name);
    for (unsigned i = 0; i < rx->nseg; i++)
        vnet_rx_post(st, rx->seg_buf[i]);
    vnet_rx_reset(rx);
    return delivered;
}

unsigned vnet_poll(struct netdev *dev, unsigned budget)
{
    struct vnet_state *st = dev->state;
    unsigned delivered = 0;
    uint32_t len;
    void *cookie;
    int r = VIRTQ_EMPTY;

    if (!st || !st->has_client || st->broken)
        return 0;
    vnet_flush(dev);
    tx_reclaim(dev);
    while (budget == 0 || delivered < budget) {
        r = virtq_get(&st->rx, &len, &cookie);
        if (r != VIRTQ_OK)
            break;
        /* Every receive buffer is posted with rx_buf_size writable bytes. */
        if (!vnet_rx_take(&st->rxf, cookie, len, st->rx_buf_size))
            vnet_rx_post(st, cookie);
        if (st->rxf.need == 0)
            delivered += rx_deliver(dev);
    }
    if (r == VIRTQ_EBADID) {
        st->broken = true;
        klog(LOG_ERROR, "%s: device returned a bad receive id\n", dev->name);
    }
    if (st->refill) {
        st->refill = false;
        if (virtq_kick_prepare(&st->rx)) {
            virtio_notify(st->vdev, &st->rx);
            dev->stats.kicks++;
        }
    }
    if (st->config_changed || (dev->polling && clock_ns() >= st->next_link_check))
        vnet_link_refresh(dev);
    return delivered;
}

static bool has_work(struct vnet_state *st)
{
    return virtq_pending(&st->rx) || virtq_pending(&st->tx) || st->config_changed;
}

void vnet_wake(struct netdev *dev)
{
    struct vnet_state *st = dev->state;

    /* The flag first: a waiter that drained the semaphore still sees it. */
    __atomic_store_n(&st->wake_requested, 1, __ATOMIC_SEQ_CST);
    semaphore_up(&st->wake);
}

static bool take_wake_request(struct vnet_state *st)
{
    return __atomic_exchange_n(&st->wake_requested, 0, __ATOMIC_SEQ_CST);
}

/*
 * A second passed without a word from the device while it holds frames
 * we queued. A notification has gone unnoticed that way (osu_bw: the
 * transmit ring stood still with 44 frames in it, QEMU's copy of the
 * avail index behind ours, until the peer gave up the connection);
 * whether we skipped it or multi-threaded TCG lost it is not known
 * (docs/architecture.md, Known issues). Notifying again costs one exit
 * and is harmless when nothing was lost; in 20 osu_bw runs it ended
 * three such stalls after a second each.
 */
static void rekick_stalled(struct netdev *dev)
{
    struct vnet_state *st = dev->state;

    if (st->tx.num_free < st->tx.size && !virtq_pending(&st->tx)) {
        virtio_notify(st->vdev, &st->tx);
        dev->stats.rekicks++;
    }
}

int vnet_wait(struct netdev *dev, uint64_t deadline_ns)
{
    struct vnet_state *st = dev->state;

    vnet_flush(dev);
    dev->stats.waits++;
    if (dev->polling || dev->vector_queue < 0) {
        while (!has_work(st) && !take_wake_request(st)) {
            if (deadline_ns && clock_ns() >= deadline_ns)
                return VNET_ETIMEDOUT;
            cpu_relax();
        }
        return VNET_OK;
    }
    /* Interrupts from before are stale (the rings below are the truth); vnet_wake is not. */
    while (semaphore_trydown(&st->wake) == KERR_OK)
        ;
    bool pending = take_wake_request(st) || virtq_enable_cb(&st->rx) || st->config_changed;
    /* Transmit completions matter only when the ring is short of space. */
    if (st->tx.num_free < 1 + VNET_IOV_MAX)
        pending |= virtq_enable_cb(&st->tx);
    int r = VNET_OK;
    if (!pending) {
        dev->stats.wait_sleeps++;
        if (semaphore_down(&st->wake, deadline_ns) == KERR_TIMEDOUT)
            r = VNET_ETIMEDOUT;
    }
    virtq_disable_cb(&st->rx);
    virtq_disable_cb(&st->tx);
    if (r == VNET_ETIMEDOUT)
        rekick_stalled(dev);
    /* Whoever asked has been answered, whatever woke us. */
    if (take_wake_request(st) && r == VNET_ETIMEDOUT)
        r = VNET_OK;
    return r == VNET_ETIMEDOUT && has_work(st) ? VNET_OK : r;
}

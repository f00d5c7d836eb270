/*
 * virtio_net.c - bringing virtio-net devices up: features, MAC, MTU,
 * link status, queues and receive buffers, interrupts and the polling
 * mode. The data path is in vnet_io.c.
 */
#include "virtio_net.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "format.h"
#include "heap.h"
#include "pmem.h"
#include "vnet_state.h"

#include <string.h>

/* Device configuration layout (5.1.4). */
#define CFG_MAC             0
#define CFG_STATUS          6
#define CFG_MTU             10
#define NET_S_LINK_UP       1

#define MTU_DEFAULT         1500
#define MTU_MIN             68

/*
 * Everything this driver knows how to use; the device's other offers are
 * declined. The offloads (checksums and TCP segmentation both ways) come
 * from backends that pass virtio-net headers through, such as tap:
 * there one 64 KiB frame replaces 45 of 1,514 bytes, and with them the
 * per-frame work of both guests.
 */
#define VNET_WANTED (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_MTU | \
                     VIRTIO_NET_F_MRG_RXBUF | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_F_EVENT_IDX | \
                     VIRTIO_F_ANY_LAYOUT | VIRTIO_NET_F_CSUM | VIRTIO_NET_F_HOST_TSO4 | \
                     VIRTIO_NET_F_GUEST_TSO4)

static struct netdev devices[VNET_DEVICES_MAX];
static unsigned device_count;
static bool probed;

/* Interrupt context (boot CPU): note the event and wake the driving thread. */
static void on_queue_irq(void *ctx)
{
    struct netdev *dev = ctx;

    dev->stats.irqs++;
    semaphore_up(&dev->state->wake);
}

static void on_config_irq(void *ctx)
{
    struct netdev *dev = ctx;

    dev->stats.irqs++;
    dev->state->config_changed = true;
    semaphore_up(&dev->state->wake);
}

bool vnet_link_refresh(struct netdev *dev)
{
    struct virtio_dev *vd = dev->state->vdev;

    dev->state->config_changed = false;
    /* Without VIRTIO_NET_F_STATUS the link is always up (5.1.4). */
    if (vd->features & VIRTIO_NET_F_STATUS)
        dev->link_up = virtio_config_read16(vd, CFG_STATUS) & NET_S_LINK_UP;
    else
        dev->link_up = true;
    dev->state->next_link_check = clock_ns() + VNET_LINK_POLL_NS;
    return dev->link_up;
}

void vnet_set_polling(struct netdev *dev, bool polling)
{
    /* A device without an interrupt route can only be polled. */
    dev->polling = polling || dev->state->vdev->vector_queue < 0;
    virtio_irq_mask(dev->state->vdev, dev->polling);
}

static void read_identity(struct netdev *dev, struct virtio_dev *vd)
{
    if (vd->features & VIRTIO_NET_F_MAC) {
        virtio_config_read(vd, CFG_MAC, dev->mac, 6);
    } else {
        /* A locally administered unicast address, different per boot. */
        uint64_t t = rdtsc();
        dev->mac[0] = 0x02;
        for (int i = 1; i < 6; i++)
            dev->mac[i] = (uint8_t)(t >> (8 * i));
    }
    dev->mtu = MTU_DEFAULT;
    if (vd->features & VIRTIO_NET_F_MTU) {
        uint16_t mtu = virtio_config_read16(vd, CFG_MTU);
        if (mtu >= MTU_MIN)
            dev->mtu = mtu;
    }
    dev->max_frame = (size_t)dev->mtu + VNET_ETH_HLEN + VNET_VLAN_HLEN;
}

static int setup_buffers(struct netdev *dev)
{
    struct vnet_state *st = dev->state;

    st->rx_buf_size = st->mergeable ? VNET_MRG_BUF_SIZE
                                    : (uint32_t)((st->hdr_len + dev->max_frame + 63) & ~63ull);
    st->rx_nbufs = st->rx.size / (st->rx_split_hdr ? 2 : 1);
    st->rx_bytes_alloc = (uint64_t)st->rx_nbufs * st->rx_buf_size;
    size_t hdr_bytes = ((size_t)st->tx.size * VNET_TX_HDR_STRIDE + 4095) & ~(size_t)4095;
    uint64_t rx = pmem_alloc(st->rx_bytes_alloc, 4096), hdr = pmem_alloc(hdr_bytes, 4096);
    if (!rx || !hdr)
        return VNET_ENOMEM;
    st->rx_bufs = (uint8_t *)(uintptr_t)rx;
    st->tx_hdr = (uint8_t *)(uintptr_t)hdr;
    memset(st->tx_hdr, 0, hdr_bytes);
    for (unsigned i = 0; i < st->rx_nbufs; i++)
        if (vnet_rx_post(st, st->rx_bufs + (size_t)i * st->rx_buf_size) != VNET_OK)
            return VNET_ENOMEM;
    return VNET_OK;
}

/* On failure *why MAY name the cause better than the returned code. */
static int vnet_init(struct netdev *dev, struct virtio_dev *vd, const char **why)
{
    struct vnet_state *st = kzalloc(sizeof(*st));

    if (!st)
        return VNET_ENOMEM;
    dev->state = st;
    st->vdev = vd;
    semaphore_init(&st->wake, 0);
    if (virtio_negotiate(vd, VNET_WANTED, 0) != VIRTIO_OK)
        return VNET_ENODEV;
    /* Uncut TCP frames need merged buffers (or 64 KiB ones, which we do
     * not post) and checksum offload: without them, ask again without
     * GUEST_TSO4 (negotiating resets the device first). */
    uint64_t rx_tso = VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_MRG_RXBUF;
    if ((vd->features & VIRTIO_NET_F_GUEST_TSO4) && (vd->features & rx_tso) != rx_tso &&
        virtio_negotiate(vd, VNET_WANTED & ~VIRTIO_NET_F_GUEST_TSO4, 0) != VIRTIO_OK)
        return VNET_ENODEV;
    uint64_t f = vd->features;
    dev->tx_csum = f & VIRTIO_NET_F_CSUM;
    dev->tx_tso4 = dev->tx_csum && (f & VIRTIO_NET_F_HOST_TSO4);
    dev->rx_tso4 = f & VIRTIO_NET_F_GUEST_TSO4;
    st->mergeable = f & VIRTIO_NET_F_MRG_RXBUF;
    st->hdr_len = f & (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MRG_RXBUF) ? VNET_HDR_LEN
                                                                    : VNET_HDR_LEN_LEGACY;
    st->rx_split_hdr = !(f & (VIRTIO_F_VERSION_1 | VIRTIO_F_ANY_LAYOUT)) && !st->mergeable;
    read_identity(dev, vd);
    st->rxf.hdr_len = st->hdr_len;
    st->rxf.mergeable = st->mergeable;
    st->rxf.max_frame = dev->max_frame;
    st->rxf.gso_tcpv4 = dev->rx_tso4;

    /* Interrupts are optional: without a route the device still works polled. */
    if (virtio_irq_setup(vd, on_queue_irq, on_config_irq, dev) != VIRTIO_OK)
        klog(LOG_WARN, "%s: no interrupt route; polling only\n", dev->name);
    int err = virtio_queue_create(vd, VNET_RX_QUEUE, VNET_RING_MAX, &st->rx);
    if (!err)
        err = virtio_queue_create(vd, VNET_TX_QUEUE, VNET_RING_MAX, &st->tx);
    if (err) {
        *why = virtio_strerror(err);
        virtio_fail(vd);
        return VNET_ENODEV;
    }
    if (setup_buffers(dev) != VNET_OK) {
        virtio_fail(vd);
        return VNET_ENOMEM;
    }
    if (virtio_driver_ok(vd) != VIRTIO_OK)
        return VNET_EIO;
    /* Buffers posted before DRIVER_OK are announced only now (3.1.1). */
    if (virtq_kick_prepare(&st->rx)) {
        virtio_notify(vd, &st->rx);
        dev->stats.kicks++;
    }
    dev->transport = vd->transport;
    dev->irq_kind = vd->irq_kind;
    dev->features = f;
    dev->rx_ring = st->rx.size;
    dev->tx_ring = st->tx.size;
    dev->vector_queue = vd->vector_queue;
    vnet_link_refresh(dev);
    vnet_set_polling(dev, vd->vector_queue < 0);
    return VNET_OK;
}

unsigned virtio_net_probe_all(void)
{
    struct virtio_dev *all[VIRTIO_DEVICES_MAX];

    if (probed)
        return device_count;
    probed = true;
    unsigned n = virtio_find_all(all, VIRTIO_DEVICES_MAX);
    for (unsigned i = 0; i < n && device_count < VNET_DEVICES_MAX; i++) {
        if (all[i]->device_type != VIRTIO_ID_NET)
            continue;
        struct netdev *dev = &devices[device_count];
        ksnprintf(dev->name, sizeof(dev->name), "vnet%u", device_count);
        const char *why = NULL;
        int err = vnet_init(dev, all[i], &why);
        if (err) {
            klog(LOG_WARN, "%s (%s, %s): not usable: %s\n", dev->name, all[i]->where,
                 all[i]->transport, why ? why : vnet_strerror(err));
            memset(dev, 0, sizeof(*dev));
            continue;
        }
        klog(LOG_INFO, "%s: %s %s, mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, link %s\n",
             dev->name, all[i]->where, dev->transport, dev->mac[0], dev->mac[1], dev->mac[2],
             dev->mac[3], dev->mac[4], dev->mac[5], dev->mtu, dev->link_up ? "up" : "down");
        device_count++;
    }
    return device_count;
}

unsigned vnet_count(void)
{
    return device_count;
}

struct netdev *vnet_get(unsigned index)
{
    return index < device_count ? &devices[index] : NULL;
}

int vnet_set_client(struct netdev *dev, const struct vnet_client *client)
{
    if (!dev || !dev->state || !client || !client->rx)
        return VNET_EINVAL;
    dev->state->client = *client;
    dev->state->rxf.keep_partial = client->keep_partial;
    dev->state->has_client = true;
    return VNET_OK;
}

const char *vnet_strerror(int err)
{
    switch (err) {
    case VNET_OK: return "ok";
    case VNET_ENODEV: return "no usable device";
    case VNET_ENOMEM: return "out of memory";
    case VNET_EINVAL: return "invalid argument";
    case VNET_ETOOBIG: return "frame size out of range";
    case VNET_EAGAIN: return "transmit ring full";
    case VNET_ETIMEDOUT: return "timed out";
    case VNET_EIO: return "device error";
    default: return "unknown error";
    }
}

/*
 * netif_vnet.c - lwIP's link layer on virtio-net: one driver thread per
 * device (pinned to CPU 0) polls the device and feeds received frames to
 * lwIP under the core lock; transmissions go out zero-copy.
 *
 * The driver allows one thread at a time in vnet_send/vnet_poll/vnet_wait
 * (virtio_net.h), and the driver thread sleeps in vnet_wait holding the
 * device. It feeds each poll's frames to lwIP (ethernet_input) under
 * one hold of the core lock. So lwIP's output (which runs in whatever
 * thread holds the core lock: an application thread inside send(), the
 * tcpip thread's timers, or the driver thread itself while it delivers
 * a frame) takes the device only if it is free (trylock; the lock is
 * recursive for the driver thread) and otherwise queues the frame and
 * wakes the driver thread.
 * Lock order: device, then core; output never blocks on the device.
 *
 * Notifications: telling the device about a frame is a trap into the
 * hypervisor, so frames are queued and the device hears of them once per
 * burst: when the thread that produced them releases the core lock
 * (net_core_on_unlock), or, for what the driver thread itself produced
 * while delivering received frames (ACKs), after its receive batch.
 *
 * Zero copy: the pbuf chain is handed to vnet_send with a reference held
 * until tx_done, which is the protocol lwIP's TCP expects (it skips
 * retransmitting a segment whose pbuf is still referenced). Chains that
 * point at memory lwIP does not own are copied first.
 *
 * Offloads: on a device that checksums what we send (a tap backend), lwIP
 * leaves TCP checksums to it, and on one that also segments TCP, lwIP
 * builds packets of up to 64 KiB (netif->tso_mtu) that the device cuts
 * into MTU-sized segments: tx_offload marks each TCP frame accordingly.
 * lwIP then checks no TCP checksum on that interface either (its own
 * packets to its own address loop back unsummed): rx_checksums_ok
 * decides for received frames.
 */
#include "lwip/opt.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ip4.h"
#include "lwip/pbuf.h"
#include "lwip/prot/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "netif_vnet.h"
#include "sys_arch.h"

#include "clock.h"
#include "console.h"
#include "inet_sum.h"
#include "kerr.h"
#include "spinlock.h"
#include "sync.h"
#include "thread.h"
#include "virtio/virtio_net.h"

#include <stdlib.h>
#include <string.h>

#define TXQ_LEN         512
#define TXQ_BATCH       64      /* frames per notification at most, in a long burst */
/* The longest the driver thread sleeps without news: a safety net only
 * (vnet_wake is never lost), so the boot CPU wakes at most once a second. */
#define IDLE_WAIT_NS    (1000 * 1000 * 1000ull)
#define RX_BUDGET       64

struct net_vnet {
    struct netif netif;
    struct netdev *dev;
    struct mutex dev_lock;          /* recursive: the driver thread re-enters via output */
    struct spinlock txq_lock;
    struct pbuf *txq[TXQ_LEN];      /* frames waiting for the device */
    unsigned txq_head, txq_count;   /* pushed under the core lock, popped under dev_lock */
    struct thread *driver;          /* the driver thread, set once by itself */
    uint64_t rx_nomem, tx_overflow, rx_bad_csum;
};

/* Every attached interface, for the core-unlock hook. Slots only fill,
 * each before the count that publishes it. */
static struct net_vnet *attached[VNET_DEVICES_MAX];
static unsigned attached_count;

/* Wakes the driver thread out of vnet_wait to send what senders queued. */
static void vnet_kick(struct net_vnet *nv)
{
    vnet_wake(nv->dev);
}

static bool txq_push(struct net_vnet *nv, struct pbuf *p)
{
    bool ok = false;

    spinlock_lock(&nv->txq_lock);
    if (nv->txq_count < TXQ_LEN) {
        nv->txq[(nv->txq_head + nv->txq_count) % TXQ_LEN] = p;
        nv->txq_count++;
        ok = true;
    }
    spinlock_unlock(&nv->txq_lock);
    return ok;
}

static struct pbuf *txq_peek(struct net_vnet *nv)
{
    struct pbuf *p = NULL;

    spinlock_lock(&nv->txq_lock);
    if (nv->txq_count)
        p = nv->txq[nv->txq_head];
    spinlock_unlock(&nv->txq_lock);
    return p;
}

static void txq_pop(struct net_vnet *nv)
{
    spinlock_lock(&nv->txq_lock);
    nv->txq_head = (nv->txq_head + 1) % TXQ_LEN;
    nv->txq_count--;
    spinlock_unlock(&nv->txq_lock);
}

/*
 * What the device is asked to do for frame p: for an IPv4 TCP frame on an
 * interface without TCP checksums of its own, put the pseudo-header sum
 * where the checksum goes and have the device finish it; segment the
 * frame if it is longer than the MTU allows. The headers are in the
 * first pbuf (vnet_linkoutput makes sure). False: nothing to do.
 */
static bool tx_offload(struct net_vnet *nv, struct pbuf *p, struct vnet_offload *off)
{
    uint8_t *eth = p->payload;

    if (!nv->dev->tx_csum || p->len < SIZEOF_ETH_HDR + IP_HLEN + TCP_HLEN ||
        eth[12] != 0x08 || eth[13] != 0x00)
        return false;
    struct ip_hdr *ip = (struct ip_hdr *)(eth + SIZEOF_ETH_HDR);
    uint16_t ihl = (uint16_t)(IPH_HL(ip) * 4), ip_len = lwip_ntohs(IPH_LEN(ip));
    if (IPH_PROTO(ip) != IP_PROTO_TCP || (IPH_OFFSET(ip) & PP_HTONS(IP_OFFMASK | IP_MF)) ||
        p->len < SIZEOF_ETH_HDR + ihl + TCP_HLEN)
        return false;
    struct tcp_hdr *tcp = (struct tcp_hdr *)((uint8_t *)ip + ihl);
    uint16_t thl = (uint16_t)(TCPH_HDRLEN(tcp) * 4), tcp_len = (uint16_t)(ip_len - ihl);
    struct {
        uint32_t src, dst;
        uint8_t zero, proto;
        uint16_t len;
    } pseudo = { ip->src.addr, ip->dest.addr, 0, IP_PROTO_TCP, lwip_htons(tcp_len) };
    tcp->chksum = inet_sum(&pseudo, sizeof(pseudo));
    off->csum_start = (uint16_t)(SIZEOF_ETH_HDR + ihl);
    off->csum_offset = 16;                  /* struct tcp_hdr's chksum */
    off->gso_size = 0;
    off->hdr_len = (uint16_t)(SIZEOF_ETH_HDR + ihl + thl);
    if (ip_len > nv->netif.mtu && nv->netif.tso_mtu)
        off->gso_size = (uint16_t)(nv->netif.mtu - ihl - thl);
    return true;
}

/* Device held. Sends queued frames in order with one notification;
 * false if the ring filled up. */
static bool txq_flush(struct net_vnet *nv)
{
    struct vnet_iov iov[VNET_IOV_MAX];
    struct pbuf *p;
    bool all_sent = true;

    while ((p = txq_peek(nv))) {
        unsigned n = 0;
        for (struct pbuf *q = p; q; q = q->next)
            if (q->len)
                iov[n++] = (struct vnet_iov){ q->payload, q->len };
        struct vnet_offload off;
        int r = vnet_queue_offload(nv->dev, iov, n, tx_offload(nv, p, &off) ? &off : NULL, p);
        if (r == VNET_EAGAIN) {
            all_sent = false;
            break;
        }
        txq_pop(nv);
        if (r != VNET_OK)
            pbuf_free(p);           /* a frame the device cannot take: dropped */
    }
    vnet_flush(nv->dev);
    return all_sent;
}

/* The core-unlock hook: the releasing thread sends what it queued. */
static void vnet_core_unlocking(void)
{
    struct thread *self = thread_self();
    unsigned n = __atomic_load_n(&attached_count, __ATOMIC_ACQUIRE);

    for (unsigned i = 0; i < n; i++) {
        struct net_vnet *nv = attached[i];
        /* Only core-lock holders push, so nothing is added behind our back. */
        if (!__atomic_load_n(&nv->txq_count, __ATOMIC_RELAXED))
            continue;
        if (nv->driver == self)
            continue;               /* its loop flushes after the receive batch */
        if (mutex_trylock(&nv->dev_lock) == KERR_OK) {
            bool all_sent = txq_flush(nv);
            mutex_unlock(&nv->dev_lock);
            if (all_sent)
                continue;
        }
        vnet_kick(nv);
    }
}

/* lwIP's output; the core lock is held. */
static err_t vnet_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct net_vnet *nv = netif->state;
    struct pbuf *q = p;

    /* The device takes at most VNET_IOV_MAX pieces, and reads them after
     * we return: chains too long, or pointing at the caller's memory
     * (PBUF_REF, e.g. UDP payloads sent zero-copy), go out as a copy. */
    bool volatile_data = false;
    for (struct pbuf *r = p; r; r = r->next)
        volatile_data |= (r->type_internal & PBUF_TYPE_FLAG_DATA_VOLATILE) != 0;
    /* tx_offload finds the headers in the first piece (lwIP puts them
     * there; a copy is one piece). */
    bool split_headers = p->len < SIZEOF_ETH_HDR + IP_HLEN + TCP_HLEN && p->next;
    if (volatile_data || split_headers || pbuf_clen(p) > VNET_IOV_MAX) {
        q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
        if (!q)
            return ERR_MEM;
    } else {
        pbuf_ref(p);
    }
    if (!txq_push(nv, q)) {
        nv->tx_overflow++;
        pbuf_free(q);
        return ERR_MEM;
    }
    /* Sent when the core lock is released, unless the burst is long (one
     * tcp_output may emit a whole 1 MiB window): then a batch goes now. */
    if (nv->txq_count >= TXQ_BATCH) {
        if (mutex_trylock(&nv->dev_lock) == KERR_OK) {
            bool all_sent = txq_flush(nv);
            mutex_unlock(&nv->dev_lock);
            if (all_sent)
                return ERR_OK;
        }
        vnet_kick(nv);
    }
    return ERR_OK;
}

static void vnet_tx_done(void *ctx, struct netdev *dev, void *cookie)
{
    (void)ctx, (void)dev;
    pbuf_free(cookie);
}

/* The frame's IPv4 header if it carries TCP (*ihl its length), else NULL. */
static const struct ip_hdr *rx_tcp_ip(const struct vnet_frame *f, uint16_t *ihl)
{
    const struct vnet_seg *s = &f->seg[0];

    if (s->len < (size_t)SIZEOF_ETH_HDR + IP_HLEN || s->base[12] != 0x08 || s->base[13] != 0x00)
        return NULL;
    const struct ip_hdr *ip = (const struct ip_hdr *)(s->base + SIZEOF_ETH_HDR);
    *ihl = (uint16_t)(IPH_HL(ip) * 4);
    return IPH_PROTO(ip) == IP_PROTO_TCP ? ip : NULL;
}

/* A TCP frame's checksum, with the pseudo-header, over its IP length. */
static bool rx_tcp_sum_right(const struct vnet_frame *f, const struct ip_hdr *ip, uint16_t ihl)
{
    uint16_t ip_len = lwip_ntohs(IPH_LEN(ip));

    /* A fragment cannot be checked alone (our peers send TCP with DF). */
    if ((IPH_OFFSET(ip) & PP_HTONS(IP_OFFMASK | IP_MF)) || ihl < IP_HLEN || ip_len < ihl ||
        (size_t)SIZEOF_ETH_HDR + ip_len > f->len || f->seg[0].len < (size_t)SIZEOF_ETH_HDR + ihl)
        return false;
    const uint8_t *a = (const uint8_t *)&ip->src;
    uint32_t sum = (uint32_t)(a[0] << 8 | a[1]) + (uint32_t)(a[2] << 8 | a[3]) +
                   (uint32_t)(a[4] << 8 | a[5]) + (uint32_t)(a[6] << 8 | a[7]) + IP_PROTO_TCP +
                   (uint32_t)(ip_len - ihl);
    /* Up to the IP length: not the Ethernet padding. */
    struct vnet_seg segs[VNET_FRAME_SEGS_MAX];
    unsigned n = 0;
    size_t want = (size_t)SIZEOF_ETH_HDR + ip_len;
    for (unsigned i = 0; i < f->nseg && want; i++, n++) {
        segs[n] = f->seg[i];
        if (segs[n].len > want)
            segs[n].len = want;
        want -= segs[n].len;
    }
    sum += vnet_csum_sum(segs, n, (size_t)SIZEOF_ETH_HDR + ihl);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return sum == 0xFFFF;
}

/*
 * On an interface where lwIP checks no TCP checksums (offloads on): a
 * TCP frame a local sender left partial is trusted, as Linux trusts it
 * (the bytes never left the host's memory); other partial frames are
 * completed for lwIP to check; a TCP frame the device did not vouch for
 * is checked here.
 */
static bool rx_checksums_ok(const struct vnet_frame *f)
{
    uint16_t ihl;
    const struct ip_hdr *tcp_ip = rx_tcp_ip(f, &ihl);

    if (f->csum_partial)
        return tcp_ip || vnet_frame_complete(f);
    if (!tcp_ip || f->csum_valid)
        return true;
    return rx_tcp_sum_right(f, tcp_ip, ihl);
}

/* Driver thread, device and core lock held: copies the frame into pool pbufs for lwIP. */
static void vnet_rx(void *ctx, struct netdev *dev, const struct vnet_frame *f)
{
    struct net_vnet *nv = ctx;
    size_t off = 0;

    if (f->len > 0xFFFF)
        return;
    if (dev->tx_csum && !rx_checksums_ok(f)) {
        nv->rx_bad_csum++;
        return;
    }
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)f->len, PBUF_POOL);
    if (!p) {
        nv->rx_nomem++;
        return;
    }
    for (unsigned i = 0; i < f->nseg; i++) {
        pbuf_take_at(p, f->seg[i].base, (u16_t)f->seg[i].len, (u16_t)off);
        off += f->seg[i].len;
    }
    /* The driver thread holds the core lock for the whole batch. */
    if (nv->netif.input(p, &nv->netif) != ERR_OK)
        pbuf_free(p);
}

static void *vnet_thread(void *arg)
{
    struct net_vnet *nv = arg;

    nv->driver = thread_self();
    for (;;) {
        mutex_lock(&nv->dev_lock);
        /* A batch of received frames under one hold of the core lock,
         * with one ACK per connection for all of it
         * (tcp-rx-batch-ack.patch). The batch state is lwIP's, one for
         * all interfaces, and the core lock serializes their batches. */
        LOCK_TCPIP_CORE();
        tcp_batch_begin();
        unsigned got = vnet_poll(nv->dev, RX_BUDGET);
        tcp_batch_end();
        UNLOCK_TCPIP_CORE();
        bool all_sent = txq_flush(nv);
        bool idle = got == 0 && (txq_peek(nv) == NULL || !all_sent);
        /* A full ring: vnet_wait also wakes for transmit completions. */
        if (idle)
            vnet_wait(nv->dev, clock_ns() + IDLE_WAIT_NS);
        mutex_unlock(&nv->dev_lock);
    }
    return NULL;
}

static err_t vnet_netif_init(struct netif *netif)
{
    struct net_vnet *nv = netif->state;

    netif->name[0] = 'v';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = vnet_linkoutput;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, nv->dev->mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

struct netif *net_vnet_attach(struct netdev *dev, const struct net_vnet_config *cfg)
{
    struct net_vnet *nv = calloc(1, sizeof(*nv));
    struct vnet_client client = { vnet_rx, vnet_tx_done, NULL, dev->tx_csum };
    struct thread_attr attr = { 64 * 1024, NET_CPU, true, "net-vnet" };
    struct thread *t;

    if (!nv || attached_count == VNET_DEVICES_MAX) {
        free(nv);
        return NULL;
    }
    nv->dev = dev;
    mutex_init(&nv->dev_lock, MUTEX_RECURSIVE);
    nv->txq_lock = (struct spinlock)SPINLOCK_INIT;
    client.ctx = nv;
    if (vnet_set_client(dev, &client) != VNET_OK) {
        free(nv);
        return NULL;
    }
    vnet_set_polling(dev, false);
    /* Before the first frame (DHCP's): the hook sends what it finds. */
    attached[attached_count] = nv;
    __atomic_store_n(&attached_count, attached_count + 1, __ATOMIC_RELEASE);
    net_core_on_unlock(vnet_core_unlocking);

    LOCK_TCPIP_CORE();
    netif_add(&nv->netif, cfg->dhcp ? IP4_ADDR_ANY4 : &cfg->addr,
              cfg->dhcp ? IP4_ADDR_ANY4 : &cfg->netmask, cfg->dhcp ? IP4_ADDR_ANY4 : &cfg->gw,
              nv, vnet_netif_init, ethernet_input);
    nv->netif.mtu = cfg->mtu && cfg->mtu < dev->mtu ? (u16_t)cfg->mtu : dev->mtu;
    if (dev->tx_csum)
        NETIF_SET_CHECKSUM_CTRL(&nv->netif, NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_GEN_TCP &
                                                ~NETIF_CHECKSUM_CHECK_TCP);
    if (dev->tx_tso4)
        nv->netif.tso_mtu = VNET_GSO_MAX_FRAME - SIZEOF_ETH_HDR;
#if LWIP_NETIF_HOSTNAME
    netif_set_hostname(&nv->netif, cfg->hostname);
#endif
    netif_set_link_up(&nv->netif);
    netif_set_up(&nv->netif);
    if (cfg->dhcp)
        dhcp_start(&nv->netif);
    UNLOCK_TCPIP_CORE();

    if (thread_create(&t, &attr, vnet_thread, nv) != KERR_OK) {
        klog(LOG_ERROR, "net: cannot start the driver thread of %s\n", dev->name);
        return NULL;
    }
    return &nv->netif;
}

void net_vnet_get_stats(const struct netif *netif, struct net_vnet_stats *out)
{
    const struct net_vnet *nv = netif->state;

    out->rx_nomem = nv->rx_nomem;
    out->tx_overflow = nv->tx_overflow;
    out->rx_bad_csum = nv->rx_bad_csum;
}

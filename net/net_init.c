/*
 * net_init.c - brings the network up from the kernel command line: reads
 * ip=, gw=, mtu= and hostname=, starts lwIP (tcpip_init) and attaches one
 * interface per configured virtio-net device.
 *
 * Nothing happens without ip=: an image that never asks for a network
 * does not even probe for NICs, and its sockets fail with ENETDOWN.
 */
#include "lwip/opt.h"
#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"

#include "net.h"
#include "net_stats.h"
#include "netif_vnet.h"

#include "boot.h"
#include "clock.h"
#include "console.h"
#include "sync.h"
#include "thread.h"
#include "virtio/virtio_net.h"

#include <stdlib.h>
#include <string.h>

#define DHCP_WAIT_NS    (10 * 1000 * 1000 * 1000ull)

/* lwIP's TCP sanity checks, off because one of them assumes 16-bit send
 * buffers (lwipopts.h, TCP_MSS): the others, kept. */
_Static_assert(MEMP_NUM_TCP_SEG >= TCP_SND_QUEUELEN, "a segment per queued pbuf");
_Static_assert(TCP_SND_BUF >= 2 * TCP_MSS, "two largest segments fit the send buffer");
_Static_assert(TCP_SND_QUEUELEN >= 2 * (TCP_SND_BUF / TCP_WIRE_MSS), "queue for wire segments");
_Static_assert(TCP_SNDLOWAT < TCP_SND_BUF, "the low-water mark inside the buffer");
_Static_assert(TCP_SNDQUEUELOWAT < TCP_SND_QUEUELEN, "the queue low-water mark inside it");
_Static_assert(TCP_WND >= TCP_MSS, "a window holds the largest segment");
_Static_assert(TCP_WND <= (long)PBUF_POOL_SIZE * (PBUF_POOL_BUFSIZE - PBUF_LINK_HLEN - PBUF_IP_HLEN -
                                                  PBUF_TRANSPORT_HLEN),
               "the pool holds a full window");

static struct netif *interfaces[NET_IF_MAX];
static unsigned interface_count;
static volatile bool network_up;
static int init_state;              /* 0 not started, 1 running, 2 done */
static struct spinlock init_lock = SPINLOCK_INIT;

bool net_is_up(void)
{
    return network_up;
}

unsigned net_if_count(void)
{
    return interface_count;
}

bool net_if_get(unsigned index, struct net_if_info *out)
{
    if (index >= interface_count)
        return false;
    struct netif *n = interfaces[index];
    memset(out, 0, sizeof(*out));
    /* interfaces[i] drives vnet_get(i): the driver's name is the interface's. */
    memcpy(out->name, vnet_get(index)->name, sizeof(out->name));
    LOCK_TCPIP_CORE();
    out->addr = ip4_addr_get_u32(netif_ip4_addr(n));
    out->netmask = ip4_addr_get_u32(netif_ip4_netmask(n));
    memcpy(out->mac, n->hwaddr, sizeof(out->mac));
    out->mtu = n->mtu;
    out->up = netif_is_up(n) && netif_is_link_up(n);
    UNLOCK_TCPIP_CORE();
    return true;
}

/* "10.0.0.1/24" -> address and netmask. */
static bool parse_cidr(const char *text, ip4_addr_t *addr, ip4_addr_t *mask)
{
    char buf[32];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    unsigned prefix = 24;

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (!ip4addr_aton(buf, addr))
        return false;
    if (slash) {
        char *end;
        unsigned long p = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end || p > 32)
            return false;
        prefix = (unsigned)p;
    }
    ip4_addr_set_u32(mask, prefix ? lwip_htonl(0xFFFFFFFFu << (32 - prefix)) : 0);
    return true;
}

/* Splits "a,b,c": copies entry i into buf; false past the last. */
static bool option_entry(const char *list, unsigned i, char *buf, size_t cap)
{
    for (; i > 0; i--) {
        list = strchr(list, ',');
        if (!list)
            return false;
        list++;
    }
    size_t n = strcspn(list, ",");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, list, n);
    buf[n] = '\0';
    return true;
}

static void status_changed(struct netif *n)
{
    if (!ip4_addr_isany_val(*netif_ip4_addr(n)))
        klog(LOG_INFO, "net: %c%c%u address %s\n", n->name[0], n->name[1], n->num,
             ip4addr_ntoa(netif_ip4_addr(n)));
}

static bool dhcp_wait(struct netif *n)
{
    uint64_t deadline = clock_ns() + DHCP_WAIT_NS;

    while (clock_ns() < deadline) {
        LOCK_TCPIP_CORE();
        bool bound = dhcp_supplied_address(n);
        UNLOCK_TCPIP_CORE();
        if (bound)
            return true;
        thread_sleep_ns(10 * 1000 * 1000);
    }
    return false;
}

static void bring_up(const char *ip_option)
{
    const struct cmdline *cl = boot_get_cmdline();
    const char *gw_text = cmdline_get(cl, "gw"), *mtu_text = cmdline_get(cl, "mtu");
    struct net_vnet_config cfg[NET_IF_MAX];
    ip4_addr_t gw = { 0 };
    unsigned mtu = 0, wanted = 0;
    char entry[40];

    memset(cfg, 0, sizeof(cfg));
    for (; wanted < NET_IF_MAX && option_entry(ip_option, wanted, entry, sizeof(entry)); wanted++) {
        cfg[wanted].dhcp = !strcmp(entry, "dhcp");
        if (!cfg[wanted].dhcp && !parse_cidr(entry, &cfg[wanted].addr, &cfg[wanted].netmask)) {
            klog(LOG_ERROR, "net: ip=%s: '%s' is not ADDR/PREFIX or dhcp; network down\n",
                 ip_option, entry);
            return;
        }
    }
    if (gw_text && !ip4addr_aton(gw_text, &gw)) {
        klog(LOG_ERROR, "net: gw=%s is not an IPv4 address; network down\n", gw_text);
        return;
    }
    if (mtu_text) {
        char *end;
        mtu = (unsigned)strtoul(mtu_text, &end, 10);
        if (*end || mtu < 576 || mtu > 65535) {
            klog(LOG_ERROR, "net: mtu=%s must be 576..65535; network down\n", mtu_text);
            return;
        }
    }
    unsigned found = virtio_net_probe_all();
    if (found == 0) {
        klog(LOG_WARN, "net: ip= given but no virtio-net device; network down\n");
        return;
    }
    if (found < wanted)
        klog(LOG_WARN, "net: ip= names %u interfaces, %u found\n", wanted, found);
    tcpip_init(NULL, NULL);

    /* The gateway goes to the first static interface whose subnet holds it. */
    int gw_if = -1;
    for (unsigned i = 0; i < wanted && i < found && gw_text; i++)
        if (!cfg[i].dhcp && ip4_addr_netcmp(&gw, &cfg[i].addr, &cfg[i].netmask) && gw_if < 0)
            gw_if = (int)i;
    for (unsigned i = 0; i < wanted && i < found; i++) {
        cfg[i].mtu = mtu;
        cfg[i].hostname = cmdline_get(cl, "hostname");
        if ((int)i == gw_if || (gw_if < 0 && i == 0 && gw_text))
            cfg[i].gw = gw;
        struct netif *n = net_vnet_attach(vnet_get(i), &cfg[i]);
        if (!n) {
            klog(LOG_ERROR, "net: cannot attach %s\n", vnet_get(i)->name);
            break;                  /* keeps interfaces[i] matching cfg[i] */
        }
        interfaces[interface_count++] = n;
    }
    /* Default route: the gateway's interface, else the first DHCP one, else the first. */
    struct netif *def = interface_count ? interfaces[0] : NULL;
    for (unsigned i = interface_count; i-- > 0;)
        if (cfg[i].dhcp)
            def = interfaces[i];
    if (gw_if >= 0 && (unsigned)gw_if < interface_count)
        def = interfaces[gw_if];
    LOCK_TCPIP_CORE();
    for (unsigned i = 0; i < interface_count; i++)
        netif_set_status_callback(interfaces[i], status_changed);
    if (def)
        netif_set_default(def);
    UNLOCK_TCPIP_CORE();
    for (unsigned i = 0; i < interface_count; i++)
        if (cfg[i].dhcp && !dhcp_wait(interfaces[i]))
            klog(LOG_WARN, "net: no DHCP answer on vnet%u within 10 s\n", i);
    network_up = interface_count > 0;
    if (network_up)
        net_stats_register(interfaces, interface_count);
}

void net_init(void)
{
    spinlock_lock(&init_lock);
    int state = init_state;
    if (state == 0)
        init_state = 1;
    spinlock_unlock(&init_lock);
    if (state == 0) {
        const char *ip = cmdline_get(boot_get_cmdline(), "ip");
        if (ip)
            bring_up(ip);
        __atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
        return;
    }
    /* Another thread is bringing the network up: wait for it. */
    while (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) != 2)
        thread_sleep_ns(1000 * 1000);
}

void libc_net_init(void)
{
    net_init();
}

/*
 * The VM powers off at exit, unlike a process whose kernel keeps sending
 * after it is gone: wait (bounded) until no TCP connection has unsent or
 * unacknowledged data, FINs included, so that what a program wrote before
 * exit reaches its peer.
 */
#define DRAIN_LIMIT_NS (2000ull * 1000 * 1000)

void libc_net_drain(void)
{
    uint64_t deadline = clock_ns() + DRAIN_LIMIT_NS;

    if (!network_up)
        return;
    while (clock_ns() < deadline) {
        bool busy = false;
        LOCK_TCPIP_CORE();
        for (struct tcp_pcb *p = tcp_active_pcbs; p && !busy; p = p->next)
            busy = p->unsent || p->unacked;
        UNLOCK_TCPIP_CORE();
        if (!busy)
            return;
        thread_sleep_ns(1000 * 1000);
    }
}

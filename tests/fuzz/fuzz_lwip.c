/*
 * fuzz_lwip.c - lwIP's input path as our netif feeds it: Ethernet frames
 * copied into pool pbufs and handed to the netif's input function
 * (net/netif_vnet.c vnet_rx), on lwIP 2.1.3 as the port configures it
 * (tests/fuzz/lwip/lwipopts.h: net/include/lwipopts.h without threads),
 * with the port's DHCP hooks (net/dhcp_hooks.c).
 *
 * The stack: one netif like vnet_netif_init's (10.0.0.2/24, MAC
 * 52:54:00:12:34:56, MTU 1500), a TCP echo server on port 7, a TCP
 * discard server on port 9, a UDP echo server on port 7, and a TCP
 * connection it opens itself to 10.0.0.1:5000 (which first needs an ARP
 * reply) from port 40001. Initial sequence numbers are 0x1000 and the
 * random generator restarts for each input (srand(1)), so that an input
 * can complete a handshake and answer a DHCP transaction id.
 *
 * Input: byte 0 holds flags (bit 0: run DHCP instead of the static
 * address); then frames, each a 16-bit little-endian length, a byte of
 * 50 ms clock ticks to let pass after it (timers run), and the frame.
 *
 * Properties: no sanitizer report or lwIP assertion; every frame lwIP
 * sends fits the MTU; and once every connection is aborted, the ARP
 * table flushed and a minute has passed, every pool pbuf is back.
 */
#include "fuzz.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_frag.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"

static u32_t now_ms;
static struct netif netif;
static ip4_addr_t addr, mask, gw, peer;
static unsigned long sent;

u32_t sys_now(void)
{
    return now_ms;
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
    size_t n = 0;

    for (struct pbuf *q = p; q; q = q->next)
        n += q->len;
    FUZZ_CHECK(n == p->tot_len);
    FUZZ_CHECK(p->tot_len <= nif->mtu + SIZEOF_ETH_HDR);
    sent++;
    return ERR_OK;
}

static err_t vnet_like_init(struct netif *nif)
{
    static const u8_t mac[ETH_HWADDR_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

    nif->name[0] = 'v';
    nif->name[1] = 'n';
    nif->output = etharp_output;
    nif->linkoutput = linkoutput;
    nif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(nif->hwaddr, mac, ETH_HWADDR_LEN);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->mtu = 1500;
    return ERR_OK;
}

/* --- the servers ------------------------------------------------------------ */
static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)err;
    if (!p) {
        tcp_close(pcb);
        return ERR_OK;
    }
    if (arg && tcp_sndbuf(pcb) >= p->tot_len) {
        for (struct pbuf *q = p; q; q = q->next)
            tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY);
        tcp_output(pcb);
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t accept_fn(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    tcp_arg(pcb, arg);
    tcp_recv(pcb, echo_recv);
    return ERR_OK;
}

static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *from,
                     u16_t port)
{
    (void)arg;
    udp_sendto(pcb, p, from, port);
    pbuf_free(p);
}

static void listen_on(u16_t port, void *echo)
{
    struct tcp_pcb *pcb = tcp_new();

    FUZZ_CHECK(pcb && tcp_bind(pcb, IP4_ADDR_ANY, port) == ERR_OK);
    pcb = tcp_listen(pcb);
    tcp_arg(pcb, echo);
    tcp_accept(pcb, accept_fn);
}

static void setup(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    lwip_init();
    IP4_ADDR(&addr, 10, 0, 0, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 0, 1);
    IP4_ADDR(&peer, 10, 0, 0, 1);
    netif_add(&netif, &addr, &mask, &gw, NULL, vnet_like_init, ethernet_input);
    netif_set_default(&netif);
    netif_set_link_up(&netif);
    netif_set_up(&netif);
    listen_on(7, &netif);
    listen_on(9, NULL);
    struct udp_pcb *u = udp_new();
    udp_bind(u, IP4_ADDR_ANY, 7);
    udp_recv(u, udp_echo, NULL);
}

static void tick(unsigned ms)
{
    for (unsigned t = 0; t < ms; t += 25) {
        now_ms += 25;
        sys_check_timeouts();
    }
}

/* FUZZ_LWIP_TRACE=1 in the environment: what an input achieved (for seeds). */
static void trace(void)
{
    static int on = -1;

    if (on < 0)
        on = getenv("FUZZ_LWIP_TRACE") != NULL;
    if (!on)
        return;
    fprintf(stderr, "lwip: address %s, mtu %u, %lu frames sent\n",
            ip4addr_ntoa(netif_ip4_addr(&netif)), netif.mtu, sent);
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
        fprintf(stderr, "lwip: tcp %u -> %u: %s\n", pcb->local_port, pcb->remote_port,
                tcp_debug_state_str(pcb->state));
}

/* Back to the state after setup: connections gone, caches empty. */
static void reset(int dhcp)
{
    trace();
    while (tcp_active_pcbs)
        tcp_abort(tcp_active_pcbs);
    while (tcp_tw_pcbs)
        tcp_abort(tcp_tw_pcbs);
    if (dhcp) {
        dhcp_release_and_stop(&netif);
        netif_set_addr(&netif, &addr, &mask, &gw);
    }
    netif.mtu = 1500;
    etharp_cleanup_netif(&netif);
    tick(60 * 1000);            /* IP reassembly gives up after 15 s */
    FUZZ_CHECK(lwip_stats.memp[MEMP_PBUF_POOL]->used == 0);
    FUZZ_CHECK(lwip_stats.memp[MEMP_TCP_SEG]->used == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    int dhcp;

    setup();
    srand(1);                   /* the DHCP xid is lwIP's next LWIP_RAND() */
    dhcp = fuzz_u8(&in) & 1;
    if (dhcp)
        dhcp_start(&netif);
    /* A connection of our own, as a rank's connect() makes. */
    struct tcp_pcb *client = tcp_new();
    tcp_recv(client, echo_recv);
    tcp_bind(client, IP4_ADDR_ANY, 40001);
    tcp_connect(client, &peer, 5000, NULL);

    while (in.left >= 3) {
        u16_t len = fuzz_u16(&in);
        uint8_t ticks = fuzz_u8(&in);
        if (len > in.left)
            len = (u16_t)in.left;
        if (len > netif.mtu + SIZEOF_ETH_HDR)
            len = netif.mtu + SIZEOF_ETH_HDR;   /* the device's limit (max_frame) */
        /* vnet_rx: a pool pbuf chain of the frame's length, then input. */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
        if (p) {
            pbuf_take(p, in.p, len);
            if (netif.input(p, &netif) != ERR_OK)
                pbuf_free(p);
        }
        in.p += len;
        in.left -= len;
        tick(ticks * 50u);
    }
    reset(dhcp);
    return 0;
}

/*
 * tcp_wire.c - the simulated wire and scripted peer of tcp_wire.h.
 */
#include "tcp_wire.h"

#include <stdlib.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/inet_chksum.h"
#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define WIRE_MAX        4096

static const u8_t lwip_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };
static const u8_t peer_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };

/* --- the wire: frames in flight, each due at a time ------------------------- */
struct frame {
    u32_t due;
    int to_lwip;
    u16_t len;
    u8_t data[1514];
};

static struct frame wire[WIRE_MAX];
unsigned wire_count;
u32_t now_ms;

u32_t sys_now(void)
{
    return now_ms;
}

static void wire_put(int to_lwip, const void *data, u16_t len)
{
    if (wire_count == WIRE_MAX || len > sizeof(wire[0].data))
        abort();                        /* the test is wrong, not lwIP */
    struct frame *f = &wire[wire_count++];
    f->due = now_ms + ONE_WAY_MS;
    f->to_lwip = to_lwip;
    f->len = len;
    memcpy(f->data, data, len);
}

/* --- the peer ----------------------------------------------------------------- */
struct wire_receiver rx;
struct wire_sender tx;
int deliver_in_batches;
u8_t pattern[TOTAL_BYTES];

ip4_addr_t peer_ip;
static ip4_addr_t lwip_ip, mask;
static struct netif netif;

static u16_t tcp_sum(const u8_t *ip)
{
    u16_t ihl = (ip[0] & 15) * 4, total = (u16_t)(ip[2] << 8 | ip[3]);
    ip_addr_t s, d;
    memcpy(&s, ip + 12, 4);
    memcpy(&d, ip + 16, 4);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, total - ihl, PBUF_RAM);
    pbuf_take(p, ip + ihl, total - ihl);
    u16_t sum = ip_chksum_pseudo(p, IP_PROTO_TCP, p->tot_len, &s, &d);
    pbuf_free(p);
    return sum;
}

void peer_send(u8_t flags, u32_t seq, u32_t ack, int syn_options, const u8_t *data, u16_t dlen)
{
    u8_t f[14 + 20 + 28 + 1460] = { 0 };
    u8_t *ip = f + 14, *tcp = ip + 20;
    u16_t optlen = syn_options ? 8 : 0, total = (u16_t)(20 + 20 + optlen + dlen);

    memcpy(f, lwip_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    f[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = (u8_t)(total >> 8), ip[3] = (u8_t)total;
    ip[8] = 64, ip[9] = IP_PROTO_TCP;
    memcpy(ip + 12, &peer_ip, 4);
    memcpy(ip + 16, &lwip_ip, 4);
    u16_t isum = inet_chksum(ip, 20);
    memcpy(ip + 10, &isum, 2);
    tcp[0] = PEER_PORT >> 8, tcp[1] = PEER_PORT & 255;
    tcp[2] = (u8_t)(rx.lwip_port >> 8), tcp[3] = (u8_t)rx.lwip_port;
    u32_t nseq = lwip_htonl(seq), nack = lwip_htonl(ack);
    memcpy(tcp + 4, &nseq, 4);
    memcpy(tcp + 8, &nack, 4);
    tcp[12] = (u8_t)((20 + optlen) / 4) << 4;
    tcp[13] = flags;
    tcp[14] = 0xff, tcp[15] = 0xff;     /* window 65535 << PEER_WND_SHIFT */
    if (syn_options) {
        u8_t opts[8] = { 2, 4, 1460 >> 8, 1460 & 255, 1, 3, 3, PEER_WND_SHIFT };
        memcpy(tcp + 20, opts, sizeof(opts));
    }
    if (dlen)
        memcpy(tcp + 20 + optlen, data, dlen);
    u16_t tsum = tcp_sum(ip);
    memcpy(tcp + 16, &tsum, 2);
    wire_put(1, f, (u16_t)(14 + total));
}

static int dropped(u32_t n)
{
    for (unsigned i = 0; i < rx.ndrop; i++)
        if (rx.drop[i] == n)
            return 1;
    return 0;
}


static void sender_input(const u8_t *tcp)
{
    u32_t seq = (u32_t)tcp[4] << 24 | (u32_t)tcp[5] << 16 | (u32_t)tcp[6] << 8 | tcp[7];
    u32_t ack = (u32_t)tcp[8] << 24 | (u32_t)tcp[9] << 16 | (u32_t)tcp[10] << 8 | tcp[11];

    if ((tcp[13] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
        tx.irs = seq + 1;
        tx.established = 1;
        peer_send(TCP_ACK, tx.iss + 1, tx.irs, 0, NULL, 0);
    }
    tx.acks += (tcp[13] & TCP_ACK) != 0;
    if ((tcp[13] & TCP_ACK) && TCP_SEQ_GT(ack, tx.acked)) {
        tx.acked = ack;
        tx.acked_at = now_ms;
    }
}

/* lwIP asks for the receiver's MAC before its first segment. */
static void answer_arp(const u8_t *req)
{
    u8_t f[42];

    if (req[21] != 1)                   /* only requests */
        return;
    memcpy(f, lwip_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    memcpy(f + 12, req + 12, 8);        /* type ARP, Ethernet/IPv4, sizes */
    f[20] = 0, f[21] = 2;               /* reply */
    memcpy(f + 22, peer_mac, 6);
    memcpy(f + 28, &peer_ip, 4);
    memcpy(f + 32, req + 22, 10);       /* the asker's MAC and address */
    wire_put(1, f, sizeof(f));
}

/* The receiver takes a frame lwIP sent. */
static void peer_input(const u8_t *f, u16_t len)
{
    if (len >= 42 && f[12] == 0x08 && f[13] == 0x06) {
        answer_arp(f);
        return;
    }
    if (len < 14 + 40 || f[12] != 0x08 || f[13] != 0x00)
        return;
    const u8_t *ip = f + 14, *tcp = ip + (ip[0] & 15) * 4;
    u16_t total = (u16_t)(ip[2] << 8 | ip[3]);
    u16_t dlen = (u16_t)(total - (tcp - ip) - (tcp[12] >> 4) * 4);
    u32_t seq = (u32_t)tcp[4] << 24 | (u32_t)tcp[5] << 16 | (u32_t)tcp[6] << 8 | tcp[7];
    u8_t flags = tcp[13];

    if (tx.active) {
        sender_input(tcp);
        return;
    }
    if (flags & TCP_SYN) {
        rx.lwip_port = (u16_t)(tcp[0] << 8 | tcp[1]);
        rx.rcv_nxt = rx.base = rx.highest_end = seq + 1;
        peer_send(TCP_SYN | TCP_ACK, rx.irs, rx.rcv_nxt, 1, NULL, 0);
        return;
    }
    rx.established = 1;
    if (dlen == 0)
        return;
    u32_t end = seq + dlen;
    if (TCP_SEQ_LEQ(end, rx.highest_end)) {
        rx.resent_segments++;
    } else {
        u32_t n = rx.data_segments++;
        rx.highest_end = end;
        if (dropped(n))
            return;
    }
    u32_t base = rx.base;
    const u8_t *payload = tcp + (tcp[12] >> 4) * 4;
    for (u32_t i = 0; i < dlen; i++) {
        u32_t pos = seq - base + i;
        if (pos < TOTAL_BYTES && !rx.have[pos]) {
            rx.have[pos] = 1;
            rx.wrong_bytes += payload[i] != (u8_t)(pos * 7 + pos / 251);
        }
    }
    while (rx.rcv_nxt - base < TOTAL_BYTES && rx.have[rx.rcv_nxt - base])
        rx.rcv_nxt++;
    if (rx.rcv_nxt - base == TOTAL_BYTES && !rx.done_at)
        rx.done_at = now_ms;
    peer_send(TCP_ACK, rx.irs + 1, rx.rcv_nxt, 0, NULL, 0);
}

/* --- lwIP's side --------------------------------------------------------------- */
static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
    u8_t buf[1514];

    (void)nif;
    if (p->tot_len > sizeof(buf))
        abort();
    pbuf_copy_partial(p, buf, p->tot_len, 0);
    wire_put(0, buf, p->tot_len);
    return ERR_OK;
}

static err_t wire_netif_init(struct netif *nif)
{
    nif->name[0] = 't';
    nif->name[1] = 'r';
    nif->output = etharp_output;
    nif->linkoutput = linkoutput;
    nif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(nif->hwaddr, lwip_mac, ETH_HWADDR_LEN);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->mtu = 1500;
    return ERR_OK;
}

/* Delivering may add frames: the scan starts over after each. */
void wire_step(void)
{
    now_ms++;
    if (deliver_in_batches)
        tcp_batch_begin();
    for (unsigned i = 0; i < wire_count;) {
        if (wire[i].due > now_ms) {
            i++;
            continue;
        }
        struct frame f = wire[i];
        memmove(&wire[i], &wire[i + 1], (wire_count - i - 1) * sizeof(wire[0]));
        wire_count--;
        if (f.to_lwip) {
            struct pbuf *p = pbuf_alloc(PBUF_RAW, f.len, PBUF_POOL);
            pbuf_take(p, f.data, f.len);
            if (netif.input(p, &netif) != ERR_OK)
                pbuf_free(p);
        } else {
            peer_input(f.data, f.len);
        }
        i = 0;
    }
    if (deliver_in_batches)
        tcp_batch_end();
    sys_check_timeouts();
}

void tcp_wire_setup(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    lwip_init();
    IP4_ADDR(&lwip_ip, 10, 0, 0, 2);
    IP4_ADDR(&peer_ip, 10, 0, 0, 1);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    netif_add(&netif, &lwip_ip, &mask, &peer_ip, NULL, wire_netif_init, ethernet_input);
    netif_set_default(&netif);
    netif_set_link_up(&netif);
    netif_set_up(&netif);
    for (u32_t i = 0; i < TOTAL_BYTES; i++)
        pattern[i] = (u8_t)(i * 7 + i / 251);
}

void wire_drain(void)
{
    now_ms += 1000;
    wire_count = 0;
    sys_check_timeouts();
}

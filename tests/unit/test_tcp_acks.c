/*
 * test_tcp_acks.c - lwIP's ACKs as a receiver, against a scripted sender
 * on the simulated wire of tcp_wire.c: the ACK for a segment that fills a
 * gap (net/lwip/patches/tcp-ack-gap-fill.patch) and the ACKs for a batch
 * of segments delivered at once (tcp-rx-batch-ack.patch).
 */
#include "check.h"
#include "tcp_wire.h"

#include <string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

/* lwIP as the receiver: what it reads is thrown away. */
static err_t discard_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)err;
    if (p) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

static struct tcp_pcb *accepted;

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    accepted = pcb;
    tcp_recv(pcb, discard_recv);
    return ERR_OK;
}

/*
 * lwIP receiving: segments 0 and 2 arrive, then 1, which fills the gap.
 * RFC 5681 4.2: the ACK for it goes out at once (a sender in recovery
 * waits for exactly that ACK); lwIP delayed it to its next 25 ms tick
 * (net/lwip/patches/tcp-ack-gap-fill.patch). Measured from sending
 * segment 1 to its ACK's arrival: two wire delays when immediate.
 */
/* lwIP listening on `port`, the scripted peer connected to it. */
static struct tcp_pcb *receiver_setup(u16_t port)
{
    tcp_wire_setup();
    struct tcp_pcb *lpcb = tcp_new();
    CHECK(tcp_bind(lpcb, IP4_ADDR_ANY, port) == ERR_OK);
    lpcb = tcp_listen(lpcb);
    tcp_accept(lpcb, on_accept);
    memset(&tx, 0, sizeof(tx));
    tx.active = 1;
    tx.iss = 0x20000;
    accepted = NULL;
    rx.lwip_port = port;                    /* peer_send's destination */
    wire_count = 0;

    peer_send(TCP_SYN, tx.iss, 0, 1, NULL, 0);
    for (int i = 0; i < 100 && !tx.established; i++)
        wire_step();
    CHECK(tx.established);
    /* Settle the handshake. */
    for (int i = 0; i < 30; i++)
        wire_step();
    return lpcb;
}

static void receiver_teardown(struct tcp_pcb *lpcb)
{
    tx.active = 0;
    deliver_in_batches = 0;
    if (accepted)
        tcp_abort(accepted);
    tcp_close(lpcb);
    wire_drain();
}

static void test_gap_fill_acked_at_once(void)
{
    enum { SEG = 1000, LISTEN_PORT = 6000 };
    struct tcp_pcb *lpcb = receiver_setup(LISTEN_PORT);

    /* Segment 0 and, out of order, segment 2; then 1. Five rounds of three segments, the gap filled at a different
     * phase of lwIP's 25 ms timer each time (a delayed ACK would leave
     * with the next tick: at most one round could look immediate). */
    u32_t worst = 0, next = tx.iss + 1;
    for (u32_t round = 0; round < 5; round++) {
        peer_send(TCP_ACK, next, tx.irs, 0, pattern, SEG);
        peer_send(TCP_ACK, next + 2 * SEG, tx.irs, 0, pattern, SEG);
        for (u32_t i = 0; i < 60 + 7 * round; i++)
            wire_step();
        CHECK(tx.acked == next + SEG);      /* segment 0, then the duplicate for 1 */
        u32_t sent_at = now_ms;
        peer_send(TCP_ACK, next + SEG, tx.irs, 0, pattern, SEG);
        for (int i = 0; i < 60 && tx.acked != next + 3 * SEG; i++)
            wire_step();
        CHECK(tx.acked == next + 3 * SEG);
        if (tx.acked_at - sent_at > worst)
            worst = tx.acked_at - sent_at;
        next += 3 * SEG;
        for (int i = 0; i < 60; i++)
            wire_step();
    }
    printf("  gap filled: acknowledged after at most %u ms (wire: %u each way)\n", worst,
           ONE_WAY_MS);
    CHECK(worst <= 2 * ONE_WAY_MS + 1);
    receiver_teardown(lpcb);
}

/* Eight segments sent at once, so they arrive in the same millisecond. */
static u32_t eight_segments(u32_t next, u32_t *acks, u32_t *took)
{
    enum { SEG = 1000 };
    u32_t acks_before = tx.acks, sent_at = now_ms;

    for (u32_t k = 0; k < 8; k++)
        peer_send(TCP_ACK, next + k * SEG, tx.irs, 0, pattern, SEG);
    for (int i = 0; i < 100 && tx.acked != next + 8 * SEG; i++)
        wire_step();
    CHECK(tx.acked == next + 8 * SEG);
    *took = tx.acked_at - sent_at;
    *acks = tx.acks - acks_before;
    for (int i = 0; i < 60; i++)
        wire_step();
    return next + 8 * SEG;
}

/* Reads without reopening the window: no window-update ACKs. */
static err_t unread_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)pcb, (void)err;
    if (p)
        pbuf_free(p);
    return ERR_OK;
}

/*
 * Delivered one by one, eight in-order segments get an ACK every second
 * segment: four. Delivered as one batch, one ACK at the batch's end, sent
 * at once (not at lwIP's next 25 ms tick). The application does not
 * reopen the window (32 KB of 1 MiB), so that no window update, which
 * lwIP sends at once, adds ACKs of its own.
 */
static void test_batch_acked_once(void)
{
    struct tcp_pcb *lpcb = receiver_setup(6001);
    u32_t acks, took, next = tx.iss + 1;

    CHECK(accepted != NULL);
    if (accepted)
        tcp_recv(accepted, unread_recv);

    next = eight_segments(next, &acks, &took);
    printf("  one by one: %u ACKs\n", acks);
    CHECK(acks == 4);
    deliver_in_batches = 1;
    for (int round = 0; round < 3; round++) {
        next = eight_segments(next, &acks, &took);
        printf("  one batch: %u ACK(s), the last after %u ms\n", acks, took);
        CHECK(acks == 1);
        CHECK(took <= 2 * ONE_WAY_MS + 1);
    }
    receiver_teardown(lpcb);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "gap_fill_acked_at_once", test_gap_fill_acked_at_once },
        { "batch_acked_once", test_batch_acked_once },
    };
    return check_run("tcp_acks", cases, sizeof(cases) / sizeof(cases[0]));
}

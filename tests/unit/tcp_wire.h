/*
 * tcp_wire.h - a simulated wire for host tests of lwIP's TCP: a virtual
 * clock in 1 ms steps, frames in flight for ONE_WAY_MS each way, and a
 * scripted peer that either receives (acknowledging every segment with
 * its cumulative ACK, keeping out-of-order data, dropping the first
 * transmission of chosen segments) or sends (segments the test writes
 * with peer_send; it records lwIP's ACKs). lwIP runs with the port's
 * configuration (tests/fuzz/lwip/lwipopts.h: no threads).
 *
 * Users: test_tcp_recovery.c (lwIP sending), test_tcp_acks.c (lwIP
 * receiving). One wire per program; tcp_wire_setup MUST come first.
 */
#ifndef TESTS_UNIT_TCP_WIRE_H
#define TESTS_UNIT_TCP_WIRE_H

#include "lwip/ip_addr.h"
#include "lwip/prot/tcp.h"

#define ONE_WAY_MS      5
#define TOTAL_BYTES     (512 * 1024)
#define PEER_WND_SHIFT  5               /* the receiver offers 2 MiB */
#define PEER_PORT       5000

/* The peer as the receiver (lwIP sending). */
struct wire_receiver {
    u32_t irs, rcv_nxt;         /* its initial and next expected sequence numbers */
    u32_t base;                 /* the sequence number of stream byte 0 */
    u16_t lwip_port;
    int established;
    u8_t *have;                 /* per byte of the stream: received */
    u32_t data_segments;        /* first transmissions seen (numbering for drops) */
    u32_t resent_segments;      /* segments at or below the highest seq seen */
    u32_t highest_end;
    const u32_t *drop;
    unsigned ndrop;
    u32_t done_at;              /* ms when every byte had arrived */
    u32_t wrong_bytes;          /* bytes that arrived but differ from pattern[] */
};

/* The peer as the sender (lwIP receiving): active while tx.active. */
struct wire_sender {
    int active, established;
    u32_t iss, irs;             /* its initial number, lwIP's + 1 */
    u32_t acked, acked_at;      /* the highest ACK from lwIP and when it came */
    u32_t acks;                 /* segments from lwIP carrying an ACK */
};

extern struct wire_receiver rx;
extern struct wire_sender tx;
extern u32_t now_ms;
extern unsigned wire_count;
extern ip4_addr_t peer_ip;
/* Each millisecond's deliveries as one batch, as the port feeds lwIP
 * (tcp_batch_begin/tcp_batch_end, tcp-rx-batch-ack.patch). */
extern int deliver_in_batches;
/* Stream byte i is (u8_t)(i * 7 + i / 251); the receiver checks it. */
extern u8_t pattern[TOTAL_BYTES];

/* lwIP up with one interface on the wire (once per program). */
void tcp_wire_setup(void);
/* One millisecond: deliver what is due, in order, then lwIP's timers. */
void wire_step(void);
/* Forgets what is in flight and lets a second of lwIP's timers pass. */
void wire_drain(void);
/* A segment from the peer: flags, seq, ack, optional SYN options, data. */
void peer_send(u8_t flags, u32_t seq, u32_t ack, int syn_options, const u8_t *data, u16_t dlen);

#endif

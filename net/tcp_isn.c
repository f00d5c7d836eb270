/*
 * tcp_isn.c - TCP initial sequence numbers as RFC 6528 computes them:
 * ISN = M + F(local address, local port, remote address, remote port,
 * secret), where M is a clock ticking every 4 microseconds and F is
 * SipHash-2-4 keyed with 128 bits drawn at the first connection.
 *
 * Why: lwIP's own generator adds its slow-timer tick count to a static
 * counter, so every connection opened in the first half second after
 * boot started at sequence number 6509/6510, on every VM, every boot.
 * Anyone who can send to a rank's address could then guess the sequence
 * space of its MPI connections and inject data or resets blind, and a
 * quickly reused 4-tuple could accept an old incarnation's segments.
 * Per-tuple offsets keep sequence spaces apart; the clock keeps one
 * tuple's successive incarnations increasing, as TIME_WAIT reuse needs.
 *
 * Runs in the tcpip thread under lwIP's core lock, so the lazily drawn
 * key needs no lock of its own.
 */
#include "lwip_hooks.h"
#include "siphash.h"

#include "lwip/ip_addr.h"

#include "clock.h"
#include "entropy.h"

static struct siphash_key isn_key;
static int isn_key_ready;

u32_t net_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
                  const ip_addr_t *remote_ip, u16_t remote_port)
{
    if (!isn_key_ready) {
        enum entropy_source source;
        isn_key.k0 = entropy_seed64(&source);
        isn_key.k1 = entropy_seed64(&source);
        isn_key_ready = 1;
    }
    u8_t tuple[12];
    u32_t local = ip4_addr_get_u32(ip_2_ip4(local_ip));
    u32_t remote = ip4_addr_get_u32(ip_2_ip4(remote_ip));
    for (int i = 0; i < 4; i++) {
        tuple[i] = (u8_t)(local >> (8 * i));
        tuple[4 + i] = (u8_t)(remote >> (8 * i));
    }
    tuple[8] = (u8_t)local_port;
    tuple[9] = (u8_t)(local_port >> 8);
    tuple[10] = (u8_t)remote_port;
    tuple[11] = (u8_t)(remote_port >> 8);
    u32_t ticks_4us = (u32_t)(clock_ns() / 4000u);
    return ticks_4us + (u32_t)siphash24(&isn_key, tuple, sizeof(tuple));
}

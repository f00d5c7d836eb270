/*
 * inet_sum.h - the Internet checksum lwIP uses (LWIP_CHKSUM, lwipopts.h).
 *
 * net_inet_sum returns the 16-bit one's-complement sum, not inverted, of
 * len bytes at data, read as little-endian 16-bit words from data (a
 * trailing odd byte padded with zero): what lwip_standard_chksum returns,
 * so lwIP's callers fold pieces and swap odd offsets as before.
 * The caller MUST pass readable memory for len bytes; len <= 0 sums
 * nothing (returns 0). Any alignment; no state; safe from any thread.
 */
#ifndef NET_INET_SUM_H
#define NET_INET_SUM_H

#include <stdint.h>

uint16_t net_inet_sum(const void *data, int len);

#endif

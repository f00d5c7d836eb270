/*
 * inet_sum.h - the Internet checksum: lwIP's (LWIP_CHKSUM, lwipopts.h)
 * and the virtio-net driver's (drivers/virtio/vnet_hdr.c).
 *
 * inet_sum returns the 16-bit one's-complement sum, not inverted, of
 * len bytes at data, read as little-endian 16-bit words from data (a
 * trailing odd byte padded with zero): what lwip_standard_chksum returns,
 * so lwIP's callers fold pieces and swap odd offsets as before.
 * The caller MUST pass readable memory for len bytes; len <= 0 sums
 * nothing (returns 0). Any alignment; no state; safe from any thread.
 */
#ifndef KERNEL_INET_SUM_H
#define KERNEL_INET_SUM_H

#include <stdint.h>

uint16_t inet_sum(const void *data, int len);

#endif

/*
 * siphash.h - SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash of
 * a short message, as RFC 6528 wants for TCP initial sequence numbers.
 *
 * Contract: siphash24 MAY be called from any context; it reads len bytes
 * of msg (which MAY be NULL when len is 0) and the 16-byte key, and
 * touches nothing else. The result is the 64-bit output of the reference
 * implementation, read as a little-endian integer.
 */
#ifndef NET_SIPHASH_H
#define NET_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
    uint64_t k0, k1;
};

uint64_t siphash24(const struct siphash_key *key, const void *msg, size_t len);

#endif

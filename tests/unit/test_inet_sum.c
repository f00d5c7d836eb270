/*
 * test_inet_sum.c - inet_sum against RFC 1071's definition (16-bit
 * little-endian words added with end-around carry, an odd byte padded),
 * on every length up to 2 KiB at every alignment within 8 bytes, on the
 * values where carries pile up (all 0xff), and on a frame whose checksum
 * is known.
 */
#include "check.h"
#include "inet_sum.h"

#include <stdlib.h>
#include <string.h>

/* RFC 1071 4.1, as lwIP's first algorithm reads memory. */
static uint16_t reference(const uint8_t *p, int len)
{
    uint32_t sum = 0;

    for (; len > 1; p += 2, len -= 2)
        sum += (uint32_t)(p[0] | p[1] << 8);
    if (len == 1)
        sum += p[0];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static uint8_t buf[2048 + 16];

static void every_length_and_alignment(void)
{
    srand(1071);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rand();
    int bad = 0;
    for (int align = 0; align < 8; align++)
        for (int len = 0; len <= 2048; len++)
            bad += inet_sum(buf + align, len) != reference(buf + align, len);
    CHECK(bad == 0);
}

static void carries_pile_up(void)
{
    memset(buf, 0xff, sizeof(buf));
    for (int len = 0; len <= 2048; len += 7)
        CHECK(inet_sum(buf + 1, len) == reference(buf + 1, len));
    CHECK(inet_sum(buf, 2048) == 0xffff);
}

static void nothing_to_sum(void)
{
    CHECK(inet_sum(buf, 0) == 0);
    CHECK(inet_sum(buf, -5) == 0);
}

/* The IPv4 header of RFC 1071's neighbour, the Wikipedia example:
 * 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7 sums to 0xffff. */
static void known_header(void)
{
    static const uint8_t hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    CHECK(inet_sum(hdr, sizeof(hdr)) == 0xffff);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "every_length_and_alignment", every_length_and_alignment },
        { "carries_pile_up", carries_pile_up },
        { "nothing_to_sum", nothing_to_sum },
        { "known_header", known_header },
    };
    return check_run("inet_sum", cases, sizeof(cases) / sizeof(cases[0]));
}

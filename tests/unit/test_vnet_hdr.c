/*
 * test_vnet_hdr.c - virtio-net header decoding and the completion of a
 * partial (NEEDS_CSUM) checksum over a frame split into odd pieces.
 */
#include "check.h"
#include "vnet_hdr.h"

#include <string.h>

static void test_decode(void)
{
    const uint8_t raw[12] = { 2, 0, 0x36, 0x00, 0xDC, 0x05, 34, 0, 6, 0, 3, 0 };
    struct vnet_hdr h;

    vnet_hdr_decode(raw, VNET_HDR_LEN, &h);
    CHECK(h.flags == VNET_HDR_F_DATA_VALID && h.gso_type == 0);
    CHECK(h.hdr_len == 0x36 && h.gso_size == 1500);
    CHECK(h.csum_start == 34 && h.csum_offset == 6 && h.num_buffers == 3);
    vnet_hdr_decode(raw, VNET_HDR_LEN_LEGACY, &h);
    CHECK(h.num_buffers == 1);
}

/* Plain RFC 1071 over a contiguous buffer, for comparison. */
static uint16_t ref_sum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

/* An Ethernet + IPv4 + UDP frame with an odd-length payload. */
static size_t build_udp(uint8_t *f, size_t payload)
{
    memset(f, 0, 14 + 20 + 8 + payload);
    f[12] = 0x08;                                   /* IPv4 */
    uint8_t *ip = f + 14, *udp = ip + 20;
    ip[0] = 0x45;
    ip[9] = 17;
    memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    memcpy(ip + 16, (uint8_t[]){ 10, 0, 0, 2 }, 4);
    uint16_t ulen = (uint16_t)(8 + payload);
    udp[0] = 0x30; udp[1] = 0x39;                   /* ports 12345 -> 80 */
    udp[3] = 80;
    udp[4] = (uint8_t)(ulen >> 8); udp[5] = (uint8_t)ulen;
    for (size_t i = 0; i < payload; i++)
        udp[8 + i] = (uint8_t)(i * 7 + 3);
    return 14 + 20 + 8 + payload;
}

static uint16_t pseudo_sum(const uint8_t *f, size_t len)
{
    uint8_t ph[12];

    memcpy(ph, f + 14 + 12, 8);
    ph[8] = 0;
    ph[9] = 17;
    ph[10] = (uint8_t)((len - 34) >> 8);
    ph[11] = (uint8_t)(len - 34);
    return ref_sum(ph, 12);
}

static void test_complete_across_segments(void)
{
    uint8_t frame[600], expect[600];
    size_t len = build_udp(frame, 517);
    uint16_t ps = pseudo_sum(frame, len);

    /* The correct checksum, computed the plain way. */
    memcpy(expect, frame, len);
    uint32_t s = (uint32_t)ps + ref_sum(expect + 34, len - 34);
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    uint16_t want = (uint16_t)~s;
    if (want == 0)
        want = 0xFFFF;

    /* What a device hands over: the pseudo-header sum in the field. */
    frame[34 + 6] = (uint8_t)(ps >> 8);
    frame[34 + 7] = (uint8_t)ps;
    size_t cuts[] = { 5, 1, 33, 7, 1, 2 };
    struct vnet_seg segs[7];
    size_t at = 0;
    unsigned n = 0;
    for (; n < 6; n++) {
        segs[n] = (struct vnet_seg){ frame + at, cuts[n] };
        at += cuts[n];
    }
    segs[n++] = (struct vnet_seg){ frame + at, len - at };

    CHECK(vnet_csum_complete(segs, n, 34, 6));
    CHECK(frame[40] == (uint8_t)(want >> 8) && frame[41] == (uint8_t)want);
    /* A receiver's check: the sum over pseudo-header + UDP is all ones. */
    s = (uint32_t)ps + ref_sum(frame + 34, len - 34);
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    CHECK(s == 0xFFFF);
}

static void test_sum_matches_reference(void)
{
    uint8_t buf[301];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 13 + 1);
    for (size_t cut = 0; cut <= sizeof(buf); cut += 37) {
        struct vnet_seg segs[2] = { { buf, cut }, { buf + cut, sizeof(buf) - cut } };
        for (size_t start = 0; start < sizeof(buf); start += 50)
            if (vnet_csum_sum(segs, 2, start) != ref_sum(buf + start, sizeof(buf) - start))
                CHECK(0);
    }
}

static void test_out_of_range(void)
{
    uint8_t buf[64] = { 0 };
    struct vnet_seg seg = { buf, sizeof(buf) };

    CHECK(!vnet_csum_complete(&seg, 1, 64, 0));
    CHECK(!vnet_csum_complete(&seg, 1, 60, 3));     /* field would end at 65 */
    CHECK(vnet_csum_complete(&seg, 1, 60, 2));
    CHECK(buf[62] == 0xFF && buf[63] == 0xFF);      /* an all-zero sum is sent as 0xFFFF */
}

/* What the driver writes for a transmission reads back the same. */
static void test_encode_round_trip(void)
{
    struct vnet_hdr in = { VNET_HDR_F_NEEDS_CSUM, VNET_HDR_GSO_TCPV4, 66, 1448, 34, 16, 0 }, out;
    uint8_t raw[VNET_HDR_LEN];

    memset(raw, 0xAA, sizeof(raw));
    vnet_hdr_encode(&in, VNET_HDR_LEN, raw);
    CHECK(raw[10] == 0 && raw[11] == 0);        /* num_buffers: 0 on transmit */
    vnet_hdr_decode(raw, VNET_HDR_LEN, &out);
    CHECK(out.flags == in.flags && out.gso_type == in.gso_type && out.hdr_len == 66);
    CHECK(out.gso_size == 1448 && out.csum_start == 34 && out.csum_offset == 16);
    memset(raw, 0xAA, sizeof(raw));
    vnet_hdr_encode(&in, VNET_HDR_LEN_LEGACY, raw);
    CHECK(raw[10] == 0xAA && raw[11] == 0xAA);  /* a legacy header is 10 bytes */
    CHECK(raw[4] == (1448 & 0xFF) && raw[5] == 1448 >> 8);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "decode", test_decode },
        { "csum-complete-across-segments", test_complete_across_segments },
        { "csum-sum-matches-reference", test_sum_matches_reference },
        { "csum-out-of-range", test_out_of_range },
        { "encode-round-trip", test_encode_round_trip },
    };
    return check_run("vnet_hdr", cases, sizeof(cases) / sizeof(cases[0]));
}

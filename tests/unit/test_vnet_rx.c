/*
 * test_vnet_rx.c - the receive path (drivers/virtio/vnet_rx.c over
 * virtq.c) against a simulated, sometimes hostile, virtio-net device.
 *
 * Every receive buffer is its own heap block of exactly the posted
 * size, so AddressSanitizer reports any byte the driver or its client
 * touches past a buffer. The device writes only inside the buffers (as
 * QEMU would) but may claim any length in the used ring: the driver
 * must judge each claim against what it posted for that descriptor.
 */
#include "check.h"
#include "virtq.h"
#include "vnet_rx.h"

#include <stdlib.h>
#include <string.h>

#define QSIZE       64
#define MRG_BUF     2048            /* the driver's buffer size with MRG_RXBUF */
#define MTU_JUMBO   9000

static _Alignas(4096) unsigned char ring_mem[65536];
static void *cookies[QSIZE];

/* The driver side: a queue, its buffers and the assembler, as vnet_io.c uses them. */
struct driver {
    struct virtq q;
    struct vnet_rx rx;
    uint32_t buf_size;
    uint8_t *bufs[QSIZE];
    unsigned delivered, dropped, badlen;
    uint8_t last[VNET_GSO_MAX_FRAME + 1];   /* the client's copy of the last frame */
    size_t last_len;
    bool last_csum_valid, last_csum_partial;
};

/* The simulated device: its own view of the indices. */
struct device {
    struct virtq *q;
    uint16_t last_avail, used_idx;
};

static void post(struct driver *d, uint8_t *buf)
{
    struct virtq_buf b = { (uintptr_t)buf, d->buf_size };

    CHECK(virtq_add(&d->q, &b, 0, 1, buf) == VIRTQ_OK);
}

static void driver_init(struct driver *d, struct device *dev, bool mergeable, uint16_t mtu)
{
    memset(d, 0, sizeof(*d));
    d->rx.hdr_len = VNET_HDR_LEN;
    d->rx.mergeable = mergeable;
    d->rx.max_frame = (size_t)mtu + VNET_ETH_HLEN + VNET_VLAN_HLEN;
    d->buf_size = mergeable ? MRG_BUF : (uint32_t)((VNET_HDR_LEN + d->rx.max_frame + 63) & ~63u);
    virtq_init(&d->q, 0, QSIZE, ring_mem, 4096, false, cookies);
    for (unsigned i = 0; i < QSIZE; i++) {
        d->bufs[i] = malloc(d->buf_size);
        post(d, d->bufs[i]);
    }
    virtq_kick_prepare(&d->q);
    memset(dev, 0, sizeof(*dev));
    dev->q = &d->q;
}

static void driver_free(struct driver *d)
{
    for (unsigned i = 0; i < QSIZE; i++)
        free(d->bufs[i]);
}

/* The client: copies the frame out, as the netif glue does. */
static void deliver(struct driver *d, const struct vnet_frame *f)
{
    size_t n = 0;

    for (unsigned i = 0; i < f->nseg; i++) {
        CHECK(n + f->seg[i].len <= sizeof(d->last));
        if (n + f->seg[i].len > sizeof(d->last))
            return;
        memcpy(d->last + n, f->seg[i].base, f->seg[i].len);
        n += f->seg[i].len;
    }
    CHECK(n == f->len);
    d->last_len = n;
    d->last_csum_valid = f->csum_valid;
    d->last_csum_partial = f->csum_partial;
}

/* vnet_poll's receive loop. */
static void driver_poll(struct driver *d)
{
    uint32_t len;
    void *cookie;

    while (virtq_get(&d->q, &len, &cookie) == VIRTQ_OK) {
        if (!vnet_rx_take(&d->rx, cookie, len, d->buf_size))
            post(d, cookie);
        if (d->rx.need)
            continue;
        struct vnet_frame f;
        enum vnet_rx_verdict v = vnet_rx_finish(&d->rx, &f);
        if (v == VNET_RX_DELIVER) {
            deliver(d, &f);
            d->delivered++;
        } else {
            d->dropped++;
            d->badlen += v == VNET_RX_BADLEN;
        }
        for (unsigned i = 0; i < d->rx.nseg; i++)
            post(d, d->rx.seg_buf[i]);
        vnet_rx_reset(&d->rx);
    }
    virtq_kick_prepare(&d->q);
}

/*
 * Device side: takes the next posted buffer, writes min(fill, posted)
 * bytes of `src` into it (never past it) and claims `claim` bytes.
 */
static void dev_put(struct device *dev, const uint8_t *src, uint32_t fill, uint32_t claim)
{
    struct virtq *q = dev->q;

    CHECK(dev->last_avail != q->avail->idx);
    uint16_t head = q->avail->ring[dev->last_avail++ & (q->size - 1)];
    struct virtq_desc *desc = &q->desc[head];
    memcpy((void *)(uintptr_t)desc->addr, src, fill < desc->len ? fill : desc->len);
    struct virtq_used_elem *e = &q->used->ring[dev->used_idx++ & (q->size - 1)];
    e->id = head;
    e->len = claim;
    q->used->idx = dev->used_idx;
}

/* The gso_type the device puts in the next frames' headers. */
static uint8_t dev_gso_type;

/* A frame of `len` bytes (pattern i*7) with header flags, spread over 2 KiB buffers. */
static void dev_frame(struct device *dev, size_t len, uint8_t flags, uint16_t csum_start,
                      uint16_t csum_offset, const uint32_t *claims)
{
    static uint8_t wire[VNET_HDR_LEN + VNET_GSO_MAX_FRAME + 2048];
    size_t total = VNET_HDR_LEN + len;
    uint16_t nbuf = (uint16_t)((total + MRG_BUF - 1) / MRG_BUF);

    memset(wire, 0, VNET_HDR_LEN);
    wire[0] = flags;
    wire[1] = dev_gso_type;
    wire[6] = (uint8_t)csum_start;
    wire[7] = (uint8_t)(csum_start >> 8);
    wire[8] = (uint8_t)csum_offset;
    wire[9] = (uint8_t)(csum_offset >> 8);
    wire[10] = (uint8_t)nbuf;
    wire[11] = (uint8_t)(nbuf >> 8);
    for (size_t i = 0; i < len; i++)
        wire[VNET_HDR_LEN + i] = (uint8_t)(i * 7);
    for (uint16_t b = 0; b < nbuf; b++) {
        size_t off = (size_t)b * MRG_BUF, piece = total - off < MRG_BUF ? total - off : MRG_BUF;
        dev_put(dev, wire + off, (uint32_t)piece, claims ? claims[b] : (uint32_t)piece);
    }
}

static bool last_is_pattern(const struct driver *d, size_t len)
{
    if (d->last_len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (d->last[i] != (uint8_t)(i * 7))
            return false;
    return true;
}

static void test_merged_jumbo(void)
{
    struct driver d;
    struct device dev;

    driver_init(&d, &dev, true, MTU_JUMBO);
    dev_frame(&dev, 9018, 0, 0, 0, NULL);       /* 5 buffers */
    dev_frame(&dev, 60, 0, 0, 0, NULL);
    driver_poll(&d);
    CHECK(d.delivered == 2 && d.dropped == 0);
    CHECK(last_is_pattern(&d, 60));
    CHECK(d.q.num_free == 0);                   /* every buffer is posted again */
    driver_free(&d);
}

/* One buffer claiming more than its 2 KiB: the MTU (9000) alone would let it through. */
static void test_claim_past_buffer(void)
{
    struct driver d;
    struct device dev;
    uint32_t claim[1] = { 4000 };

    driver_init(&d, &dev, true, MTU_JUMBO);
    dev_frame(&dev, 1000, 0, 0, 0, claim);
    dev_frame(&dev, 100, 0, 0, 0, NULL);
    driver_poll(&d);
    CHECK(d.dropped == 1 && d.badlen == 1);
    CHECK(d.delivered == 1 && last_is_pattern(&d, 100));
    driver_free(&d);
}

/* The middle buffer of a merged frame lies: the whole frame goes, the next one is intact. */
static void test_claim_in_merged_frame(void)
{
    struct driver d;
    struct device dev;
    uint32_t claims[3] = { MRG_BUF, MRG_BUF + 1, 12 + 5000 - 2 * MRG_BUF };

    driver_init(&d, &dev, true, MTU_JUMBO);
    dev_frame(&dev, 5000, 0, 0, 0, claims);
    dev_frame(&dev, 3000, 0, 0, 0, NULL);
    driver_poll(&d);
    CHECK(d.dropped == 1 && d.badlen == 1);
    CHECK(d.delivered == 1 && last_is_pattern(&d, 3000));
    driver_free(&d);
}

/* A partial checksum whose field lies past the real buffer must not be written. */
static void test_claim_with_checksum_offsets(void)
{
    struct driver d;
    struct device dev;
    uint32_t claim[1] = { 8000 };

    driver_init(&d, &dev, true, MTU_JUMBO);
    dev_frame(&dev, 1500, VNET_HDR_F_NEEDS_CSUM, 34, 5000, claim);
    driver_poll(&d);
    CHECK(d.dropped == 1 && d.badlen == 1 && d.delivered == 0);
    driver_free(&d);
}

/*
 * Uncut TCP frames (GSO_TCPV4) of up to 64 KiB: delivered only when the
 * driver asked for them (GUEST_TSO4), never longer than VNET_GSO_MAX_FRAME,
 * and a plain frame still may not exceed the MTU.
 */
static void test_gso_uncut(void)
{
    struct driver d;
    struct device dev;

    driver_init(&d, &dev, true, 1500);
    dev_gso_type = VNET_HDR_GSO_TCPV4;
    dev_frame(&dev, 60000, 0, 0, 0, NULL);      /* not asked for: dropped */
    driver_poll(&d);
    CHECK(d.delivered == 0 && d.dropped == 1);
    d.rx.gso_tcpv4 = true;
    dev_frame(&dev, 60000, 0, 0, 0, NULL);
    driver_poll(&d);
    CHECK(d.delivered == 1 && last_is_pattern(&d, 60000));
    dev_frame(&dev, VNET_GSO_MAX_FRAME + 1, 0, 0, 0, NULL);
    driver_poll(&d);
    CHECK(d.delivered == 1 && d.dropped == 2);
    dev_gso_type = VNET_HDR_GSO_NONE;
    dev_frame(&dev, 1600, 0, 0, 0, NULL);       /* past the MTU, uncut or not */
    driver_poll(&d);
    CHECK(d.delivered == 1 && d.dropped == 3);
    CHECK(d.q.num_free == 0);
    driver_free(&d);
}

/*
 * keep_partial: a NEEDS_CSUM frame arrives untouched, marked partial,
 * its offsets still checked against its length; vnet_frame_complete
 * then finishes it as the driver would have.
 */
static void test_keep_partial(void)
{
    struct driver d;
    struct device dev;

    driver_init(&d, &dev, true, 1500);
    d.rx.keep_partial = true;
    dev_frame(&dev, 200, VNET_HDR_F_NEEDS_CSUM, 34, 16, NULL);
    driver_poll(&d);
    CHECK(d.delivered == 1 && last_is_pattern(&d, 200));
    CHECK(d.last_csum_partial && d.last_csum_valid);
    dev_frame(&dev, 200, VNET_HDR_F_NEEDS_CSUM, 190, 16, NULL);   /* field past the end */
    driver_poll(&d);
    CHECK(d.delivered == 1 && d.dropped == 1);

    /* Completing in place, through the frame, writes what the driver would. */
    uint8_t a[64], b[64];
    for (unsigned i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (uint8_t)(i * 7);
    struct vnet_seg sa[2] = { { a, 13 }, { a + 13, 51 } }, sb = { b, 64 };
    struct vnet_frame f = { .seg = sa, .nseg = 2, .len = 64, .csum_partial = true,
                            .csum_start = 20, .csum_offset = 6 };
    CHECK(vnet_frame_complete(&f));
    CHECK(vnet_csum_complete(&sb, 1, 20, 6));
    CHECK(memcmp(a, b, sizeof(a)) == 0);
    f.csum_partial = false;
    CHECK(!vnet_frame_complete(&f));
    driver_free(&d);
}

static void test_claim_huge(void)
{
    struct driver d;
    struct device dev;
    uint32_t claims[2][1] = { { 0xFFFFFFFFu }, { 0x80000000u } };

    driver_init(&d, &dev, true, MTU_JUMBO);
    dev_frame(&dev, 200, 0, 0, 0, claims[0]);
    dev_frame(&dev, 200, 0, 0, 0, claims[1]);
    driver_poll(&d);
    CHECK(d.dropped == 2 && d.badlen == 2 && d.delivered == 0);
    driver_free(&d);
}

/* Without MRG_RXBUF one buffer holds a frame; a claim past it is as bad. */
static void test_claim_unmerged(void)
{
    struct driver d;
    struct device dev;
    static uint8_t wire[VNET_HDR_LEN + 1600];

    driver_init(&d, &dev, false, 1500);
    memset(wire, 0, sizeof(wire));
    for (size_t i = 0; i < 1500; i++)
        wire[VNET_HDR_LEN + i] = (uint8_t)(i * 7);
    dev_put(&dev, wire, VNET_HDR_LEN + 1500, d.buf_size + 1);
    /* Exactly full is no lie, though longer than max_frame (the size is rounded up). */
    dev_put(&dev, wire, VNET_HDR_LEN + 1500, d.buf_size);
    dev_put(&dev, wire, VNET_HDR_LEN + 1500, VNET_HDR_LEN + 1500);
    driver_poll(&d);
    CHECK(d.badlen == 1 && d.dropped == 2 && d.delivered == 1);
    CHECK(last_is_pattern(&d, 1500));
    driver_free(&d);
}

/* Random headers and claims: nothing touched past a buffer, buffers never lost. */
static void test_random_device(void)
{
    struct driver d;
    struct device dev;
    static uint8_t junk[MRG_BUF];

    srand(15);
    for (int round = 0; round < 2; round++) {
        driver_init(&d, &dev, round == 0, round == 0 ? MTU_JUMBO : 1500);
        for (int step = 0; step < 20000; step++) {
            for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (uint8_t)rand();
            uint32_t claim;
            switch (rand() % 4) {
            case 0: claim = (uint32_t)rand(); break;
            case 1: claim = (uint32_t)rand() % (d.buf_size + 64); break;
            default: claim = (uint32_t)rand() % (d.buf_size + 1); break;
            }
            junk[10] = (uint8_t)(rand() % 4);   /* num_buffers 0..3 */
            junk[11] = 0;
            dev_put(&dev, junk, sizeof(junk), claim);
            driver_poll(&d);
            /* Every buffer is back on the ring except those of the frame in progress. */
            if (d.q.num_free != d.rx.nseg) {
                CHECK(0);
                break;
            }
        }
        CHECK(d.delivered > 0 && d.badlen > 0);
        driver_free(&d);
    }
}

int main(void)
{
    static const struct check_case cases[] = {
        { "merged-jumbo", test_merged_jumbo },
        { "claim-past-buffer", test_claim_past_buffer },
        { "claim-in-merged-frame", test_claim_in_merged_frame },
        { "claim-with-checksum-offsets", test_claim_with_checksum_offsets },
        { "claim-huge", test_claim_huge },
        { "claim-unmerged", test_claim_unmerged },
        { "random-device", test_random_device },
        { "gso-uncut", test_gso_uncut },
        { "keep-partial", test_keep_partial },
    };
    return check_run("vnet_rx", cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * test_virtqueue.c - the split virtqueue bookkeeping (drivers/virtio/virtq.c)
 * against a small simulated device that takes buffers from the available
 * ring and returns them, in any order, through the used ring.
 */
#include "check.h"
#include "virtq.h"

#include <stdlib.h>
#include <string.h>

#define RING_MEM 65536

static _Alignas(4096) unsigned char ring_mem[RING_MEM];
static void *cookies[VIRTQ_SIZE_MAX];

/* The simulated device: its own view of the indices. */
struct device {
    struct virtq *q;
    uint16_t last_avail;        /* next avail entry it will take */
    uint16_t used_idx;          /* what it has published */
    uint16_t taken[VIRTQ_SIZE_MAX];
    unsigned ntaken;
};

static void dev_init(struct device *d, struct virtq *q)
{
    memset(d, 0, sizeof(*d));
    d->q = q;
}

/* Takes every published buffer; returns how many. */
static unsigned dev_take(struct device *d)
{
    unsigned n = 0;

    while (d->last_avail != d->q->avail->idx) {
        d->taken[d->ntaken++] = d->q->avail->ring[d->last_avail & (d->q->size - 1)];
        d->last_avail++;
        n++;
    }
    return n;
}

/* Returns taken buffer number i (swap-remove: completion order varies). */
static void dev_complete(struct device *d, unsigned i, uint32_t len)
{
    struct virtq_used_elem *e = &d->q->used->ring[d->used_idx & (d->q->size - 1)];

    e->id = d->taken[i];
    e->len = len;
    d->taken[i] = d->taken[--d->ntaken];
    d->used_idx++;
    d->q->used->idx = d->used_idx;
}

static unsigned chain_length(const struct virtq *q, uint16_t head)
{
    unsigned n = 1;

    while (q->desc[head].flags & VIRTQ_DESC_F_NEXT) {
        head = q->desc[head].next;
        n++;
    }
    return n;
}

static unsigned free_list_length(const struct virtq *q)
{
    unsigned n = 0;
    uint16_t d = q->free_head;

    for (unsigned i = 0; i < q->num_free; i++, n++)
        d = q->desc[d].next;
    return n;
}

static void test_layout(void)
{
    CHECK(virtq_ring_bytes(256, 4096) == 8192 + 6 + 8 * 256);
    CHECK(virtq_ring_bytes(4, 4) == 80 + 6 + 32);
    CHECK(virtq_ring_bytes(4, 4096) == 4096 + 38);

    struct virtq q;
    CHECK(virtq_init(&q, 0, 256, ring_mem, 4096, false, cookies) == VIRTQ_OK);
    CHECK((unsigned char *)q.avail == ring_mem + 4096);
    CHECK((unsigned char *)q.used == ring_mem + 8192);
    CHECK((unsigned char *)virtq_used_event(&q) == ring_mem + 4096 + 4 + 512);
    CHECK((unsigned char *)virtq_avail_event(&q) == ring_mem + 8192 + 4 + 2048);
    CHECK(q.num_free == 256 && free_list_length(&q) == 256);
}

static void test_init_rejects(void)
{
    struct virtq q;

    CHECK(virtq_init(&q, 0, 0, ring_mem, 4096, false, cookies) == VIRTQ_EINVAL);
    CHECK(virtq_init(&q, 0, 3, ring_mem, 4096, false, cookies) == VIRTQ_EINVAL);
    CHECK(virtq_init(&q, 0, 8, ring_mem, 3, false, cookies) == VIRTQ_EINVAL);
    CHECK(virtq_init(&q, 0, 8, NULL, 4096, false, cookies) == VIRTQ_EINVAL);
    CHECK(virtq_init(&q, 0, 8, ring_mem, 4096, false, NULL) == VIRTQ_EINVAL);
}

static void test_chain_flags(void)
{
    struct virtq q;
    int cookie;
    struct virtq_buf b[3] = { { 0x1000, 12 }, { 0x2000, 100 }, { 0x3000, 2048 } };

    virtq_init(&q, 1, 8, ring_mem, 4, false, cookies);
    CHECK(virtq_add(&q, b, 2, 1, &cookie) == VIRTQ_OK);
    CHECK(q.num_free == 5 && free_list_length(&q) == 5);
    uint16_t head = q.avail->ring[0];
    CHECK(chain_length(&q, head) == 3);
    uint16_t d1 = q.desc[head].next, d2 = q.desc[d1].next;
    CHECK(q.desc[head].addr == 0x1000 && q.desc[head].len == 12);
    CHECK(q.desc[head].flags == VIRTQ_DESC_F_NEXT);
    CHECK(q.desc[d1].flags == VIRTQ_DESC_F_NEXT && q.desc[d1].addr == 0x2000);
    CHECK(q.desc[d2].flags == VIRTQ_DESC_F_WRITE && q.desc[d2].len == 2048);
    /* Not visible until published. */
    CHECK(q.avail->idx == 0);
    virtq_kick_prepare(&q);
    CHECK(q.avail->idx == 1);
}

static void test_invalid_add(void)
{
    struct virtq q;
    int cookie;
    struct virtq_buf b[2] = { { 0x1000, 12 }, { 0x2000, 0 } };

    virtq_init(&q, 0, 4, ring_mem, 4, false, cookies);
    CHECK(virtq_add(&q, b, 0, 0, &cookie) == VIRTQ_EINVAL);
    CHECK(virtq_add(&q, b, 1, 0, NULL) == VIRTQ_EINVAL);
    CHECK(virtq_add(&q, b, 1, 1, &cookie) == VIRTQ_EINVAL);     /* zero-length segment */
    struct virtq_buf five[5] = { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } };
    CHECK(virtq_add(&q, five, 5, 0, &cookie) == VIRTQ_ENOSPC);
    CHECK(q.num_free == 4);
}

static void test_fill_and_drain_out_of_order(void)
{
    struct virtq q;
    struct device d;
    int tags[8];
    struct virtq_buf b = { 0x1000, 64 };

    virtq_init(&q, 0, 8, ring_mem, 4, false, cookies);
    dev_init(&d, &q);
    for (int i = 0; i < 8; i++)
        CHECK(virtq_add(&q, &b, 0, 1, &tags[i]) == VIRTQ_OK);
    CHECK(virtq_add(&q, &b, 0, 1, &tags[0]) == VIRTQ_ENOSPC);
    CHECK(q.num_free == 0);
    virtq_kick_prepare(&q);
    CHECK(dev_take(&d) == 8);

    uint32_t len;
    void *c;
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_EMPTY);
    dev_complete(&d, 3, 10);
    dev_complete(&d, 0, 20);
    CHECK(virtq_pending(&q));
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_OK && c == &tags[3] && len == 10);
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_OK && c == &tags[0] && len == 20);
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_EMPTY);
    CHECK(q.num_free == 2 && free_list_length(&q) == 2);
    while (d.ntaken)
        dev_complete(&d, d.ntaken - 1, 1);
    int seen = 0;
    while (virtq_get(&q, &len, &c) == VIRTQ_OK)
        seen++;
    CHECK(seen == 6 && q.num_free == 8 && free_list_length(&q) == 8);
}

static void test_bad_id(void)
{
    struct virtq q;
    struct device d;
    int tag;
    struct virtq_buf b = { 0x1000, 64 };
    uint32_t len;
    void *c;

    virtq_init(&q, 0, 4, ring_mem, 4, false, cookies);
    dev_init(&d, &q);
    virtq_add(&q, &b, 0, 1, &tag);
    virtq_kick_prepare(&q);
    dev_take(&d);
    d.taken[0] = 7;                         /* out of range */
    dev_complete(&d, 0, 1);
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_EBADID);

    virtq_init(&q, 0, 4, ring_mem, 4, false, cookies);
    dev_init(&d, &q);
    virtq_add(&q, &b, 0, 1, &tag);
    virtq_kick_prepare(&q);
    dev_take(&d);
    d.taken[0] = 2;                         /* in range, but never handed out */
    dev_complete(&d, 0, 1);
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_EBADID);
}

/* Reference: is event in the half-open window (old, new] of moved entries? */
static int need_event_ref(unsigned event, unsigned new_idx, unsigned old)
{
    for (unsigned i = old; (i & 0xFFFF) != (new_idx & 0xFFFF); i++)
        if ((i & 0xFFFF) == (event & 0xFFFF))
            return 1;
    return 0;
}

static void test_need_event(void)
{
    CHECK(virtq_need_event(0, 1, 0));
    CHECK(!virtq_need_event(1, 1, 0));
    CHECK(virtq_need_event(65535, 5, 65530));       /* wrap: 65530..4 includes 65535 */
    CHECK(virtq_need_event(2, 5, 65530));
    CHECK(!virtq_need_event(5, 5, 65530));
    CHECK(!virtq_need_event(65529, 5, 65530));
    CHECK(!virtq_need_event(7, 7, 7));              /* nothing moved */
    for (unsigned trial = 0; trial < 20000; trial++) {
        unsigned old = (unsigned)rand() & 0xFFFF, moved = (unsigned)rand() % 300;
        unsigned new_idx = (old + moved) & 0xFFFF;
        unsigned event = (old + (unsigned)rand() % 600 - 150) & 0xFFFF;
        if (virtq_need_event((uint16_t)event, (uint16_t)new_idx, (uint16_t)old) !=
            need_event_ref(event, new_idx, old)) {
            CHECK(0);
            break;
        }
    }
}

static void test_kick_suppression(void)
{
    struct virtq q;
    int tag;
    struct virtq_buf b = { 0x1000, 64 };

    /* Flag-based: the device's NO_NOTIFY decides. */
    virtq_init(&q, 0, 8, ring_mem, 4, false, cookies);
    CHECK(!virtq_kick_prepare(&q));                 /* nothing new */
    virtq_add(&q, &b, 1, 0, &tag);
    CHECK(virtq_kick_prepare(&q));
    q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
    virtq_add(&q, &b, 1, 0, &tag);
    CHECK(!virtq_kick_prepare(&q));

    /* EVENT_IDX: kick only when avail idx passes avail_event. */
    virtq_init(&q, 0, 8, ring_mem, 4, true, cookies);
    *virtq_avail_event(&q) = 0;
    virtq_add(&q, &b, 1, 0, &tag);
    CHECK(virtq_kick_prepare(&q));                  /* 0 -> 1 passes event 0 */
    virtq_add(&q, &b, 1, 0, &tag);
    CHECK(!virtq_kick_prepare(&q));                 /* device still busy: event stays 0 */
    *virtq_avail_event(&q) = 3;
    virtq_add(&q, &b, 1, 0, &tag);
    CHECK(!virtq_kick_prepare(&q));                 /* 2 -> 3: event 3 not passed */
    virtq_add(&q, &b, 1, 0, &tag);
    virtq_add(&q, &b, 1, 0, &tag);
    CHECK(virtq_kick_prepare(&q));                  /* 3 -> 5 passes 3 */
    CHECK(q.avail->idx == 5);
}

static void test_interrupt_suppression(void)
{
    struct virtq q;
    struct device d;
    int tag;
    struct virtq_buf b = { 0x1000, 64 };

    virtq_init(&q, 0, 8, ring_mem, 4, false, cookies);
    virtq_disable_cb(&q);
    CHECK(q.avail->flags == VIRTQ_AVAIL_F_NO_INTERRUPT);
    CHECK(!virtq_enable_cb(&q));
    CHECK(q.avail->flags == 0);

    virtq_init(&q, 0, 8, ring_mem, 4, true, cookies);
    dev_init(&d, &q);
    virtq_add(&q, &b, 0, 1, &tag);
    virtq_kick_prepare(&q);
    dev_take(&d);
    CHECK(!virtq_enable_cb(&q));
    CHECK(*virtq_used_event(&q) == 0);
    /* The device would interrupt for used idx 0 -> 1. */
    CHECK(virtq_need_event(*virtq_used_event(&q), 1, 0));
    virtq_disable_cb(&q);
    CHECK(!virtq_need_event(*virtq_used_event(&q), 1, 0));
    dev_complete(&d, 0, 5);
    /* A buffer that arrived before re-enabling is reported, not slept on. */
    CHECK(virtq_enable_cb(&q));
    uint32_t len;
    void *c;
    CHECK(virtq_get(&q, &len, &c) == VIRTQ_OK);
    CHECK(!virtq_enable_cb(&q) && *virtq_used_event(&q) == 1);
}

/* 200,000 buffers through an 8-entry queue: both indices wrap many times. */
static void test_wraparound(void)
{
    struct virtq q;
    struct device d;
    int tags[8];
    struct virtq_buf b[2] = { { 0x1000, 12 }, { 0x2000, 1500 } };
    unsigned long done = 0;

    virtq_init(&q, 0, 8, ring_mem, 4, true, cookies);
    dev_init(&d, &q);
    for (unsigned long round = 0; round < 200000 / 4; round++) {
        for (int i = 0; i < 4; i++)
            if (virtq_add(&q, b, 1, 1, &tags[i]) != VIRTQ_OK)
                CHECK(0);
        virtq_kick_prepare(&q);
        if (dev_take(&d) != 4)
            CHECK(0);
        while (d.ntaken)
            dev_complete(&d, (unsigned)(round % d.ntaken), 1500);
        uint32_t len;
        void *c;
        while (virtq_get(&q, &len, &c) == VIRTQ_OK)
            done++;
    }
    CHECK(done == 200000);
    CHECK(q.num_free == 8 && free_list_length(&q) == 8);
    CHECK(q.avail->idx == (uint16_t)200000 && q.last_used == (uint16_t)200000);
}

/* Random chains, random completion order: the descriptor count always adds up. */
static void test_random_model(void)
{
    struct virtq q;
    struct device d;
    static int tags[64];
    unsigned outstanding_descs = 0;
    unsigned seglen[64] = { 0 };

    srand(7);
    virtq_init(&q, 2, 64, ring_mem, 4096, rand() & 1, cookies);
    dev_init(&d, &q);
    for (int step = 0; step < 100000; step++) {
        if (rand() % 3) {
            unsigned n = 1 + (unsigned)rand() % 5;
            struct virtq_buf b[5];
            int t = rand() % 64;
            for (unsigned i = 0; i < n; i++)
                b[i] = (struct virtq_buf){ 0x1000u * (i + 1), 100 };
            int err = virtq_add(&q, b, n / 2, n - n / 2, &tags[t]);
            if (err == VIRTQ_OK) {
                outstanding_descs += n;
                seglen[q.avail->ring[(uint16_t)(q.avail_next - 1) & 63]] = n;
            } else if (err != VIRTQ_ENOSPC || n <= q.num_free) {
                CHECK(0);
            }
            virtq_kick_prepare(&q);
            dev_take(&d);
        } else if (d.ntaken) {
            unsigned i = (unsigned)rand() % d.ntaken;
            uint16_t head = d.taken[i];
            dev_complete(&d, i, 1);
            uint32_t len;
            void *c;
            if (virtq_get(&q, &len, &c) != VIRTQ_OK)
                CHECK(0);
            outstanding_descs -= seglen[head];
        }
        if (q.num_free + outstanding_descs != 64 || free_list_length(&q) != q.num_free) {
            CHECK(0);
            break;
        }
    }
}

int main(void)
{
    static const struct check_case cases[] = {
        { "layout", test_layout },
        { "init-rejects", test_init_rejects },
        { "chain-flags", test_chain_flags },
        { "invalid-add", test_invalid_add },
        { "fill-drain-out-of-order", test_fill_and_drain_out_of_order },
        { "bad-id", test_bad_id },
        { "need-event", test_need_event },
        { "kick-suppression", test_kick_suppression },
        { "interrupt-suppression", test_interrupt_suppression },
        { "wraparound", test_wraparound },
        { "random-model", test_random_model },
    };
    return check_run("virtqueue", cases, sizeof(cases) / sizeof(cases[0]));
}

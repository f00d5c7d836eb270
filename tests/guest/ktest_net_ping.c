/*
 * ktest_net_ping.c - the sending side of the two-VM test: a handshake,
 * then COUNT numbered frames with at most WINDOW unanswered, each echo
 * checked byte for byte; prints throughput, round-trip times and the
 * driver's counters (kicks, interrupts, merged buffers).
 */
#include "clock.h"
#include "console.h"
#include "pmem.h"
#include "virtio_net.h"

#include <string.h>

/*
 * Shared by ktest_net_pair.c (which defines them) and ktest_net_ping.c.
 * Only .c files belong to this test program, so the declarations are
 * repeated in both files instead of living in a header.
 */
#define KNET_ETHERTYPE  0x88B5
#define KNET_HEAD_LEN   34              /* Ethernet 14 + test header 20 */
#define KNET_HELLO      1
#define KNET_DATA       2
#define KNET_BYE        3
extern int knet_failures;
void knet_expect(int ok, const char *what);
uint32_t knet_get32(const uint8_t *p);
uint32_t knet_fnv1a(const uint8_t *p, size_t n);
void knet_fill_body(uint8_t *b, size_t n, uint32_t seq);
void knet_build_head(uint8_t *h, const uint8_t dst[6], const uint8_t src[6], uint8_t type,
                     uint32_t seq, const uint8_t *body, uint32_t body_len);
size_t knet_gather(const struct vnet_frame *f, uint8_t *out, size_t cap);
bool knet_ours(const uint8_t *p, size_t len);
void knet_print_stats(struct netdev *d, const char *who);
void knet_check_interrupts(struct netdev *d);
struct netdev *knet_bring_up(const char *mode);
void knet_drive(struct netdev *d, uint64_t sleep_ns);
int knet_case_ping(const char *mode, uint32_t count, uint32_t size, uint32_t window);
unsigned parse_uint(const char *s);

#define SLOTS_MAX       256

struct slot {
    uint8_t head[64];
    uint8_t *body;
    bool busy;
};

struct ping {
    struct netdev *dev;
    uint8_t peer[6];
    bool have_peer;
    uint32_t count, body_len;
    uint8_t *seen;
    uint64_t *sent_at;
    uint32_t *rtt;
    uint64_t received, bad, dup, stray;
    uint8_t *scratch;
    uint8_t *expect_body;
};

static struct slot slots[SLOTS_MAX];

static void ping_rx(void *ctx, struct netdev *d, const struct vnet_frame *f)
{
    struct ping *p = ctx;
    uint8_t *b = p->scratch;
    size_t len = knet_gather(f, b, d->max_frame);

    if (!knet_ours(b, len) || memcmp(b, d->mac, 6)) {
        p->stray++;
        return;
    }
    uint32_t seq = knet_get32(b + 22), blen = knet_get32(b + 26);
    if (b[18] == KNET_HELLO) {
        memcpy(p->peer, b + 6, 6);
        p->have_peer = true;
        return;
    }
    if (b[18] != KNET_DATA)
        return;
    if (seq >= p->count || blen != p->body_len || len != KNET_HEAD_LEN + blen ||
        knet_fnv1a(b + KNET_HEAD_LEN, blen) != knet_get32(b + 30)) {
        p->bad++;
        return;
    }
    knet_fill_body(p->expect_body, blen, seq);
    if (memcmp(p->expect_body, b + KNET_HEAD_LEN, blen)) {
        p->bad++;
        return;
    }
    if (p->seen[seq]) {
        p->dup++;
        return;
    }
    p->seen[seq] = 1;
    p->rtt[p->received++] = (uint32_t)((clock_ns() - p->sent_at[seq]) / 1000);
}

static void ping_tx_done(void *ctx, struct netdev *d, void *cookie)
{
    (void)ctx;
    (void)d;
    ((struct slot *)cookie)->busy = false;
}

static volatile bool hello_sent;

static void hello_tx_done(void *ctx, struct netdev *d, void *cookie)
{
    (void)ctx;
    (void)d;
    if (cookie == &hello_sent)
        hello_sent = true;
    else
        ((struct slot *)cookie)->busy = false;
}

/* HELLO from a stack buffer; returns once the device has finished with it. */
static void send_hello(struct ping *p, uint8_t type)
{
    static const uint8_t broadcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    uint8_t frame[KNET_HEAD_LEN + 26];

    memset(frame, 0, sizeof(frame));
    knet_build_head(frame, p->have_peer ? p->peer : broadcast, p->dev->mac, type, 0, NULL, 0);
    struct vnet_iov iov = { frame, sizeof(frame) };
    hello_sent = false;
    if (vnet_send(p->dev, &iov, 1, (void *)&hello_sent) != VNET_OK)
        return;
    for (uint64_t end = clock_ns() + 1000000000; !hello_sent && clock_ns() < end;)
        vnet_poll(p->dev, 64);
}

static void heap_sort(uint32_t *a, uint64_t n)
{
    for (uint64_t end = n; end > 1; end--) {
        for (uint64_t start = end / 2; start-- > 0;) {
            for (uint64_t root = start; 2 * root + 1 < end;) {
                uint64_t child = 2 * root + 1;
                if (child + 1 < end && a[child + 1] > a[child])
                    child++;
                if (a[root] >= a[child])
                    break;
                uint32_t t = a[root]; a[root] = a[child]; a[child] = t;
                root = child;
            }
        }
        uint32_t t = a[0]; a[0] = a[end - 1]; a[end - 1] = t;
    }
}

static void report(struct ping *p, uint64_t elapsed_ns)
{
    uint64_t us = elapsed_ns / 1000 ? elapsed_ns / 1000 : 1;
    uint64_t bytes = p->received * (KNET_HEAD_LEN + p->body_len);

    kprintf("ping: %u frames of %u bytes: %llu echoed, %llu lost, %llu bad, %llu duplicate, "
            "%llu stray\n", p->count, KNET_HEAD_LEN + p->body_len, (unsigned long long)p->received,
            (unsigned long long)(p->count - p->received), (unsigned long long)p->bad,
            (unsigned long long)p->dup, (unsigned long long)p->stray);
    kprintf("ping: %llu ms, %llu frames/s, %llu KB/s each way\n",
            (unsigned long long)(elapsed_ns / 1000000),
            (unsigned long long)(p->received * 1000000 / us),
            (unsigned long long)(bytes * 1000000 / us / 1024));
    if (p->received) {
        /* Only a small sample is sorted: heap sort of 100k entries is slow enough. */
        uint64_t n = p->received < 4096 ? p->received : 4096;
        heap_sort(p->rtt, n);
        kprintf("ping: rtt us min %u median %u p99 %u max %u (first %llu frames)\n", p->rtt[0],
                p->rtt[n / 2], p->rtt[n * 99 / 100], p->rtt[n - 1], (unsigned long long)n);
    }
}

int knet_case_ping(const char *mode, uint32_t count, uint32_t size, uint32_t window)
{
    static struct ping p;
    struct netdev *d = knet_bring_up(mode);

    if (!d)
        return 1;
    if (window < 1)
        window = 1;
    if (window > SLOTS_MAX / 2)
        window = SLOTS_MAX / 2;
    knet_expect(size >= 46 && size <= d->mtu, "payload size within 46..MTU");
    if (knet_failures)
        return 1;
    p.dev = d;
    p.count = count;
    p.body_len = size + 14 - KNET_HEAD_LEN;
    uint64_t mem = pmem_alloc((uint64_t)count * 13 + 2 * d->max_frame +
                              (uint64_t)2 * window * p.body_len + 4096, 4096);
    knet_expect(mem != 0, "test memory");
    if (!mem)
        return 1;
    uint8_t *m = (uint8_t *)(uintptr_t)mem;
    p.sent_at = (uint64_t *)m;
    p.rtt = (uint32_t *)(m + 8ull * count);
    p.seen = m + 12ull * count;
    memset(p.seen, 0, count);
    p.scratch = p.seen + count;
    p.expect_body = p.scratch + d->max_frame;
    for (uint32_t i = 0; i < 2 * window; i++)
        slots[i] = (struct slot){ .body = p.expect_body + d->max_frame + (size_t)i * p.body_len };
    struct vnet_client c = { ping_rx, hello_tx_done, &p, false };
    vnet_set_client(d, &c);

    uint64_t deadline = clock_ns() + 60ull * 1000000000;
    while (!p.have_peer && clock_ns() < deadline) {
        send_hello(&p, KNET_HELLO);
        for (uint64_t end = clock_ns() + 50000000; !p.have_peer && clock_ns() < end;)
            knet_drive(d, 10000000);
    }
    knet_expect(p.have_peer, "the echo peer answered");
    if (!p.have_peer)
        return 1;
    kprintf("ping: peer %02x:%02x:%02x:%02x:%02x:%02x answered\n", p.peer[0], p.peer[1],
            p.peer[2], p.peer[3], p.peer[4], p.peer[5]);
    c.tx_done = ping_tx_done;
    vnet_set_client(d, &c);
    d->stats = (struct vnet_stats){ 0 };

    uint64_t start = clock_ns(), last_progress = start;
    uint32_t next = 0;
    uint64_t seen_before = 0;
    while (p.received < count && clock_ns() - last_progress < 5000000000ull) {
        while (next < count && next - p.received < window) {
            struct slot *s = NULL;
            for (uint32_t i = 0; i < 2 * window && !s; i++)
                if (!slots[i].busy)
                    s = &slots[i];
            if (!s)
                break;
            knet_fill_body(s->body, p.body_len, next);
            knet_build_head(s->head, p.peer, d->mac, KNET_DATA, next, s->body, p.body_len);
            struct vnet_iov iov[2] = { { s->head, KNET_HEAD_LEN }, { s->body, p.body_len } };
            p.sent_at[next] = clock_ns();
            if (vnet_send(d, iov, 2, s) != VNET_OK)
                break;
            s->busy = true;
            next++;
        }
        knet_drive(d, 100000000);
        if (p.received != seen_before) {
            seen_before = p.received;
            last_progress = clock_ns();
        }
    }
    uint64_t elapsed = clock_ns() - start;
    for (int i = 0; i < 3; i++) {
        send_hello(&p, KNET_BYE);
        for (uint64_t end = clock_ns() + 20000000; clock_ns() < end;)
            vnet_poll(d, 64);
    }
    report(&p, elapsed);
    knet_print_stats(d, "ping");
    uint64_t sent = d->stats.tx_frames ? d->stats.tx_frames : 1;
    kprintf("ping: %llu kicks per 1000 frames sent\n",
            (unsigned long long)(d->stats.kicks * 1000 / sent));
    knet_expect(p.received == count, "every frame echoed");
    knet_expect(p.bad == 0, "no corrupted echo");
    knet_expect(p.dup == 0, "no duplicate echo");
    knet_check_interrupts(d);
    if (knet_failures)
        return 1;
    kprintf("ok ping\n");
    return 0;
}


/*
 * ktest_net_pair.c - two VMs exchanging raw Ethernet frames through
 * virtio-net: `ping` (ktest_net_ping.c) sends numbered frames whose
 * payload carries a checksum, `echo` (here) sends every frame back,
 * `ping` verifies each echo. This file also holds the frame format and
 * the checks both sides share, and runs a case on another CPU (cpu=N).
 *
 * Frames use EtherType 0x88B5 (IEEE local experimental). After the
 * Ethernet header: magic "HMNT", type, sequence number, body length and
 * the body's FNV-1a hash; the body is a pattern derived from the
 * sequence number, so a corrupted, misrouted or stale frame is caught.
 * The handshake (HELLO, broadcast, repeated until echoed) is sent from
 * a stack buffer on purpose: stacks are not identity-mapped, so it
 * exercises the driver's address translation.
 */
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "irq.h"
#include "percpu.h"
#include "pmem.h"
#include "thread.h"
#include "trap.h"
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

#define MAGIC           0x544E4D48u     /* "HMNT" little-endian */
#define POOL            256

int knet_failures;

void knet_expect(int ok, const char *what)
{
    if (!ok) {
        kprintf("FAIL: %s\n", what);
        knet_failures++;
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

uint32_t knet_get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint32_t knet_fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

void knet_fill_body(uint8_t *b, size_t n, uint32_t seq)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

void knet_build_head(uint8_t *h, const uint8_t dst[6], const uint8_t src[6], uint8_t type,
                       uint32_t seq, const uint8_t *body, uint32_t body_len)
{
    memcpy(h, dst, 6);
    memcpy(h + 6, src, 6);
    h[12] = KNET_ETHERTYPE >> 8;
    h[13] = KNET_ETHERTYPE & 0xFF;
    put32(h + 14, MAGIC);
    h[18] = type;
    h[19] = h[20] = h[21] = 0;
    put32(h + 22, seq);
    put32(h + 26, body_len);
    put32(h + 30, body_len ? knet_fnv1a(body, body_len) : 0);
}

/* Copies a (possibly merged) frame into one buffer; returns its length. */
size_t knet_gather(const struct vnet_frame *f, uint8_t *out, size_t cap)
{
    size_t n = 0;

    for (unsigned i = 0; i < f->nseg && n + f->seg[i].len <= cap; i++) {
        memcpy(out + n, f->seg[i].base, f->seg[i].len);
        n += f->seg[i].len;
    }
    return n;
}

bool knet_ours(const uint8_t *p, size_t len)
{
    return len >= KNET_HEAD_LEN && p[12] == (KNET_ETHERTYPE >> 8) &&
           p[13] == (KNET_ETHERTYPE & 0xFF) && knet_get32(p + 14) == MAGIC;
}

void knet_print_stats(struct netdev *d, const char *who)
{
    const struct vnet_stats *s = &d->stats;

    kprintf("%s stats: rx %llu frames %llu bytes, %llu dropped, %llu merged buffers, "
            "%llu csum-valid; tx %llu frames, %llu busy; kicks %llu, irqs %llu (vector %llu), "
            "waits %llu, sleeps %llu\n", who,
            (unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes,
            (unsigned long long)s->rx_dropped, (unsigned long long)s->rx_merged,
            (unsigned long long)s->rx_csum_valid, (unsigned long long)s->tx_frames,
            (unsigned long long)s->tx_busy, (unsigned long long)s->kicks,
            (unsigned long long)s->irqs, (unsigned long long)irq_count(d->vector_queue),
            (unsigned long long)s->waits, (unsigned long long)s->wait_sleeps);
}

/*
 * Interrupts the device raised while it came up, before polling mode was
 * set (link status, DRIVER_OK), are not the polling mode's.
 */
static uint64_t polling_irqs_base, polling_vector_base;

/* Interrupt mode: no interrupts unless we slept. Polling mode: none at all. */
void knet_check_interrupts(struct netdev *d)
{
    /* Device interrupts belong to the boot CPU, wherever the driving thread runs. */
    if (d->vector_queue >= 0) {
        uint64_t others = 0;
        for (unsigned c = 1; c < CPU_MAX; c++)
            others += trap_count(c, (unsigned)d->vector_queue);
        uint64_t boot = trap_count(0, (unsigned)d->vector_queue);
        kprintf("%s: vector %d on cpu 0: %llu, on other cpus: %llu; driving thread on cpu %u\n",
                d->name, d->vector_queue, (unsigned long long)boot, (unsigned long long)others,
                cpu_index());
        knet_expect(others == 0, "device interrupts only on the boot CPU");
    }
    if (d->polling) {
        knet_expect(d->stats.irqs == polling_irqs_base, "polling mode takes no interrupts");
        knet_expect(d->vector_queue < 0 || irq_count(d->vector_queue) == polling_vector_base,
               "the device's vector never fired in polling mode");
    } else {
        knet_expect(d->stats.wait_sleeps == 0 || d->stats.irqs > 0,
               "interrupts woke the sleeping thread");
    }
}

struct netdev *knet_bring_up(const char *mode)
{
    if (virtio_net_probe_all() < 1) {
        knet_expect(0, "a virtio-net device came up");
        return NULL;
    }
    struct netdev *d = vnet_get(0);
    vnet_set_polling(d, !strcmp(mode, "poll"));
    clock_delay_ns(1000000);            /* let a bring-up interrupt in flight land */
    polling_irqs_base = d->stats.irqs;
    polling_vector_base = d->vector_queue < 0 ? 0 : irq_count(d->vector_queue);
    kprintf("%s: transport %s irq %s mode %s mtu %u mac %02x:%02x:%02x:%02x:%02x:%02x\n",
            d->name, d->transport, d->irq_kind, d->polling ? "poll" : "irq", d->mtu, d->mac[0],
            d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
    return d;
}

/* One iteration of a driving loop: poll, and sleep (interrupt mode) if idle. */
void knet_drive(struct netdev *d, uint64_t sleep_ns)
{
    if (vnet_poll(d, 64) == 0 && !d->polling)
        vnet_wait(d, clock_ns() + sleep_ns);
}

/* --- echo ------------------------------------------------------------------ */

struct echo {
    struct netdev *dev;
    uint8_t *free[POOL];
    unsigned nfree;
    uint64_t echoed, dropped;
    bool bye;
};

static void echo_rx(void *ctx, struct netdev *d, const struct vnet_frame *f)
{
    struct echo *e = ctx;

    if (!e->nfree) {
        e->dropped++;
        return;
    }
    uint8_t *buf = e->free[--e->nfree];
    size_t len = knet_gather(f, buf, d->max_frame);
    if (!knet_ours(buf, len)) {
        e->free[e->nfree++] = buf;
        return;
    }
    memcpy(buf, buf + 6, 6);
    memcpy(buf + 6, d->mac, 6);
    if (buf[18] == KNET_BYE)
        e->bye = true;
    struct vnet_iov iov = { buf, len };
    if (vnet_send(d, &iov, 1, buf) != VNET_OK) {
        e->free[e->nfree++] = buf;
        e->dropped++;
        return;
    }
    e->echoed++;
}

static void echo_tx_done(void *ctx, struct netdev *d, void *cookie)
{
    struct echo *e = ctx;

    (void)d;
    e->free[e->nfree++] = cookie;
}

static int case_echo(const char *mode)
{
    static struct echo e;
    struct netdev *d = knet_bring_up(mode);

    if (!d)
        return 1;
    uint64_t pool = pmem_alloc((uint64_t)POOL * d->max_frame, 4096);
    knet_expect(pool != 0, "echo buffers");
    if (!pool)
        return 1;
    e.dev = d;
    for (unsigned i = 0; i < POOL; i++)
        e.free[e.nfree++] = (uint8_t *)(uintptr_t)pool + (size_t)i * d->max_frame;
    struct vnet_client c = { echo_rx, echo_tx_done, &e, false };
    vnet_set_client(d, &c);

    uint64_t deadline = clock_ns() + 90ull * 1000000000;
    while (!e.bye && clock_ns() < deadline)
        knet_drive(d, 500000000);
    /* Let the last echoes leave before the VM goes away. */
    for (uint64_t end = clock_ns() + 200000000; e.nfree < POOL && clock_ns() < end;)
        knet_drive(d, 10000000);
    kprintf("echo: %llu frames echoed, %llu dropped, bye %s\n", (unsigned long long)e.echoed,
            (unsigned long long)e.dropped, e.bye ? "yes" : "no");
    knet_print_stats(d, "echo");
    knet_expect(e.bye, "the peer said goodbye");
    knet_expect(e.dropped == 0, "nothing dropped");
    knet_check_interrupts(d);
    if (knet_failures)
        return 1;
    kprintf("ok echo\n");
    return 0;
}

struct pair_args {
    const char *name, *mode;
    uint32_t count, size, window;
    int result;
};

static void *pair_thread(void *arg)
{
    struct pair_args *a = arg;

    if (!strcmp(a->name, "echo"))
        a->result = case_echo(a->mode);
    else
        a->result = knet_case_ping(a->mode, a->count, a->size, a->window);
    return NULL;
}

int ktest_net_pair(const char *name, int argc, char **argv)
{
    struct pair_args a = { name, argc > 2 ? argv[2] : "irq", 1000, 1500, 16, 1 };
    uint32_t *numbers[3] = { &a.count, &a.size, &a.window };
    int cpu = -1, pos = 0;

    if (strcmp(a.mode, "irq") && strcmp(a.mode, "poll")) {
        kprintf("mode must be irq or poll\n");
        return 2;
    }
    /* Numbers in order (COUNT SIZE WINDOW); cpu=N runs the case on CPU N. */
    for (int i = 3; i < argc; i++) {
        if (!strncmp(argv[i], "cpu=", 4))
            cpu = (int)parse_uint(argv[i] + 4);
        else if (pos < 3)
            *numbers[pos++] = parse_uint(argv[i]);
    }
    if (cpu < 0) {
        pair_thread(&a);
        return a.result;
    }
    struct thread_attr attr = { 0, cpu, false, "net" };
    struct thread *t;
    if (thread_create(&t, &attr, pair_thread, &a)) {
        kprintf("cannot start a thread on cpu %d\n", cpu);
        return 2;
    }
    thread_join(t, NULL);
    return a.result;
}

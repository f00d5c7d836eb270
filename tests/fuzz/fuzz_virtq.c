/*
 * fuzz_virtq.c - a split virtqueue (drivers/virtio/virtq.c) driven by a
 * driver that posts buffers and a hostile device that returns whatever
 * used elements it likes: ids of buffers it never got or already
 * returned, any length, used->idx jumping anywhere, any flags and event
 * index.
 *
 * Input: byte 0 gives the queue size (bits 0-2: 1..32 entries), EVENT_IDX
 * (bit 3) and the receive side's header and merging (bits 4, 5); then
 * operations, each a byte and its arguments:
 *   add OUT IN LEN16...   the driver queues a buffer of OUT+IN segments
 *   kick                  virtq_kick_prepare
 *   used SEL ID32 LEN32   the device writes the next used element: the id
 *                         is the next head it was offered (SEL bit 7
 *                         clear) or ID32, then bumps used->idx
 *   jump N16              the device moves used->idx by N
 *   get                   virtq_get
 *   enable, disable, pending, event FLAGS16 EVENT16
 * The ring lives in a heap block of exactly virtq_ring_bytes (used ring
 * aligned to 4), so ASan sees any access past it.
 *
 * Properties: virtq_get hands back only outstanding buffers, each once,
 * and says VIRTQ_EBADID exactly when the id is not an outstanding head
 * (the queue is then dead: the harness stops); add refuses exactly what
 * it should; after every step the free list holds num_free distinct
 * descriptors and those plus the outstanding chains make the whole table.
 *
 * Buffers with device-writable segments are receive buffers: what
 * virtq_get returns goes through the driver's frame assembly
 * (drivers/virtio/vnet_rx.c, as vnet_io.c feeds it: header of byte 0
 * bit 4 ? 12 : 10 bytes, merged buffers if bit 5), and a delivered
 * frame's bytes are all read, as the network stack would. Properties
 * there: a frame with a buffer whose used length exceeds what was posted
 * for it is never delivered (VNET_RX_BADLEN, issue 15 item 8), and
 * delivered segments lie inside their buffers.
 */
#include "fuzz.h"
#include "virtq.h"
#include "vnet_rx.h"

#define SEGS_MAX 6

struct posted {
    uint8_t *in;            /* the device-writable bytes */
    size_t in_len;
    unsigned descs;
    int outstanding;
};

struct sim {
    struct virtq q;
    void *mem;
    void **cookies;
    struct posted *by_head[VIRTQ_SIZE_MAX];
    unsigned outstanding_descs;
    uint16_t dev_avail;     /* next avail slot the device reads */
    struct vnet_rx rx;      /* the frame being assembled */
    size_t posted[VNET_RX_SEGS_MAX];   /* size of each of rx.seg_buf */
    int bad_len;            /* a buffer of this frame claimed more than posted */
};

static void check_free_list(const struct sim *s)
{
    static uint8_t seen[VIRTQ_SIZE_MAX];
    const struct virtq *q = &s->q;
    uint16_t d = q->free_head;

    FUZZ_CHECK(q->num_free + s->outstanding_descs == q->size);
    memset(seen, 0, q->size);
    for (unsigned i = 0; i < q->num_free; i++) {
        FUZZ_CHECK(d < q->size && !seen[d]);
        seen[d] = 1;
        d = q->desc[d].next;
    }
}

static void op_add(struct sim *s, struct fuzz_in *in)
{
    unsigned out = fuzz_u8(in) % 4, nin = fuzz_u8(in) % 4, n = out + nin;
    struct virtq_buf bufs[SEGS_MAX];
    size_t in_len = 0;
    int zero = 0;

    for (unsigned i = 0; i < n; i++) {
        bufs[i].len = fuzz_u16(in) % 2048;
        zero |= bufs[i].len == 0;
        if (i >= out)
            in_len += bufs[i].len;
    }
    struct posted *p = calloc(1, sizeof(*p));
    p->in = malloc(in_len ? in_len : 1);
    p->in_len = in_len;
    p->descs = n;
    size_t at = 0;
    for (unsigned i = 0; i < n; i++) {
        bufs[i].addr = i < out ? 0x1000 * (i + 1) : (uintptr_t)(p->in + at);
        if (i >= out)
            at += bufs[i].len;
    }
    uint16_t head = s->q.free_head, num_free = s->q.num_free;
    int err = virtq_add(&s->q, bufs, out, nin, p);
    if (n == 0 || zero) {
        FUZZ_CHECK(err == VIRTQ_EINVAL);
    } else if (n > num_free) {
        FUZZ_CHECK(err == VIRTQ_ENOSPC);
    } else {
        FUZZ_CHECK(err == VIRTQ_OK);
    }
    if (err) {
        free(p->in);
        free(p);
        return;
    }
    FUZZ_CHECK(s->by_head[head] == NULL);
    p->outstanding = 1;
    s->by_head[head] = p;
    s->outstanding_descs += n;
}

static void op_used(struct sim *s, struct fuzz_in *in)
{
    struct virtq *q = &s->q;
    uint8_t sel = fuzz_u8(in);
    uint32_t id = fuzz_u32(in), len = fuzz_u32(in);

    if (!(sel & 0x80)) {
        /* A well-behaved device's id: the next head the driver published. */
        if (s->dev_avail == q->avail->idx)
            return;
        id = q->avail->ring[s->dev_avail++ & (q->size - 1)];
    }
    uint16_t idx = q->used->idx;
    q->used->ring[idx & (q->size - 1)] = (struct virtq_used_elem){ id, len };
    q->used->idx = (uint16_t)(idx + 1);
}

/* vnet_io.c's receive step: the buffer joins the frame; a complete frame is judged. */
static void receive(struct sim *s, uint8_t *buf, uint32_t len, size_t posted)
{
    struct vnet_rx *rx = &s->rx;
    struct vnet_frame f;
    unsigned n = rx->nseg;

    if (!vnet_rx_take(rx, buf, len, (uint32_t)posted)) {
        free(buf);              /* not kept: the driver posts it again at once */
    } else {
        s->posted[n] = posted;
        s->bad_len |= len > posted;
    }
    if (rx->need)
        return;
    enum vnet_rx_verdict v = vnet_rx_finish(rx, &f);
    FUZZ_CHECK(!s->bad_len || v == VNET_RX_BADLEN);
    if (v == VNET_RX_DELIVER) {
        static uint8_t frame[1 << 20];
        size_t at = 0;
        FUZZ_CHECK(f.len <= rx->max_frame && f.nseg == rx->nseg);
        for (unsigned i = 0; i < f.nseg; i++) {
            const uint8_t *b = rx->seg_buf[i];
            FUZZ_CHECK(f.seg[i].base >= b && f.seg[i].len <= s->posted[i] &&
                       (size_t)(f.seg[i].base - b) <= s->posted[i] - f.seg[i].len);
            memcpy(frame + at, f.seg[i].base, f.seg[i].len);
            at += f.seg[i].len;
        }
        FUZZ_CHECK(at == f.len);
    }
    for (unsigned i = 0; i < rx->nseg; i++)
        free(rx->seg_buf[i]);
    vnet_rx_reset(rx);
    s->bad_len = 0;
}

/* Returns 0 when the queue is dead (VIRTQ_EBADID). */
static int op_get(struct sim *s)
{
    struct virtq *q = &s->q;
    uint32_t len = 0;
    void *cookie = NULL;
    uint16_t last = q->last_used;
    int empty = q->used->idx == last;
    const struct virtq_used_elem *e = &q->used->ring[last & (q->size - 1)];
    uint32_t want_id = e->id;
    int bad = !empty && (want_id >= q->size || !s->by_head[want_id]);
    int err = virtq_get(q, &len, &cookie);

    FUZZ_CHECK(err == (empty ? VIRTQ_EMPTY : bad ? VIRTQ_EBADID : VIRTQ_OK));
    if (err == VIRTQ_EBADID)
        return 0;
    if (err)
        return 1;
    struct posted *p = cookie;
    FUZZ_CHECK(p == s->by_head[want_id] && p->outstanding);
    FUZZ_CHECK(q->last_used == (uint16_t)(last + 1));
    p->outstanding = 0;
    s->by_head[want_id] = NULL;
    s->outstanding_descs -= p->descs;
    if (p->in_len)
        receive(s, p->in, len, p->in_len);
    else
        free(p->in);
    free(p);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sim s;
    struct fuzz_in in = { data, size };
    uint8_t cfg = fuzz_u8(&in);
    uint16_t qsize = (uint16_t)(1u << (cfg & 7) % 6);
    size_t bytes = virtq_ring_bytes(qsize, 4);

    memset(&s, 0, sizeof(s));
    s.rx.hdr_len = cfg & 0x10 ? VNET_HDR_LEN : VNET_HDR_LEN_LEGACY;
    s.rx.mergeable = (cfg & 0x20) != 0;
    s.rx.max_frame = 1514;
    s.mem = malloc(bytes);
    s.cookies = malloc(qsize * sizeof(void *));
    FUZZ_CHECK(virtq_init(&s.q, 0, qsize, s.mem, 4, cfg & 8, s.cookies) == VIRTQ_OK);
    check_free_list(&s);

    int alive = 1;
    for (unsigned steps = 0; alive && in.left && steps < 4096; steps++) {
        switch (fuzz_u8(&in) % 10) {
        case 0: op_add(&s, &in); break;
        case 1: virtq_kick_prepare(&s.q); break;
        case 2: op_used(&s, &in); break;
        case 3: s.q.used->idx = (uint16_t)(s.q.used->idx + fuzz_u16(&in)); break;
        case 4: alive = op_get(&s); break;
        case 5: virtq_enable_cb(&s.q); break;
        case 6: virtq_disable_cb(&s.q); break;
        case 7: virtq_pending(&s.q); break;
        case 8:
            s.q.used->flags = fuzz_u16(&in);
            *virtq_avail_event(&s.q) = fuzz_u16(&in);
            break;
        case 9:
            /* Drain as a driver does after an interrupt. */
            for (int i = 0; alive && i < 64 && virtq_pending(&s.q); i++)
                alive = op_get(&s);
            break;
        }
        if (alive)
            check_free_list(&s);
    }
    for (unsigned i = 0; i < s.rx.nseg; i++)
        free(s.rx.seg_buf[i]);
    for (unsigned i = 0; i < qsize; i++) {
        if (s.by_head[i]) {
            free(s.by_head[i]->in);
            free(s.by_head[i]);
        }
    }
    free(s.cookies);
    free(s.mem);
    return 0;
}

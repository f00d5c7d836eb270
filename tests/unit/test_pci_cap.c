/*
 * test_pci_cap.c - the capability list walk (drivers/pci_cap.c) and
 * virtio's vendor capabilities (drivers/virtio/virtio_pci_cap.c) on a
 * fake 256-byte configuration space that a device may have filled with
 * anything: loops, pointers into the header, capabilities cut short,
 * notify offsets past their structure.
 */
#include "check.h"
#include "pci_cap.h"
#include "virtio_pci_cap.h"

#include <string.h>

#define VENDOR  0x09
#define MSIX    0x11
#define WALK_LIMIT 1000     /* far more steps than a list can have */

struct cfg {
    uint8_t b[256];
    unsigned reads;
};

static uint8_t cfg_read8(const void *ctx, uint16_t off)
{
    struct cfg *c = (struct cfg *)ctx;

    c->reads++;
    /* The port mechanism only has 256 bytes: reading past them is a walker's bug. */
    CHECK(off < 256);
    return off < 256 ? c->b[off] : 0xFF;
}

/* An empty function with a capability list starting at `first`. */
static void cfg_init(struct cfg *c, uint8_t first)
{
    memset(c, 0, sizeof(*c));
    c->b[0x06] = 1u << 4;       /* status: capability list */
    c->b[0x34] = first;
}

static void cap(struct cfg *c, uint8_t at, uint8_t id, uint8_t next)
{
    c->b[at] = id;
    c->b[at + 1] = next;
}

/* Counts the entries with `id` the way drivers iterate, giving up at WALK_LIMIT. */
static unsigned count_iterating(struct cfg *c, uint8_t id)
{
    unsigned n = 0;

    for (uint8_t at = 0; (at = pci_cap_find(cfg_read8, c, id, at)) && n < WALK_LIMIT;)
        n++;
    return n;
}

static void test_well_formed(void)
{
    struct cfg c;

    cfg_init(&c, 0x40);
    cap(&c, 0x40, MSIX, 0x50);
    cap(&c, 0x50, VENDOR, 0x60);
    cap(&c, 0x60, VENDOR, 0x84);
    cap(&c, 0x84, VENDOR, 0x00);
    CHECK(pci_cap_find(cfg_read8, &c, MSIX, 0) == 0x40);
    CHECK(pci_cap_find(cfg_read8, &c, VENDOR, 0) == 0x50);
    CHECK(pci_cap_find(cfg_read8, &c, VENDOR, 0x50) == 0x60);
    CHECK(pci_cap_find(cfg_read8, &c, VENDOR, 0x60) == 0x84);
    CHECK(pci_cap_find(cfg_read8, &c, VENDOR, 0x84) == 0);
    CHECK(pci_cap_find(cfg_read8, &c, 0x05, 0) == 0);
    CHECK(count_iterating(&c, VENDOR) == 3);
    CHECK(pci_cap_check(cfg_read8, &c, NULL) == PCI_CAP_LIST_OK);
}

static void test_no_list(void)
{
    struct cfg c;

    cfg_init(&c, 0x40);
    cap(&c, 0x40, MSIX, 0);
    c.b[0x06] = 0;              /* the status bit says there is no list */
    CHECK(pci_cap_find(cfg_read8, &c, MSIX, 0) == 0);
    CHECK(pci_cap_check(cfg_read8, &c, NULL) == PCI_CAP_LIST_OK);
}

/* The bottom two bits of a pointer are reserved and ignored. */
static void test_reserved_bits(void)
{
    struct cfg c;

    cfg_init(&c, 0x43);
    cap(&c, 0x40, VENDOR, 0x51);
    cap(&c, 0x50, MSIX, 0x02);  /* 0x02 & 0xFC = 0: the end */
    CHECK(pci_cap_find(cfg_read8, &c, VENDOR, 0) == 0x40);
    CHECK(pci_cap_find(cfg_read8, &c, MSIX, 0) == 0x50);
    CHECK(pci_cap_check(cfg_read8, &c, NULL) == PCI_CAP_LIST_OK);
}

/* A vendor capability pointing at itself: a driver iterating vendor capabilities never ended. */
static void test_self_loop(void)
{
    struct cfg c;
    uint8_t where = 0;

    cfg_init(&c, 0x40);
    cap(&c, 0x40, VENDOR, 0x40);
    CHECK(count_iterating(&c, VENDOR) == 1);
    CHECK(pci_cap_check(cfg_read8, &c, &where) == PCI_CAP_LIST_LOOP && where == 0x41);
}

static void test_cycle_of_vendor_caps(void)
{
    struct cfg c;
    uint8_t where = 0;

    cfg_init(&c, 0x40);
    cap(&c, 0x40, MSIX, 0x50);
    cap(&c, 0x50, VENDOR, 0x60);
    cap(&c, 0x60, VENDOR, 0x50);
    CHECK(count_iterating(&c, VENDOR) == 2);
    CHECK(pci_cap_find(cfg_read8, &c, MSIX, 0) == 0x40);
    CHECK(pci_cap_check(cfg_read8, &c, &where) == PCI_CAP_LIST_LOOP && where == 0x61);
}

static void test_pointer_into_header(void)
{
    struct cfg c;
    uint8_t where = 0;

    cfg_init(&c, 0x40);
    cap(&c, 0x40, VENDOR, 0x10);
    CHECK(count_iterating(&c, VENDOR) == 1);
    CHECK(pci_cap_check(cfg_read8, &c, &where) == PCI_CAP_LIST_BAD_POINTER && where == 0x41);
    cfg_init(&c, 0x3C);
    CHECK(pci_cap_check(cfg_read8, &c, &where) == PCI_CAP_LIST_BAD_POINTER && where == 0x34);
}

/* 48 entries fill 0x40..0xFC: the longest legal list. */
static void test_full_list(void)
{
    struct cfg c;

    cfg_init(&c, 0x40);
    for (unsigned at = 0x40; at <= 0xFC; at += 4)
        cap(&c, (uint8_t)at, VENDOR, at == 0xFC ? 0 : (uint8_t)(at + 4));
    CHECK(count_iterating(&c, VENDOR) == PCI_CAPS_MAX);
    CHECK(pci_cap_check(cfg_read8, &c, NULL) == PCI_CAP_LIST_OK);
    /* The last one pointing back to the first: a loop after 48. */
    c.b[0xFD] = 0x40;
    CHECK(count_iterating(&c, VENDOR) == PCI_CAPS_MAX);
    CHECK(pci_cap_check(cfg_read8, &c, NULL) == PCI_CAP_LIST_LOOP);
}

/* Any bytes at all: every walk ends within its bound and reads only the 256 bytes. */
static void test_random_spaces(void)
{
    struct cfg c;
    unsigned seed = 15;

    for (int round = 0; round < 20000; round++) {
        for (unsigned i = 0; i < 256; i++) {
            seed = seed * 1103515245u + 12345u;
            c.b[i] = (uint8_t)(seed >> 16);
        }
        c.b[0x06] |= 1u << 4;
        c.b[0x34] |= 0x40;
        c.reads = 0;
        unsigned n = count_iterating(&c, c.b[c.b[0x34] & 0xFC]);
        pci_cap_check(cfg_read8, &c, NULL);
        /* Each find walks at most 48 entries (2 reads each): quadratic at worst. */
        if (n > PCI_CAPS_MAX || c.reads > (PCI_CAPS_MAX + 2) * (2 * PCI_CAPS_MAX + 3)) {
            CHECK(0);
            break;
        }
    }
}

/* A virtio vendor capability of `len` bytes at `at`. */
static void vcap(struct cfg *c, uint8_t at, uint8_t next, uint8_t len, uint8_t type, uint8_t bar,
                 uint32_t offset, uint32_t length, uint32_t mult)
{
    uint32_t f[3] = { offset, length, mult };

    cap(c, at, VENDOR, next);
    c->b[at + 2] = len;
    c->b[at + 3] = type;
    c->b[at + 4] = bar;
    for (unsigned i = 0; i < 3; i++)
        for (unsigned k = 0; k < 4 && at + 8 + 4 * i + k < 256; k++)
            c->b[at + 8 + 4 * i + k] = (uint8_t)(f[i] >> (8 * k));
}

static void test_virtio_caps(void)
{
    struct cfg c;
    struct virtio_pci_cap v;

    cfg_init(&c, 0x40);
    vcap(&c, 0x40, 0x54, 16, VIRTIO_PCI_CAP_COMMON, 4, 0x0000, 0x1000, 0);
    vcap(&c, 0x54, 0xEC, 20, VIRTIO_PCI_CAP_NOTIFY, 4, 0x3000, 0x1000, 4);
    CHECK(virtio_pci_cap_read(cfg_read8, &c, 0x40, &v));
    CHECK(v.type == VIRTIO_PCI_CAP_COMMON && v.bar == 4 && v.offset == 0 && v.length == 0x1000);
    CHECK(virtio_pci_cap_read(cfg_read8, &c, 0x54, &v));
    CHECK(v.type == VIRTIO_PCI_CAP_NOTIFY && v.offset == 0x3000 && v.notify_mult == 4);

    /* A notify capability at 0xEC needs 20 bytes: 0xEC + 20 = 0x100 fits exactly... */
    vcap(&c, 0xEC, 0xF4, 20, VIRTIO_PCI_CAP_NOTIFY, 4, 0, 0x1000, 4);
    CHECK(virtio_pci_cap_read(cfg_read8, &c, 0xEC, &v) && v.notify_mult == 4);
    /* ...at 0xF0 it would run past the configuration space. */
    vcap(&c, 0xF0, 0, 20, VIRTIO_PCI_CAP_NOTIFY, 4, 0, 0x1000, 4);
    CHECK(!virtio_pci_cap_read(cfg_read8, &c, 0xF0, &v));
    /* Shorter than its type needs. */
    vcap(&c, 0x80, 0, 16, VIRTIO_PCI_CAP_NOTIFY, 4, 0, 0x1000, 4);
    CHECK(!virtio_pci_cap_read(cfg_read8, &c, 0x80, &v));
    vcap(&c, 0x80, 0, 8, VIRTIO_PCI_CAP_DEVICE, 4, 0, 0x1000, 0);
    CHECK(!virtio_pci_cap_read(cfg_read8, &c, 0x80, &v));
}

static void test_notify_offset(void)
{
    uint32_t off = 0;

    /* QEMU: multiplier 4, queue n at 4n, a 0x1000-byte structure. */
    CHECK(virtio_pci_notify_offset(0x1000, 4, 1, &off) && off == 4);
    CHECK(virtio_pci_notify_offset(0x1000, 4, 0x3FF, &off) && off == 0xFFC);
    CHECK(!virtio_pci_notify_offset(0x1000, 4, 0x400, &off));
    CHECK(virtio_pci_notify_offset(2, 0, 0xFFFF, &off) && off == 0);     /* all queues share one */
    CHECK(!virtio_pci_notify_offset(1, 0, 0, &off));                    /* too short for 16 bits */
    /* 0xFFFF x 0x10002 wraps to 0x1FFFE in 32 bits: inside, were it computed that way. */
    CHECK(!virtio_pci_notify_offset(0x20000, 0x10002, 0xFFFF, &off));
    CHECK(!virtio_pci_notify_offset(0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFF, &off));
}

int main(void)
{
    static const struct check_case cases[] = {
        { "well-formed", test_well_formed },
        { "no-list", test_no_list },
        { "reserved-bits", test_reserved_bits },
        { "self-loop", test_self_loop },
        { "cycle-of-vendor-caps", test_cycle_of_vendor_caps },
        { "pointer-into-header", test_pointer_into_header },
        { "full-list", test_full_list },
        { "random-spaces", test_random_spaces },
        { "virtio-caps", test_virtio_caps },
        { "notify-offset", test_notify_offset },
    };
    return check_run("pci_cap", cases, sizeof(cases) / sizeof(cases[0]));
}

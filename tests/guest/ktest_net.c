/*
 * ktest_net.c - in-guest tests of the driver layer, one case per run:
 *
 *   ktest_net pci [VENDOR:DEVICE...]     enumerate; each listed ID must be present
 *   ktest_net up MAC [mtu=N] [transport=NAME] [irq=KIND]
 *                                        bring virtio-net up, check what it reports
 *   ktest_net refuse                     a required feature the device lacks
 *   ktest_net wake                       vnet_wake from another CPU ends vnet_wait
 *   ktest_net mmio-fake yes|no           whether the fake register block below became a
 *                                        device (the suite names it on the command line)
 *   ktest_net echo irq|poll              peer of `ping`: echo every frame until BYE
 *   ktest_net ping irq|poll COUNT SIZE WINDOW
 *                                        exchange COUNT frames of SIZE payload bytes
 *
 * tests/suites/drivers.sh runs the pairs as two VMs joined by a QEMU
 * dgram netdev on unix sockets. Output lines are what the suite checks;
 * "ok CASE" means every check passed.
 */
#include "clock.h"
#include "console.h"
#include "discovery.h"
#include "format.h"
#include "msix.h"
#include "pci.h"
#include "thread.h"
#include "virtio.h"
#include "virtio_net.h"

#include <string.h>

int ktest_net_pair(const char *name, int argc, char **argv);
unsigned parse_uint(const char *s);

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        kprintf("FAIL: %s\n", what);
        failures++;
    }
}

static int finish(const char *name)
{
    if (failures)
        return 1;
    kprintf("ok %s\n", name);
    return 0;
}

static unsigned hexval(const char *s, unsigned len)
{
    unsigned v = 0;

    for (unsigned i = 0; i < len && s[i]; i++) {
        char c = s[i];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static void print_bars(struct pci_dev *d)
{
    struct pci_bar b;

    for (unsigned i = 0; i < PCI_BARS; i++)
        if (pci_bar(d, i, &b) == PCI_OK)
            kprintf("  bar%u: %s %#llx size %#llx%s%s\n", i, b.io ? "io" : "mem",
                    (unsigned long long)b.base, (unsigned long long)b.size,
                    b.mem64 ? " 64-bit" : "", b.prefetch ? " prefetchable" : "");
}

static int case_pci(int argc, char **argv)
{
    unsigned n = pci_init();

    const struct platform_info *pi = discovery_platform();

    kprintf("pci: %u functions, access %s\n", n, pci_access_name(pci_access_mode()));
    kprintf("pci: MCFG ecam %#llx buses %u-%u\n", (unsigned long long)pi->ecam_base,
            pi->ecam_bus_start, pi->ecam_bus_end);
    for (unsigned i = 0; i < n; i++) {
        struct pci_dev *d = pci_get(i);
        kprintf("pci %02x:%02x.%u %04x:%04x class %02x.%02x.%02x pin %u line %u\n", d->bus,
                d->slot, d->func, d->vendor, d->device, d->class_code, d->subclass, d->prog_if,
                d->irq_pin, d->irq_line);
        if (d->vendor != VIRTIO_VENDOR_PCI)
            continue;
        print_bars(d);
        uint8_t cap = pci_find_cap(d, PCI_CAP_MSIX, 0);
        if (cap)
            kprintf("  msix: cap %#x, %u entries\n", cap, (pci_read16(d, cap + 2) & 0x7FF) + 1);
        unsigned vendor_caps = 0;
        for (uint8_t c = 0; (c = pci_find_cap(d, PCI_CAP_VENDOR, c));)
            vendor_caps++;
        kprintf("  virtio vendor capabilities: %u\n", vendor_caps);
        uint32_t gsi;
        uint16_t flags;
        if (pci_intx_gsi(d, &gsi, &flags) == PCI_OK)
            kprintf("  intx: gsi %u flags %#x\n", gsi, flags);
    }
    /* ECAM and the ports are two windows on the same registers. */
    if (pci_access_mode() == PCI_ACCESS_ECAM) {
        unsigned same = 0;
        for (unsigned i = 0; i < n; i++) {
            struct pci_dev *d = pci_get(i);
            bool equal = true;
            for (uint16_t off = 0; off < 64; off += 4)
                equal &= pci_read32_via(PCI_ACCESS_ECAM, d->bus, d->slot, d->func, off) ==
                         pci_read32_via(PCI_ACCESS_PORT, d->bus, d->slot, d->func, off);
            same += equal;
        }
        kprintf("pci: ecam and ports agree on %u of %u functions\n", same, n);
        expect(same == n, "ECAM and port reads agree");
    }
    for (int i = 2; i < argc; i++) {
        unsigned vendor = hexval(argv[i], 4), device = hexval(argv[i] + 5, 4);
        bool present = pci_find((uint16_t)vendor, (uint16_t)device, NULL) != NULL;
        kprintf("pci: %04x:%04x %s\n", vendor, device, present ? "present" : "MISSING");
        expect(present, "expected PCI function present");
    }
    expect(n > 0, "at least one PCI function");
    return finish("pci");
}

unsigned parse_uint(const char *s)
{
    unsigned v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned)(*s++ - '0');
    return v;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
    if (strlen(s) != 17)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)hexval(s + 3 * i, 2);
    return true;
}

static const char *arg_value(int argc, char **argv, const char *key)
{
    size_t n = strlen(key);

    for (int i = 2; i < argc; i++)
        if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
            return argv[i] + n + 1;
    return NULL;
}

static void print_netdev(struct netdev *d)
{
    kprintf("%s: transport %s irq %s mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %s\n", d->name,
            d->transport, d->irq_kind, d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4],
            d->mac[5], d->mtu, d->link_up ? "up" : "down");
    kprintf("%s: features %#llx rings rx %u tx %u mrg_rxbuf %s event_idx %s\n", d->name,
            (unsigned long long)d->features, d->rx_ring, d->tx_ring,
            d->features & VIRTIO_NET_F_MRG_RXBUF ? "yes" : "no",
            d->features & VIRTIO_F_EVENT_IDX ? "yes" : "no");
}

static int case_up(int argc, char **argv)
{
    uint8_t want[6];
    unsigned n = virtio_net_probe_all();

    kprintf("virtio-net devices: %u\n", n);
    expect(n >= 1, "a virtio-net device came up");
    if (!n)
        return finish("up");
    struct netdev *d = vnet_get(0);
    print_netdev(d);
    expect(argc > 2 && parse_mac(argv[2], want) && !memcmp(want, d->mac, 6),
           "MAC equals the one on the QEMU command line");
    expect(d->link_up, "link up");
    const uint64_t known = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_MTU |
                           VIRTIO_NET_F_MRG_RXBUF | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_F_EVENT_IDX |
                           VIRTIO_F_ANY_LAYOUT | VIRTIO_F_VERSION_1;
    expect(!(d->features & ~known), "only known features accepted");
    const char *v;
    if ((v = arg_value(argc, argv, "mtu")))
        expect(d->mtu == parse_uint(v), "MTU as the device offered");
    if ((v = arg_value(argc, argv, "transport")))
        expect(!strcmp(v, d->transport), "transport as expected");
    if ((v = arg_value(argc, argv, "irq")))
        expect(!strcmp(v, d->irq_kind), "interrupt kind as expected");
    return finish("up");
}

static int case_refuse(void)
{
    struct virtio_dev *all[VIRTIO_DEVICES_MAX];
    unsigned n = virtio_find_all(all, VIRTIO_DEVICES_MAX);
    struct virtio_dev *d = NULL;

    for (unsigned i = 0; i < n && !d; i++)
        if (all[i]->device_type == VIRTIO_ID_NET)
            d = all[i];
    expect(d != NULL, "a virtio-net device exists");
    if (!d)
        return finish("refuse");
    /* Bit 62 is reserved: no device offers it, so requiring it must fail cleanly. */
    int err = virtio_negotiate(d, 1ull << 62, 1ull << 62);
    uint8_t status = d->ops->get_status(d);
    kprintf("refuse: %s, status %#x, offered %#llx\n", virtio_strerror(err), status,
            (unsigned long long)d->offered);
    expect(err == VIRTIO_EFEATURES, "negotiation refused");
    expect(status & VIRTIO_STATUS_FAILED, "device status FAILED");
    expect(!(status & VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK not set");
    /* A failed device is reset by the next bring-up and works. */
    expect(virtio_net_probe_all() == 1, "device comes up after the refusal");
    if (vnet_get(0))
        print_netdev(vnet_get(0));
    return finish("refuse");
}

static void *waker(void *arg)
{
    thread_sleep_ns(50000000);
    vnet_wake(arg);
    return NULL;
}

static void ignore_rx(void *ctx, struct netdev *dev, const struct vnet_frame *frame)
{
    (void)ctx;
    (void)dev;
    (void)frame;
}

static int case_wake(void)
{
    static const struct vnet_client client = { ignore_rx, NULL, NULL, false };

    expect(virtio_net_probe_all() >= 1, "a virtio-net device came up");
    if (failures)
        return finish("wake");
    struct netdev *d = vnet_get(0);
    vnet_set_client(d, &client);
    for (int polling = 0; polling < 2; polling++) {
        vnet_set_polling(d, polling);
        /* Nothing arrives on an isolated hub: a plain wait times out. */
        uint64_t t0 = clock_ns();
        int r = vnet_wait(d, t0 + 100000000);
        uint64_t timed_out = clock_ns() - t0;
        /* A wake-up before the wait is kept for it. */
        vnet_wake(d);
        t0 = clock_ns();
        int r_early = vnet_wait(d, t0 + 2000000000);
        uint64_t early = clock_ns() - t0;
        /* A wake-up from another CPU ends a wait in progress. */
        struct thread_attr attr = { 0, 1, false, "waker" };
        struct thread *t;
        expect(thread_create(&t, &attr, waker, d) == 0, "waker thread on CPU 1");
        t0 = clock_ns();
        int r_woken = vnet_wait(d, t0 + 2000000000);
        uint64_t woken = clock_ns() - t0;
        thread_join(t, NULL);
        kprintf("wake (%s): timeout %s after %llu ms, early wake %s after %llu ms, "
                "cross-cpu wake %s after %llu ms\n", polling ? "poll" : "irq",
                vnet_strerror(r), (unsigned long long)(timed_out / 1000000),
                vnet_strerror(r_early), (unsigned long long)(early / 1000000),
                vnet_strerror(r_woken), (unsigned long long)(woken / 1000000));
        expect(r == VNET_ETIMEDOUT && timed_out >= 100000000, "idle wait times out");
        expect(r_early == VNET_OK && early < 50000000, "an earlier wake is not lost");
        expect(r_woken == VNET_OK && woken >= 40000000 && woken < 1000000000,
               "a wake from another CPU ends the wait");
    }
    return finish("wake");
}

/*
 * A virtio-mmio register block in RAM: magic, version 2, a device type
 * no driver claims. Whoever names its address with virtio_mmio.device=
 * gets a device (the suite finds the address with nm); only kernel
 * options may do that, never the program's arguments.
 */
__attribute__((used, aligned(512))) uint32_t ktest_fake_mmio[128] = { 0x74726976, 2, 0x7F };

static int case_mmio_fake(int argc, char **argv)
{
    struct virtio_dev *all[VIRTIO_DEVICES_MAX];
    unsigned n = virtio_find_all(all, VIRTIO_DEVICES_MAX);
    char where[24];
    bool found = false;

    ksnprintf(where, sizeof(where), "mmio %#llx", (unsigned long long)(uintptr_t)ktest_fake_mmio);
    for (unsigned i = 0; i < n; i++)
        found |= !strcmp(all[i]->where, where);
    kprintf("fake register block at %s: %s\n", where, found ? "a device" : "no device");
    expect(argc > 2 && found == !strcmp(argv[2], "yes"), "the fake block is a device iff asked");
    return finish("mmio-fake");
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "";

    if (!strcmp(name, "pci"))
        return case_pci(argc, argv);
    if (!strcmp(name, "up"))
        return case_up(argc, argv);
    if (!strcmp(name, "refuse"))
        return case_refuse();
    if (!strcmp(name, "wake"))
        return case_wake();
    if (!strcmp(name, "mmio-fake"))
        return case_mmio_fake(argc, argv);
    if (!strcmp(name, "echo") || !strcmp(name, "ping"))
        return ktest_net_pair(name, argc, argv);
    kprintf("ktest_net: unknown case '%s'\n", name);
    return 2;
}

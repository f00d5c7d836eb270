/*
 * virtio_mmio.c - the virtio-mmio transport (virtio 1.1 section 4.2):
 * version 2 (modern) and the legacy version 1 that QEMU gives by
 * default (virtio-mmio's force-legacy=true).
 *
 * Finding devices: there is no bus to enumerate. Linux's convention is
 * `virtio_mmio.device=<size>@<base>:<irq>` on the command line; here it
 * is a kernel option (before "--"), repeated per device. The same words
 * among the program's arguments are the program's: they never make the
 * kernel map and probe an address. QEMU's microvm appends such words
 * when it runs without ACPI, after "--" among the program's arguments,
 * so hermit-run turns that off (auto-kernel-cmdline=off) and the scan
 * below finds the devices. With ACPI, microvm describes the devices
 * only in its DSDT, which we cannot interpret; then, and whenever no
 * option names a device, the known window is scanned: 512-byte slots from 0xFEB00000,
 * each holding the magic value "virt", with GSI base 5 (no ACPI, 8
 * slots), 16 (ACPI, one I/O APIC, 8 slots) or 24 (second I/O APIC, 24
 * slots), as QEMU's hw/i386/microvm.c lays them out. The scan runs only
 * when there is no PCI bus, so it cannot touch a PCI device's BAR.
 */
#include "virtio.h"
#include "boot.h"
#include "console.h"
#include "cpu.h"
#include "discovery.h"
#include "format.h"
#include "heap.h"
#include "ioapic.h"
#include "irq.h"
#include "pci.h"

#include <stddef.h>
#include <string.h>

#define MMIO_MAGIC          0x000
#define MMIO_VERSION        0x004
#define MMIO_DEVICE_ID      0x008
#define MMIO_DEV_FEATURES   0x010
#define MMIO_DEV_FEAT_SEL   0x014
#define MMIO_DRV_FEATURES   0x020
#define MMIO_DRV_FEAT_SEL   0x024
#define MMIO_GUEST_PAGE     0x028       /* v1 */
#define MMIO_Q_SEL          0x030
#define MMIO_Q_NUM_MAX      0x034
#define MMIO_Q_NUM          0x038
#define MMIO_Q_ALIGN        0x03C       /* v1 */
#define MMIO_Q_PFN          0x040       /* v1 */
#define MMIO_Q_READY        0x044       /* v2 */
#define MMIO_Q_NOTIFY       0x050
#define MMIO_INT_STATUS     0x060
#define MMIO_INT_ACK        0x064
#define MMIO_STATUS         0x070
#define MMIO_Q_DESC         0x080       /* v2: low, high */
#define MMIO_Q_DRIVER       0x090
#define MMIO_Q_DEVICE       0x0A0
#define MMIO_CONFIG_GEN     0x0FC       /* v2 */
#define MMIO_CONFIG         0x100

#define MAGIC_VIRT          0x74726976u     /* "virt" */
#define WINDOW_BASE         0xFEB00000ull
#define SLOT_SIZE           512
#define INTI_LEVEL_HIGH     0x0D            /* MADT flags: level-triggered, active high */

struct vmmio {
    struct virtio_dev vdev;     /* first: the ops get a virtio_dev pointer */
    volatile uint8_t *base;
    uint32_t gsi;
    uint32_t version;
};

static struct vmmio *vm_of(struct virtio_dev *d)
{
    return (struct vmmio *)d;
}

/* Registers below the device config are all 32 bits wide (4.2.2). */
static uint32_t rd(struct vmmio *v, unsigned off)
{
    return *(volatile uint32_t *)(v->base + off);
}

static void wr(struct vmmio *v, unsigned off, uint32_t x)
{
    *(volatile uint32_t *)(v->base + off) = x;
}

static void mm_reset(struct virtio_dev *d)
{
    wr(vm_of(d), MMIO_STATUS, 0);
}

static uint8_t mm_get_status(struct virtio_dev *d)
{
    return (uint8_t)rd(vm_of(d), MMIO_STATUS);
}

static void mm_set_status(struct virtio_dev *d, uint8_t s)
{
    wr(vm_of(d), MMIO_STATUS, s);
}

static uint64_t mm_get_features(struct virtio_dev *d)
{
    struct vmmio *v = vm_of(d);

    wr(v, MMIO_DEV_FEAT_SEL, 0);
    uint64_t lo = rd(v, MMIO_DEV_FEATURES);
    wr(v, MMIO_DEV_FEAT_SEL, 1);
    return lo | (uint64_t)rd(v, MMIO_DEV_FEATURES) << 32;
}

static void mm_set_features(struct virtio_dev *d, uint64_t f)
{
    struct vmmio *v = vm_of(d);

    wr(v, MMIO_DRV_FEAT_SEL, 0);
    wr(v, MMIO_DRV_FEATURES, (uint32_t)f);
    wr(v, MMIO_DRV_FEAT_SEL, 1);
    wr(v, MMIO_DRV_FEATURES, (uint32_t)(f >> 32));
}

static uint32_t mm_config_generation(struct virtio_dev *d)
{
    return vm_of(d)->version >= 2 ? rd(vm_of(d), MMIO_CONFIG_GEN) : 0;
}

static uint32_t mm_config_read(struct virtio_dev *d, unsigned off, unsigned width)
{
    volatile uint8_t *p = vm_of(d)->base + MMIO_CONFIG + off;

    if (width == 1)
        return *p;
    if (width == 2)
        return *(volatile uint16_t *)p;
    return *(volatile uint32_t *)p;
}

static uint16_t mm_queue_max(struct virtio_dev *d, uint16_t index)
{
    struct vmmio *v = vm_of(d);

    wr(v, MMIO_Q_SEL, index);
    uint32_t max = rd(v, MMIO_Q_NUM_MAX);
    return max > VIRTQ_SIZE_MAX ? VIRTQ_SIZE_MAX : (uint16_t)max;
}

static int mm_queue_enable(struct virtio_dev *d, struct virtq *q)
{
    struct vmmio *v = vm_of(d);

    wr(v, MMIO_Q_SEL, q->index);
    wr(v, MMIO_Q_NUM, q->size);
    if (v->version == 1) {
        /* Legacy: one block at a page frame, used ring page-aligned. */
        wr(v, MMIO_GUEST_PAGE, 4096);
        wr(v, MMIO_Q_ALIGN, 4096);
        wr(v, MMIO_Q_PFN, (uint32_t)((uintptr_t)q->desc >> 12));
        return VIRTIO_OK;
    }
    wr(v, MMIO_Q_DESC, (uint32_t)(uintptr_t)q->desc);
    wr(v, MMIO_Q_DESC + 4, (uint32_t)((uint64_t)(uintptr_t)q->desc >> 32));
    wr(v, MMIO_Q_DRIVER, (uint32_t)(uintptr_t)q->avail);
    wr(v, MMIO_Q_DRIVER + 4, (uint32_t)((uint64_t)(uintptr_t)q->avail >> 32));
    wr(v, MMIO_Q_DEVICE, (uint32_t)(uintptr_t)q->used);
    wr(v, MMIO_Q_DEVICE + 4, (uint32_t)((uint64_t)(uintptr_t)q->used >> 32));
    wr(v, MMIO_Q_READY, 1);
    return rd(v, MMIO_Q_READY) == 1 ? VIRTIO_OK : VIRTIO_EQUEUE;
}

static void mm_notify(struct virtio_dev *d, struct virtq *q)
{
    wr(vm_of(d), MMIO_Q_NOTIFY, q->index);
}

static void mm_on_irq(void *ctx)
{
    struct vmmio *v = ctx;
    uint32_t status = rd(v, MMIO_INT_STATUS);

    /* Acknowledging lowers the (level-triggered) line before the EOI. */
    wr(v, MMIO_INT_ACK, status);
    if ((status & 1) && v->vdev.on_queue)
        v->vdev.on_queue(v->vdev.cb_ctx);
    if ((status & 2) && v->vdev.on_config)
        v->vdev.on_config(v->vdev.cb_ctx);
}

static int mm_irq_setup(struct virtio_dev *d)
{
    struct vmmio *v = vm_of(d);
    int vec = irq_route_gsi(v->gsi, INTI_LEVEL_HIGH, false, mm_on_irq, v);

    if (vec < 0)
        return VIRTIO_EIRQ;
    irq_mask_gsi(v->gsi, true);
    d->vector_queue = d->vector_config = vec;
    d->irq_kind = "gsi";
    return VIRTIO_OK;
}

static void mm_irq_mask(struct virtio_dev *d, bool masked)
{
    irq_mask_gsi(vm_of(d)->gsi, masked);
}

static const struct virtio_ops mmio_ops = {
    mm_reset, mm_get_status, mm_set_status, mm_get_features, mm_set_features,
    mm_config_generation, mm_config_read, mm_queue_max, mm_queue_enable, mm_notify,
    mm_irq_setup, mm_irq_mask,
};

int virtio_mmio_probe(uint64_t base, uint32_t gsi, struct virtio_dev **out)
{
    uintptr_t va = discovery_map_mmio(base, SLOT_SIZE);

    if (!va)
        return VIRTIO_ENODEV;
    volatile uint32_t *regs = (volatile uint32_t *)va;
    uint32_t version = regs[MMIO_VERSION / 4];
    if (regs[MMIO_MAGIC / 4] != MAGIC_VIRT || (version != 1 && version != 2))
        return VIRTIO_ENODEV;
    if (regs[MMIO_DEVICE_ID / 4] == 0)
        return VIRTIO_ENODEV;           /* a transport with no device behind it */

    struct vmmio *v = kzalloc(sizeof(*v));
    if (!v)
        return VIRTIO_ENOMEM;
    struct virtio_dev *d = &v->vdev;
    v->base = (volatile uint8_t *)va;
    v->gsi = gsi;
    v->version = version;
    d->ops = &mmio_ops;
    d->transport = version == 2 ? "mmio-v2" : "mmio-v1";
    d->modern = version == 2;
    d->device_type = (uint16_t)regs[MMIO_DEVICE_ID / 4];
    d->vector_queue = d->vector_config = -1;
    d->irq_kind = "none";
    ksnprintf(d->where, sizeof(d->where), "mmio %#llx", (unsigned long long)base);
    *out = d;
    return VIRTIO_OK;
}

/* Parses an unsigned number with an optional 0x prefix and K/M suffix. */
static const char *parse_num(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10, digits = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (;; s++, digits++) {
        unsigned c = (unsigned char)*s, d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            break;
        v = v * base + d;
    }
    if (*s == 'K' || *s == 'k') {
        v <<= 10;
        s++;
    } else if (*s == 'M' || *s == 'm') {
        v <<= 20;
        s++;
    }
    *out = v;
    return digits ? s : NULL;
}

/* The value of a virtio_mmio.device= option, "512@0xfeb00e00:12" -> base and GSI. */
static bool parse_device(const char *s, uint64_t *base, uint64_t *gsi)
{
    uint64_t size;

    if (!(s = parse_num(s, &size)) || *s++ != '@' || !(s = parse_num(s, base)) || *s++ != ':' ||
        !(s = parse_num(s, gsi)))
        return false;
    return *s == '\0' && size >= 0x100;
}

unsigned virtio_mmio_find(struct virtio_dev **out, unsigned max)
{
    const struct cmdline *cl = boot_get_cmdline();
    unsigned n = 0, listed = 0;
    uint64_t base, gsi;

    for (unsigned i = 0; i < cl->opt_count; i++) {
        const struct cmdline_option *o = &cl->opts[i];
        if (strcmp(o->key, "virtio_mmio.device"))
            continue;
        if (!o->value || !parse_device(o->value, &base, &gsi)) {
            klog(LOG_WARN, "virtio_mmio.device=%s: not SIZE@BASE:GSI; ignored\n",
                 o->value ? o->value : "");
            continue;
        }
        listed++;
        if (n < max && virtio_mmio_probe(base, (uint32_t)gsi, &out[n]) == VIRTIO_OK)
            n++;
    }
    if (listed || pci_access_mode() != PCI_ACCESS_NONE)
        return n;

    const struct platform_info *pi = discovery_platform();
    unsigned slots = 8, gsi_base = pi->source == PLATFORM_SOURCE_ACPI ? 16 : 5;
    if (ioapic_count() >= 2) {
        slots = 24;
        gsi_base = 24;
    }
    for (unsigned i = 0; i < slots && n < max; i++)
        if (virtio_mmio_probe(WINDOW_BASE + i * SLOT_SIZE, gsi_base + i, &out[n]) == VIRTIO_OK)
            n++;
    return n;
}

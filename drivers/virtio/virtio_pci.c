/*
 * virtio_pci.c - the virtio PCI transport (virtio 1.1 section 4.1): the
 * modern interface (vendor capabilities pointing into memory BARs),
 * interrupts and probing. The legacy interface (a register block in I/O
 * BAR0, kept by transitional devices, e.g. QEMU's virtio-net-pci with
 * disable-modern=on) is in virtio_pci_legacy.c.
 *
 * Interrupts: MSI-X when the function has it (entry 0 = configuration
 * changes, entry 1 = every queue), else INTx through the I/O APIC with
 * the ISR register telling the two apart.
 */
#include "console.h"
#include "cpu.h"
#include "format.h"
#include "heap.h"
#include "irq.h"
#include "portio.h"
#include "virtio_pci.h"
#include "virtio_pci_cap.h"

#include <stddef.h>

/* Modern: struct virtio_pci_common_cfg. */
#define COMMON_DFSELECT     0x00
#define COMMON_DF           0x04
#define COMMON_GFSELECT     0x08
#define COMMON_GF           0x0C
#define COMMON_MSIX_CONFIG  0x10
#define COMMON_STATUS       0x14
#define COMMON_CFGGEN       0x15
#define COMMON_Q_SELECT     0x16
#define COMMON_Q_SIZE       0x18
#define COMMON_Q_MSIX       0x1A
#define COMMON_Q_ENABLE     0x1C
#define COMMON_Q_NOFF       0x1E
#define COMMON_Q_DESC       0x20
#define COMMON_Q_DRIVER     0x28
#define COMMON_Q_DEVICE     0x30

#define ISR_QUEUE           1
#define ISR_CONFIG          2

/* --- modern register access ------------------------------------------------ */

/* Common-config accesses, each at the field's own width (4.1.3.1). */
static volatile void *field(struct vpci *v, unsigned off)
{
    return v->common + off;
}

static void c8(struct vpci *v, unsigned off, uint8_t x)
{
    *(volatile uint8_t *)field(v, off) = x;
}

static void c16(struct vpci *v, unsigned off, uint16_t x)
{
    *(volatile uint16_t *)field(v, off) = x;
}

static void c32(struct vpci *v, unsigned off, uint32_t x)
{
    *(volatile uint32_t *)field(v, off) = x;
}

static uint8_t r8(struct vpci *v, unsigned off)
{
    return *(volatile uint8_t *)field(v, off);
}

static uint16_t r16(struct vpci *v, unsigned off)
{
    return *(volatile uint16_t *)field(v, off);
}

static uint32_t r32(struct vpci *v, unsigned off)
{
    return *(volatile uint32_t *)field(v, off);
}

static void c64(struct vpci *v, unsigned off, uint64_t x)
{
    /* 64-bit fields take two 32-bit writes, low half first (4.1.3.1). */
    c32(v, off, (uint32_t)x);
    c32(v, off + 4, (uint32_t)(x >> 32));
}

static void m_reset(struct virtio_dev *d)
{
    struct vpci *v = vpci_of(d);

    c8(v, COMMON_STATUS, 0);
    /* The reset is complete when the status reads back 0 (4.1.4.3.2). */
    for (unsigned i = 0; i < 1000000 && r8(v, COMMON_STATUS); i++)
        cpu_relax();
}

static uint8_t m_get_status(struct virtio_dev *d)
{
    return r8(vpci_of(d), COMMON_STATUS);
}

static void m_set_status(struct virtio_dev *d, uint8_t s)
{
    c8(vpci_of(d), COMMON_STATUS, s);
}

static uint64_t m_get_features(struct virtio_dev *d)
{
    struct vpci *v = vpci_of(d);

    c32(v, COMMON_DFSELECT, 0);
    uint64_t lo = r32(v, COMMON_DF);
    c32(v, COMMON_DFSELECT, 1);
    return lo | (uint64_t)r32(v, COMMON_DF) << 32;
}

static void m_set_features(struct virtio_dev *d, uint64_t f)
{
    struct vpci *v = vpci_of(d);

    c32(v, COMMON_GFSELECT, 0);
    c32(v, COMMON_GF, (uint32_t)f);
    c32(v, COMMON_GFSELECT, 1);
    c32(v, COMMON_GF, (uint32_t)(f >> 32));
}

static uint32_t m_config_generation(struct virtio_dev *d)
{
    return r8(vpci_of(d), COMMON_CFGGEN);
}

static uint32_t m_config_read(struct virtio_dev *d, unsigned off, unsigned width)
{
    struct vpci *v = vpci_of(d);
    volatile uint8_t *p = v->device_cfg;

    /* Only inside the structure the device's capability describes. */
    if (!p || off + width > v->device_cfg_len)
        return 0;
    if (width == 1)
        return p[off];
    if (width == 2)
        return *(volatile uint16_t *)(p + off);
    return *(volatile uint32_t *)(p + off);
}

static uint16_t m_queue_max(struct virtio_dev *d, uint16_t index)
{
    struct vpci *v = vpci_of(d);

    c16(v, COMMON_Q_SELECT, index);
    return r16(v, COMMON_Q_SIZE);
}

static int m_queue_enable(struct virtio_dev *d, struct virtq *q)
{
    struct vpci *v = vpci_of(d);

    c16(v, COMMON_Q_SELECT, q->index);
    c16(v, COMMON_Q_SIZE, q->size);
    if (v->msix_on) {
        c16(v, COMMON_Q_MSIX, ENTRY_QUEUES);
        if (r16(v, COMMON_Q_MSIX) != ENTRY_QUEUES)
            return VIRTIO_EIRQ;
    }
    c64(v, COMMON_Q_DESC, (uintptr_t)q->desc);
    c64(v, COMMON_Q_DRIVER, (uintptr_t)q->avail);
    c64(v, COMMON_Q_DEVICE, (uintptr_t)q->used);
    uint16_t noff = r16(v, COMMON_Q_NOFF);
    uint32_t off;
    /* A register past the structure could be any device's, or RAM: refuse (the driver says so). */
    if (!virtio_pci_notify_offset(v->notify_len, v->notify_mult, noff, &off))
        return VIRTIO_EBADCFG;
    v->notify[q->index] = (volatile uint16_t *)(v->notify_base + off);
    c16(v, COMMON_Q_ENABLE, 1);
    return VIRTIO_OK;
}

static void m_notify(struct virtio_dev *d, struct virtq *q)
{
    *vpci_of(d)->notify[q->index] = q->index;
}

/* --- interrupts (both interfaces) ------------------------------------------ */

static void on_queue_vector(void *ctx)
{
    struct virtio_dev *d = ctx;
    d->on_queue(d->cb_ctx);
}

static void on_config_vector(void *ctx)
{
    struct virtio_dev *d = ctx;
    if (d->on_config)
        d->on_config(d->cb_ctx);
}

static void on_intx(void *ctx)
{
    struct vpci *v = ctx;
    /* Reading the ISR clears it and lowers the line (4.1.4.5). */
    uint8_t isr = v->isr ? *v->isr : inb((uint16_t)(v->io + LEG_ISR));

    if (isr & ISR_QUEUE)
        on_queue_vector(&v->vdev);
    if (isr & ISR_CONFIG)
        on_config_vector(&v->vdev);
}

static bool set_config_vector(struct vpci *v, uint16_t entry)
{
    if (v->common) {
        c16(v, COMMON_MSIX_CONFIG, entry);
        return r16(v, COMMON_MSIX_CONFIG) == entry;
    }
    outw((uint16_t)(v->io + LEG_MSIX_CONFIG), entry);
    return portio_inw((uint16_t)(v->io + LEG_MSIX_CONFIG)) == entry;
}

static int setup_msix(struct vpci *v)
{
    struct virtio_dev *d = &v->vdev;

    if (msix_init(&v->msix, v->pdev) != PCI_OK || v->msix.size < 2)
        return VIRTIO_EIRQ;
    d->vector_config = irq_alloc(on_config_vector, d);
    d->vector_queue = irq_alloc(on_queue_vector, d);
    if (d->vector_config < 0 || d->vector_queue < 0 ||
        msix_set(&v->msix, ENTRY_CONFIG, d->vector_config) ||
        msix_set(&v->msix, ENTRY_QUEUES, d->vector_queue))
        goto fail;
    v->msix_on = true;
    if (!set_config_vector(v, ENTRY_CONFIG))
        goto fail;
    msix_start(&v->msix);
    d->irq_kind = "msix";
    return VIRTIO_OK;
fail:
    v->msix_on = false;
    msix_disable(&v->msix);
    irq_free(d->vector_config);
    irq_free(d->vector_queue);
    d->vector_config = d->vector_queue = -1;
    return VIRTIO_EIRQ;
}

int virtio_pci_irq_setup(struct virtio_dev *d)
{
    struct vpci *v = vpci_of(d);
    uint32_t gsi;
    uint16_t flags;

    if (setup_msix(v) == VIRTIO_OK)
        return VIRTIO_OK;
    /* INTx: one line for both causes; masked at the function until asked for. */
    if (pci_intx_gsi(v->pdev, &gsi, &flags) != PCI_OK)
        return VIRTIO_EIRQ;
    pci_intx_mask(v->pdev, true);
    int vec = irq_route_gsi(gsi, flags, true, on_intx, v);
    if (vec < 0)
        return VIRTIO_EIRQ;
    d->vector_queue = d->vector_config = vec;
    d->irq_kind = "intx";
    return VIRTIO_OK;
}

void virtio_pci_irq_mask(struct virtio_dev *d, bool masked)
{
    struct vpci *v = vpci_of(d);

    if (v->msix_on) {
        msix_mask(&v->msix, ENTRY_CONFIG, masked);
        msix_mask(&v->msix, ENTRY_QUEUES, masked);
    } else {
        pci_intx_mask(v->pdev, masked);
    }
}

static const struct virtio_ops modern_ops = {
    m_reset, m_get_status, m_set_status, m_get_features, m_set_features, m_config_generation,
    m_config_read, m_queue_max, m_queue_enable, m_notify, virtio_pci_irq_setup,
    virtio_pci_irq_mask,
};


/* --- probing ------------------------------------------------------------- */

/* Maps the structure a vendor capability points at; NULL if unusable. */
static volatile uint8_t *map_cap(struct pci_dev *p, const struct virtio_pci_cap *cap)
{
    struct pci_bar info;
    volatile void *base;

    if (cap->bar >= PCI_BARS || pci_bar(p, cap->bar, &info) || info.io ||
        (uint64_t)cap->offset + cap->length > info.size || pci_map_bar(p, cap->bar, &base))
        return NULL;
    return (volatile uint8_t *)base + cap->offset;
}

static bool find_modern(struct vpci *v)
{
    struct pci_dev *p = v->pdev;
    struct virtio_pci_cap c;

    for (uint8_t at = 0; (at = pci_find_cap(p, PCI_CAP_VENDOR, at));) {
        /* The first usable capability of each type is the preferred one (4.1.4). */
        if (!virtio_pci_cap_read(pci_read8_cb, p, at, &c))
            continue;
        if (c.type == VIRTIO_PCI_CAP_COMMON && !v->common && c.length >= VIRTIO_PCI_COMMON_LEN)
            v->common = map_cap(p, &c);
        else if (c.type == VIRTIO_PCI_CAP_ISR && !v->isr && c.length >= 1)
            v->isr = map_cap(p, &c);
        else if (c.type == VIRTIO_PCI_CAP_DEVICE && !v->device_cfg &&
                 (v->device_cfg = map_cap(p, &c)))
            v->device_cfg_len = c.length;
        else if (c.type == VIRTIO_PCI_CAP_NOTIFY && !v->notify_base &&
                 (v->notify_base = map_cap(p, &c))) {
            v->notify_len = c.length;
            v->notify_mult = c.notify_mult;
        }
    }
    return v->common && v->isr && v->notify_base;
}

int virtio_pci_probe(struct pci_dev *p, struct virtio_dev **out)
{
    if (p->vendor != VIRTIO_VENDOR_PCI || p->device < 0x1000 || p->device > 0x107F)
        return VIRTIO_ENODEV;
    struct vpci *v = kzalloc(sizeof(*v));
    if (!v)
        return VIRTIO_ENOMEM;
    struct virtio_dev *d = &v->vdev;
    struct pci_bar bar0;

    v->pdev = p;
    d->device_type = p->device >= 0x1040 ? (uint16_t)(p->device - 0x1040) : p->subsys_id;
    d->vector_queue = d->vector_config = -1;
    d->irq_kind = "none";
    ksnprintf(d->where, sizeof(d->where), "pci %02x:%02x.%u", p->bus, p->slot, p->func);
    uint8_t bad;
    enum pci_cap_list list = pci_cap_check(pci_read8_cb, p, &bad);
    if (list != PCI_CAP_LIST_OK) {
        /* Every register it describes would be a guess: leave it alone, boot the rest. */
        klog(LOG_WARN, "virtio %s: %s (pointer at %#x); device refused\n", d->where,
             pci_cap_strerror(list), bad);
        kfree(v);
        return VIRTIO_ENODEV;
    }
    if (find_modern(v)) {
        d->ops = &modern_ops;
        d->transport = "pci-modern";
        d->modern = true;
        pci_enable(p, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    } else if (p->device < 0x1040 && pci_bar(p, 0, &bar0) == PCI_OK && bar0.io && bar0.base) {
        v->common = v->isr = NULL;
        v->io = (uint16_t)bar0.base;
        d->ops = &virtio_pci_legacy_ops;
        d->transport = "pci-legacy";
        d->queue_size_fixed = true;
        pci_enable(p, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    } else {
        klog(LOG_WARN, "virtio %s: neither modern capabilities nor a legacy I/O BAR\n", d->where);
        kfree(v);
        return VIRTIO_ENODEV;
    }
    *out = d;
    return VIRTIO_OK;
}

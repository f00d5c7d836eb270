/*
 * virtio_pci_legacy.c - the legacy virtio PCI interface (virtio 1.1
 * section 4.1.4.8): a register block in I/O BAR0, 32 feature bits, no
 * FEATURES_OK, rings at a page frame. Transitional devices keep it.
 */
#include "cpu.h"
#include "portio.h"
#include "virtio_pci.h"

/* The port of register `off` in the device's legacy block. */
static uint16_t reg(struct virtio_dev *d, unsigned off)
{
    return (uint16_t)(vpci_of(d)->io + off);
}

static void l_reset(struct virtio_dev *d)
{
    outb(reg(d, LEG_STATUS), 0);
    (void)inb(reg(d, LEG_STATUS));
}

static uint8_t l_get_status(struct virtio_dev *d)
{
    return inb(reg(d, LEG_STATUS));
}

static void l_set_status(struct virtio_dev *d, uint8_t s)
{
    outb(reg(d, LEG_STATUS), s);
}

static uint64_t l_get_features(struct virtio_dev *d)
{
    return portio_inl(reg(d, LEG_HOST_FEATURES));
}

static void l_set_features(struct virtio_dev *d, uint64_t f)
{
    outl(reg(d, LEG_GUEST_FEATURES), (uint32_t)f);
}

/* Legacy devices have no generation counter: config reads are taken as they come. */
static uint32_t l_config_generation(struct virtio_dev *d)
{
    (void)d;
    return 0;
}

static uint32_t l_config_read(struct virtio_dev *d, unsigned off, unsigned width)
{
    /* With MSI-X on, two vector registers sit before the device config. */
    uint16_t port = reg(d, (vpci_of(d)->msix_on ? 0x18u : 0x14u) + off);

    if (width == 1)
        return inb(port);
    if (width == 2)
        return portio_inw(port);
    return portio_inl(port);
}

static uint16_t l_queue_max(struct virtio_dev *d, uint16_t index)
{
    outw(reg(d, LEG_Q_SELECT), index);
    return portio_inw(reg(d, LEG_Q_NUM));
}

static int l_queue_enable(struct virtio_dev *d, struct virtq *q)
{
    outw(reg(d, LEG_Q_SELECT), q->index);
    if (vpci_of(d)->msix_on) {
        outw(reg(d, LEG_MSIX_QUEUE), ENTRY_QUEUES);
        if (portio_inw(reg(d, LEG_MSIX_QUEUE)) != ENTRY_QUEUES)
            return VIRTIO_EIRQ;
    }
    /* Legacy rings are one block at a page frame, used ring page-aligned. */
    outl(reg(d, LEG_Q_PFN), (uint32_t)((uintptr_t)q->desc >> 12));
    return VIRTIO_OK;
}

static void l_notify(struct virtio_dev *d, struct virtq *q)
{
    outw(reg(d, LEG_Q_NOTIFY), q->index);
}

const struct virtio_ops virtio_pci_legacy_ops = {
    l_reset, l_get_status, l_set_status, l_get_features, l_set_features, l_config_generation,
    l_config_read, l_queue_max, l_queue_enable, l_notify, virtio_pci_irq_setup,
    virtio_pci_irq_mask,
};

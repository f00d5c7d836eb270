/*
 * ioapic.c - I/O APIC redirection tables and the 8259 PIC shutdown.
 */
#include "ioapic.h"
#include "cpu.h"

#include <stddef.h>

#define IOREGSEL            0x00
#define IOWIN               0x10
#define REG_VERSION         0x01
#define REG_REDIR(n)        (0x10 + 2 * (n))
#define REDIR_MASKED        (1u << 16)
#define REDIR_LEVEL         (1u << 15)
#define REDIR_ACTIVE_LOW    (1u << 13)

#define INTI_POLARITY_MASK  0x3
#define INTI_POLARITY_LOW   0x3
#define INTI_TRIGGER_MASK   0xC
#define INTI_TRIGGER_LEVEL  0xC
#define INTI_TRIGGER_EDGE   0x4

struct ioapic {
    uint32_t id;
    volatile uint32_t *mmio;
    uint32_t gsi_base, inputs;
};

static struct ioapic ioapics[IOAPIC_MAX];
static unsigned count;

void pic_disable(void)
{
    /* Remap first so that a stray interrupt cannot look like an exception. */
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, 0x20);
    outb(0xA1, 0x28);
    outb(0x21, 0x04);
    outb(0xA1, 0x02);
    outb(0x21, 0x01);
    outb(0xA1, 0x01);
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
    io->mmio[IOREGSEL / 4] = reg;
    return io->mmio[IOWIN / 4];
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t value)
{
    io->mmio[IOREGSEL / 4] = reg;
    io->mmio[IOWIN / 4] = value;
}

int ioapic_add(uint32_t id, uintptr_t mmio, uint32_t gsi_base)
{
    if (count == IOAPIC_MAX || !mmio)
        return -1;
    struct ioapic *io = &ioapics[count];
    io->id = id;
    io->mmio = (volatile uint32_t *)mmio;
    io->gsi_base = gsi_base;
    io->inputs = ((ioapic_read(io, REG_VERSION) >> 16) & 0xFF) + 1;
    for (uint32_t i = 0; i < io->inputs; i++) {
        ioapic_write(io, REG_REDIR(i) + 1, 0);
        ioapic_write(io, REG_REDIR(i), REDIR_MASKED);
    }
    count++;
    return 0;
}

static struct ioapic *owner(uint32_t gsi)
{
    for (unsigned i = 0; i < count; i++)
        if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].inputs)
            return &ioapics[i];
    return NULL;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, uint16_t flags, bool pci_default)
{
    struct ioapic *io = owner(gsi);

    if (!io)
        return -1;
    bool level = pci_default, low = pci_default;
    if ((flags & INTI_TRIGGER_MASK) == INTI_TRIGGER_LEVEL)
        level = true;
    else if ((flags & INTI_TRIGGER_MASK) == INTI_TRIGGER_EDGE)
        level = false;
    if (flags & INTI_POLARITY_MASK)
        low = (flags & INTI_POLARITY_MASK) == INTI_POLARITY_LOW;

    uint32_t pin = gsi - io->gsi_base;
    uint32_t low_word = vector | (level ? REDIR_LEVEL : 0) | (low ? REDIR_ACTIVE_LOW : 0);
    ioapic_write(io, REG_REDIR(pin) + 1, dest << 24);
    ioapic_write(io, REG_REDIR(pin), low_word);
    return 0;
}

void ioapic_mask(uint32_t gsi)
{
    struct ioapic *io = owner(gsi);

    if (io)
        ioapic_write(io, REG_REDIR(gsi - io->gsi_base), REDIR_MASKED);
}

unsigned ioapic_count(void)
{
    return count;
}

/*
 * portio.h - the 16- and 32-bit port reads that arch/x86_64/cpu.h lacks
 * (it has outb/outw/outl and inb). PCI configuration mechanism #1 and
 * the legacy virtio register block need them. Named portio_* so that
 * they cannot clash when cpu.h gains inw/inl.
 */
#ifndef DRIVERS_PORTIO_H
#define DRIVERS_PORTIO_H

#include <stdint.h>

static inline uint16_t portio_inw(uint16_t port)
{
    uint16_t value;
    __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static inline uint32_t portio_inl(uint16_t port)
{
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

#endif

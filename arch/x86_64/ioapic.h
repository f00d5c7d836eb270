/*
 * ioapic.h - routing device interrupts (GSIs) through the I/O APICs, and
 * silencing the legacy 8259 PICs.
 *
 * Device interrupts go to the boot CPU: compute cores must not be
 * disturbed by devices they do not use.
 *
 * Contract: pic_disable runs once, early, on the boot CPU. ioapic_add
 * registers each I/O APIC (all its inputs start masked); ioapic_route
 * then unmasks one GSI. Flags are the MPS INTI flags of an interrupt
 * source override (0 = bus default: ISA is edge/high, PCI level/low).
 */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_MAX 8

void pic_disable(void);

int ioapic_add(uint32_t id, uintptr_t mmio, uint32_t gsi_base);
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest_apic_id, uint16_t inti_flags,
                 bool pci_default);
void ioapic_mask(uint32_t gsi);
unsigned ioapic_count(void);

#endif

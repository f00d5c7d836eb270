/*
 * irq.h - interrupt vectors for devices: allocation, handlers with a
 * context pointer, and I/O APIC inputs (GSIs) routed to the boot CPU.
 *
 * The kernel's trap table calls a handler with only the register frame;
 * drivers need their device. This layer owns vectors 0x40-0xEF, installs
 * one dispatcher on each vector it hands out, and calls the handlers
 * registered there (several when devices share an INTx line), then
 * signals end-of-interrupt.
 *
 * Contract:
 * - Device interrupts go to the boot CPU only (cpus[0]); compute cores
 *   never see them.
 * - Handlers run with interrupts off on whatever thread the boot CPU
 *   was running. They MUST be short, MUST NOT sleep, and MUST silence
 *   their device's level-triggered line (e.g. read the virtio ISR) before
 *   returning, because end-of-interrupt follows immediately.
 * - irq_alloc, irq_route_gsi and irq_free MUST be called from threads,
 *   not handlers, and not concurrently with each other.
 */
#ifndef DRIVERS_IRQ_H
#define DRIVERS_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_VECTOR_FIRST    0x40
#define IRQ_VECTOR_LAST     0xEF
#define IRQ_SHARED_MAX      4       /* handlers on one vector */

typedef void (*irq_handler_fn)(void *ctx);

/* A fresh vector with one handler; returns the vector, or -1 when none is left. */
int irq_alloc(irq_handler_fn fn, void *ctx);
void irq_free(int vector);

/*
 * Routes GSI `gsi` (I/O APIC input) to a vector on the boot CPU and adds
 * the handler. A GSI that is already routed keeps its vector and gains a
 * handler (shared line). inti_flags are MADT flags; 0 means the bus
 * default (`level` chooses level/low for PCI, else edge/high).
 * Returns the vector or -1.
 */
int irq_route_gsi(uint32_t gsi, uint16_t inti_flags, bool level, irq_handler_fn fn, void *ctx);
/* Masks or unmasks the GSI at the I/O APIC (all handlers sharing it). */
void irq_mask_gsi(uint32_t gsi, bool masked);

/* The APIC ID device interrupts are sent to. */
uint32_t irq_target_apic_id(void);
/* How often `vector` arrived, summed over all CPUs. */
uint64_t irq_count(int vector);

#endif

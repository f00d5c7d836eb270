/*
 * apic.h - the local APIC in either of its two modes.
 *
 * xAPIC is programmed through a 4 KiB MMIO window, x2APIC through MSRs;
 * the mode is chosen once, at boot, for every CPU: x2APIC when the CPU
 * offers it (unless the caller forbids it), else xAPIC. Above 255 APIC
 * IDs only x2APIC works.
 *
 * Contract: apic_init_boot MUST run on the boot CPU, with the page tables
 * active, before any other call; apic_init_cpu MUST then run on every CPU
 * (the boot CPU included) before it takes interrupts. The timer is
 * one-shot only: there is no periodic mode, by design (no tick).
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_VECTOR_SPURIOUS    0xFF
#define APIC_VECTOR_ERROR       0xFE

enum apic_mode { APIC_XAPIC, APIC_X2APIC };

/*
 * Chooses the mode and maps the xAPIC window. map_mmio maps a physical
 * range uncached and returns its virtual address (or 0).
 */
int apic_init_boot(uint64_t lapic_phys, bool allow_x2apic,
                   uintptr_t (*map_mmio)(uint64_t phys, uint64_t size));
void apic_init_cpu(void);
enum apic_mode apic_mode(void);
const char *apic_mode_name(void);

uint32_t apic_id(void);
void apic_eoi(void);
void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void apic_send_init(uint32_t apic_id);
void apic_send_startup(uint32_t apic_id, uint8_t page);

/* Measures the timer's input clock against the TSC and returns it in Hz;
 * call once on the boot CPU (busy-waits ~0.2 ms, more on a preempted vCPU). */
uint64_t apic_timer_calibrate(uint64_t tsc_hz);
/* Fires `vector` once after `ns` nanoseconds (clamped to the timer's range). */
void apic_timer_oneshot(uint8_t vector, uint64_t ns);
void apic_timer_stop(void);

#endif

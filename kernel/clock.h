/*
 * clock.h - monotonic time from the TSC.
 *
 * Contract: clock_init MUST run once before the other calls. clock_ns
 * counts nanoseconds since clock_init and never goes backwards on one CPU
 * (cross-CPU TSC sync is the SMP layer's business). clock_delay_ns spins.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdint.h>

void clock_init(uint64_t tsc_hz);
uint64_t clock_tsc_hz(void);
uint64_t clock_ns(void);
uint64_t clock_tsc_to_ns(uint64_t ticks);
void clock_delay_ns(uint64_t ns);

#endif

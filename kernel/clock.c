/*
 * clock.c - converts TSC ticks to nanoseconds with a 32.32 fixed-point
 * multiplier, so the hot path has no division.
 */
#include "clock.h"
#include "cpu.h"

static uint64_t hz, start_tsc, ns_per_tick_32;    /* ns per tick << 32 */

void clock_init(uint64_t tsc_hz)
{
    hz = tsc_hz;
    ns_per_tick_32 = (1000000000ull << 32) / tsc_hz;
    start_tsc = rdtsc();
}

uint64_t clock_tsc_hz(void)
{
    return hz;
}

uint64_t clock_tsc_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_32) >> 32);
}

uint64_t clock_ns(void)
{
    return clock_tsc_to_ns(rdtsc() - start_tsc);
}

void clock_delay_ns(uint64_t ns)
{
    uint64_t end = clock_ns() + ns;

    while (clock_ns() < end)
        cpu_relax();
}

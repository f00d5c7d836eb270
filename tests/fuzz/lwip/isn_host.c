/*
 * isn_host.c - the clock and the entropy that net/tcp_isn.c reads, for
 * the host build of lwIP in fuzz_lwip: fixed values, so that a replayed
 * input takes the same path (the same sequence numbers) as when it was
 * found. The guest's versions are kernel/clock.c and arch/x86_64/entropy.c.
 */
#include "clock.h"
#include "entropy.h"

uint64_t clock_ns(void)
{
    return 0;
}

uint64_t entropy_seed64(enum entropy_source *source)
{
    *source = ENTROPY_TSC_JITTER;
    return 0x0123456789abcdefull;
}

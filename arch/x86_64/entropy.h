/*
 * entropy.h - a 64-bit random value from the CPU, for seeds.
 *
 * Contract: entropy_seed64 returns 64 bits and names where they came
 * from: RDSEED, else RDRAND (each when CPUID offers it and the
 * instruction succeeds within a few retries), else the jitter of TSC
 * readings around a variable amount of work, mixed. It never returns a
 * build-time constant, but the TSC fallback is only as unpredictable as
 * the clock: under QEMU's -icount (a deterministic TSC) it repeats from
 * boot to boot, which is why it is the last resort. It touches no memory
 * but its own stack and MAY run before anything else is set up.
 */
#ifndef ARCH_ENTROPY_H
#define ARCH_ENTROPY_H

#include <stdint.h>

enum entropy_source {
    ENTROPY_RDSEED,
    ENTROPY_RDRAND,
    ENTROPY_TSC_JITTER,
};

uint64_t entropy_seed64(enum entropy_source *source);
const char *entropy_source_name(enum entropy_source source);

#endif

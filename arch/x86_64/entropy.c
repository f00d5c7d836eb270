/*
 * entropy.c - seeds from RDSEED/RDRAND, else TSC jitter.
 *
 * Runs before the stack protector's canary exists, so nothing here is
 * compiled with it (the canary would change under a live frame).
 */
#include "entropy.h"
#include "cpu.h"

#include <stdbool.h>

#define NO_SSP __attribute__((no_stack_protector))

#define CPUID1_ECX_RDRAND   (1u << 30)
#define CPUID7_EBX_RDSEED   (1u << 18)
#define HW_RETRIES          32      /* Intel's advice for RDRAND is 10 */
#define JITTER_ROUNDS       64

extern uint64_t boot_tsc_entry;

/* splitmix64's finalizer: every input bit reaches every output bit. */
static NO_SSP inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static NO_SSP bool rdseed64(uint64_t *out)
{
    for (int i = 0; i < HW_RETRIES; i++) {
        unsigned char ok;
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
        if (ok)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

static NO_SSP bool rdrand64(uint64_t *out)
{
    for (int i = 0; i < HW_RETRIES; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
        if (ok)
            return true;
    }
    return false;
}

/* Times a loop whose length depends on what was measured so far; the
 * low bits of each duration carry the jitter (caches, the host's
 * scheduling, interrupts), and the mix keeps all of them. */
static NO_SSP uint64_t tsc_jitter64(void)
{
    uint64_t h = mix64(rdtsc() ^ boot_tsc_entry);

    for (int i = 0; i < JITTER_ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        for (volatile unsigned j = 0; j < 64 + (h & 255); j++)
            ;
        uint64_t t1 = rdtsc();
        h = mix64(h ^ (t1 - t0) ^ (t1 << 29) ^ (uint64_t)i);
    }
    return h;
}

NO_SSP uint64_t entropy_seed64(enum entropy_source *source)
{
    struct cpuid_regs max = cpuid(0, 0);
    uint64_t v;

    if (max.eax >= 7 && (cpuid(7, 0).ebx & CPUID7_EBX_RDSEED) && rdseed64(&v)) {
        *source = ENTROPY_RDSEED;
        return v;
    }
    if ((cpuid(1, 0).ecx & CPUID1_ECX_RDRAND) && rdrand64(&v)) {
        *source = ENTROPY_RDRAND;
        return v;
    }
    *source = ENTROPY_TSC_JITTER;
    return tsc_jitter64();
}

const char *entropy_source_name(enum entropy_source source)
{
    switch (source) {
    case ENTROPY_RDSEED: return "RDSEED";
    case ENTROPY_RDRAND: return "RDRAND";
    case ENTROPY_TSC_JITTER: return "TSC jitter";
    }
    return "?";
}

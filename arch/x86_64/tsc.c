/*
 * tsc.c - finds the TSC frequency: CPUID leaf 15h, then 16h, then the PIT.
 *
 * Hypervisors often leave 15h/16h empty (QEMU's TCG does), so calibration
 * against the PIT is the common path: let channel 0 count down a known
 * interval and count TSC ticks meanwhile.
 */
#include "tsc.h"
#include "cpu.h"

#define PIT_HZ              1193182u
#define PIT_CH0_DATA        0x40
#define PIT_COMMAND         0x43
/*
 * Boot time is a product goal, so the window is short: the error is the
 * latch-to-rdtsc jitter at its two ends (a few microseconds even under
 * TCG), about 0.1% of 5 ms.
 */
#define CALIBRATE_MS        5
#define GUESS_HZ            2000000000ull
/* A PIT-less machine must not hang us: give up after this many polls. */
#define POLL_LIMIT          5000000u

static uint64_t from_cpuid(enum tsc_source *source)
{
    uint32_t max = cpuid(0, 0).eax;

    if (max >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        if (r.eax && r.ebx && r.ecx) {
            *source = TSC_SOURCE_CPUID_15H;
            return (uint64_t)r.ecx * r.ebx / r.eax;
        }
    }
    if (max >= 0x16) {
        struct cpuid_regs r = cpuid(0x16, 0);
        if (r.eax & 0xFFFF) {
            *source = TSC_SOURCE_CPUID_16H;
            return (uint64_t)(r.eax & 0xFFFF) * 1000000u;
        }
    }
    return 0;
}

static uint16_t pit_read_count(void)
{
    outb(PIT_COMMAND, 0x00);            /* latch channel 0 */
    uint8_t lo = inb(PIT_CH0_DATA);
    return (uint16_t)(lo | (inb(PIT_CH0_DATA) << 8));
}

/*
 * Counts TSC ticks while PIT channel 0 counts down CALIBRATE_MS worth of
 * its 1.193182 MHz input. Channel 0 needs no gate port (microvm has none);
 * interrupts are off, so its IRQ never fires.
 */
static uint64_t from_pit(void)
{
    const uint16_t span = PIT_HZ * CALIBRATE_MS / 1000;

    outb(PIT_COMMAND, 0x30);            /* channel 0, lo/hi, mode 0 */
    outb(PIT_CH0_DATA, 0xFF);
    outb(PIT_CH0_DATA, 0xFF);

    uint16_t first = pit_read_count();
    uint64_t start = rdtsc();
    for (uint32_t polls = 0; polls < POLL_LIMIT; polls++) {
        uint16_t now = pit_read_count();
        if (now > first)
            return 0;                   /* wrapped or garbage: no usable PIT */
        if (first - now >= span) {
            uint64_t ticks = rdtsc() - start;
            return ticks * PIT_HZ / (uint64_t)(first - now);
        }
    }
    return 0;                           /* never moved: no PIT */
}

uint64_t tsc_detect_hz(enum tsc_source *source)
{
    uint64_t hz = from_cpuid(source);

    if (hz)
        return hz;
    hz = from_pit();
    if (hz) {
        *source = TSC_SOURCE_PIT;
        return hz;
    }
    *source = TSC_SOURCE_GUESS;
    return GUESS_HZ;
}

const char *tsc_source_name(enum tsc_source source)
{
    switch (source) {
    case TSC_SOURCE_CPUID_15H: return "CPUID 15h";
    case TSC_SOURCE_CPUID_16H: return "CPUID 16h";
    case TSC_SOURCE_PIT: return "PIT calibration";
    default: return "a guess";
    }
}

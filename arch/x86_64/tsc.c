/*
 * tsc.c - finds the TSC frequency: CPUID leaf 15h, then 16h, then by
 * calibration against the ACPI PM timer, then against the PIT.
 *
 * Hypervisors often leave 15h/16h empty (QEMU's TCG does), so calibration
 * is the common path: count TSC ticks while a reference counter of known
 * rate advances over a window. Under TCG the vCPU is a host thread, and
 * with many VMs per host CPU it is preempted for tens of milliseconds at
 * a time: a preemption between reading the reference and reading the TSC
 * skews the result (we once saw 8x), and one longer than the PIT's 55 ms
 * wrap made the old code give up and guess 2 GHz. So every reference read
 * is bracketed by two TSC reads (the narrowest of a few brackets counts),
 * a window whose brackets are too wide for the accuracy we want, or that
 * was preempted long enough to hide a wrap, is thrown away and another
 * taken, and of the good windows the one with the smallest error wins.
 * Both references follow host time, as the TSC does, so preemption in the
 * middle of a window costs nothing.
 */
#include "tsc.h"
#include "cpu.h"

#include <stdbool.h>

#define PIT_HZ              1193182u
#define PIT_CH0_DATA        0x40
#define PIT_COMMAND         0x43
#define PM_TIMER_HZ         3579545u
#define PM_TIMER_MASK       0xFFFFFFu   /* 24 bits; a 32-bit timer is read as 24 */

#define WINDOW_MS           5           /* one calibration window */
#define TSC_MIN_HZ          1000000000ull   /* no x86-64 host we run on is slower */
#define GOOD_WINDOWS        3           /* keep the best of this many good windows */
#define MAX_WINDOWS         200         /* ~2 s of windows at least, then give up */
#define BRACKET_READS       4           /* reads per end; the narrowest counts */
#define MAX_ERROR_PPM       1000        /* a window must be this good (0.1 %) */
#define ENOUGH_ERROR_PPM    200         /* one window this good ends the search */
/* A reference that never moves (no device there) must not hang us. */
#define POLL_LIMIT          5000000u

struct reference {
    const char *name;
    uint32_t hz;
    uint32_t mask;                      /* the counter wraps at mask + 1 */
    bool down;                          /* counts down (PIT) */
    uint16_t port;
};

struct sample {
    uint64_t tsc;                       /* midpoint of the bracket */
    uint64_t width;                     /* TSC ticks the bracket spans */
    uint32_t count;
};

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

static uint32_t ref_read(const struct reference *ref)
{
    if (!ref->down)
        return inl(ref->port) & ref->mask;
    outb(PIT_COMMAND, 0x00);            /* latch channel 0 */
    uint8_t lo = inb(PIT_CH0_DATA);
    return (uint32_t)(lo | (inb(PIT_CH0_DATA) << 8));
}

static struct sample ref_sample(const struct reference *ref)
{
    uint64_t before = rdtsc();
    uint32_t count = ref_read(ref);
    uint64_t after = rdtsc();
    return (struct sample){ before + (after - before) / 2, after - before, count };
}

/* Reference ticks from a to b, modulo the wrap. */
static uint32_t ref_delta(const struct reference *ref, uint32_t a, uint32_t b)
{
    return (ref->down ? a - b : b - a) & ref->mask;
}

/*
 * One window. Returns its frequency and its error bound in ppm (the two
 * brackets' half-widths over the window's TSC span), or 0 if the window
 * is unusable: the reference never moved, or one stretch between polls
 * was long enough that a whole wrap of the reference may hide in it.
 *
 * That last rule: a gap between two polls hides a whole wrap of the
 * reference only if it lasts a wrap period P (55 ms for the PIT, 4.7 s
 * for the PM timer). We do not know the TSC's rate yet, but it is at
 * least TSC_MIN_HZ, so a gap of fewer than P/2 x TSC_MIN_HZ ticks lasted
 * less than P/2. (Lost wraps make a window's own estimate too high, so it
 * cannot vouch for itself: under 33 VMs on 2 CPUs the PIT's windows, with
 * gaps of 55-60 ms, read 10x the true rate.)
 */
static uint64_t ref_window(const struct reference *ref, uint32_t *error_ppm)
{
    const uint32_t target = ref->hz / 1000 * WINDOW_MS;
    const uint64_t gap_limit = (uint64_t)(ref->mask / 2) * (TSC_MIN_HZ / 1000) / (ref->hz / 1000);
    struct sample start = ref_sample(ref), s = start, prev;
    uint64_t max_gap = 0;
    uint32_t elapsed = 0, polls = 0;

    for (int i = 1; i < BRACKET_READS; i++) {
        s = ref_sample(ref);
        if (s.width < start.width && s.count == start.count)
            start = s;                  /* tighter, same instant of the reference */
    }
    prev = start;
    /* Poll until the window is long enough, then a few more reads for a tight end. */
    struct sample end = { 0, ~0ull, 0 };
    int tail = 0;
    while (tail < BRACKET_READS) {
        if (++polls > POLL_LIMIT)
            return 0;
        s = ref_sample(ref);
        elapsed += ref_delta(ref, prev.count, s.count);
        if (s.tsc - prev.tsc > max_gap)
            max_gap = s.tsc - prev.tsc;
        prev = s;
        if (elapsed < target)
            continue;
        tail++;
        if (s.width < end.width)
            end = s, end.count = elapsed;   /* count: reference ticks since start */
    }
    uint64_t span = end.tsc - start.tsc;
    if (!span || max_gap >= gap_limit)
        return 0;
    /* No 128-bit division in the kernel: span < 2^40 (a 40 ms window even
     * at 20 GHz), the reference's rate < 2^22, so the products fit. */
    if (span >> 40)
        return 0;
    uint64_t hz = span * ref->hz / end.count;
    uint64_t half = (start.width + end.width) / 2;
    if (half >= span / 1000 * 10)       /* over 1 %: no need to be exact */
        *error_ppm = 10000;
    else
        *error_ppm = (uint32_t)((half * 1000000 + span - 1) / span);
    return hz;
}

/* The first window within ENOUGH_ERROR_PPM (an idle boot's, in one
 * window: boot time is a product goal), else the best of GOOD_WINDOWS
 * within MAX_ERROR_PPM; 0 if none was. A window's error bound is the
 * brackets' own, not a guess, so one tight window is as good as three. */
static uint64_t calibrate(const struct reference *ref, struct tsc_calibration *cal)
{
    uint64_t best = 0;
    uint32_t best_ppm = ~0u, good = 0, tried;

    for (tried = 1; tried <= MAX_WINDOWS && good < GOOD_WINDOWS; tried++) {
        uint32_t ppm;
        uint64_t hz = ref_window(ref, &ppm);
        if (!hz || ppm > MAX_ERROR_PPM)
            continue;
        good++;
        if (ppm < best_ppm)
            best = hz, best_ppm = ppm;
        if (ppm <= ENOUGH_ERROR_PPM) {
            tried++;
            break;
        }
    }
    cal->windows = tried - 1;
    cal->good_windows = good;
    cal->error_ppm = best_ppm;
    return best;
}

static uint64_t from_pm_timer(uint16_t port, struct tsc_calibration *cal)
{
    const struct reference ref = { "ACPI PM timer", PM_TIMER_HZ, PM_TIMER_MASK, false, port };

    /* Present only if it moves (QEMU's runs at 3.58 MHz: a few reads do it). */
    uint32_t first = ref_read(&ref);
    for (uint32_t polls = 0; ref_read(&ref) == first; polls++)
        if (polls > 100000)
            return 0;
    return calibrate(&ref, cal);
}

static uint64_t from_pit(struct tsc_calibration *cal)
{
    const struct reference ref = { "PIT", PIT_HZ, 0xFFFF, true, 0 };

    /* Channel 0, lo/hi, mode 0 from 0xFFFF: it counts down and wraps at
     * 0; it needs no gate port (microvm has none). Interrupts are off, so
     * its IRQ never fires. */
    outb(PIT_COMMAND, 0x30);
    outb(PIT_CH0_DATA, 0xFF);
    outb(PIT_CH0_DATA, 0xFF);
    uint32_t first = ref_read(&ref);
    for (uint32_t polls = 0; ref_read(&ref) == first; polls++)
        if (polls > 100000)
            return 0;
    return calibrate(&ref, cal);
}

uint64_t tsc_detect_hz(uint16_t pm_timer_port, enum tsc_source *source,
                       struct tsc_calibration *cal)
{
    *cal = (struct tsc_calibration){ 0, 0, 0 };
    uint64_t hz = from_cpuid(source);
    if (hz)
        return hz;
    if (pm_timer_port && (hz = from_pm_timer(pm_timer_port, cal))) {
        *source = TSC_SOURCE_PM_TIMER;
        return hz;
    }
    if ((hz = from_pit(cal))) {
        *source = TSC_SOURCE_PIT;
        return hz;
    }
    *source = TSC_SOURCE_NONE;
    return 0;
}

const char *tsc_source_name(enum tsc_source source)
{
    switch (source) {
    case TSC_SOURCE_CPUID_15H: return "CPUID 15h";
    case TSC_SOURCE_CPUID_16H: return "CPUID 16h";
    case TSC_SOURCE_PM_TIMER: return "ACPI PM timer calibration";
    case TSC_SOURCE_PIT: return "PIT calibration";
    default: return "nothing";
    }
}

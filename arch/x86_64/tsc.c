/*
 * tsc.c - finds the TSC frequency: CPUID leaf 15h, then 16h, then by
 * calibration against the ACPI PM timer, then against the PIT.
 *
 * Hypervisors often leave 15h/16h empty (QEMU's TCG does), so calibration
 * is the common path: count TSC ticks while a reference counter of known
 * rate advances over a window. Boot time is a product goal, so the window
 * is as short as its accuracy allows and no shorter:
 *
 * - It runs from one edge of the reference (the instant its count
 *   changes) to another. An edge is bracketed by the TSC read before the
 *   last read that saw the old count and the one after the first read
 *   that saw the new count, so the window's error is bounded by the two
 *   brackets alone: reading a count at an arbitrary instant would add up
 *   to a whole reference tick (280 ns for the PM timer) at each end.
 * - It ends at the first edge that brings the bound within TARGET_PPM
 *   (about 1 ms on an idle TCG vCPU, whose
 *   brackets span ~500 TSC ticks), or after MAX_WINDOW_US with the
 *   narrowest of a few more edges.
 *
 * 200 ppm is what Linux's quick boot calibration settles for (it asks
 * 500 and refines later); here it costs about 1 ms against the PM timer,
 * where a fixed 5 ms window cost 5-10 ms of a 20 ms boot.
 *
 * Under TCG the vCPU is a host thread, and with many VMs per host CPU it
 * is preempted for tens of milliseconds at a time: a preemption inside a
 * bracket widens it (the bound then rejects the window), and one longer
 * than the reference's wrap between two polls would hide a wrap (the old
 * code once read 8x, and once gave up and guessed 2 GHz), so such a
 * window is thrown away and another taken. Both references follow host
 * time, as the TSC does, so a preemption between brackets costs nothing.
 */
#include "tsc.h"
#include "cpu.h"

#include <stdbool.h>

#define PIT_HZ              1193182u
#define PIT_CH0_DATA        0x40
#define PIT_COMMAND         0x43
#define PM_TIMER_HZ         3579545u
#define PM_TIMER_MASK       0xFFFFFFu   /* 24 bits; a 32-bit timer is read as 24 */

#define TSC_MIN_HZ          1000000000ull   /* no x86-64 host we run on is slower */
#define TARGET_PPM          200         /* a window this good ends at once */
#define MAX_WINDOW_US       5000        /* then settle for the best edge soon after */
#define START_EDGES         4           /* edges to pick the window's start from */
#define END_EDGES           4           /* edges after MAX_WINDOW_US to pick the end from */
#define MAX_ERROR_PPM       1000        /* a window must be this good (0.1 %) */
#define GOOD_WINDOWS        3           /* else keep the best of this many good windows */
#define MAX_WINDOWS         400         /* ~2 s of windows at least, then give up */
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
    uint64_t before, after;             /* TSC reads around the reference read */
    uint32_t count;
};

/* The instant the reference reached a new count, within [tsc - width/2, tsc + width/2]. */
struct edge {
    uint64_t tsc;
    uint64_t width;
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
    struct sample s;

    s.before = rdtsc();
    s.count = ref_read(ref);
    s.after = rdtsc();
    return s;
}

/* Reference ticks from a to b, modulo the wrap. */
static uint32_t ref_delta(const struct reference *ref, uint32_t a, uint32_t b)
{
    return (ref->down ? a - b : b - a) & ref->mask;
}

static struct edge edge_between(const struct sample *old, const struct sample *new)
{
    return (struct edge){ old->before + (new->after - old->before) / 2, new->after - old->before };
}

/* The window's error bound in ppm: half of each end's bracket over its span. */
static uint32_t window_ppm(const struct edge *start, const struct edge *end)
{
    uint64_t span = end->tsc - start->tsc, half = (start->width + end->width) / 2;

    if (!span || half >= span / 1000 * 10)
        return 10000;                   /* over 1 %: no need to be exact */
    return (uint32_t)((half * 1000000 + span - 1) / span);
}

/*
 * One window. Returns its frequency and its error bound in ppm, or 0 if
 * the window is unusable: the reference never moved, or one stretch
 * between polls was long enough that a whole wrap of the reference may
 * hide in it.
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
    const uint32_t max_ticks = (uint32_t)((uint64_t)ref->hz * MAX_WINDOW_US / 1000000);
    const uint64_t gap_limit = (uint64_t)(ref->mask / 2) * (TSC_MIN_HZ / 1000) / (ref->hz / 1000);
    struct edge start = { 0, ~0ull }, end = { 0, ~0ull };
    struct sample prev = ref_sample(ref), s;
    uint64_t max_gap = 0;
    uint32_t elapsed = 0, end_count = 0, polls = 0;
    int edges = 0, late_edges = 0;

    while (late_edges < END_EDGES) {
        if (++polls > POLL_LIMIT)
            return 0;
        s = ref_sample(ref);
        if (s.before - prev.before > max_gap)
            max_gap = s.before - prev.before;
        uint32_t moved = ref_delta(ref, prev.count, s.count);
        if (!moved) {
            prev = s;
            continue;
        }
        struct edge e = edge_between(&prev, &s);
        prev = s;
        elapsed += moved;
        if (edges < START_EDGES) {      /* the narrowest early edge starts the window */
            edges++;
            if (e.width < start.width)
                start = e, elapsed = 0, max_gap = 0;
            continue;
        }
        if (elapsed < max_ticks) {
            if (window_ppm(&start, &e) <= TARGET_PPM) {
                end = e, end_count = elapsed;
                break;
            }
            continue;
        }
        late_edges++;                   /* long enough: the narrowest of a few ends it */
        if (e.width < end.width)
            end = e, end_count = elapsed;
    }
    uint64_t span = end.tsc - start.tsc;
    if (!span || !end_count || max_gap >= gap_limit)
        return 0;
    /* No 128-bit division in the kernel: span < 2^40 (a 40 ms window even
     * at 20 GHz), the reference's rate < 2^22, so the products fit. */
    if (span >> 40)
        return 0;
    *error_ppm = window_ppm(&start, &end);
    return span * ref->hz / end_count;
}

/* The first window within TARGET_PPM (an idle boot's first one), else the
 * best of GOOD_WINDOWS within MAX_ERROR_PPM; 0 if none was. A window's
 * error bound is the brackets' own, not a guess, so one tight window is as
 * good as three. */
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
        if (ppm <= TARGET_PPM) {
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

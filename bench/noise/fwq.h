/*
 * fwq.h - the OS-independent core of the noise benchmarks: FWQ (fixed work
 * quantum) and hourglass (TSC gap detector), their statistics and their
 * plain-text report rows.
 *
 * The same fwq.c is linked into the Linux baseline (bench/noise/fwq_linux.c)
 * and into the unikernel, so both systems run identical code and print rows
 * that one script parses:
 *
 *   # FWQ system <s> cores <n> samples <n> work <n>
 *   fwq <s> cpu <n> min <t> median <t> max <t> mean <t> disturbed <n>/<n> noise_ppm <n>
 *   fwqs <s> cpu <n> <t> <t> ...       (every duration, 16 per line)
 *   # hourglass system <s> cores <n> duration <t> threshold <t>
 *   hourglass <s> cpu <n> gaps <n> stolen <t> max_gap <t> hist <b0>,...,<b31>
 *
 * All times are TSC ticks. Integer math only: the kernel is built without
 * SSE, and the caller supplies every buffer and the print function.
 */
#ifndef FWQ_H
#define FWQ_H

#include <stdint.h>

#define HOURGLASS_BUCKETS 32

struct fwq_stats {
    unsigned n;
    uint64_t min, median, max, mean;
    unsigned disturbed;     /* samples more than 1 % above min */
    uint64_t noise_ppm;     /* time lost above min, parts per million of all time */
};

struct hourglass {
    uint64_t duration;      /* ticks actually spun (>= the requested duration) */
    uint64_t threshold;
    uint64_t reads;         /* TSC reads taken: duration / reads ~ loop cost */
    uint64_t gaps;          /* gaps longer than threshold: the interruptions */
    uint64_t stolen;        /* sum of those gaps */
    uint64_t max_gap;       /* longest gap seen, interruption or not */
    uint64_t hist[HOURGLASS_BUCKETS];   /* interruptions by floor(log2(gap)) */
};

/* printf, or the unikernel's kprintf; only %u, %llu and %s are used. */
typedef int (*fwq_print_fn)(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * lfence keeps rdtsc from being hoisted above earlier work, so a sample
 * ends after its loop has retired, not while it is still in flight.
 */
static inline uint64_t fwq_read_tsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Times `samples` quanta of `work` loop iterations into durations[]. */
void fwq_run(unsigned samples, unsigned work, uint64_t *durations);

/* scratch holds n values: the sort for the median happens there, so d is untouched. */
void fwq_stats(const uint64_t *d, unsigned n, uint64_t *scratch, struct fwq_stats *out);

/* Spins for duration_ticks; gaps between reads above threshold are interruptions. */
void hourglass_run(uint64_t duration_ticks, uint64_t threshold, struct hourglass *out);

void fwq_report_header(fwq_print_fn print, const char *system, unsigned cores,
                       unsigned samples, unsigned work);
void fwq_report(fwq_print_fn print, const char *system, unsigned cpu,
                const struct fwq_stats *s);
/* "fwqs <s> cpu <n> <t> <t> ...": the raw durations, 16 per line. */
void fwq_report_samples(fwq_print_fn print, const char *system, unsigned cpu,
                        const uint64_t *d, unsigned n);
void hourglass_report_header(fwq_print_fn print, const char *system, unsigned cores,
                             uint64_t duration_ticks, uint64_t threshold);
void hourglass_report(fwq_print_fn print, const char *system, unsigned cpu,
                      const struct hourglass *h);

#endif

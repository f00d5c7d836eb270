/*
 * fwq.c - FWQ and hourglass noise benchmarks, OS-independent: no libc, no
 * allocation, no floating point, so the Linux baseline and the unikernel
 * link this very file and measure with identical instructions.
 */
#include "fwq.h"

/* Knuth's MMIX LCG: one multiply and one add per iteration, no memory traffic. */
#define LCG_MUL 6364136223846793005ull
#define LCG_ADD 1442695040888963407ull

/*
 * The empty asm claims to read and rewrite x, so the compiler can neither
 * fold the loop into a closed form nor drop it: every quantum executes the
 * same instructions whatever the optimizer does around it.
 */
static uint64_t work_quantum(unsigned work, uint64_t x)
{
    for (unsigned i = 0; i < work; i++) {
        x = x * LCG_MUL + LCG_ADD;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

void fwq_run(unsigned samples, unsigned work, uint64_t *durations)
{
    /* An untimed quantum first: first-touch of code and TLB is not noise. */
    uint64_t x = work_quantum(work, 1);

    for (unsigned s = 0; s < samples; s++) {
        uint64_t start = fwq_read_tsc();
        x = work_quantum(work, x);
        durations[s] = fwq_read_tsc() - start;
    }
    __asm__ volatile("" : : "r"(x));
}

static void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;

    *a = *b;
    *b = t;
}

static void sift_down(uint64_t *v, unsigned root, unsigned n)
{
    for (;;) {
        unsigned child = 2 * root + 1;

        if (child >= n)
            return;
        if (child + 1 < n && v[child + 1] > v[child])
            child++;
        if (v[root] >= v[child])
            return;
        swap64(&v[root], &v[child]);
        root = child;
    }
}

/* Heapsort: in place and O(n log n) however many samples a run takes. */
static void sort_u64(uint64_t *v, unsigned n)
{
    for (unsigned i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (unsigned end = n; end-- > 1;) {
        swap64(&v[0], &v[end]);
        sift_down(v, 0, end);
    }
}

/*
 * part * 1e6 / whole for part <= whole, one decimal digit at a time so the
 * product never needs more than 64 bits (whole up to ~1.8e18 ticks).
 */
static uint64_t ppm(uint64_t part, uint64_t whole)
{
    uint64_t q = 0, r = part;

    if (whole == 0)
        return 0;
    for (int digit = 0; digit < 6; digit++) {
        r *= 10;
        q = q * 10 + r / whole;
        r %= whole;
    }
    return q;
}

void fwq_stats(const uint64_t *d, unsigned n, uint64_t *scratch, struct fwq_stats *out)
{
    uint64_t sum = 0;

    *out = (struct fwq_stats){ .n = n };
    if (n == 0)
        return;
    for (unsigned i = 0; i < n; i++) {
        scratch[i] = d[i];
        sum += d[i];
    }
    sort_u64(scratch, n);
    out->min = scratch[0];
    out->max = scratch[n - 1];
    out->median = n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
    out->mean = sum / n;
    for (unsigned i = 0; i < n; i++)
        if (d[i] > out->min + out->min / 100)
            out->disturbed++;
    out->noise_ppm = ppm(sum - (uint64_t)n * out->min, sum);
}

static unsigned log2_bucket(uint64_t gap)
{
    unsigned k = 0;

    while (gap >>= 1)
        k++;
    return k < HOURGLASS_BUCKETS ? k : HOURGLASS_BUCKETS - 1;
}

/*
 * Nothing but TSC reads in the loop: any gap much longer than the loop's
 * own cost is time the CPU spent elsewhere (interrupt, another vCPU, host).
 */
void hourglass_run(uint64_t duration_ticks, uint64_t threshold, struct hourglass *out)
{
    uint64_t start = fwq_read_tsc(), prev = start, now;

    *out = (struct hourglass){ .threshold = threshold };
    do {
        now = fwq_read_tsc();
        uint64_t gap = now - prev;

        prev = now;
        out->reads++;
        if (gap > out->max_gap)
            out->max_gap = gap;
        if (gap > threshold) {
            out->gaps++;
            out->stolen += gap;
            out->hist[log2_bucket(gap)]++;
        }
    } while (now - start < duration_ticks);
    out->duration = now - start;
}

void fwq_report_header(fwq_print_fn print, const char *system, unsigned cores,
                       unsigned samples, unsigned work)
{
    print("# FWQ system %s cores %u samples %u work %u\n", system, cores, samples, work);
}

void fwq_report(fwq_print_fn print, const char *system, unsigned cpu,
                const struct fwq_stats *s)
{
    print("fwq %s cpu %u min %llu median %llu max %llu mean %llu "
          "disturbed %u/%u noise_ppm %llu\n",
          system, cpu, (unsigned long long)s->min, (unsigned long long)s->median,
          (unsigned long long)s->max, (unsigned long long)s->mean,
          s->disturbed, s->n, (unsigned long long)s->noise_ppm);
}

/*
 * Every duration, 16 to a line, so the host can draw the distribution
 * (bench/plot.py's noise histogram); printed after the measured phase.
 */
void fwq_report_samples(fwq_print_fn print, const char *system, unsigned cpu,
                        const uint64_t *d, unsigned n)
{
    for (unsigned i = 0; i < n; i += 16) {
        print("fwqs %s cpu %u", system, cpu);
        for (unsigned j = i; j < n && j < i + 16; j++)
            print(" %llu", (unsigned long long)d[j]);
        print("\n");
    }
}

void hourglass_report_header(fwq_print_fn print, const char *system, unsigned cores,
                             uint64_t duration_ticks, uint64_t threshold)
{
    print("# hourglass system %s cores %u duration %llu threshold %llu\n", system, cores,
          (unsigned long long)duration_ticks, (unsigned long long)threshold);
}

/* One print per bucket keeps the row free of any buffer of our own. */
void hourglass_report(fwq_print_fn print, const char *system, unsigned cpu,
                      const struct hourglass *h)
{
    print("hourglass %s cpu %u gaps %llu stolen %llu max_gap %llu hist ", system, cpu,
          (unsigned long long)h->gaps, (unsigned long long)h->stolen,
          (unsigned long long)h->max_gap);
    for (unsigned k = 0; k < HOURGLASS_BUCKETS; k++)
        print(k + 1 < HOURGLASS_BUCKETS ? "%llu," : "%llu\n", (unsigned long long)h->hist[k]);
}

/*
 * fwq_linux.c - the Linux side of the noise benchmark: runs bench/noise/fwq.c
 * on every CPU this process may use, all at once, and prints the rows the
 * unikernel prints, so one script compares the two systems.
 *
 *   fwq_linux [-s samples] [-w work] [-g hourglass_ticks] [-t threshold]
 *
 * Built static (gcc -O2 -static -pthread) so it runs from a bare initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fwq.h"

#define SYSTEM "linux"

struct params {
    unsigned samples, work;
    uint64_t hourglass_ticks, threshold;
};

struct worker {
    pthread_t thread;
    unsigned cpu;
    const struct params *params;
    pthread_barrier_t *barrier;
    uint64_t *durations;
    struct hourglass hourglass;
    int error;              /* errno of a failed pin, reported by main */
};

static void usage(void)
{
    fprintf(stderr, "usage: fwq_linux [-s samples] [-w work] [-g hourglass_ticks] "
                    "[-t threshold]\n");
    exit(2);
}

static uint64_t parse_number(const char *text, const char *what)
{
    char *end;

    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end || text[0] == '-') {
        fprintf(stderr, "fwq_linux: %s must be a non-negative integer, not '%s'\n",
                what, text);
        exit(2);
    }
    return v;
}

static unsigned parse_unsigned(const char *text, const char *what)
{
    uint64_t v = parse_number(text, what);

    if (v == 0 || v > 100000000) {
        fprintf(stderr, "fwq_linux: %s must be 1..100000000\n", what);
        exit(2);
    }
    return (unsigned)v;
}

static struct params parse_args(int argc, char **argv)
{
    struct params p = { 1000, 20000, 20000000, 1000 };
    int opt;

    while ((opt = getopt(argc, argv, "s:w:g:t:")) != -1) {
        switch (opt) {
        case 's': p.samples = parse_unsigned(optarg, "samples"); break;
        case 'w': p.work = parse_unsigned(optarg, "work"); break;
        case 'g': p.hourglass_ticks = parse_number(optarg, "hourglass ticks"); break;
        case 't': p.threshold = parse_number(optarg, "threshold"); break;
        default: usage();
        }
    }
    if (optind != argc)
        usage();
    return p;
}

/*
 * Both phases start behind the barrier on every CPU, so the cores disturb
 * each other (shared caches, the emulator's vCPU scheduling) as they would
 * in a real bulk-synchronous compute phase.
 */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    w->error = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    /* Pre-fault the sample buffer: a first-touch page fault is not OS noise. */
    memset(w->durations, 0, w->params->samples * sizeof(uint64_t));

    pthread_barrier_wait(w->barrier);
    if (!w->error)
        fwq_run(w->params->samples, w->params->work, w->durations);
    pthread_barrier_wait(w->barrier);
    if (!w->error)
        hourglass_run(w->params->hourglass_ticks, w->params->threshold, &w->hourglass);
    return NULL;
}

/* The CPUs we may run on, not just a count: online CPUs need not be 0..n-1. */
static unsigned allowed_cpus(unsigned *cpus, unsigned max)
{
    cpu_set_t set;
    unsigned n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        perror("fwq_linux: sched_getaffinity");
        exit(1);
    }
    for (unsigned c = 0; c < CPU_SETSIZE && n < max; c++)
        if (CPU_ISSET(c, &set))
            cpus[n++] = c;
    return n;
}

static void start_workers(struct worker *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int err = pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
        if (err) {
            fprintf(stderr, "fwq_linux: pthread_create: %s\n", strerror(err));
            exit(1);
        }
    }
    for (unsigned i = 0; i < n; i++)
        pthread_join(w[i].thread, NULL);
}

static int report(const struct worker *w, unsigned n, const struct params *p)
{
    uint64_t *scratch = malloc(p->samples * sizeof(uint64_t));
    int failed = 0;

    if (!scratch) {
        perror("fwq_linux: malloc");
        exit(1);
    }
    fwq_report_header(printf, SYSTEM, n, p->samples, p->work);
    for (unsigned i = 0; i < n; i++) {
        struct fwq_stats s;

        if (w[i].error) {
            fprintf(stderr, "fwq_linux: cannot pin to cpu %u: %s\n", w[i].cpu,
                    strerror(w[i].error));
            failed = 1;
            continue;
        }
        fwq_stats(w[i].durations, p->samples, scratch, &s);
        fwq_report(printf, SYSTEM, w[i].cpu, &s);
    }
    for (unsigned i = 0; i < n; i++)
        if (!w[i].error)
            fwq_report_samples(printf, SYSTEM, w[i].cpu, w[i].durations, p->samples);
    hourglass_report_header(printf, SYSTEM, n, p->hourglass_ticks, p->threshold);
    for (unsigned i = 0; i < n; i++)
        if (!w[i].error)
            hourglass_report(printf, SYSTEM, w[i].cpu, &w[i].hourglass);
    free(scratch);
    return failed;
}

int main(int argc, char **argv)
{
    struct params p = parse_args(argc, argv);
    unsigned cpus[CPU_SETSIZE];
    unsigned n = allowed_cpus(cpus, CPU_SETSIZE);
    struct worker *w = calloc(n, sizeof(*w));
    pthread_barrier_t barrier;

    if (!w) {
        perror("fwq_linux: calloc");
        return 1;
    }
    /* Locked memory: no page fault or reclaim lands inside a sample. */
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
        perror("fwq_linux: mlockall (continuing)");
    pthread_barrier_init(&barrier, NULL, n);
    for (unsigned i = 0; i < n; i++) {
        w[i] = (struct worker){ .cpu = cpus[i], .params = &p, .barrier = &barrier };
        w[i].durations = malloc(p.samples * sizeof(uint64_t));
        if (!w[i].durations) {
            perror("fwq_linux: malloc");
            return 1;
        }
    }
    start_workers(w, n);
    return report(w, n, &p);
}

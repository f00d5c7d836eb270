/*
 * fwq_hermit.c - the unikernel side of the noise benchmark: runs
 * bench/noise/fwq.c on every online CPU at once, one pinned thread each,
 * and prints the same rows as fwq_linux, plus what the kernel alone can
 * tell: how many interrupts and context switches each core took while it
 * was being measured.
 *
 *   fwq_hermit [-s samples] [-w work] [-g hourglass_ticks] [-t threshold]
 */
#include "console.h"
#include "fwq.h"
#include "heap.h"
#include "percpu.h"
#include "sync.h"
#include "thread.h"
#include "trap.h"

#include <string.h>

#define SYSTEM "hermit"

struct params {
    unsigned samples, work;
    uint64_t hourglass_ticks, threshold;
};

struct worker {
    unsigned cpu;
    const struct params *params;
    uint64_t *durations;
    struct hourglass hourglass;
    uint64_t interrupts, switches;
};

static struct barrier start_line;

static uint64_t interrupts_on(unsigned cpu)
{
    uint64_t sum = 0;

    for (unsigned v = 0; v < 256; v++)
        sum += trap_count(cpu, v);
    return sum;
}

static void *measure(void *arg)
{
    struct worker *w = arg;

    barrier_wait(&start_line);
    uint64_t irq0 = interrupts_on(w->cpu), sw0 = cpus[w->cpu].context_switches;
    fwq_run(w->params->samples, w->params->work, w->durations);
    hourglass_run(w->params->hourglass_ticks, w->params->threshold, &w->hourglass);
    w->interrupts = interrupts_on(w->cpu) - irq0;
    w->switches = cpus[w->cpu].context_switches - sw0;
    return NULL;
}

static int parse(const char *text, uint64_t *out)
{
    uint64_t v = 0;

    if (!*text)
        return 0;
    for (; *text; text++) {
        if (*text < '0' || *text > '9')
            return 0;
        v = v * 10 + (uint64_t)(*text - '0');
    }
    *out = v;
    return 1;
}

static int parse_args(int argc, char **argv, struct params *p)
{
    for (int i = 1; i < argc; i += 2) {
        uint64_t v;
        if (i + 1 >= argc || strlen(argv[i]) != 2 || argv[i][0] != '-' ||
            !parse(argv[i + 1], &v)) {
            kprintf("usage: fwq_hermit [-s samples] [-w work] [-g hourglass_ticks] "
                    "[-t threshold]\n");
            return 0;
        }
        switch (argv[i][1]) {
        case 's': p->samples = (unsigned)v; break;
        case 'w': p->work = (unsigned)v; break;
        case 'g': p->hourglass_ticks = v; break;
        case 't': p->threshold = v; break;
        default: kprintf("fwq_hermit: unknown option %s\n", argv[i]); return 0;
        }
    }
    return p->samples > 0;
}

int main(int argc, char **argv)
{
    struct params p = { 1000, 20000, 20000000, 1000 };
    static struct worker workers[CPU_MAX];
    struct thread *threads[CPU_MAX];
    unsigned n = cpu_online_count();

    if (!parse_args(argc, argv, &p))
        return 2;
    uint64_t *scratch = kmalloc(p.samples * sizeof(uint64_t));
    barrier_init(&start_line, n);
    for (unsigned cpu = 0; cpu < n; cpu++) {
        struct thread_attr attr = { 0, (int)cpu, false, "fwq" };
        workers[cpu] = (struct worker){ cpu, &p, kmalloc(p.samples * sizeof(uint64_t)),
                                        { 0 }, 0, 0 };
        if (!scratch || !workers[cpu].durations ||
            thread_create(&threads[cpu], &attr, measure, &workers[cpu])) {
            kprintf("fwq_hermit: out of memory\n");
            return 1;
        }
    }
    for (unsigned cpu = 0; cpu < n; cpu++)
        thread_join(threads[cpu], NULL);

    fwq_report_header(kprintf, SYSTEM, n, p.samples, p.work);
    for (unsigned cpu = 0; cpu < n; cpu++) {
        struct fwq_stats s;
        fwq_stats(workers[cpu].durations, p.samples, scratch, &s);
        fwq_report(kprintf, SYSTEM, cpu, &s);
    }
    for (unsigned cpu = 0; cpu < n; cpu++)
        fwq_report_samples(kprintf, SYSTEM, cpu, workers[cpu].durations, p.samples);
    hourglass_report_header(kprintf, SYSTEM, n, p.hourglass_ticks, p.threshold);
    for (unsigned cpu = 0; cpu < n; cpu++)
        hourglass_report(kprintf, SYSTEM, cpu, &workers[cpu].hourglass);
    for (unsigned cpu = 0; cpu < n; cpu++)
        kprintf("counters %s cpu %u interrupts %llu context_switches %llu\n", SYSTEM, cpu,
                (unsigned long long)workers[cpu].interrupts,
                (unsigned long long)workers[cpu].switches);
    return 0;
}

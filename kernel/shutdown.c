/*
 * shutdown.c - leaves the image through the machine's exit device, after
 * printing per-CPU accounting, and whatever the layers above registered,
 * when the `stats` option asked for it.
 */
#include "shutdown.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "machine.h"
#include "percpu.h"
#include "spinlock.h"
#include "trap.h"

static int print_stats;

/* Fixed slots: the exit path must not allocate. A slot is filled before
 * the count that publishes it is raised, so the exit path needs no lock. */
static void (*reports[SHUTDOWN_REPORTS_MAX])(void);
static unsigned report_count;
static struct spinlock reports_lock = SPINLOCK_INIT;

void shutdown_set_stats(int on)
{
    print_stats = on;
}

bool shutdown_add_report(void (*report)(void))
{
    bool added = false;

    spinlock_lock(&reports_lock);
    if (report_count < SHUTDOWN_REPORTS_MAX) {
        reports[report_count] = report;
        __atomic_store_n(&report_count, report_count + 1, __ATOMIC_RELEASE);
        added = true;
    }
    spinlock_unlock(&reports_lock);
    return added;
}

static uint64_t interrupts_on(unsigned cpu)
{
    uint64_t n = 0;

    for (unsigned v = TRAP_EXCEPTION_COUNT; v < 256; v++)
        n += trap_count(cpu, v);
    return n;
}

static void report_cpus(void)
{
    kprintf("hermit-stats: tsc %llu Hz, %u CPUs\n", (unsigned long long)clock_tsc_hz(),
            cpu_online_count());
    for (unsigned i = 0; i < CPU_MAX; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online)
            continue;
        uint64_t busy = cpu_busy_ticks(i);
        uint64_t idle = rdtsc() - c->start_tsc - busy;
        kprintf("hermit-stats: cpu %u busy %llu idle %llu switches %llu interrupts %llu\n", i,
                (unsigned long long)busy, (unsigned long long)idle,
                (unsigned long long)c->context_switches,
                (unsigned long long)interrupts_on(i));
    }
}

static void report_registered(void)
{
    unsigned n = __atomic_load_n(&report_count, __ATOMIC_ACQUIRE);

    for (unsigned i = 0; i < n; i++)
        reports[i]();
}

_Noreturn void shutdown_exit(int status)
{
    if (print_stats) {
        report_cpus();
        report_registered();
    }
    machine_exit(status);
}

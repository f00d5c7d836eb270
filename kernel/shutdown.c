/*
 * shutdown.c - leaves the image through the machine's exit device, after
 * printing per-CPU accounting when the `stats` option asked for it.
 */
#include "shutdown.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "machine.h"
#include "percpu.h"
#include "trap.h"

static int print_stats;

void shutdown_set_stats(int on)
{
    print_stats = on;
}

static uint64_t interrupts_on(unsigned cpu)
{
    uint64_t n = 0;

    for (unsigned v = TRAP_EXCEPTION_COUNT; v < 256; v++)
        n += trap_count(cpu, v);
    return n;
}

static void report(void)
{
    kprintf("hermit-stats: tsc %llu Hz, %u CPUs\n", (unsigned long long)clock_tsc_hz(),
            cpu_online_count());
    for (unsigned i = 0; i < CPU_MAX; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online)
            continue;
        uint64_t elapsed = rdtsc() - c->start_tsc;
        uint64_t idle = c->idle_polled + trap_halted_ticks(i);
        uint64_t busy = elapsed > idle ? elapsed - idle : 0;
        kprintf("hermit-stats: cpu %u busy %llu idle %llu switches %llu interrupts %llu\n", i,
                (unsigned long long)busy, (unsigned long long)idle,
                (unsigned long long)c->context_switches,
                (unsigned long long)interrupts_on(i));
    }
}

_Noreturn void shutdown_exit(int status)
{
    if (print_stats)
        report();
    machine_exit(status);
}

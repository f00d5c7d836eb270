/*
 * percpu.c - the per-CPU array and GS set-up.
 */
#include "percpu.h"
#include "cpu.h"
#include "trap.h"

struct cpu cpus[CPU_MAX];

void percpu_install(struct cpu *c, unsigned index)
{
    c->self = c;
    c->index = index;
    c->start_tsc = rdtsc();
    list_init(&c->runqueue);
    list_init(&c->sleepers);
    wrmsr(MSR_GS_BASE, (uintptr_t)c);
}

unsigned cpu_online_count(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < CPU_MAX; i++)
        n += cpus[i].online != 0;
    return n;
}

uint64_t cpu_busy_ticks(unsigned cpu)
{
    if (cpu >= CPU_MAX || !cpus[cpu].online)
        return 0;
    const struct cpu *c = &cpus[cpu];
    uint64_t elapsed = rdtsc() - c->start_tsc;
    uint64_t idle = c->idle_polled + trap_halted_ticks(cpu);
    return elapsed > idle ? elapsed - idle : 0;
}

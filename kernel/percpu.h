/*
 * percpu.h - what the kernel keeps for each CPU, reached through GS.
 *
 * Field order matters for the first two: arch/x86_64/cpu.h reads the self
 * pointer at %gs:0 and the index at %gs:8.
 *
 * Contract: a CPU's run queue and sleeper list MUST only be touched with
 * its rq_lock held and interrupts disabled. `current` and the counters are
 * written only by the CPU itself.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdint.h>

#include "cpu.h"
#include "list.h"
#include "spinlock.h"

struct thread;
struct kstack;

struct cpu {
    struct cpu *self;           /* %gs:0 */
    uint64_t index;             /* %gs:8 */
    uint32_t apic_id;
    volatile int online;

    struct thread *current;
    struct thread *idle;
    struct thread *switched_from;   /* for the tail of a switch */
    struct thread *migrating;       /* switched out, to be queued on its new CPU */
    struct spinlock rq_lock;
    struct list runqueue;           /* RUNNABLE threads, current excluded */
    struct list sleepers;           /* BLOCKED threads with a deadline, sorted */
    volatile unsigned rq_len;       /* length of runqueue, for lock-free peeks */
    unsigned nr_threads;            /* live threads placed here (placement) */
    uint64_t slice_end;             /* ns; 0 when the core is not shared */
    int timer_armed;
    uint64_t timer_deadline;        /* ns the armed timer fires at */
    volatile int idle_halted;       /* in hlt: only an IPI brings it back */
    uint64_t fs_base;               /* what MSR_FS_BASE holds now */

    /* Busy time is now - start_tsc - idle_polled - trap_halted_ticks(); under
     * -icount shift=0 that is the number of guest instructions executed. */
    uint64_t start_tsc;             /* when this CPU reached percpu_install */
    uint64_t idle_polled;           /* TSC ticks polling in idle=poll mode */
    uint64_t context_switches;
    uint64_t timer_interrupts;
    uint64_t wakeup_ipis;
    struct kstack *ist_stacks[3];
};

extern struct cpu cpus[CPU_MAX];

static inline struct cpu *this_cpu(void)
{
    return (struct cpu *)cpu_local();
}

/* Number of CPUs that reached the scheduler. */
unsigned cpu_online_count(void);
/* TSC ticks CPU `cpu` has spent outside its idle loop since it started
 * (0 for a CPU not online): the process's CPU time, since the image is one
 * process. Lock-free reads of counters the CPU itself writes. */
uint64_t cpu_busy_ticks(unsigned cpu);
/* Points GS at c and records its identity; the first thing each CPU does. */
void percpu_install(struct cpu *c, unsigned index);

#endif

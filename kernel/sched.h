/*
 * sched.h - per-CPU run queues, blocking and waking, and the one-shot
 * timer that replaces a periodic tick.
 *
 * A CPU with one runnable thread and no sleeper takes no timer interrupt
 * at all. The APIC timer is armed only for the earliest sleeper deadline
 * on that CPU and, while more threads than one share it, for the end of
 * the running thread's time slice.
 *
 * Contract: sched_block and schedule MUST be called with interrupts
 * disabled, on the CPU that owns the current thread. sched_wake MAY be
 * called from any CPU and from interrupt handlers; it returns true only
 * for the call that moved the thread from BLOCKED to RUNNABLE, which is
 * how waitqueues avoid losing a wake-up to a racing timeout.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "spinlock.h"
#include "thread.h"

#define VECTOR_TIMER        0xF0
#define VECTOR_WAKEUP       0xF1
#define SCHED_SLICE_NS      10000000ull

enum idle_policy { IDLE_HALT, IDLE_POLL };

void sched_init(enum idle_policy policy);
/* Per CPU, once its APIC and FPU are up: installs the idle thread. */
void sched_init_cpu(struct cpu *c);
/* Puts a new thread on its CPU's run queue. */
void sched_enqueue_new(struct thread *t);

void schedule(void);
/*
 * Blocks the current thread until sched_wake, or until deadline_ns
 * (0: no deadline). `release` (may be NULL) is unlocked after the thread
 * is marked blocked, so a waker holding it cannot miss the sleeper.
 */
void sched_block(struct spinlock *release, uint64_t deadline_ns);
bool sched_wake(struct thread *t, enum wake_reason reason);

/* The idle loop of each CPU; never returns. */
_Noreturn void sched_idle_loop(void);

/* Finishes a switch in the thread that now runs (frees a dead predecessor). */
void sched_finish_switch(void);

enum idle_policy sched_idle_policy(void);

#endif

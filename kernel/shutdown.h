/*
 * shutdown.h - the orderly way out of the image.
 *
 * Contract: shutdown_exit MAY be called from any thread on any CPU; it
 * does not stop other CPUs first (the exit device ends the whole VM). With
 * statistics on, it first prints one "hermit-stats:" line per online CPU:
 * busy and idle TSC ticks since that CPU started, context switches and
 * interrupts. Under -icount shift=0 the TSC counts guest instructions, so
 * busy ticks are the instructions the CPU executed, the deterministic
 * measure benchmarks compare. Then it calls the reporters layers above
 * registered (network counters, say), in registration order. Panics and
 * exceptions exit without any of it.
 *
 * shutdown_add_report lets a layer the kernel must not name (drivers, net)
 * add its own "hermit-stats:" lines. It MAY be called from any thread,
 * typically once during that layer's initialisation, whether or not
 * statistics are on; it returns false when all SHUTDOWN_REPORTS_MAX slots
 * are taken (the reporter is then never called). A reporter runs on the
 * exiting thread while other CPUs keep running: it MUST NOT allocate,
 * sleep or take a lock another thread may hold (it may be holding it
 * itself), and reads its counters as they are, without locks.
 */
#ifndef KERNEL_SHUTDOWN_H
#define KERNEL_SHUTDOWN_H

#include <stdbool.h>

#define SHUTDOWN_REPORTS_MAX 4

void shutdown_set_stats(int on);
bool shutdown_add_report(void (*report)(void));
_Noreturn void shutdown_exit(int status);

#endif

/*
 * shutdown.h - the orderly way out of the image.
 *
 * Contract: shutdown_exit MAY be called from any thread on any CPU; it
 * does not stop other CPUs first (the exit device ends the whole VM). With
 * statistics on, it first prints one "hermit-stats:" line per online CPU:
 * busy and idle TSC ticks since that CPU started, context switches and
 * interrupts. Under -icount shift=0 the TSC counts guest instructions, so
 * busy ticks are the instructions the CPU executed, the deterministic
 * measure benchmarks compare. Panics and exceptions exit without it.
 */
#ifndef KERNEL_SHUTDOWN_H
#define KERNEL_SHUTDOWN_H

void shutdown_set_stats(int on);
_Noreturn void shutdown_exit(int status);

#endif

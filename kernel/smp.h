/*
 * smp.h - starting the application processors.
 *
 * Contract: smp_start runs once on the boot CPU after discovery_init and
 * sched_init. It starts every enabled CPU the platform lists, one at a
 * time, and returns when each is in its idle loop or has been given up on
 * (reported, not fatal). `max_cpus` (0: no limit) caps the count.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

void smp_start(unsigned max_cpus);

#endif

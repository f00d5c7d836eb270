/*
 * options.h - the kernel options this image understands.
 *
 * Every option before "--" must be known: a typo should stop the boot
 * with a message, not be ignored. Layers above the kernel (libc, net,
 * MPI) add their names here as they arrive.
 *
 * Contract: options_apply validates every option and applies the
 * kernel's own; on a bad option it prints one line naming it and returns
 * EXIT_BAD_CMDLINE without applying anything.
 */
#ifndef KERNEL_OPTIONS_H
#define KERNEL_OPTIONS_H

#include "cmdline.h"

#include "sched.h"

struct kernel_options {
    int probe;                  /* run the accelerator probe instead of main */
    enum idle_policy idle;      /* idle=halt (default) or idle=poll */
    int acpi_off;               /* acpi=off: read the MP table instead */
    unsigned max_cpus;          /* cpus=N: start at most N CPUs (0: all) */
    int stats;                  /* stats: per-CPU accounting at exit */
};

int options_apply(const struct cmdline *cl, struct kernel_options *out);

#endif

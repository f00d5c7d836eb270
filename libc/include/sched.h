/*
 * sched.h - newlib's <sched.h> with cpu_set_t in scope, so that it
 * declares sched_getaffinity()/sched_setaffinity() (HermitCore-C addition).
 */
#ifndef HERMIT_SCHED_WRAPPER_H
#define HERMIT_SCHED_WRAPPER_H

#include <sys/cpuset.h>
#include_next <sched.h>

#endif

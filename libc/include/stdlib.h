/*
 * stdlib.h - newlib's <stdlib.h> plus the wait-status macros (WEXITSTATUS
 * and friends) that POSIX XSI and glibc define here too: code written
 * against glibc checks system()'s status with them after including only
 * <stdlib.h> (the OSU Micro-Benchmarks do). HermitCore-C addition.
 */
#ifndef HERMIT_STDLIB_WRAPPER_H
#define HERMIT_STDLIB_WRAPPER_H

#include_next <stdlib.h>
#include <sys/wait.h>

#endif

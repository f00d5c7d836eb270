/*
 * pthread.h - newlib's <pthread.h> plus the GNU affinity calls that newlib
 * declares only for RTEMS (HermitCore-C addition).
 */
#ifndef HERMIT_PTHREAD_WRAPPER_H
#define HERMIT_PTHREAD_WRAPPER_H

#include <sys/cpuset.h>
#include_next <pthread.h>

#if __GNU_VISIBLE
#ifdef __cplusplus
extern "C" {
#endif
int pthread_setaffinity_np(pthread_t thread, size_t cpusetsize, const cpu_set_t *cpuset);
int pthread_getaffinity_np(const pthread_t thread, size_t cpusetsize, cpu_set_t *cpuset);
#ifdef __cplusplus
}
#endif
#endif

#endif

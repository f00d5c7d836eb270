/*
 * sys/resource.h - resource usage and limits, with glibc's full struct
 * rusage (newlib's has only the two times, and HPC codes print ru_maxrss).
 * Replaces newlib's header (same guard), it does not wrap it.
 *
 * What the image reports (libc/resource.c):
 *   getrusage   RUSAGE_SELF and RUSAGE_THREAD: ru_utime is the CPU time of
 *               every CPU outside its idle loop (the image is one process,
 *               and kernel work done for it is its time: ru_stime stays
 *               0); ru_maxrss the most physical memory ever allocated, in
 *               KiB, the image included. RUSAGE_CHILDREN: all zero (no
 *               children). Fields nothing counts here are 0.
 *   getrlimit   RLIMIT_STACK: the calling thread's stack; RLIMIT_NOFILE:
 *               the descriptor table; RLIMIT_NPROC: 1; RLIMIT_CORE: 0 (no
 *               core files); the others RLIM_INFINITY (memory is bounded by
 *               the VM's RAM, not by a limit).
 *   setrlimit   the limits are fixed when the image boots: setting a limit
 *               to its current value succeeds, anything else fails with
 *               EPERM.
 */
#ifndef _SYS_RESOURCE_H_
#define _SYS_RESOURCE_H_

#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

struct rusage {
    struct timeval ru_utime;    /* user CPU time used */
    struct timeval ru_stime;    /* system CPU time used */
    long ru_maxrss;             /* maximum resident set size, KiB */
    long ru_ixrss;
    long ru_idrss;
    long ru_isrss;
    long ru_minflt;
    long ru_majflt;
    long ru_nswap;
    long ru_inblock;
    long ru_oublock;
    long ru_msgsnd;
    long ru_msgrcv;
    long ru_nsignals;
    long ru_nvcsw;
    long ru_nivcsw;
};

typedef unsigned long long rlim_t;

#define RLIM_INFINITY   (~0ULL)
#define RLIM_SAVED_MAX  RLIM_INFINITY
#define RLIM_SAVED_CUR  RLIM_INFINITY

#define RLIMIT_CPU      0
#define RLIMIT_FSIZE    1
#define RLIMIT_DATA     2
#define RLIMIT_STACK    3
#define RLIMIT_CORE     4
#define RLIMIT_RSS      5
#define RLIMIT_NPROC    6
#define RLIMIT_NOFILE   7
#define RLIMIT_MEMLOCK  8
#define RLIMIT_AS       9
#define RLIMIT_NLIMITS  10

struct rlimit {
    rlim_t rlim_cur;
    rlim_t rlim_max;
};

int getrusage(int who, struct rusage *usage);
int getrlimit(int resource, struct rlimit *limit);
int setrlimit(int resource, const struct rlimit *limit);

#ifdef __cplusplus
}
#endif

#endif

/*
 * resource.c - what the process uses and may use: getrusage, getrlimit,
 * setrlimit, and glibc's sysinfo and get_nprocs, which HPC codes call to
 * size their work and report their footprint (the contracts are in
 * <sys/resource.h> and <sys/sysinfo.h>).
 *
 * The image is one process that owns the machine, so its CPU time is the
 * busy time of every CPU and its memory is the machine's allocated RAM.
 */
#include "libc_internal.h"
#include "fd.h"

#include "clock.h"
#include "percpu.h"
#include "pmem.h"
#include "thread.h"
#include "vmem.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

static struct timeval timeval_of_ticks(uint64_t ticks)
{
    uint64_t us = clock_tsc_to_ns(ticks) / 1000;

    return (struct timeval){ .tv_sec = (time_t)(us / 1000000),
                             .tv_usec = (suseconds_t)(us % 1000000) };
}

int getrusage(int who, struct rusage *usage)
{
    uint64_t busy = 0;

    if (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN)
        return (int)syscall_result(-EINVAL);
    if (!usage)
        return (int)syscall_result(-EFAULT);
    memset(usage, 0, sizeof(*usage));
    if (who == RUSAGE_CHILDREN)
        return 0;
    /* A thread's own time is not accounted apart from its CPU's: the
     * process's time is the honest upper bound for RUSAGE_THREAD too. */
    for (unsigned cpu = 0; cpu < CPU_MAX; cpu++)
        busy += cpu_busy_ticks(cpu);
    usage->ru_utime = timeval_of_ticks(busy);
    usage->ru_maxrss = (long)(pmem_peak_used_bytes() / 1024);
    return 0;
}

/* The value of each limit; 0 with *known false for a resource we do not have. */
static rlim_t limit_of(int resource, int *known)
{
    const struct thread *self = thread_self();

    *known = 1;
    switch (resource) {
    case RLIMIT_STACK:
        return self->stack ? self->stack->top - self->stack->base : RLIM_INFINITY;
    case RLIMIT_NOFILE:
        return FD_MAX;
    case RLIMIT_NPROC:
        return 1;
    case RLIMIT_CORE:
        return 0;
    case RLIMIT_CPU:
    case RLIMIT_FSIZE:
    case RLIMIT_DATA:
    case RLIMIT_RSS:
    case RLIMIT_MEMLOCK:
    case RLIMIT_AS:
        return RLIM_INFINITY;
    default:
        *known = 0;
        return 0;
    }
}

/* 0 with the resource's limit in *value, or the error getrlimit and
 * setrlimit report for an unknown resource or a missing structure. */
static int limit_lookup(int resource, const void *limit, rlim_t *value)
{
    int known;

    *value = limit_of(resource, &known);
    if (!known)
        return -EINVAL;
    return limit ? 0 : -EFAULT;
}

int getrlimit(int resource, struct rlimit *limit)
{
    rlim_t value;
    int err = limit_lookup(resource, limit, &value);

    if (err)
        return (int)syscall_result(err);
    limit->rlim_cur = limit->rlim_max = value;
    return 0;
}

int setrlimit(int resource, const struct rlimit *limit)
{
    rlim_t value;
    int err = limit_lookup(resource, limit, &value);

    if (err)
        return (int)syscall_result(err);
    if (limit->rlim_cur > limit->rlim_max)
        return (int)syscall_result(-EINVAL);
    /* Nothing could enforce a changed limit: only the current one is kept. */
    if (limit->rlim_cur != value || limit->rlim_max != value)
        return (int)syscall_result(-EPERM);
    return 0;
}

int get_nprocs(void)
{
    return (int)cpu_online_count();
}

int get_nprocs_conf(void)
{
    return (int)cpu_online_count();
}

int sysinfo(struct sysinfo *info)
{
    unsigned live, cached;

    if (!info)
        return (int)syscall_result(-EFAULT);
    memset(info, 0, sizeof(*info));
    stack_counts(&live, &cached);
    info->uptime = (long)(clock_ns() / 1000000000ull);
    info->totalram = pmem_total_bytes();
    info->freeram = pmem_free_bytes();
    info->procs = (unsigned short)(live > 0xFFFF ? 0xFFFF : live);
    info->mem_unit = 1;
    return 0;
}

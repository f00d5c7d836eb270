/*
 * time.c - clocks and sleeping.
 *
 * CLOCK_MONOTONIC is the kernel's TSC clock. CLOCK_REALTIME is that plus
 * the wall-clock time at boot, read from the CMOS real-time clock, or
 * taken from `epoch=SECONDS` on the command line when the host knows
 * better (an RTC in a VM is only as good as its emulation).
 */
#include "libc_internal.h"

#include "boot.h"
#include "clock.h"
#include "cmos.h"
#include "thread.h"

#include <stdlib.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000ull

static uint64_t boot_epoch_ns;          /* CLOCK_REALTIME at clock_ns() == 0 */

void libc_time_init(void)
{
    const char *epoch = cmdline_get(boot_get_cmdline(), "epoch");
    uint64_t seconds = epoch ? strtoull(epoch, NULL, 10) : cmos_rtc_seconds();

    boot_epoch_ns = seconds * NS_PER_S - clock_ns();
}

static int clock_now(clockid_t id, uint64_t *ns)
{
    switch (id) {
    case CLOCK_MONOTONIC:
        *ns = clock_ns();
        return 0;
    case CLOCK_REALTIME:
        *ns = boot_epoch_ns + clock_ns();
        return 0;
    default:
        return -EINVAL;
    }
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    uint64_t ns;
    int r = clock_now(id, &ns);

    if (r)
        return (int)syscall_result(r);
    if (!ts)
        return (int)syscall_result(-EFAULT);
    ts->tv_sec = (time_t)(ns / NS_PER_S);
    ts->tv_nsec = (long)(ns % NS_PER_S);
    return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
    uint64_t ns;

    if (clock_now(id, &ns))
        return (int)syscall_result(-EINVAL);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = 1;
    }
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    uint64_t ns = boot_epoch_ns + clock_ns();

    (void)tz;
    if (tv) {
        tv->tv_sec = (time_t)(ns / NS_PER_S);
        tv->tv_usec = (suseconds_t)(ns % NS_PER_S / 1000);
    }
    return 0;
}

clock_t times(struct tms *buf)
{
    clock_t ticks = (clock_t)(clock_ns() / (NS_PER_S / LIBC_CLK_TCK));

    if (buf) {
        buf->tms_utime = ticks;
        buf->tms_stime = 0;
        buf->tms_cutime = 0;
        buf->tms_cstime = 0;
    }
    return ticks;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!req || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= (long)NS_PER_S)
        return (int)syscall_result(-EINVAL);
    thread_sleep_ns((uint64_t)req->tv_sec * NS_PER_S + (uint64_t)req->tv_nsec);
    if (rem)
        rem->tv_sec = rem->tv_nsec = 0;
    return 0;
}

int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem)
{
    uint64_t now;

    if (!req || clock_now(id, &now))
        return EINVAL;
    uint64_t want = (uint64_t)req->tv_sec * NS_PER_S + (uint64_t)req->tv_nsec;
    if (flags & TIMER_ABSTIME)
        thread_sleep_until(want > now ? clock_ns() + (want - now) : 0);
    else
        thread_sleep_ns(want);
    if (rem)
        rem->tv_sec = rem->tv_nsec = 0;
    return 0;
}

int usleep(useconds_t us)
{
    thread_sleep_ns((uint64_t)us * 1000);
    return 0;
}

unsigned sleep(unsigned seconds)
{
    thread_sleep_ns((uint64_t)seconds * NS_PER_S);
    return 0;
}

uint64_t libc_deadline(clockid_t clock, const struct timespec *abs)
{
    struct timespec now;
    uint64_t k = clock_ns();

    clock_gettime(clock, &now);
    int64_t delta = (int64_t)(abs->tv_sec - now.tv_sec) * 1000000000ll +
                    (abs->tv_nsec - now.tv_nsec);
    return delta > 0 ? k + (uint64_t)delta : k;
}

/*
 * semaphore.c - POSIX unnamed semaphores on kernel semaphores.
 */
#include "libc_internal.h"

#include "clock.h"
#include "heap.h"
#include "kerr.h"
#include "sync.h"

#include <semaphore.h>
#include <time.h>

int kerr_to_errno(int err);

static struct semaphore *sem_of(sem_t *s)
{
    return s ? s->__impl : NULL;
}

int sem_init(sem_t *s, int pshared, unsigned value)
{
    struct semaphore *k;

    (void)pshared;
    if (!s || value > SEM_VALUE_MAX)
        return (int)syscall_result(-EINVAL);
    if (!(k = kzalloc(sizeof(*k))))
        return (int)syscall_result(-ENOSPC);
    semaphore_init(k, value);
    s->__impl = k;
    return 0;
}

int sem_destroy(sem_t *s)
{
    struct semaphore *k = sem_of(s);

    if (!k)
        return (int)syscall_result(-EINVAL);
    kfree(k);
    s->__impl = NULL;
    return 0;
}

/*
 * Application semaphores are how libgomp's threads wait at barriers and
 * between parallel regions: a short spin keeps a team that arrives
 * together from paying a sleep and wake-up each time (GNU/Linux libgomp
 * spins too, by default). 20 us covers a barrier round trip under TCG
 * (3-7 us) and stays short where vCPUs share host cores (runtimes/README.md).
 */
#define SEM_SPIN_NS 20000

int sem_wait(sem_t *s)
{
    struct semaphore *k = sem_of(s);

    if (!k)
        return (int)syscall_result(-EINVAL);
    return (int)syscall_result(-kerr_to_errno(semaphore_down_spinning(k, 0, SEM_SPIN_NS)));
}

int sem_trywait(sem_t *s)
{
    struct semaphore *k = sem_of(s);

    if (!k)
        return (int)syscall_result(-EINVAL);
    return semaphore_trydown(k) == KERR_OK ? 0 : (int)syscall_result(-EAGAIN);
}

int sem_timedwait(sem_t *s, const struct timespec *abs)
{
    struct semaphore *k = sem_of(s);

    if (!k || !libc_valid_timespec(abs))
        return (int)syscall_result(-EINVAL);
    uint64_t deadline = libc_deadline(CLOCK_REALTIME, abs);
    return (int)syscall_result(-kerr_to_errno(semaphore_down(k, deadline)));
}

int sem_post(sem_t *s)
{
    struct semaphore *k = sem_of(s);

    if (!k)
        return (int)syscall_result(-EINVAL);
    semaphore_up(k);
    return 0;
}

int sem_getvalue(sem_t *s, int *value)
{
    struct semaphore *k = sem_of(s);

    if (!k || !value)
        return (int)syscall_result(-EINVAL);
    *value = (int)__atomic_load_n(&k->count, __ATOMIC_RELAXED);
    return 0;
}

sem_t *sem_open(const char *name, int oflag, ...)
{
    (void)name, (void)oflag;
    errno = ENOSYS;
    return SEM_FAILED;
}

int sem_close(sem_t *s)
{
    (void)s;
    return (int)syscall_result(-ENOSYS);
}

int sem_unlink(const char *name)
{
    (void)name;
    return (int)syscall_result(-ENOSYS);
}

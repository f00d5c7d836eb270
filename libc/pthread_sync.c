/*
 * pthread_sync.c - POSIX mutexes and condition variables on the kernel's
 * mutex and condvar.
 *
 * Every object is a kernel object in the heap named by a 32-bit handle
 * (see handle.h); the static initializers resolve on first use.
 */
#include "handle.h"
#include "libc_internal.h"

#include "heap.h"
#include "kerr.h"
#include "sync.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

int kerr_to_errno(int err);

struct pmutex {
    struct mutex m;
};

struct pcond {
    struct condvar cv;
    clockid_t clock;
};

/* --- mutexes --------------------------------------------------------------- */

static enum mutex_type kernel_type(int posix_type)
{
    switch (posix_type) {
    case PTHREAD_MUTEX_RECURSIVE: return MUTEX_RECURSIVE;
    case PTHREAD_MUTEX_ERRORCHECK: return MUTEX_ERRORCHECK;
    default: return MUTEX_NORMAL;
    }
}

static void *pmutex_default(void)
{
    struct pmutex *p = kzalloc(sizeof(*p));

    if (p)
        mutex_init(&p->m, MUTEX_NORMAL);
    return p;
}

static struct mutex *mutex_of(pthread_mutex_t *m)
{
    struct pmutex *p = m ? handle_resolve(m, pmutex_default, handle_object_free) : NULL;

    return p ? &p->m : NULL;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->is_initialized = 1;
    a->type = PTHREAD_MUTEX_DEFAULT;
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
    a->is_initialized = 0;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
    if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_DEFAULT)
        return EINVAL;
    a->type = type;
    return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
    *type = a->type;
    return 0;
}

int pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared)
{
    a->process_shared = pshared;
    return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared)
{
    *pshared = a->process_shared;
    return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    struct pmutex *p = kzalloc(sizeof(*p));

    if (!p)
        return ENOMEM;
    mutex_init(&p->m, kernel_type(a ? a->type : PTHREAD_MUTEX_DEFAULT));
    return handle_publish(m, p);
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
    struct pmutex *p = handle_get(*m);

    if (*m == HANDLE_STATIC_INIT)
        return 0;
    if (!p)
        return EINVAL;
    if (p->m.owner)
        return EBUSY;
    handle_retire(m, p);
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    struct mutex *k = mutex_of(m);

    return k ? kerr_to_errno(mutex_lock(k)) : EINVAL;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    struct mutex *k = mutex_of(m);

    return k ? kerr_to_errno(mutex_trylock(k)) : EINVAL;
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
    struct mutex *k = mutex_of(m);

    if (!k || !libc_valid_timespec(abs))
        return EINVAL;
    return kerr_to_errno(mutex_lock_until(k, libc_deadline(CLOCK_REALTIME, abs)));
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    struct mutex *k = mutex_of(m);

    return k ? kerr_to_errno(mutex_unlock(k)) : EINVAL;
}

/* --- condition variables ------------------------------------------------------ */

static void *pcond_default(void)
{
    struct pcond *c = kzalloc(sizeof(*c));

    if (c) {
        condvar_init(&c->cv);
        c->clock = CLOCK_REALTIME;
    }
    return c;
}

int pthread_condattr_init(pthread_condattr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->is_initialized = 1;
    a->clock = CLOCK_REALTIME;
    return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
    a->is_initialized = 0;
    return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
        return EINVAL;
    a->clock = clock;
    return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
    *clock = a->clock;
    return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    struct pcond *p = pcond_default();

    if (!p)
        return ENOMEM;
    if (a && a->is_initialized)
        p->clock = a->clock;
    return handle_publish(c, p);
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    struct pcond *p = handle_get(*c);

    if (*c == HANDLE_STATIC_INIT)
        return 0;
    if (!p)
        return EINVAL;
    handle_retire(c, p);
    return 0;
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs)
{
    struct pcond *p = handle_resolve(c, pcond_default, handle_object_free);
    struct mutex *k = mutex_of(m);

    if (!p || !k || (abs && !libc_valid_timespec(abs)))
        return EINVAL;
    if (k->owner != thread_self())
        return EPERM;
    uint64_t deadline = abs ? libc_deadline(p->clock, abs) : 0;
    return kerr_to_errno(condvar_wait(&p->cv, k, deadline));
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return cond_wait(c, m, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs)
{
    return abs ? cond_wait(c, m, abs) : EINVAL;
}

int pthread_cond_signal(pthread_cond_t *c)
{
    struct pcond *p = handle_resolve(c, pcond_default, handle_object_free);

    if (!p)
        return EINVAL;
    condvar_signal(&p->cv);
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    struct pcond *p = handle_resolve(c, pcond_default, handle_object_free);

    if (!p)
        return EINVAL;
    condvar_broadcast(&p->cv);
    return 0;
}

/*
 * pthread_sync.c - POSIX mutexes, condition variables, read-write locks,
 * spin locks and barriers on the kernel's synchronization objects.
 *
 * Every object but the spin lock is a kernel object in the heap named by
 * a 32-bit handle (see handle.h); the static initializers resolve on first
 * use. A spin lock is its own 32-bit lock word.
 */
#include "handle.h"
#include "libc_internal.h"

#include "clock.h"
#include "heap.h"
#include "kerr.h"
#include "sync.h"

#include <pthread.h>
#include <stdlib.h>
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

struct prwlock {
    struct mutex lock;
    struct condvar readers_ok, writer_ok;
    unsigned readers, writers_waiting;
    int writer;
};

struct pbarrier {
    struct barrier b;
};

/* Converts an absolute time on `clock` into a kernel deadline (clock_ns). */
static uint64_t deadline_from(clockid_t clock, const struct timespec *abs)
{
    struct timespec now;
    uint64_t k = clock_ns();

    clock_gettime(clock, &now);
    int64_t delta = (int64_t)(abs->tv_sec - now.tv_sec) * 1000000000ll +
                    (abs->tv_nsec - now.tv_nsec);
    return delta > 0 ? k + (uint64_t)delta : k;
}

static int valid_timespec(const struct timespec *t)
{
    return t && t->tv_nsec >= 0 && t->tv_nsec < 1000000000l;
}

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

static void object_free(void *p)
{
    kfree(p);
}

/* Names a new object through *slot; frees it and fails with ENOMEM if it cannot. */
static int publish(volatile uint32_t *slot, void *object)
{
    uint32_t h = handle_new(object);

    if (!h) {
        kfree(object);
        return ENOMEM;
    }
    *slot = h;
    return 0;
}

static void retire(volatile uint32_t *slot, void *object)
{
    handle_free(*slot);
    kfree(object);
    *slot = 0;
}

static struct mutex *mutex_of(pthread_mutex_t *m)
{
    struct pmutex *p = m ? handle_resolve(m, pmutex_default, object_free) : NULL;

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
    return publish(m, p);
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
    retire(m, p);
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

    if (!k || !valid_timespec(abs))
        return EINVAL;
    return kerr_to_errno(mutex_lock_until(k, deadline_from(CLOCK_REALTIME, abs)));
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
    return publish(c, p);
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    struct pcond *p = handle_get(*c);

    if (*c == HANDLE_STATIC_INIT)
        return 0;
    if (!p)
        return EINVAL;
    retire(c, p);
    return 0;
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs)
{
    struct pcond *p = handle_resolve(c, pcond_default, object_free);
    struct mutex *k = mutex_of(m);

    if (!p || !k || (abs && !valid_timespec(abs)))
        return EINVAL;
    if (k->owner != thread_self())
        return EPERM;
    uint64_t deadline = abs ? deadline_from(p->clock, abs) : 0;
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
    struct pcond *p = handle_resolve(c, pcond_default, object_free);

    if (!p)
        return EINVAL;
    condvar_signal(&p->cv);
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    struct pcond *p = handle_resolve(c, pcond_default, object_free);

    if (!p)
        return EINVAL;
    condvar_broadcast(&p->cv);
    return 0;
}

/* --- read-write locks: writers are preferred, so they cannot starve -------- */

static void *prwlock_default(void)
{
    struct prwlock *r = kzalloc(sizeof(*r));

    if (r) {
        mutex_init(&r->lock, MUTEX_NORMAL);
        condvar_init(&r->readers_ok);
        condvar_init(&r->writer_ok);
    }
    return r;
}

static struct prwlock *rwlock_of(pthread_rwlock_t *l)
{
    return l ? handle_resolve(l, prwlock_default, object_free) : NULL;
}

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
    struct prwlock *r = prwlock_default();

    (void)a;
    if (!r)
        return ENOMEM;
    return publish(l, r);
}

int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
    struct prwlock *r = handle_get(*l);

    if (*l == HANDLE_STATIC_INIT)
        return 0;
    if (!r)
        return EINVAL;
    if (r->readers || r->writer)
        return EBUSY;
    retire(l, r);
    return 0;
}

static int rdlock(pthread_rwlock_t *l, int try, const struct timespec *abs)
{
    struct prwlock *r = rwlock_of(l);
    int err = 0;

    if (!r || (abs && !valid_timespec(abs)))
        return EINVAL;
    uint64_t deadline = abs ? deadline_from(CLOCK_REALTIME, abs) : 0;
    mutex_lock(&r->lock);
    while (!err && (r->writer || r->writers_waiting))
        err = try ? EBUSY : kerr_to_errno(condvar_wait(&r->readers_ok, &r->lock, deadline));
    if (!err)
        r->readers++;
    mutex_unlock(&r->lock);
    return err;
}

static int wrlock(pthread_rwlock_t *l, int try, const struct timespec *abs)
{
    struct prwlock *r = rwlock_of(l);
    int err = 0;

    if (!r || (abs && !valid_timespec(abs)))
        return EINVAL;
    uint64_t deadline = abs ? deadline_from(CLOCK_REALTIME, abs) : 0;
    mutex_lock(&r->lock);
    r->writers_waiting++;
    while (!err && (r->writer || r->readers))
        err = try ? EBUSY : kerr_to_errno(condvar_wait(&r->writer_ok, &r->lock, deadline));
    r->writers_waiting--;
    if (!err)
        r->writer = 1;
    else if (!r->writers_waiting)
        condvar_broadcast(&r->readers_ok);      /* readers held back by us may go */
    mutex_unlock(&r->lock);
    return err;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l) { return rdlock(l, 0, NULL); }
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) { return rdlock(l, 1, NULL); }
int pthread_rwlock_wrlock(pthread_rwlock_t *l) { return wrlock(l, 0, NULL); }
int pthread_rwlock_trywrlock(pthread_rwlock_t *l) { return wrlock(l, 1, NULL); }

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abs)
{
    return abs ? rdlock(l, 0, abs) : EINVAL;
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abs)
{
    return abs ? wrlock(l, 0, abs) : EINVAL;
}

int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    struct prwlock *r = rwlock_of(l);
    int err = 0;

    if (!r)
        return EINVAL;
    mutex_lock(&r->lock);
    if (r->writer) {
        r->writer = 0;
    } else if (r->readers) {
        r->readers--;
    } else {
        err = EPERM;
    }
    if (!err && !r->readers && !r->writer) {
        if (r->writers_waiting)
            condvar_signal(&r->writer_ok);
        else
            condvar_broadcast(&r->readers_ok);
    }
    mutex_unlock(&r->lock);
    return err;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->is_initialized = 1;
    return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
    a->is_initialized = 0;
    return 0;
}

/* --- spin locks ------------------------------------------------------------ */

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    (void)pshared;
    __atomic_store_n(s, 0, __ATOMIC_RELEASE);
    return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
    return __atomic_load_n(s, __ATOMIC_ACQUIRE) ? EBUSY : 0;
}

int pthread_spin_lock(pthread_spinlock_t *s)
{
    while (__atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(s, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
    return 0;
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
    return __atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0;
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
    __atomic_store_n(s, 0, __ATOMIC_RELEASE);
    return 0;
}

/* --- barriers -------------------------------------------------------------- */

int pthread_barrierattr_init(pthread_barrierattr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->is_initialized = 1;
    return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *a)
{
    a->is_initialized = 0;
    return 0;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count)
{
    struct pbarrier *p;

    (void)a;
    if (!count)
        return EINVAL;
    if (!(p = kzalloc(sizeof(*p))))
        return ENOMEM;
    barrier_init(&p->b, count);
    return publish(b, p);
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
    struct pbarrier *p = handle_get(*b);

    if (!p)
        return EINVAL;
    if (p->b.waiting)
        return EBUSY;
    retire(b, p);
    return 0;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
    struct pbarrier *p = handle_get(*b);

    if (!p)
        return EINVAL;
    return barrier_wait(&p->b) ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
}

/*
 * pthread_rwlock.c - POSIX read-write locks, spin locks and barriers.
 *
 * Read-write locks and barriers are kernel objects named by handles, like
 * mutexes (pthread_sync.c); a spin lock is its own 32-bit lock word.
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

struct prwlock {
    struct mutex lock;
    struct condvar readers_ok, writer_ok;
    unsigned readers, writers_waiting;
    int writer;
};

struct pbarrier {
    struct barrier b;
};

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
    return l ? handle_resolve(l, prwlock_default, handle_object_free) : NULL;
}

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
    struct prwlock *r = prwlock_default();

    (void)a;
    if (!r)
        return ENOMEM;
    return handle_publish(l, r);
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
    handle_retire(l, r);
    return 0;
}

static int rdlock(pthread_rwlock_t *l, int try, const struct timespec *abs)
{
    struct prwlock *r = rwlock_of(l);
    int err = 0;

    if (!r || (abs && !libc_valid_timespec(abs)))
        return EINVAL;
    uint64_t deadline = abs ? libc_deadline(CLOCK_REALTIME, abs) : 0;
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

    if (!r || (abs && !libc_valid_timespec(abs)))
        return EINVAL;
    uint64_t deadline = abs ? libc_deadline(CLOCK_REALTIME, abs) : 0;
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
    return handle_publish(b, p);
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
    struct pbarrier *p = handle_get(*b);

    if (!p)
        return EINVAL;
    if (p->b.waiting)
        return EBUSY;
    handle_retire(b, p);
    return 0;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
    struct pbarrier *p = handle_get(*b);

    if (!p)
        return EINVAL;
    return barrier_wait(&p->b) ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
}

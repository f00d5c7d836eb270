/*
 * locks.c - newlib's retargetable locks on kernel mutexes.
 *
 * newlib names its static locks (stdio, malloc, atexit, environment, ...)
 * and creates others for each FILE. Static ones are set up before main
 * (libc_locks_init); dynamic ones come from the kernel heap, not malloc,
 * because malloc's own lock is one of them.
 */
#include "libc_internal.h"

#include "sync.h"

#include <sys/lock.h>

struct __lock {
    struct mutex mutex;
};

struct __lock __lock___sinit_recursive_mutex;
struct __lock __lock___sfp_recursive_mutex;
struct __lock __lock___atexit_recursive_mutex;
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex;
struct __lock __lock___env_recursive_mutex;
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

void libc_locks_init(void)
{
    mutex_init(&__lock___sinit_recursive_mutex.mutex, MUTEX_RECURSIVE);
    mutex_init(&__lock___sfp_recursive_mutex.mutex, MUTEX_RECURSIVE);
    mutex_init(&__lock___atexit_recursive_mutex.mutex, MUTEX_RECURSIVE);
    mutex_init(&__lock___at_quick_exit_mutex.mutex, MUTEX_NORMAL);
    mutex_init(&__lock___malloc_recursive_mutex.mutex, MUTEX_RECURSIVE);
    mutex_init(&__lock___env_recursive_mutex.mutex, MUTEX_RECURSIVE);
    mutex_init(&__lock___tz_mutex.mutex, MUTEX_NORMAL);
    mutex_init(&__lock___dd_hash_mutex.mutex, MUTEX_NORMAL);
    mutex_init(&__lock___arc4random_mutex.mutex, MUTEX_NORMAL);
}

static void lock_new(_LOCK_T *lock, enum mutex_type type)
{
    struct __lock *l = libc_kernel_zalloc(sizeof(*l));

    if (l)
        mutex_init(&l->mutex, type);
    *lock = l;
}

void __retarget_lock_init(_LOCK_T *lock)
{
    lock_new(lock, MUTEX_NORMAL);
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
    lock_new(lock, MUTEX_RECURSIVE);
}

void __retarget_lock_close(_LOCK_T lock)
{
    libc_kernel_free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
    libc_kernel_free(lock);
}

/* A NULL lock is one whose allocation failed: run unlocked rather than crash. */
void __retarget_lock_acquire(_LOCK_T lock)
{
    if (lock)
        mutex_lock(&lock->mutex);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
    if (lock)
        mutex_lock(&lock->mutex);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
    return lock ? mutex_trylock(&lock->mutex) == 0 : 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
    return lock ? mutex_trylock(&lock->mutex) == 0 : 1;
}

void __retarget_lock_release(_LOCK_T lock)
{
    if (lock)
        mutex_unlock(&lock->mutex);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
    if (lock)
        mutex_unlock(&lock->mutex);
}

/*
 * pthread.c - POSIX threads on the kernel's native threads: creation,
 * joining, identity, once, thread-specific keys, affinity.
 *
 * Each pthread has a record, named by its 32-bit pthread_t handle, that
 * outlives the kernel thread until it is joined or detached. Exit runs
 * the key destructors and frees the thread's newlib state before the
 * kernel thread ends.
 */
#define _GNU_SOURCE
#include "handle.h"
#include "libc_internal.h"

#include "kerr.h"
#include "percpu.h"
#include "thread.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_MAX            128
#define DESTRUCTOR_ROUNDS   4
#define DEFAULT_STACK       (256 * 1024)
#define MIN_STACK           (16 * 1024)

struct pthread_rec {
    struct thread *kthread;
    void *(*start)(void *);
    void *arg;
    uint32_t handle;
    struct spinlock lock;
    int detached, exited;
    uint64_t affinity;              /* CPUs this thread may run on, bit per CPU */
};

static __thread struct pthread_rec *self_rec;
static __thread void *key_values[KEYS_MAX];
static struct {
    int used;
    void (*destructor)(void *);
} keys[KEYS_MAX];
static struct spinlock keys_lock = SPINLOCK_INIT;

int kerr_to_errno(int err)
{
    switch (err) {
    case KERR_OK: return 0;
    case KERR_NOMEM: return EAGAIN;
    case KERR_DEADLK: return EDEADLK;
    case KERR_TIMEDOUT: return ETIMEDOUT;
    case KERR_BUSY: return EBUSY;
    case KERR_PERM: return EPERM;
    default: return EINVAL;
    }
}

static uint64_t all_cpus(void)
{
    unsigned n = cpu_online_count();

    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static struct pthread_rec *rec_new(void)
{
    struct pthread_rec *r = libc_kernel_zalloc(sizeof(*r));

    if (r) {
        r->lock = (struct spinlock)SPINLOCK_INIT;
        r->affinity = all_cpus();
        r->handle = handle_new(r);
        if (!r->handle) {
            libc_kernel_free(r);
            return NULL;
        }
    }
    return r;
}

static void rec_free(struct pthread_rec *r)
{
    handle_free(r->handle);
    libc_kernel_free(r);
}

/* The main thread (or any thread not made by pthread_create) gets a record lazily. */
static struct pthread_rec *current(void)
{
    if (!self_rec && (self_rec = rec_new())) {
        self_rec->kthread = thread_self();
        self_rec->detached = 1;         /* nobody can join it */
    }
    return self_rec;
}

pthread_t pthread_self(void)
{
    struct pthread_rec *r = current();

    return r ? r->handle : 0;
}

int pthread_equal(pthread_t a, pthread_t b)
{
    return a == b;
}

static void run_key_destructors(void)
{
    for (int round = 0; round < DESTRUCTOR_ROUNDS; round++) {
        int ran = 0;
        for (int k = 0; k < KEYS_MAX; k++) {
            void *v = key_values[k];
            void (*d)(void *) = keys[k].used ? keys[k].destructor : NULL;
            if (v && d) {
                key_values[k] = NULL;
                d(v);
                ran = 1;
            }
        }
        if (!ran)
            break;
    }
}

_Noreturn void pthread_exit(void *value)
{
    struct pthread_rec *r = self_rec;

    run_key_destructors();
    libc_reent_release();
    if (r) {
        spinlock_lock(&r->lock);
        r->exited = 1;
        int free_now = r->detached;
        spinlock_unlock(&r->lock);
        if (free_now)
            rec_free(r);
    }
    thread_exit(value);
}

static void *trampoline(void *arg)
{
    struct pthread_rec *r = arg;

    self_rec = r;
    pthread_exit(r->start(r->arg));
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*start)(void *),
                   void *arg)
{
    struct thread_attr ka = { DEFAULT_STACK, THREAD_CPU_ANY, false, "pthread" };
    struct pthread_rec *r;

    if (!start || (attr && !attr->is_initialized))
        return EINVAL;
    if (attr && attr->stacksize)
        ka.stack_size = (size_t)attr->stacksize < MIN_STACK ? MIN_STACK : (size_t)attr->stacksize;
    if (!(r = rec_new()))
        return EAGAIN;
    r->start = start;
    r->arg = arg;
    r->detached = attr && attr->detachstate == PTHREAD_CREATE_DETACHED;
    ka.detached = r->detached;
    /*
     * A detached thread may finish and free r before thread_create
     * returns: read nothing from r afterwards except through the handle.
     */
    uint32_t handle = r->handle;
    int err = thread_create(&r->kthread, &ka, trampoline, r);
    if (err) {
        rec_free(r);
        return kerr_to_errno(err);
    }
    if (out)
        *out = handle;
    return 0;
}

int pthread_join(pthread_t t, void **value)
{
    struct pthread_rec *r = handle_get(t);

    if (!r)
        return ESRCH;
    if (r == self_rec)
        return EDEADLK;
    if (r->detached)
        return EINVAL;
    int err = thread_join(r->kthread, value);
    if (err)
        return kerr_to_errno(err);
    rec_free(r);
    return 0;
}

int pthread_detach(pthread_t t)
{
    struct pthread_rec *r = handle_get(t);

    if (!r)
        return ESRCH;
    spinlock_lock(&r->lock);
    int already = r->detached, exited = r->exited;
    r->detached = 1;
    spinlock_unlock(&r->lock);
    if (already)
        return EINVAL;
    thread_detach(r->kthread);
    if (exited)
        rec_free(r);
    return 0;
}

int pthread_once(pthread_once_t *once, void (*init)(void))
{
    static struct spinlock once_lock = SPINLOCK_INIT;
    enum { NOT_RUN, RUNNING, DONE };

    if (__atomic_load_n(&once->init_executed, __ATOMIC_ACQUIRE) == DONE)
        return 0;
    for (;;) {
        spinlock_lock(&once_lock);
        int state = once->init_executed;
        if (state == NOT_RUN)
            once->init_executed = RUNNING;
        spinlock_unlock(&once_lock);
        if (state == DONE)
            return 0;
        if (state == NOT_RUN)
            break;
        sched_yield();                  /* another thread is running init */
    }
    init();
    __atomic_store_n(&once->init_executed, DONE, __ATOMIC_RELEASE);
    return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    spinlock_lock(&keys_lock);
    for (int k = 0; k < KEYS_MAX; k++) {
        if (!keys[k].used) {
            keys[k].used = 1;
            keys[k].destructor = destructor;
            spinlock_unlock(&keys_lock);
            *key = (pthread_key_t)(k + 1);
            return 0;
        }
    }
    spinlock_unlock(&keys_lock);
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    if (key < 1 || key > KEYS_MAX || !keys[key - 1].used)
        return EINVAL;
    keys[key - 1].used = 0;
    return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
    return key >= 1 && key <= KEYS_MAX ? key_values[key - 1] : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    if (key < 1 || key > KEYS_MAX || !keys[key - 1].used)
        return EINVAL;
    key_values[key - 1] = (void *)(uintptr_t)value;
    return 0;
}

/* --- affinity ------------------------------------------------------------ */

static uint64_t mask_from_set(size_t size, const cpu_set_t *set)
{
    uint64_t mask = 0;

    for (unsigned cpu = 0; cpu < CPU_MAX && cpu < size * 8; cpu++)
        if (CPU_ISSET(cpu, set) && cpus[cpu].online)
            mask |= 1ull << cpu;
    return mask;
}

static int set_affinity(struct pthread_rec *r, size_t size, const cpu_set_t *set)
{
    uint64_t mask = set ? mask_from_set(size, set) : 0;

    if (!mask)
        return EINVAL;
    if (r != current())
        return ENOSYS;                  /* only a thread may move itself */
    r->affinity = mask;
    if (!(mask & (1ull << cpu_index())))
        return kerr_to_errno(thread_move_self((unsigned)__builtin_ctzll(mask)));
    return 0;
}

static int get_affinity(struct pthread_rec *r, size_t size, cpu_set_t *set)
{
    if (!set || size < sizeof(uint64_t))
        return EINVAL;
    memset(set, 0, size);
    for (unsigned cpu = 0; cpu < 64; cpu++)
        if (r->affinity & (1ull << cpu))
            CPU_SET(cpu, set);
    return 0;
}

int pthread_setaffinity_np(pthread_t t, size_t size, const cpu_set_t *set)
{
    struct pthread_rec *r = t == pthread_self() ? current() : handle_get(t);

    return r ? set_affinity(r, size, set) : ESRCH;
}

int pthread_getaffinity_np(const pthread_t t, size_t size, cpu_set_t *set)
{
    struct pthread_rec *r = t == pthread_self() ? current() : handle_get(t);

    return r ? get_affinity(r, size, set) : ESRCH;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
    if (pid != 0 && pid != 1)
        return (int)syscall_result(-ESRCH);
    int err = current() ? set_affinity(current(), size, set) : ENOMEM;
    return (int)syscall_result(-err);
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
    if (pid != 0 && pid != 1)
        return (int)syscall_result(-ESRCH);
    int err = current() ? get_affinity(current(), size, set) : ENOMEM;
    return (int)syscall_result(-err);
}

int sched_getcpu(void)
{
    return (int)cpu_index();
}

/* --- attributes ----------------------------------------------------------- */

int pthread_attr_init(pthread_attr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->is_initialized = 1;
    a->stacksize = DEFAULT_STACK;
    a->detachstate = PTHREAD_CREATE_JOINABLE;
    a->contentionscope = PTHREAD_SCOPE_SYSTEM;
    a->inheritsched = PTHREAD_INHERIT_SCHED;
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
    a->is_initialized = 0;
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
    if (state != PTHREAD_CREATE_DETACHED && state != PTHREAD_CREATE_JOINABLE)
        return EINVAL;
    a->detachstate = state;
    return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
    *state = a->detachstate;
    return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
    if (size < MIN_STACK || size > 0x7FFFFFFF)
        return EINVAL;
    a->stacksize = (int)size;
    return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
    *size = (size_t)a->stacksize;
    return 0;
}

int pthread_attr_setscope(pthread_attr_t *a, int scope)
{
    if (scope != PTHREAD_SCOPE_SYSTEM)
        return scope == PTHREAD_SCOPE_PROCESS ? ENOTSUP : EINVAL;
    a->contentionscope = scope;
    return 0;
}

int pthread_attr_getscope(const pthread_attr_t *a, int *scope)
{
    *scope = a->contentionscope;
    return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *a, size_t size)
{
    (void)a, (void)size;
    return 0;                           /* every stack has one guard page */
}

int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size)
{
    (void)a;
    *size = 4096;
    return 0;
}

/* Cancellation and signals between threads are not supported. */
int pthread_cancel(pthread_t t)
{
    (void)t;
    return ENOSYS;
}

int pthread_kill(pthread_t t, int sig)
{
    (void)t;
    return sig == 0 ? 0 : ENOSYS;
}

int pthread_setcancelstate(int state, int *old)
{
    (void)state;
    if (old)
        *old = PTHREAD_CANCEL_DISABLE;
    return 0;
}

int pthread_setcanceltype(int type, int *old)
{
    (void)type;
    if (old)
        *old = PTHREAD_CANCEL_DEFERRED;
    return 0;
}

void pthread_testcancel(void)
{
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    (void)how, (void)set;
    if (old)
        memset(old, 0, sizeof(*old));
    return 0;
}

void pthread_yield(void)
{
    thread_yield();
}

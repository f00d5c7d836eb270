/*
 * sync.c - mutexes, semaphores, condition variables and barriers on top
 * of waitqueues.
 */
#include "sync.h"
#include "clock.h"
#include "cpu.h"
#include "kerr.h"
#include "thread.h"

#include <stdbool.h>

#define MUTEX_SPINS 2000

void mutex_init(struct mutex *m, enum mutex_type type)
{
    waitqueue_init(&m->wq);
    m->owner = NULL;
    m->waiters = 0;
    m->type = type;
    m->depth = 0;
}

static int try_acquire(struct mutex *m, struct thread *self)
{
    struct thread *expected = NULL;

    return __atomic_compare_exchange_n(&m->owner, &expected, self, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Handles a lock attempt by the current owner; -1 if not the owner. */
static int relock(struct mutex *m, struct thread *self)
{
    if (m->owner != self)
        return -1;
    if (m->type == MUTEX_RECURSIVE) {
        m->depth++;
        return KERR_OK;
    }
    return m->type == MUTEX_ERRORCHECK ? KERR_DEADLK : KERR_BUSY;
}

int mutex_lock(struct mutex *m)
{
    return mutex_lock_until(m, 0);
}

/*
 * Spinning only pays while the owner runs on another CPU: an owner that
 * was preempted, or waits on this very CPU, cannot release the lock
 * before we give the CPU up (2000 spins were ~10,000 wasted instructions
 * each time on a 1-vCPU VM). The owner may exit meanwhile: its struct
 * stays mapped (kernel heap), and a stale answer only ends the spin early
 * or lets it run its bounded course.
 */
static bool owner_running_elsewhere(struct mutex *m)
{
    struct thread *owner = m->owner;

    return owner && owner->cpu != this_cpu() && owner->state == THREAD_RUNNING;
}

int mutex_lock_until(struct mutex *m, uint64_t deadline_ns)
{
    struct thread *self = thread_self();

    if (try_acquire(m, self))
        return KERR_OK;                 /* the common case, first */
    int r = relock(m, self);
    if (r == KERR_OK || r == KERR_DEADLK)
        return r;
    /* A normal mutex relocked by its owner deadlocks, as POSIX says. */
    for (int i = 0; i < MUTEX_SPINS && owner_running_elsewhere(m); i++) {
        cpu_relax();
        if (!m->owner && try_acquire(m, self))
            return KERR_OK;
    }
    uint64_t flags = irq_save();
    r = KERR_OK;
    spinlock_lock(&m->wq.lock);
    /*
     * Announce ourselves before the last try: an unlocker either sees the
     * count and wakes us, or released before our try, which then succeeds.
     */
    __atomic_fetch_add(&m->waiters, 1, __ATOMIC_SEQ_CST);
    while (!try_acquire(m, self)) {
        if (deadline_ns && clock_ns() >= deadline_ns) {
            r = KERR_TIMEDOUT;
            break;
        }
        waitqueue_wait_locked(&m->wq, deadline_ns);
        spinlock_lock(&m->wq.lock);
    }
    __atomic_fetch_sub(&m->waiters, 1, __ATOMIC_SEQ_CST);
    spinlock_unlock(&m->wq.lock);
    irq_restore(flags);
    return r;
}

int mutex_trylock(struct mutex *m)
{
    struct thread *self = thread_self();
    int r = relock(m, self);

    if (r != -1)
        return r == KERR_OK ? KERR_OK : KERR_BUSY;
    return try_acquire(m, self) ? KERR_OK : KERR_BUSY;
}

static __attribute__((noinline)) void wake_one_waiter(struct mutex *m)
{
    uint64_t flags = irq_save();

    spinlock_lock(&m->wq.lock);
    waitqueue_wake_locked(&m->wq, 1);
    spinlock_unlock(&m->wq.lock);
    irq_restore(flags);
}

int mutex_unlock(struct mutex *m)
{
    if (m->owner != thread_self())
        return KERR_PERM;
    if (m->depth) {                     /* only a recursive mutex nests */
        m->depth--;
        return KERR_OK;
    }
    __atomic_store_n(&m->owner, NULL, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&m->waiters, __ATOMIC_SEQ_CST))
        wake_one_waiter(m);
    return KERR_OK;
}

void semaphore_init(struct semaphore *s, uint64_t count)
{
    waitqueue_init(&s->wq);
    s->count = count;
}

int semaphore_down(struct semaphore *s, uint64_t deadline_ns)
{
    uint64_t flags = irq_save();
    int r = KERR_OK;

    spinlock_lock(&s->wq.lock);
    while (!s->count) {
        if (deadline_ns && clock_ns() >= deadline_ns) {
            r = KERR_TIMEDOUT;
            break;
        }
        waitqueue_wait_locked(&s->wq, deadline_ns);
        spinlock_lock(&s->wq.lock);
    }
    if (r == KERR_OK)
        s->count--;
    spinlock_unlock(&s->wq.lock);
    irq_restore(flags);
    return r;
}

/*
 * For waits where the poster is usually another CPU a few microseconds
 * away (an OpenMP team at a barrier): sleeping costs a wake-up IPI and a
 * halted vCPU's return, which under TCG is ~100 us against ~5 us spent
 * watching the count. The spin is bounded by spin_ns and ends as soon as
 * another thread wants this CPU, so it only ever burns time the CPU would
 * have spent idle.
 */
int semaphore_down_spinning(struct semaphore *s, uint64_t deadline_ns, uint64_t spin_ns)
{
    if (cpu_online_count() > 1) {
        struct cpu *here = this_cpu();
        uint64_t until = clock_ns() + spin_ns;
        while (!here->rq_len) {
            if (__atomic_load_n(&s->count, __ATOMIC_RELAXED) && semaphore_trydown(s) == KERR_OK)
                return KERR_OK;
            if (clock_ns() >= until || (deadline_ns && clock_ns() >= deadline_ns))
                break;
            cpu_relax();
        }
    }
    return semaphore_down(s, deadline_ns);
}

int semaphore_trydown(struct semaphore *s)
{
    uint64_t flags = irq_save();
    int r = KERR_BUSY;

    spinlock_lock(&s->wq.lock);
    if (s->count) {
        s->count--;
        r = KERR_OK;
    }
    spinlock_unlock(&s->wq.lock);
    irq_restore(flags);
    return r;
}

void semaphore_up(struct semaphore *s)
{
    uint64_t flags = irq_save();

    spinlock_lock(&s->wq.lock);
    s->count++;
    waitqueue_wake_locked(&s->wq, 1);
    spinlock_unlock(&s->wq.lock);
    irq_restore(flags);
}

void condvar_init(struct condvar *cv)
{
    waitqueue_init(&cv->wq);
}

int condvar_wait(struct condvar *cv, struct mutex *m, uint64_t deadline_ns)
{
    uint64_t flags = irq_save();

    /* Enqueue before unlocking m, so a signal after the unlock finds us. */
    spinlock_lock(&cv->wq.lock);
    mutex_unlock(m);
    enum wake_reason why = waitqueue_wait_locked(&cv->wq, deadline_ns);
    irq_restore(flags);
    mutex_lock(m);
    return why == WAKE_TIMEOUT ? KERR_TIMEDOUT : KERR_OK;
}

void condvar_signal(struct condvar *cv)
{
    uint64_t flags = irq_save();

    spinlock_lock(&cv->wq.lock);
    waitqueue_wake_locked(&cv->wq, 1);
    spinlock_unlock(&cv->wq.lock);
    irq_restore(flags);
}

void condvar_broadcast(struct condvar *cv)
{
    uint64_t flags = irq_save();

    spinlock_lock(&cv->wq.lock);
    waitqueue_wake_locked(&cv->wq, ~0u);
    spinlock_unlock(&cv->wq.lock);
    irq_restore(flags);
}

void barrier_init(struct barrier *b, unsigned count)
{
    mutex_init(&b->lock, MUTEX_NORMAL);
    condvar_init(&b->all_arrived);
    b->count = count;
    b->waiting = 0;
    b->generation = 0;
}

int barrier_wait(struct barrier *b)
{
    mutex_lock(&b->lock);
    uint64_t generation = b->generation;
    if (++b->waiting == b->count) {
        b->generation++;
        b->waiting = 0;
        condvar_broadcast(&b->all_arrived);
        mutex_unlock(&b->lock);
        return 1;
    }
    while (generation == b->generation)
        condvar_wait(&b->all_arrived, &b->lock, 0);
    mutex_unlock(&b->lock);
    return 0;
}

const char *kerr_name(int err)
{
    switch (err) {
    case KERR_OK: return "ok";
    case KERR_NOMEM: return "out of memory";
    case KERR_INVAL: return "invalid argument";
    case KERR_DEADLK: return "would deadlock";
    case KERR_TIMEDOUT: return "timed out";
    case KERR_BUSY: return "busy";
    case KERR_PERM: return "not the owner";
    default: return "unknown error";
    }
}

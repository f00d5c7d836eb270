/*
 * sync.h - sleeping locks and conditions for threads: mutexes,
 * semaphores, condition variables and barriers.
 *
 * All of them block in a waitqueue instead of spinning, except that
 * mutex_lock spins briefly first (a lock held across cores for a few
 * hundred cycles is cheaper to wait for than to sleep on), and
 * semaphore_down_spinning watches the count for a bounded time first.
 *
 * Contract: objects MUST be initialized before use and MUST NOT be in use
 * when their memory goes away. Deadlines are absolute clock_ns() values;
 * 0 means none. Functions return enum kerr values.
 */
#ifndef KERNEL_SYNC_H
#define KERNEL_SYNC_H

#include <stdint.h>

#include "waitqueue.h"

enum mutex_type { MUTEX_NORMAL, MUTEX_RECURSIVE, MUTEX_ERRORCHECK };

struct mutex {
    struct waitqueue wq;
    struct thread *volatile owner;
    unsigned waiters;           /* threads in the slow path: unlock skips the wake-up if 0 */
    enum mutex_type type;
    unsigned depth;             /* recursive mutexes */
};

struct semaphore {
    struct waitqueue wq;
    uint64_t count;
};

struct condvar {
    struct waitqueue wq;
};

struct barrier {
    struct mutex lock;
    struct condvar all_arrived;
    unsigned count, waiting;
    uint64_t generation;
};

void mutex_init(struct mutex *m, enum mutex_type type);
int mutex_lock(struct mutex *m);
/* Like mutex_lock, but gives up with KERR_TIMEDOUT at deadline_ns. */
int mutex_lock_until(struct mutex *m, uint64_t deadline_ns);
int mutex_trylock(struct mutex *m);
int mutex_unlock(struct mutex *m);

void semaphore_init(struct semaphore *s, uint64_t count);
int semaphore_down(struct semaphore *s, uint64_t deadline_ns);
/* semaphore_down, after watching the count for up to spin_ns while this
 * CPU has nothing else to run (and other CPUs are online to post). */
int semaphore_down_spinning(struct semaphore *s, uint64_t deadline_ns, uint64_t spin_ns);
int semaphore_trydown(struct semaphore *s);
void semaphore_up(struct semaphore *s);

void condvar_init(struct condvar *cv);
/* Unlocks m, waits, and locks m again before returning (also on timeout). */
int condvar_wait(struct condvar *cv, struct mutex *m, uint64_t deadline_ns);
void condvar_signal(struct condvar *cv);
void condvar_broadcast(struct condvar *cv);

void barrier_init(struct barrier *b, unsigned count);
/* Returns 1 in exactly one of the threads of each round, 0 in the others. */
int barrier_wait(struct barrier *b);

#endif

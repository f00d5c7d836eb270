/*
 * waitqueue.h - the one blocking primitive under every lock and condition.
 *
 * Contract: callers take wq->lock with interrupts disabled (irq_save),
 * check their condition, and either call waitqueue_wait_locked (which
 * releases the lock, sleeps, and returns WITHOUT the lock) or go on.
 * Wakers call waitqueue_wake_locked with the lock held. A wake-up is never
 * lost to a sleeper whose deadline fires at the same moment: that sleeper
 * is skipped and the next one is woken instead.
 */
#ifndef KERNEL_WAITQUEUE_H
#define KERNEL_WAITQUEUE_H

#include <stdint.h>

#include "list.h"
#include "spinlock.h"
#include "thread.h"

struct waitqueue {
    struct spinlock lock;
    struct list waiters;
};

void waitqueue_init(struct waitqueue *wq);
/* deadline_ns 0: no deadline. Returns how the sleep ended. */
enum wake_reason waitqueue_wait_locked(struct waitqueue *wq, uint64_t deadline_ns);
/* Wakes up to `max` waiters; returns how many were woken. */
unsigned waitqueue_wake_locked(struct waitqueue *wq, unsigned max);

#endif

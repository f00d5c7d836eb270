/*
 * waitqueue.c - FIFO wait lists over sched_block / sched_wake.
 */
#include "waitqueue.h"
#include "sched.h"

void waitqueue_init(struct waitqueue *wq)
{
    wq->lock = (struct spinlock)SPINLOCK_INIT;
    list_init(&wq->waiters);
}

enum wake_reason waitqueue_wait_locked(struct waitqueue *wq, uint64_t deadline_ns)
{
    struct thread *self = thread_self();

    list_add_tail(&wq->waiters, &self->wait_link);
    sched_block(&wq->lock, deadline_ns);
    if (self->wake_reason == WAKE_TIMEOUT) {
        spinlock_lock(&wq->lock);
        if (list_linked(&self->wait_link))
            list_remove(&self->wait_link);
        spinlock_unlock(&wq->lock);
    }
    return self->wake_reason;
}

unsigned waitqueue_wake_locked(struct waitqueue *wq, unsigned max)
{
    unsigned woken = 0;
    struct list *l;

    while (woken < max && (l = list_first(&wq->waiters))) {
        list_remove(l);
        if (sched_wake(list_entry(l, struct thread, wait_link), WAKE_SIGNAL))
            woken++;
    }
    return woken;
}

/*
 * spinlock.h - ticket spinlocks: FIFO, so no CPU starves under contention.
 *
 * Contract: a holder MUST NOT sleep or take the same lock again. A lock
 * that an interrupt handler also takes MUST be held with interrupts off
 * (the _irqsave variants arrive with interrupts, in the SMP layer).
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>

struct spinlock {
    uint32_t next;
    uint32_t owner;
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spinlock_lock(struct spinlock *l)
{
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        __builtin_ia32_pause();
}

static inline void spinlock_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif

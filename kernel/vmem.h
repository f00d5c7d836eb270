/*
 * vmem.h - kernel virtual address space outside the identity map, and
 * the stacks that live there.
 *
 * Physical RAM is identity-mapped below VMEM_BASE. Above it, address
 * ranges come from a free list of their own; every stack is carved there
 * with an unmapped guard page below it, so an overflow faults instead of
 * corrupting its neighbour.
 *
 * Contract: vmem_init MUST run after paging is active. stack_alloc returns
 * NULL when memory or address space runs out. stack_free keeps the stack
 * mapped for reuse (never unmapping means no cross-CPU TLB shootdown). stack_guard_owner MAY be
 * called from fault handlers: it only reads.
 */
#ifndef KERNEL_VMEM_H
#define KERNEL_VMEM_H

#include <stdint.h>

#define VMEM_BASE   0x0000010000000000ull   /* 1 TiB */
#define VMEM_SIZE   0x0000010000000000ull   /* 1 TiB of space */
#define GUARD_SIZE  0x1000ull

struct kstack {
    uint64_t guard;             /* the unmapped page below the stack */
    uint64_t base;              /* lowest usable byte */
    uint64_t top;               /* one past the highest byte: the initial rsp */
    uint64_t phys;
    struct kstack *next;
};

void vmem_init(void);
uint64_t vmem_alloc(uint64_t size, uint64_t align);
void vmem_free(uint64_t base, uint64_t size);

struct kstack *stack_alloc(uint64_t size);
void stack_free(struct kstack *stack);
/* How many stacks are in use, and how many wait in the cache for reuse. */
void stack_counts(unsigned *live, unsigned *cached);
/* The stack whose guard page contains addr, or NULL. */
const struct kstack *stack_guard_owner(uint64_t addr);

#endif

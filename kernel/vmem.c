/*
 * vmem.c - the virtual-range free list and guarded stacks.
 */
#include "vmem.h"
#include "cpu.h"
#include "freelist.h"
#include "heap.h"
#include "paging.h"
#include "panic.h"
#include "pmem.h"
#include "spinlock.h"

#define NODE_COUNT 256

static struct freelist_node nodes[NODE_COUNT];
static struct freelist list;
static struct spinlock lock = SPINLOCK_INIT;
static struct kstack *stacks;   /* every live stack, for fault diagnosis */
static struct kstack *cached;   /* freed stacks, still mapped, for reuse */

void vmem_init(void)
{
    freelist_init(&list, nodes, NODE_COUNT);
    freelist_free(&list, VMEM_BASE, VMEM_SIZE);
}

uint64_t vmem_alloc(uint64_t size, uint64_t align)
{
    uint64_t base = 0;

    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    if (freelist_alloc(&list, size, align, &base))
        base = 0;
    spinlock_unlock(&lock);
    irq_restore(irqs);
    return base;
}

void vmem_free(uint64_t base, uint64_t size)
{
    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    int err = freelist_free(&list, base, size);
    spinlock_unlock(&lock);
    irq_restore(irqs);
    if (err)
        panic("vmem_free(%#llx, %#llx): %s", (unsigned long long)base,
              (unsigned long long)size, freelist_strerror(err));
}

/* Moves s from one list to the other; lock held. */
static void unlink_stack(struct kstack **list, struct kstack *s)
{
    for (struct kstack **p = list; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            return;
        }
    }
}

static struct kstack *take_cached(uint64_t size)
{
    struct kstack *s;

    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    for (s = cached; s; s = s->next)
        if (s->top - s->base == size)
            break;
    if (s) {
        unlink_stack(&cached, s);
        s->next = stacks;
        stacks = s;
    }
    spinlock_unlock(&lock);
    irq_restore(irqs);
    return s;
}

struct kstack *stack_alloc(uint64_t size)
{
    size = (size + GUARD_SIZE - 1) & ~(GUARD_SIZE - 1);
    struct kstack *s = take_cached(size);
    if (s)
        return s;
    s = kzalloc(sizeof(*s));
    if (!s)
        return NULL;
    s->guard = vmem_alloc(size + GUARD_SIZE, GUARD_SIZE);
    s->phys = pmem_alloc(size, GUARD_SIZE);
    if (!s->guard || !s->phys)
        goto fail;
    s->base = s->guard + GUARD_SIZE;
    s->top = s->base + size;
    if (page_map(s->base, s->phys, size, PAGE_WRITE))
        goto fail;

    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    s->next = stacks;
    stacks = s;
    spinlock_unlock(&lock);
    irq_restore(irqs);
    return s;

fail:
    if (s->phys)
        pmem_free(s->phys, size);
    if (s->guard)
        vmem_free(s->guard, size + GUARD_SIZE);
    kfree(s);
    return NULL;
}

/*
 * A freed stack stays mapped and is kept for the next stack_alloc of the
 * same size. Unmapping would need every other CPU to drop its TLB entries
 * for those pages (the creating CPU wrote the thread's first frame there),
 * and a stack of a thread that is gone is worth reusing anyway.
 */
void stack_free(struct kstack *s)
{
    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    unlink_stack(&stacks, s);
    s->next = cached;
    cached = s;
    spinlock_unlock(&lock);
    irq_restore(irqs);
}

void stack_counts(unsigned *live, unsigned *cached_count)
{
    unsigned l = 0, c = 0;

    uint64_t irqs = irq_save();
    spinlock_lock(&lock);
    for (struct kstack *s = stacks; s; s = s->next)
        l++;
    for (struct kstack *s = cached; s; s = s->next)
        c++;
    spinlock_unlock(&lock);
    irq_restore(irqs);
    *live = l;
    *cached_count = c;
}

const struct kstack *stack_guard_owner(uint64_t addr)
{
    for (const struct kstack *s = stacks; s; s = s->next)
        if (addr >= s->guard && addr < s->base)
            return s;
    return NULL;
}

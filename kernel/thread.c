/*
 * thread.c - creating, joining and ending threads.
 *
 * A thread cannot free the stack it runs on, so an exiting thread only
 * marks itself DEAD and switches away; the next thread on the same CPU
 * reaps it (thread_reap, from sched_finish_switch) and only then wakes
 * joiners. The joiner frees the struct thread; a detached thread is freed
 * by the reaper.
 */
#include "thread.h"
#include "clock.h"
#include "fpu.h"
#include "heap.h"
#include "kerr.h"
#include "percpu.h"
#include "sched.h"
#include "tls.h"
#include "vmem.h"

#include <string.h>

#define FPU_ALIGN 64

extern char arch_thread_start[];
static uint64_t next_id = 1;

static struct cpu *pick_cpu(int want)
{
    struct cpu *best = NULL;

    if (want != THREAD_CPU_ANY)
        return (want >= 0 && want < CPU_MAX && cpus[want].online) ? &cpus[want] : NULL;
    for (unsigned i = 0; i < CPU_MAX; i++)
        if (cpus[i].online && (!best || cpus[i].nr_threads < best->nr_threads))
            best = &cpus[i];
    return best;
}

static void thread_free_resources(struct thread *t)
{
    if (t->stack)
        stack_free(t->stack);
    kfree(t->tls_alloc);
    kfree(t->fpu_alloc);
    t->stack = NULL;
    t->tls_alloc = t->fpu_alloc = NULL;
}

static _Noreturn void thread_main(void *self)
{
    struct thread *t = self;

    sched_finish_switch();
    irq_enable();
    thread_exit(t->start(t->arg));
}

/* The frame arch_switch pops: r15 r14 r13 r12 rbx rbp, then the return. */
static void build_initial_frame(struct thread *t)
{
    uint64_t *sp = (uint64_t *)(uintptr_t)t->stack->top;

    *--sp = (uintptr_t)arch_thread_start;
    *--sp = 0;                              /* rbp */
    *--sp = 0;                              /* rbx */
    *--sp = (uintptr_t)thread_main;         /* r12: C entry */
    *--sp = (uintptr_t)t;                   /* r13: its argument */
    *--sp = 0;                              /* r14 */
    *--sp = 0;                              /* r15 */
    t->rsp = (uintptr_t)sp;
}

int thread_create(struct thread **out, const struct thread_attr *attr,
                  void *(*start)(void *), void *arg)
{
    static const struct thread_attr defaults = { 0, THREAD_CPU_ANY, false, NULL };
    struct thread *t;

    if (!attr)
        attr = &defaults;
    struct cpu *c = pick_cpu(attr->cpu);
    if (!c || !start)
        return KERR_INVAL;
    if (!(t = kzalloc(sizeof(*t))))
        return KERR_NOMEM;

    t->stack = stack_alloc(attr->stack_size ? attr->stack_size : THREAD_STACK_DEFAULT);
    t->fpu_alloc = kmalloc(fpu_area_size() + FPU_ALIGN);
    if (!t->stack || !t->fpu_alloc || tls_create(&t->tls_alloc, &t->fs_base)) {
        thread_free_resources(t);
        kfree(t);
        return KERR_NOMEM;
    }
    t->fpu_area = (void *)(((uintptr_t)t->fpu_alloc + FPU_ALIGN - 1) & ~(uintptr_t)(FPU_ALIGN - 1));
    fpu_area_init(t->fpu_area);

    t->cpu = c;
    t->start = start;
    t->arg = arg;
    t->detached = attr->detached;
    t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; attr->name && attr->name[i] && i + 1 < sizeof(t->name); i++)
        t->name[i] = attr->name[i];
    list_init(&t->run_link);
    list_init(&t->wait_link);
    list_init(&t->sleep_link);
    list_init(&t->joiners);
    build_initial_frame(t);
    __atomic_fetch_add(&c->nr_threads, 1, __ATOMIC_RELAXED);

    if (out)
        *out = t;
    sched_enqueue_new(t);
    return KERR_OK;
}

void thread_reap(struct thread *dead)
{
    thread_free_resources(dead);
    __atomic_fetch_sub(&dead->cpu->nr_threads, 1, __ATOMIC_RELAXED);

    spinlock_lock(&dead->join_lock);
    dead->reaped = true;
    bool free_now = dead->detached;
    struct list *l;
    while ((l = list_first(&dead->joiners))) {
        list_remove(l);
        sched_wake(list_entry(l, struct thread, wait_link), WAKE_SIGNAL);
    }
    spinlock_unlock(&dead->join_lock);
    if (free_now)
        kfree(dead);
}

int thread_join(struct thread *t, void **result)
{
    struct thread *self = thread_self();

    if (t == self)
        return KERR_DEADLK;
    uint64_t flags = irq_save();
    spinlock_lock(&t->join_lock);
    if (t->detached) {
        spinlock_unlock(&t->join_lock);
        irq_restore(flags);
        return KERR_INVAL;
    }
    while (!t->reaped) {
        list_add_tail(&t->joiners, &self->wait_link);
        sched_block(&t->join_lock, 0);
        spinlock_lock(&t->join_lock);
        if (list_linked(&self->wait_link))
            list_remove(&self->wait_link);
    }
    spinlock_unlock(&t->join_lock);
    irq_restore(flags);
    if (result)
        *result = t->result;
    kfree(t);
    return KERR_OK;
}

int thread_detach(struct thread *t)
{
    uint64_t flags = irq_save();
    spinlock_lock(&t->join_lock);
    bool was_detached = t->detached, free_now = t->reaped;
    t->detached = true;
    spinlock_unlock(&t->join_lock);
    irq_restore(flags);
    if (was_detached)
        return KERR_INVAL;
    if (free_now)
        kfree(t);
    return KERR_OK;
}

_Noreturn void thread_exit(void *result)
{
    struct cpu *c = this_cpu();
    struct thread *t = c->current;

    t->result = result;
    irq_disable();
    spinlock_lock(&c->rq_lock);
    t->state = THREAD_DEAD;
    spinlock_unlock(&c->rq_lock);
    schedule();
    __builtin_unreachable();
}

void thread_yield(void)
{
    /* Nothing else to run here: yielding would switch back to us. */
    if (!__atomic_load_n(&this_cpu()->rq_len, __ATOMIC_RELAXED))
        return;
    uint64_t flags = irq_save();
    schedule();
    irq_restore(flags);
}

void thread_sleep_until(uint64_t deadline_ns)
{
    uint64_t flags = irq_save();
    while (clock_ns() < deadline_ns)
        sched_block(NULL, deadline_ns);
    irq_restore(flags);
}

void thread_sleep_ns(uint64_t ns)
{
    thread_sleep_until(clock_ns() + ns);
}

unsigned thread_cpu(const struct thread *t)
{
    return (unsigned)t->cpu->index;
}

int thread_move_self(unsigned cpu)
{
    struct thread *self = thread_self();

    if (cpu >= CPU_MAX || !cpus[cpu].online)
        return KERR_INVAL;
    if (self->cpu == &cpus[cpu])
        return KERR_OK;
    uint64_t flags = irq_save();
    __atomic_fetch_sub(&self->cpu->nr_threads, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&cpus[cpu].nr_threads, 1, __ATOMIC_RELAXED);
    self->cpu = &cpus[cpu];
    schedule();
    irq_restore(flags);
    return KERR_OK;
}

uint64_t thread_id(const struct thread *t)
{
    return t->id;
}

void thread_adopt_idle(struct cpu *c)
{
    static struct thread idle_threads[CPU_MAX];
    struct thread *t = &idle_threads[c->index];

    t->cpu = c;
    t->state = THREAD_RUNNING;
    t->is_idle = true;
    list_init(&t->run_link);
    list_init(&t->wait_link);
    list_init(&t->sleep_link);
    list_init(&t->joiners);
    memcpy(t->name, "idle", 5);
    c->idle = t;
    c->current = t;
}

/*
 * sched.c - per-CPU round-robin scheduling without a periodic tick.
 *
 * Threads never migrate, so a CPU's scheduler only ever switches between
 * its own threads and other CPUs touch its queues only to wake a thread
 * (under rq_lock). A wake-up from another CPU sends an IPI only when the
 * target must notice: it is halted in idle, or it runs a thread that now
 * has to share the core and so needs a time-slice timer.
 */
#include "sched.h"
#include "apic.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "fpu.h"
#include "percpu.h"
#include "trap.h"

void arch_switch(uint64_t *save_rsp, uint64_t load_rsp);

#define MIN_TIMER_NS 1000

static enum idle_policy idle_policy;

enum idle_policy sched_idle_policy(void)
{
    return idle_policy;
}

static struct thread *thread_of_sleep(struct list *l)
{
    return list_entry(l, struct thread, sleep_link);
}

/*
 * Programs this CPU's one-shot timer for its next event, or stops it.
 * A timer already armed to fire no later than the next event is left
 * alone: it fires early at worst, and the interrupt re-arms for what is
 * due then. Reprogramming is three writes to the local APIC, each a trap
 * into the hypervisor's APIC model, and this runs on every context
 * switch: under TCG it was a fifth of a message-bound VM's host time
 * (bench/profile.py, docs/bench-net.md).
 */
static void timer_rearm(struct cpu *c, uint64_t now)
{
    uint64_t next = 0;
    struct list *first = list_first(&c->sleepers);

    if (first)
        next = thread_of_sleep(first)->deadline;
    if (c->slice_end && (!next || c->slice_end < next))
        next = c->slice_end;
    if (!next) {
        if (c->timer_armed)
            apic_timer_stop();
        c->timer_armed = 0;
        return;
    }
    if (c->timer_armed && c->timer_deadline <= next)
        return;
    uint64_t delay = next > now + MIN_TIMER_NS ? next - now : MIN_TIMER_NS;
    apic_timer_oneshot(VECTOR_TIMER, delay);
    c->timer_armed = 1;
    c->timer_deadline = now + delay;
}

static void sleeper_insert(struct cpu *c, struct thread *t)
{
    struct list *pos = c->sleepers.next;

    while (pos != &c->sleepers && thread_of_sleep(pos)->deadline <= t->deadline)
        pos = pos->next;
    list_insert_before(pos, &t->sleep_link);
}

static void make_runnable(struct cpu *c, struct thread *t)
{
    t->state = THREAD_RUNNABLE;
    if (list_linked(&t->sleep_link))
        list_remove(&t->sleep_link);
    list_add_tail(&c->runqueue, &t->run_link);
    c->rq_len++;
}

/* A thread joined this CPU's queue: start slicing if the core is now shared. */
static void local_queue_grew(struct cpu *c)
{
    if (!c->current->is_idle && !c->slice_end) {
        uint64_t now = clock_ns();
        c->slice_end = now + SCHED_SLICE_NS;
        timer_rearm(c, now);
    }
}

bool sched_wake(struct thread *t, enum wake_reason reason)
{
    struct cpu *c = t->cpu;
    uint64_t flags = irq_save();
    bool woke = false, kick = false;

    spinlock_lock(&c->rq_lock);
    if (t->state == THREAD_BLOCKED) {
        t->wake_reason = reason;
        make_runnable(c, t);
        woke = true;
        if (c == this_cpu())
            local_queue_grew(c);
        else
            kick = c->idle_halted || (!c->current->is_idle && !c->slice_end);
    }
    spinlock_unlock(&c->rq_lock);
    if (kick) {
        if (c->online)
            apic_send_ipi(c->apic_id, VECTOR_WAKEUP);
    }
    irq_restore(flags);
    return woke;
}

void sched_enqueue_new(struct thread *t)
{
    t->state = THREAD_BLOCKED;
    sched_wake(t, WAKE_SIGNAL);
}

static void switch_to(struct cpu *c, struct thread *prev, struct thread *next)
{
    if (!prev->is_idle)
        fpu_save(prev->fpu_area);
    if (!next->is_idle) {
        fpu_restore(next->fpu_area);
        if (next->fs_base != c->fs_base) {
            wrmsr(MSR_FS_BASE, next->fs_base);
            c->fs_base = next->fs_base;
        }
    }
    arch_switch(&prev->rsp, next->rsp);
}

void schedule(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current, *next;
    uint64_t now = clock_ns();

    spinlock_lock(&c->rq_lock);
    if (prev->cpu != c) {
        /* Migrating: queued on its new CPU once its context is saved. */
        prev->state = THREAD_BLOCKED;
        c->migrating = prev;
    } else if (prev->state == THREAD_RUNNING && !prev->is_idle) {
        prev->state = THREAD_RUNNABLE;
        list_add_tail(&c->runqueue, &prev->run_link);
        c->rq_len++;
    }
    struct list *first = list_first(&c->runqueue);
    if (first) {
        list_remove(first);
        c->rq_len--;
        next = list_entry(first, struct thread, run_link);
    } else {
        next = c->idle;
    }
    next->state = THREAD_RUNNING;
    c->slice_end = (c->rq_len && !next->is_idle) ? now + SCHED_SLICE_NS : 0;
    timer_rearm(c, now);
    if (next == prev) {
        spinlock_unlock(&c->rq_lock);
        return;
    }
    c->current = next;
    c->switched_from = prev;
    c->context_switches++;
    spinlock_unlock(&c->rq_lock);

    switch_to(c, prev, next);
    sched_finish_switch();
}

void sched_finish_switch(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->switched_from;

    c->switched_from = NULL;
    if (prev && prev->state == THREAD_DEAD)
        thread_reap(prev);
    if (c->migrating) {
        struct thread *t = c->migrating;
        c->migrating = NULL;
        sched_wake(t, WAKE_SIGNAL);
    }
}

void sched_block(struct spinlock *release, uint64_t deadline_ns)
{
    struct cpu *c = this_cpu();
    struct thread *t = c->current;

    spinlock_lock(&c->rq_lock);
    t->state = THREAD_BLOCKED;
    if (deadline_ns) {
        t->deadline = deadline_ns;
        sleeper_insert(c, t);
    }
    spinlock_unlock(&c->rq_lock);
    if (release)
        spinlock_unlock(release);
    schedule();
}

static void timer_interrupt(struct trap_frame *frame)
{
    struct cpu *c = this_cpu();
    uint64_t now = clock_ns();
    struct list *first;

    (void)frame;
    c->timer_interrupts++;
    apic_eoi();
    spinlock_lock(&c->rq_lock);
    c->timer_armed = 0;
    while ((first = list_first(&c->sleepers)) && thread_of_sleep(first)->deadline <= now) {
        struct thread *t = thread_of_sleep(first);
        list_remove(first);
        if (t->state == THREAD_BLOCKED) {
            t->wake_reason = WAKE_TIMEOUT;
            make_runnable(c, t);
        }
    }
    bool preempt = !c->current->is_idle && c->rq_len &&
                   (!c->slice_end || now >= c->slice_end);
    if (!c->rq_len)
        c->slice_end = 0;
    if (!preempt)
        timer_rearm(c, now);
    spinlock_unlock(&c->rq_lock);
    /* In idle, the idle loop notices the queue; elsewhere switch now. */
    if (preempt)
        schedule();
}

static void wakeup_interrupt(struct trap_frame *frame)
{
    struct cpu *c = this_cpu();

    (void)frame;
    c->wakeup_ipis++;
    apic_eoi();
    spinlock_lock(&c->rq_lock);
    if (c->rq_len)
        local_queue_grew(c);
    spinlock_unlock(&c->rq_lock);
}

static void spurious_interrupt(struct trap_frame *frame)
{
    (void)frame;                        /* no EOI for the spurious vector */
}

static void apic_error_interrupt(struct trap_frame *frame)
{
    (void)frame;
    apic_eoi();
    klog(LOG_WARN, "APIC error on CPU %u\n", cpu_index());
}

void sched_init(enum idle_policy policy)
{
    idle_policy = policy;
    trap_set_handler(VECTOR_TIMER, timer_interrupt);
    trap_set_handler(VECTOR_WAKEUP, wakeup_interrupt);
    trap_set_handler(APIC_VECTOR_SPURIOUS, spurious_interrupt);
    trap_set_handler(APIC_VECTOR_ERROR, apic_error_interrupt);
}

void sched_init_cpu(struct cpu *c)
{
    thread_adopt_idle(c);
}

_Noreturn void sched_idle_loop(void)
{
    struct cpu *c = this_cpu();

    for (;;) {
        irq_disable();
        spinlock_lock(&c->rq_lock);
        bool work = c->rq_len != 0;
        if (!work && idle_policy == IDLE_HALT)
            c->idle_halted = 1;
        spinlock_unlock(&c->rq_lock);
        if (work) {
            schedule();
            continue;
        }
        if (idle_policy == IDLE_HALT) {
            trap_halt_until_interrupt();
            c->idle_halted = 0;
        } else {
            uint64_t start = rdtsc();
            irq_enable();
            while (!c->rq_len)
                cpu_relax();
            c->idle_polled += rdtsc() - start;
        }
    }
}

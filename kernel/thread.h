/*
 * thread.h - native kernel threads: the unit the scheduler runs.
 *
 * A thread is placed on one CPU when it is created (the least loaded
 * online CPU, or the one asked for) and never migrates. It has a guarded
 * stack, its own FPU/vector state and its own copy of the image's
 * thread-local storage, so compiler `__thread` variables work.
 *
 * Contract: every thread MUST be joined or detached exactly once, or its
 * memory is never reclaimed. thread_join MUST NOT be called on oneself
 * (KERR_DEADLK) or on a detached thread (KERR_INVAL). Returning from the
 * start function equals thread_exit with the returned value. The fields of
 * struct thread belong to the scheduler; callers use the functions.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "percpu.h"
#include "spinlock.h"

#define THREAD_CPU_ANY          (-1)
#define THREAD_STACK_DEFAULT    (256 * 1024)

enum thread_state {
    THREAD_RUNNING,         /* on its CPU right now */
    THREAD_RUNNABLE,        /* in its CPU's run queue */
    THREAD_BLOCKED,         /* waiting: a waitqueue, a deadline, or both */
    THREAD_DEAD,            /* exited; resources go once it is switched out */
};

enum wake_reason { WAKE_SIGNAL, WAKE_TIMEOUT };

struct thread_attr {
    size_t stack_size;      /* 0: THREAD_STACK_DEFAULT */
    int cpu;                /* THREAD_CPU_ANY or a CPU index */
    bool detached;
    const char *name;
};

struct cpu;
struct kstack;
struct waitqueue;

struct thread {
    uint64_t rsp;                   /* saved by arch_switch */
    struct cpu *cpu;
    enum thread_state state;
    enum wake_reason wake_reason;
    struct list run_link;
    struct list wait_link;
    struct list sleep_link;
    uint64_t deadline;              /* ns, while on the sleeper list */

    struct kstack *stack;
    void *fpu_area;                 /* fpu_alloc rounded up to 64 bytes */
    void *fpu_alloc;
    uint64_t fs_base;               /* thread pointer: TLS block end, self-pointing */
    void *tls_alloc;

    void *(*start)(void *);
    void *arg;
    void *result;

    struct spinlock join_lock;
    struct list joiners;            /* threads blocked in thread_join */
    bool detached, reaped;
    bool is_idle;
    uint64_t id;
    char name[16];
};

int thread_create(struct thread **out, const struct thread_attr *attr,
                  void *(*start)(void *), void *arg);
int thread_join(struct thread *t, void **result);
int thread_detach(struct thread *t);
_Noreturn void thread_exit(void *result);
/* Inline: every lock and unlock asks (168 times per MPI round trip). */
static inline struct thread *thread_self(void)
{
    return this_cpu()->current;
}
void thread_yield(void);
void thread_sleep_ns(uint64_t ns);
void thread_sleep_until(uint64_t deadline_ns);
unsigned thread_cpu(const struct thread *t);
/*
 * Moves the calling thread to another online CPU (KERR_INVAL otherwise);
 * it returns running there. The one exception to "threads never migrate",
 * for explicit affinity requests.
 */
int thread_move_self(unsigned cpu);
uint64_t thread_id(const struct thread *t);

/* Boot only: makes the running boot context CPU c's idle thread. */
void thread_adopt_idle(struct cpu *c);
/* Called by the scheduler after a switch: frees a thread that died. */
void thread_reap(struct thread *dead);

#endif

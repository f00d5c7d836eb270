/*
 * sys_arch.c - lwIP's operating-system layer on HermitCore-C kernel
 * primitives: semaphores and mutexes from sync.h, bounded mailboxes built
 * from two semaphores, threads pinned to CPU 0, time from clock_ns, and
 * SYS_ARCH_PROTECT as one spinlock taken with interrupts off.
 *
 * SYS_ARCH_PROTECT guards a few instructions at a time (pool free lists,
 * pbuf reference counts, socket event counters), 40 times per MPI round
 * trip. With interrupts off its holder cannot be preempted, so a spinner
 * never waits on a holder that is not running; nothing under it sleeps
 * (lwIP's sections call no blocking function: mem_malloc, which may, is
 * never called under it). It was a recursive mutex: about 80
 * instructions a pair against about 20 now. lwIP may nest it: the CPU
 * that holds it counts the depth.
 */
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/err.h"
#include "lwip/tcpip.h"

#include "sys_arch.h"

#include "clock.h"
#include "console.h"
#include "kerr.h"
#include "panic.h"
#include "format.h"
#include "percpu.h"
#include "sync.h"
#include "thread.h"

#include <stdarg.h>
#include <stdlib.h>

struct net_mbox {
    struct semaphore items;     /* messages waiting */
    struct semaphore space;     /* free slots */
    struct mutex lock;          /* head/tail */
    unsigned size, head, tail;
    void *slot[];
};

static struct spinlock protect_lock = SPINLOCK_INIT;
static struct cpu *volatile protect_owner;     /* under protect_lock */
static unsigned protect_depth;                 /* nested protects by the owner */
static uint64_t random_state;

/* --- time and platform ----------------------------------------------------- */

void sys_init(void)
{
    random_state = clock_ns() ^ 0x9E3779B97F4A7C15ull;
}

u32_t sys_now(void)
{
    return (u32_t)(clock_ns() / 1000000u);
}

u32_t sys_jiffies(void)
{
    return (u32_t)(clock_ns() / 1000000u);
}

/* xorshift64*, seeded from the clock: TCP sequence numbers and ports need
 * to differ between boots and VMs, not to be secret. */
uint32_t net_random(void)
{
    sys_prot_t lev = sys_arch_protect();
    uint64_t x = random_state ^ __builtin_ia32_rdtsc();

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    random_state = x;
    sys_arch_unprotect(lev);
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

void net_diag(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    kvsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    kprintf("lwip: %s", line);
}

_Noreturn void net_assert_fail(const char *msg, const char *file, int line)
{
    panic("lwIP assertion failed: %s (%s:%d)", msg, file, line);
}

sys_prot_t sys_arch_protect(void)
{
    uint64_t flags = irq_save();
    struct cpu *self = this_cpu();

    if (protect_owner == self) {
        protect_depth++;
        return (sys_prot_t)flags;
    }
    spinlock_lock(&protect_lock);
    protect_owner = self;
    return (sys_prot_t)flags;
}

void sys_arch_unprotect(sys_prot_t flags)
{
    if (protect_depth) {
        protect_depth--;
    } else {
        protect_owner = NULL;
        spinlock_unlock(&protect_lock);
    }
    irq_restore(flags);
}

/* --- semaphores and mutexes ------------------------------------------------- */

struct net_sem {
    struct semaphore sem;
};

struct net_mutex {
    struct mutex mutex;
};

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    *sem = malloc(sizeof(**sem));
    if (!*sem)
        return ERR_MEM;
    semaphore_init(&(*sem)->sem, count);
    return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem)
{
    semaphore_up(&(*sem)->sem);
}

static uint64_t deadline_after_ms(u32_t timeout_ms)
{
    return timeout_ms ? clock_ns() + (uint64_t)timeout_ms * 1000000u : 0;
}

/* Returns the milliseconds waited, or SYS_ARCH_TIMEOUT. */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
    uint64_t start = clock_ns();

    if (semaphore_down(&(*sem)->sem, deadline_after_ms(timeout_ms)) == KERR_TIMEDOUT)
        return SYS_ARCH_TIMEOUT;
    return (u32_t)((clock_ns() - start) / 1000000u);
}

void sys_sem_free(sys_sem_t *sem)
{
    free(*sem);
    *sem = NULL;
}

int sys_sem_valid(sys_sem_t *sem)
{
    return sem && *sem;
}

void sys_sem_set_invalid(sys_sem_t *sem)
{
    *sem = NULL;
}

err_t sys_mutex_new(sys_mutex_t *m)
{
    *m = malloc(sizeof(**m));
    if (!*m)
        return ERR_MEM;
    mutex_init(&(*m)->mutex, MUTEX_NORMAL);
    return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *m)
{
    mutex_lock(&(*m)->mutex);
}

static void (*core_unlock_hook)(void);

void net_core_on_unlock(void (*fn)(void))
{
    __atomic_store_n(&core_unlock_hook, fn, __ATOMIC_RELEASE);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
    if (m == &lock_tcpip_core) {
        void (*hook)(void) = __atomic_load_n(&core_unlock_hook, __ATOMIC_ACQUIRE);
        if (hook)
            hook();
    }
    mutex_unlock(&(*m)->mutex);
}

void sys_mutex_free(sys_mutex_t *m)
{
    free(*m);
    *m = NULL;
}

int sys_mutex_valid(sys_mutex_t *m)
{
    return m && *m;
}

void sys_mutex_set_invalid(sys_mutex_t *m)
{
    *m = NULL;
}

/* --- mailboxes --------------------------------------------------------------- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    unsigned n = size > 0 ? (unsigned)size : 64;
    struct net_mbox *mb = calloc(1, sizeof(*mb) + n * sizeof(void *));

    if (!mb) {
        *mbox = NULL;
        return ERR_MEM;
    }
    semaphore_init(&mb->items, 0);
    semaphore_init(&mb->space, n);
    mutex_init(&mb->lock, MUTEX_NORMAL);
    mb->size = n;
    *mbox = mb;
    return ERR_OK;
}

static void mbox_put(struct net_mbox *mb, void *msg)
{
    mutex_lock(&mb->lock);
    mb->slot[mb->tail] = msg;
    mb->tail = (mb->tail + 1) % mb->size;
    mutex_unlock(&mb->lock);
    semaphore_up(&mb->items);
}

static void *mbox_take(struct net_mbox *mb)
{
    mutex_lock(&mb->lock);
    void *msg = mb->slot[mb->head];
    mb->head = (mb->head + 1) % mb->size;
    mutex_unlock(&mb->lock);
    semaphore_up(&mb->space);
    return msg;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    semaphore_down(&(*mbox)->space, 0);
    mbox_put(*mbox, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    if (semaphore_trydown(&(*mbox)->space) != KERR_OK)
        return ERR_MEM;
    mbox_put(*mbox, msg);
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout_ms)
{
    uint64_t start = clock_ns();
    void *got;

    if (semaphore_down(&(*mbox)->items, deadline_after_ms(timeout_ms)) == KERR_TIMEDOUT)
        return SYS_ARCH_TIMEOUT;
    got = mbox_take(*mbox);
    if (msg)
        *msg = got;
    return (u32_t)((clock_ns() - start) / 1000000u);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    if (semaphore_trydown(&(*mbox)->items) != KERR_OK)
        return SYS_MBOX_EMPTY;
    void *got = mbox_take(*mbox);
    if (msg)
        *msg = got;
    return 0;
}

/* lwIP frees a mailbox only once nobody can post to it any more. */
void sys_mbox_free(sys_mbox_t *mbox)
{
    free(*mbox);
    *mbox = NULL;
}

int sys_mbox_valid(sys_mbox_t *mbox)
{
    return mbox && *mbox;
}

void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
    *mbox = NULL;
}

/* --- threads ------------------------------------------------------------------ */

struct thread_start {
    lwip_thread_fn fn;
    void *arg;
};

static void *thread_trampoline(void *p)
{
    struct thread_start s = *(struct thread_start *)p;

    free(p);
    s.fn(s.arg);
    return NULL;
}

/* Every lwIP thread lives on CPU 0 and is never joined. */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize,
                            int prio)
{
    struct thread_start *s = malloc(sizeof(*s));
    struct thread_attr attr = {
        .stack_size = stacksize > 0 ? (size_t)stacksize : DEFAULT_THREAD_STACKSIZE,
        .cpu = NET_CPU, .detached = true, .name = name,
    };
    struct thread *t = NULL;

    (void)prio;
    if (!s)
        panic("net: no memory for thread %s", name);
    s->fn = fn;
    s->arg = arg;
    if (thread_create(&t, &attr, thread_trampoline, s) != KERR_OK)
        panic("net: cannot create thread %s", name);
    return t;
}

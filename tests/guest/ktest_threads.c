/*
 * ktest_threads.c - in-guest tests of SMP bring-up, the scheduler, threads
 * and synchronization. Each case is reached through ktest's main().
 */
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "kerr.h"
#include "percpu.h"
#include "pmem.h"
#include "sync.h"
#include "thread.h"
#include "trap.h"
#include "heap.h"
#include "vmem.h"

#include <string.h>

int ktest_threads(const char *name, int argc, char **argv);
int ktest_fpu(void);

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        kprintf("FAIL: %s\n", what);
        failures++;
    }
}

static unsigned online(void)
{
    return cpu_online_count();
}

static struct thread *spawn(int cpu, void *(*fn)(void *), void *arg)
{
    struct thread_attr attr = { 0, cpu, false, NULL };
    struct thread *t = NULL;
    int err = thread_create(&t, &attr, fn, arg);

    if (err) {
        kprintf("FAIL: thread_create on cpu %d: %s\n", cpu, kerr_name(err));
        failures++;
        return NULL;
    }
    return t;
}

static void *join(struct thread *t)
{
    void *result = NULL;

    if (t && thread_join(t, &result) != KERR_OK)
        expect(0, "thread_join");
    return result;
}

/* --- every CPU is online and runs threads -------------------------------- */

static void *report_cpu(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)(cpu_index() + 1);
}

static int case_smp(unsigned want)
{
    struct thread *t[CPU_MAX];
    unsigned n = online();

    kprintf("cpus online: %u\n", n);
    expect(want == 0 || n == want, "all CPUs online");
    for (unsigned i = 0; i < n; i++)
        t[i] = spawn((int)i, report_cpu, NULL);
    for (unsigned i = 0; i < n; i++)
        expect((uintptr_t)join(t[i]) == i + 1, "thread ran on the CPU it was placed on");
    for (unsigned i = 0; i < n; i++)
        kprintf("cpu %u: apic id %u, %llu context switches\n", i, cpus[i].apic_id,
                (unsigned long long)cpus[i].context_switches);
    return 0;
}

/* --- 10,000 create/join cycles ------------------------------------------- */

static void *identity(void *arg)
{
    return arg;
}

static unsigned live_stacks(void)
{
    unsigned live, cached;

    stack_counts(&live, &cached);
    return live;
}

static int case_create_join(void)
{
    struct thread_attr detached = { 0, THREAD_CPU_ANY, true, NULL };
    unsigned stacks_before = live_stacks();
    uint64_t heap_before = kheap()->bytes_in_use;

    for (uintptr_t i = 1; i <= 10000; i++) {
        struct thread *t = spawn(THREAD_CPU_ANY, identity, (void *)i);
        if (!t || (uintptr_t)join(t) != i) {
            expect(0, "create/join returns the thread's value");
            break;
        }
    }
    for (int i = 0; i < 100; i++)
        expect(thread_create(NULL, &detached, identity, NULL) == KERR_OK, "detached create");
    /* Detached threads free themselves; give them (a bounded) while. */
    for (int i = 0; i < 1000 && live_stacks() != stacks_before; i++)
        thread_sleep_ns(5000000);
    expect(thread_join(thread_self(), NULL) == KERR_DEADLK, "joining oneself is refused");

    unsigned live, cached;
    stack_counts(&live, &cached);
    kprintf("stacks: %u live (%u before), %u cached; heap %llu bytes in use (%llu before)\n",
            live, stacks_before, cached, (unsigned long long)kheap()->bytes_in_use,
            (unsigned long long)heap_before);
    expect(live == stacks_before, "every thread's stack came back");
    /* Stack descriptors of cached stacks stay allocated: 64 bytes each. */
    expect(kheap()->bytes_in_use <= heap_before + cached * 64 + 4096,
           "thread, TLS and FPU memory came back");
    return 0;
}

/* --- lock stress: N threads x M increments, exact count ----------------- */

enum { INCREMENTS = 20000 };
static struct mutex counter_lock;
static volatile uint64_t counter;

static void *increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        mutex_lock(&counter_lock);
        counter = counter + 1;
        mutex_unlock(&counter_lock);
    }
    return NULL;
}

static int case_locks(void)
{
    unsigned n = 2 * online();
    struct thread *t[2 * CPU_MAX];

    mutex_init(&counter_lock, MUTEX_NORMAL);
    counter = 0;
    for (unsigned i = 0; i < n; i++)
        t[i] = spawn((int)(i % online()), increment, NULL);
    for (unsigned i = 0; i < n; i++)
        join(t[i]);
    kprintf("counter %llu, expected %llu\n", (unsigned long long)counter,
            (unsigned long long)n * INCREMENTS);
    expect(counter == (uint64_t)n * INCREMENTS, "exact count under the mutex");

    struct mutex m;
    mutex_init(&m, MUTEX_ERRORCHECK);
    expect(mutex_lock(&m) == KERR_OK && mutex_lock(&m) == KERR_DEADLK, "errorcheck relock");
    expect(mutex_unlock(&m) == KERR_OK && mutex_unlock(&m) == KERR_PERM, "errorcheck unlock");
    mutex_init(&m, MUTEX_RECURSIVE);
    expect(mutex_lock(&m) == KERR_OK && mutex_lock(&m) == KERR_OK, "recursive relock");
    expect(mutex_unlock(&m) == KERR_OK && mutex_trylock(&m) == KERR_OK, "recursive depth");
    mutex_unlock(&m);
    expect(mutex_unlock(&m) == KERR_OK && mutex_unlock(&m) == KERR_PERM, "recursive release");
    return 0;
}

/* --- condition-variable ping-pong between two cores ---------------------- */

enum { ROUNDS = 5000 };
static struct mutex pp_lock;
static struct condvar pp_cond;
static volatile int turn;

static void *pong(void *arg)
{
    int errors = 0;

    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        mutex_lock(&pp_lock);
        while (turn != 1)
            condvar_wait(&pp_cond, &pp_lock, 0);
        errors += turn != 1;
        turn = 0;
        condvar_signal(&pp_cond);
        mutex_unlock(&pp_lock);
    }
    return (void *)(uintptr_t)errors;
}

static int case_condvar(void)
{
    mutex_init(&pp_lock, MUTEX_NORMAL);
    condvar_init(&pp_cond);
    turn = 0;
    int other = online() > 1 ? 1 : 0;
    struct thread *t = spawn(other, pong, NULL);
    uint64_t start = clock_ns();
    for (int i = 0; i < ROUNDS; i++) {
        mutex_lock(&pp_lock);
        turn = 1;
        condvar_signal(&pp_cond);
        while (turn != 0)
            condvar_wait(&pp_cond, &pp_lock, 0);
        mutex_unlock(&pp_lock);
    }
    expect(join(t) == NULL, "every pong saw its turn");
    kprintf("%d round trips between cpu 0 and cpu %d in %llu us\n", ROUNDS, other,
            (unsigned long long)((clock_ns() - start) / 1000));

    /* A timed wait that nobody signals returns KERR_TIMEDOUT, with the lock held. */
    mutex_lock(&pp_lock);
    uint64_t deadline = clock_ns() + 20000000;
    expect(condvar_wait(&pp_cond, &pp_lock, deadline) == KERR_TIMEDOUT, "timedwait times out");
    expect(clock_ns() >= deadline, "timedwait not early");
    expect(mutex_trylock(&pp_lock) == KERR_BUSY, "lock held after timeout");
    mutex_unlock(&pp_lock);
    return 0;
}

/* --- semaphores and barriers across every core --------------------------- */

static struct semaphore items, slots;
static struct barrier phase_barrier;
static volatile unsigned phase_count[64];

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        semaphore_down(&slots, 0);
        semaphore_up(&items);
    }
    return NULL;
}

static void *phases(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg, serial = 0, errors = 0, n = online();

    for (unsigned round = 0; round < 50; round++) {
        __atomic_fetch_add(&phase_count[round], 1, __ATOMIC_SEQ_CST);
        serial += (unsigned)barrier_wait(&phase_barrier);
        /* After the barrier, everybody has arrived in this round. */
        errors += __atomic_load_n(&phase_count[round], __ATOMIC_SEQ_CST) != n;
        barrier_wait(&phase_barrier);
    }
    (void)me;
    return (void *)(uintptr_t)(errors ? 1000 + errors : serial);
}

static int case_semaphore_barrier(void)
{
    unsigned n = online();
    struct thread *t[CPU_MAX];

    semaphore_init(&items, 0);
    semaphore_init(&slots, 4);
    struct thread *p = spawn(n > 1 ? 1 : 0, producer, NULL);
    for (int i = 0; i < 2000; i++) {
        semaphore_down(&items, 0);
        semaphore_up(&slots);
    }
    join(p);
    expect(semaphore_trydown(&items) == KERR_BUSY, "all items consumed");
    expect(semaphore_down(&items, clock_ns() + 5000000) == KERR_TIMEDOUT, "sem timeout");

    barrier_init(&phase_barrier, n);
    memset((void *)phase_count, 0, sizeof(phase_count));
    for (unsigned i = 0; i < n; i++)
        t[i] = spawn((int)i, phases, (void *)(uintptr_t)i);
    unsigned serial_total = 0;
    for (unsigned i = 0; i < n; i++) {
        uintptr_t r = (uintptr_t)join(t[i]);
        expect(r < 1000, "no thread passed the barrier early");
        serial_total += (unsigned)r;
    }
    expect(serial_total == 50, "one serial thread per barrier round");
    return 0;
}

/* --- sleep accuracy --------------------------------------------------------- */

static int case_sleep(void)
{
    static const uint64_t asks[] = { 1000000, 5000000, 10000000, 20000000 };
    uint64_t worst_late = 0;

    for (int round = 0; round < 3; round++)
        for (unsigned i = 0; i < 4; i++) {
            uint64_t start = clock_ns();
            thread_sleep_ns(asks[i]);
            uint64_t took = clock_ns() - start;
            expect(took >= asks[i], "sleep never returns early");
            if (took - asks[i] > worst_late)
                worst_late = took - asks[i];
        }
    kprintf("sleep: worst overshoot %llu us\n", (unsigned long long)(worst_late / 1000));
    /* Stated bound: 50 ms late at most, generous for an emulated, shared host. */
    expect(worst_late < 50000000, "sleep overshoot below 50 ms");
    return 0;
}

/* --- thread-local storage ------------------------------------------------- */

static __thread uint64_t tls_value = 0x1234;
static __thread char tls_buffer[100];
static struct barrier tls_all_alive;

static void *tls_worker(void *arg)
{
    uint64_t me = (uintptr_t)arg;
    int errors = tls_value != 0x1234 || tls_buffer[7] != 0;

    tls_value = me;
    memset(tls_buffer, (int)me, sizeof(tls_buffer));
    for (int i = 0; i < 50; i++) {
        thread_yield();
        errors += tls_value != me || tls_buffer[99] != (char)me;
    }
    barrier_wait(&tls_all_alive);       /* so that no block is reused early */
    return (void *)(uintptr_t)(errors ? 0 : (uintptr_t)&tls_value);
}

static int case_tls(void)
{
    struct thread *t[8];
    uintptr_t addr[8];

    barrier_init(&tls_all_alive, 8);
    for (int i = 0; i < 8; i++)
        t[i] = spawn(i % (int)online(), tls_worker, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < 8; i++) {
        addr[i] = (uintptr_t)join(t[i]);
        expect(addr[i] != 0, "__thread values private to each thread");
    }
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            expect(addr[i] != addr[j], "distinct __thread addresses");
    expect(tls_value == 0x1234, "main thread's copy untouched");
    return 0;
}

/* --- oversubscription: more threads than cores still completes ----------- */

static volatile int release_flag[CPU_MAX];

static void *spinner(void *arg)
{
    unsigned cpu = (unsigned)(uintptr_t)arg;

    /* Never yields: only time slicing lets the releaser on this core run. */
    while (!__atomic_load_n(&release_flag[cpu], __ATOMIC_ACQUIRE))
        cpu_relax();
    return NULL;
}

static void *releaser(void *arg)
{
    unsigned cpu = (unsigned)(uintptr_t)arg;

    __atomic_store_n(&release_flag[cpu], 1, __ATOMIC_RELEASE);
    return NULL;
}

static int case_oversubscribe(void)
{
    unsigned n = online();
    struct thread *t[4 * CPU_MAX];
    unsigned count = 0;

    for (unsigned cpu = 0; cpu < n; cpu++) {
        release_flag[cpu] = 0;
        for (int k = 0; k < 3; k++)
            t[count++] = spawn((int)cpu, spinner, (void *)(uintptr_t)cpu);
        t[count++] = spawn((int)cpu, releaser, (void *)(uintptr_t)cpu);
    }
    for (unsigned i = 0; i < count; i++)
        join(t[i]);
    kprintf("oversubscribed: %u threads on %u cores completed\n", count, n);
    return 0;
}

/* --- a core running one thread takes no interrupt ------------------------ */

static uint64_t interrupts_on(unsigned cpu)
{
    uint64_t sum = 0;

    for (unsigned v = 0; v < 256; v++)
        sum += trap_count(cpu, v);
    return sum;
}

static void *compute(void *arg)
{
    volatile uint64_t x = 0;
    uint64_t iterations = (uintptr_t)arg;
    unsigned cpu = cpu_index();
    uint64_t before = interrupts_on(cpu), switches = cpus[cpu].context_switches;

    for (uint64_t i = 0; i < iterations; i++)
        x = x * 6364136223846793005ull + i;
    uint64_t taken = interrupts_on(cpu) - before;
    kprintf("cpu %u: %llu interrupts, %llu context switches during the compute phase\n", cpu,
            (unsigned long long)taken,
            (unsigned long long)(cpus[cpu].context_switches - switches));
    return (void *)(uintptr_t)(taken + (cpus[cpu].context_switches - switches));
}

static int case_quiet(void)
{
    unsigned n = online();
    struct thread *t[CPU_MAX];

    expect(n > 1, "needs at least two CPUs");
    for (unsigned cpu = 1; cpu < n; cpu++)
        t[cpu] = spawn((int)cpu, compute, (void *)(uintptr_t)20000000);
    /* Meanwhile the boot core is noisy on purpose: sleeps arm its timer. */
    for (int i = 0; i < 20; i++)
        thread_sleep_ns(2000000);
    for (unsigned cpu = 1; cpu < n; cpu++)
        expect(join(t[cpu]) == NULL, "no interrupt or switch on a compute core");
    return 0;
}

int ktest_threads(const char *name, int argc, char **argv)
{
    failures = 0;
    if (!strcmp(name, "smp"))
        case_smp(argc > 2 ? (unsigned)(argv[2][0] - '0') : 0);
    else if (!strcmp(name, "create-join"))
        case_create_join();
    else if (!strcmp(name, "locks"))
        case_locks();
    else if (!strcmp(name, "condvar"))
        case_condvar();
    else if (!strcmp(name, "sem-barrier"))
        case_semaphore_barrier();
    else if (!strcmp(name, "sleep"))
        case_sleep();
    else if (!strcmp(name, "tls"))
        case_tls();
    else if (!strcmp(name, "fpu"))
        failures += ktest_fpu();
    else if (!strcmp(name, "oversubscribe"))
        case_oversubscribe();
    else if (!strcmp(name, "quiet"))
        case_quiet();
    else
        return -1;
    if (!failures)
        kprintf("ok %s\n", name);
    return failures ? 1 : 0;
}

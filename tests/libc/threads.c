/*
 * threads.c - every pthread primitive, across cores, and malloc from
 * several threads at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    }
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return arg;
}

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    void *blocks[64] = { 0 };

    for (int i = 0; i < 20000; i++) {
        int k = rand_r(&seed) % 64;
        free(blocks[k]);
        size_t size = (size_t)(rand_r(&seed) % 5000) + 1;
        blocks[k] = malloc(size);
        if (!blocks[k])
            return (void *)1;
        memset(blocks[k], k, size);
    }
    for (int k = 0; k < 64; k++)
        free(blocks[k]);
    return NULL;
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static int turn;

static void *ponger(void *arg)
{
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&cond_lock);
        while (turn != 1)
            pthread_cond_wait(&cond, &cond_lock);
        turn = 0;
        pthread_cond_signal(&cond);
        pthread_mutex_unlock(&cond_lock);
    }
    return arg;
}

static pthread_key_t key;
static int destructor_calls;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_calls;

static void destroy(void *v)
{
    free(v);
    __atomic_fetch_add(&destructor_calls, 1, __ATOMIC_RELAXED);
}

static void init_once(void)
{
    once_calls++;
}

static void *keyed(void *arg)
{
    pthread_once(&once, init_once);
    int *mine = malloc(sizeof(int));
    *mine = (int)(uintptr_t)arg;
    pthread_setspecific(key, mine);
    sched_yield();
    return (void *)(uintptr_t)(*(int *)pthread_getspecific(key) == (int)(uintptr_t)arg);
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_spinlock_t spin;
static pthread_barrier_t barrier;
static int shared_value;
static long spin_count;

static void *mixed(void *arg)
{
    (void)arg;
    for (int i = 0; i < 500; i++) {
        pthread_rwlock_rdlock(&rw);
        int v = shared_value;
        pthread_rwlock_unlock(&rw);
        if (v < 0)
            return (void *)2;
        pthread_rwlock_wrlock(&rw);
        shared_value++;
        pthread_rwlock_unlock(&rw);
        pthread_spin_lock(&spin);
        spin_count++;
        pthread_spin_unlock(&spin);
    }
    int serial = pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD;
    return (void *)(uintptr_t)serial;
}

static sem_t items;

static void *producer(void *arg)
{
    for (int i = 0; i < 1000; i++)
        sem_post(&items);
    return arg;
}

static void *where(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)sched_getcpu();
}

int main(void)
{
    pthread_t t[THREADS];
    void *r;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    for (int i = 0; i < THREADS; i++)
        check(pthread_create(&t[i], NULL, add, (void *)(uintptr_t)i) == 0, "create");
    for (int i = 0; i < THREADS; i++)
        check(pthread_join(t[i], &r) == 0 && (uintptr_t)r == (uintptr_t)i, "join value");
    check(counter == THREADS * 20000, "mutex protects the counter");

    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < 4; i++)
        check(pthread_join(t[i], &r) == 0 && r == NULL, "malloc from several threads");

    pthread_create(&t[0], NULL, ponger, NULL);
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&cond_lock);
        turn = 1;
        pthread_cond_signal(&cond);
        while (turn != 0)
            pthread_cond_wait(&cond, &cond_lock);
        pthread_mutex_unlock(&cond_lock);
    }
    pthread_join(t[0], NULL);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 10000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&cond_lock);
    check(pthread_cond_timedwait(&cond, &cond_lock, &deadline) == ETIMEDOUT, "cond timedwait");
    pthread_mutex_unlock(&cond_lock);

    pthread_mutexattr_t ma;
    pthread_mutex_t m;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m, &ma);
    check(pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == 0, "recursive mutex");
    pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&m);
    pthread_mutex_destroy(&m);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m, &ma);
    pthread_mutex_lock(&m);
    check(pthread_mutex_lock(&m) == EDEADLK, "errorcheck mutex");
    check(pthread_mutex_trylock(&m) == EBUSY, "trylock");
    pthread_mutex_unlock(&m);
    check(pthread_mutex_unlock(&m) == EPERM, "unlock by non-owner");

    pthread_key_create(&key, destroy);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, keyed, (void *)(uintptr_t)(i + 10));
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &r);
        check(r == (void *)1, "thread-specific values are private");
    }
    check(destructor_calls == 4 && once_calls == 1, "key destructors and pthread_once");

    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_barrier_init(&barrier, NULL, 4);
    int serial = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, mixed, NULL);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &r);
        serial += (int)(uintptr_t)r;
    }
    check(shared_value == 2000 && spin_count == 2000, "rwlock and spin lock");
    check(serial == 1, "one barrier serial thread");

    sem_init(&items, 0, 0);
    pthread_create(&t[0], NULL, producer, NULL);
    for (int i = 0; i < 1000; i++)
        sem_wait(&items);
    pthread_join(t[0], NULL);
    check(sem_trywait(&items) == -1 && errno == EAGAIN, "semaphore drained");
    clock_gettime(CLOCK_REALTIME, &deadline);
    check(sem_timedwait(&items, &deadline) == -1 && errno == ETIMEDOUT, "sem_timedwait");

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 20);
    check(pthread_create(&t[0], &attr, where, NULL) == 0, "detached create");
    int joined = pthread_join(t[0], NULL);
    check(joined == EINVAL || joined == ESRCH, "joining a detached thread is refused");
    usleep(10000);

    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus - 1, &set);
    check(pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0, "setaffinity");
    check(sched_getcpu() == cpus - 1, "moved to the last CPU");
    CPU_ZERO(&set);
    check(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1 &&
          CPU_ISSET(cpus - 1, &set), "getaffinity");
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    check(sched_getcpu() == 0, "moved back to CPU 0");

    printf("%ld CPUs, %d failures\n", cpus, failures);
    if (failures)
        return 1;
    puts("ok threads");
    return 0;
}

/*
 * syscalls.c - cost of the calls an HPC program makes most, in TSC ticks
 * per call: under TCG an emulated timing, under -icount shift=0 a guest
 * instruction count. The same source is built with hermit-cc for the
 * unikernel and with gcc -static for the Linux guest.
 *
 * Output rows:  syscall <system> <name> <ticks per call, median of rounds>
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef __hermit__
#define SYSTEM "hermit"
#else
#define SYSTEM "linux"
#endif

#define ROUNDS 9
#define CALLS 2000
#define PAGES 2048

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t median(uint64_t *v)
{
    qsort(v, ROUNDS, sizeof(*v), by_value);
    return v[ROUNDS / 2];
}

static volatile long sink;

static void op_getpid(void) { sink += getpid(); }
static void op_yield(void) { sched_yield(); }
static void op_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sink += ts.tv_nsec;
}
static void op_malloc(void)
{
    void *p = malloc(4096);
    sink += (long)(uintptr_t)p;
    free(p);
}

static void measure(const char *name, void (*op)(void))
{
    uint64_t per_call[ROUNDS];

    for (int i = 0; i < CALLS; i++)
        op();                               /* warm up */
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = tsc();
        for (int i = 0; i < CALLS; i++)
            op();
        per_call[r] = (tsc() - start) / CALLS;
    }
    printf("syscall %s %s %llu\n", SYSTEM, name, (unsigned long long)median(per_call));
}

/* First store to each page of a fresh anonymous mapping. */
static void measure_fresh_pages(void)
{
    uint64_t touch[ROUNDS], map_touch[ROUNDS];
    size_t len = (size_t)PAGES * 4096;

    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = tsc();
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        uint64_t t1 = tsc();
        if (p == MAP_FAILED) {
            printf("syscall %s fresh_page_write failed\n", SYSTEM);
            return;
        }
        for (size_t off = 0; off < len; off += 4096)
            p[off] = 1;
        uint64_t t2 = tsc();
        munmap(p, len);
        touch[r] = (t2 - t1) / PAGES;
        map_touch[r] = (t2 - t0) / PAGES;
    }
    printf("syscall %s fresh_page_write %llu\n", SYSTEM, (unsigned long long)median(touch));
    printf("syscall %s mmap_and_write_per_page %llu\n", SYSTEM,
           (unsigned long long)median(map_touch));
}

int main(void)
{
    cpu_set_t one;

    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof(one), &one);
    measure("getpid", op_getpid);
    measure("sched_yield", op_yield);
    measure("malloc_free_4096", op_malloc);
    measure("clock_gettime", op_clock);
    measure_fresh_pages();
    return 0;
}

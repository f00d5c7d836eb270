/*
 * epcc.c - OpenMP synchronisation overheads in the manner of the EPCC
 * OpenMP micro-benchmarks: each construct runs INNER times around a fixed
 * delay, and its overhead is the time per repetition minus the same
 * delay run alone. The same source runs on HermitCore-C (hermit-cc
 * -fopenmp) and on the Linux guest (gcc -fopenmp -static); the threads
 * are the team's default, one per vCPU. Prints one line per construct:
 *
 *   epcc NAME THREADS OVERHEAD_US
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define INNER 200
#define DELAY 200           /* iterations of delay(): a few microseconds */

static volatile double sink;

static void delay(int n)
{
    double a = 0.0;

    for (int i = 0; i < n; i++)
        a += i * 0.5;
    sink = a;
}

/* Seconds per repetition of the reference: the delay alone. */
static double reference(void)
{
    double t = omp_get_wtime();

    for (int i = 0; i < INNER; i++)
        delay(DELAY);
    return (omp_get_wtime() - t) / INNER;
}

static void report(const char *name, double start, int reps, double ref)
{
    double per = (omp_get_wtime() - start) / reps;

    printf("epcc %s %d %.2f\n", name, omp_get_max_threads(), (per - ref) * 1e6);
}

int main(void)
{
    int threads = omp_get_max_threads();
    double ref, t;

#pragma omp parallel
    delay(DELAY);                       /* the team exists before timing */
    ref = reference();

    t = omp_get_wtime();
    for (int i = 0; i < INNER; i++) {
#pragma omp parallel
        delay(DELAY);
    }
    report("parallel", t, INNER, ref);

    t = omp_get_wtime();
#pragma omp parallel
    for (int i = 0; i < INNER; i++) {
#pragma omp for
        for (int j = 0; j < threads; j++)
            delay(DELAY);
    }
    report("for", t, INNER, ref);

    t = omp_get_wtime();
#pragma omp parallel
    for (int i = 0; i < INNER; i++) {
        delay(DELAY);
#pragma omp barrier
    }
    report("barrier", t, INNER, ref);

    t = omp_get_wtime();
#pragma omp parallel
    for (int i = 0; i < INNER; i++) {
#pragma omp single
        delay(DELAY);
    }
    report("single", t, INNER, ref);

    t = omp_get_wtime();
#pragma omp parallel
    for (int i = 0; i < INNER / threads; i++) {
#pragma omp critical
        delay(DELAY);
    }
    report("critical", t, INNER / threads * threads, ref);  /* run one at a time */

    int total = 0;
    t = omp_get_wtime();
    for (int i = 0; i < INNER; i++) {
#pragma omp parallel reduction(+ : total)
        {
            delay(DELAY);
            total += 1;
        }
    }
    report("reduction", t, INNER, ref);
    return total == INNER * threads ? 0 : 1;
}

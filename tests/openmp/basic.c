/*
 * basic.c - OpenMP on HermitCore-C: a team per vCPU by default, the work-
 * sharing and synchronisation constructs, with results checked. Prints
 * "ok NAME" or "FAIL NAME: why" per check and "openmp: N checks, M failed";
 * exits with M.
 *
 *   omp-basic EXPECTED_PROCS EXPECTED_TEAM
 */
#define _GNU_SOURCE
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "../check.h"

#define MAX_TEAM 64

static void team_and_placement(int procs, int team_want)
{
    int team = 0, cpu_of[MAX_TEAM], used[MAX_TEAM] = { 0 }, distinct = 0;

#pragma omp parallel
    {
        int me = omp_get_thread_num();
#pragma omp single
        team = omp_get_num_threads();
        if (me < MAX_TEAM)
            cpu_of[me] = sched_getcpu();
    }
    for (int i = 0; i < team && i < MAX_TEAM; i++)
        if (cpu_of[i] >= 0 && cpu_of[i] < MAX_TEAM && !used[cpu_of[i]]++)
            distinct++;
    printf("procs %d, team %d on %d CPUs\n", omp_get_num_procs(), team, distinct);
    check("num-procs", omp_get_num_procs() == procs, "omp_get_num_procs is not the vCPU count");
    check("team-size", team == team_want, "the default team is not the expected size");
    check("team-spread", distinct == (team < procs ? team : procs),
          "the team's threads do not run on as many CPUs as they can");
}

static void worksharing(void)
{
    long sum = 0;
    double dsum = 0.0;
    int single_runs = 0, critical_count = 0, atomic_count = 0;

#pragma omp parallel for reduction(+ : sum) schedule(static)
    for (long i = 1; i <= 1000000; i++)
        sum += i;
    check("for-static-reduction", sum == 500000500000L, "the static reduction is wrong");

#pragma omp parallel for reduction(+ : dsum) schedule(dynamic, 64)
    for (int i = 0; i < 100000; i++)
        dsum += 0.5;
    check("for-dynamic-reduction", dsum == 50000.0, "the dynamic reduction is wrong");

#pragma omp parallel
    {
#pragma omp single
        single_runs++;
        for (int i = 0; i < 1000; i++) {
#pragma omp critical
            critical_count++;
#pragma omp atomic
            atomic_count++;
        }
    }
    int team = omp_get_max_threads();
    check("single", single_runs == 1, "a single block ran more than once");
    check("critical-atomic", critical_count == 1000 * team && atomic_count == 1000 * team,
          "critical or atomic lost updates");
}

static int arrived[MAX_TEAM];

static void barrier(void)
{
    int bad = 0;

#pragma omp parallel reduction(+ : bad)
    {
        int me = omp_get_thread_num(), n = omp_get_num_threads();
#pragma omp atomic write
        arrived[me] = 1;
#pragma omp barrier
        for (int i = 0; i < n; i++) {
            int seen;
#pragma omp atomic read
            seen = arrived[i];
            bad += !seen;
        }
    }
    check("barrier", bad == 0, "a thread passed the barrier before all arrived");
}

static long fib(int n)
{
    long a, b;

    if (n < 2)
        return n;
#pragma omp task shared(a) if (n > 12)
    a = fib(n - 1);
#pragma omp task shared(b) if (n > 12)
    b = fib(n - 2);
#pragma omp taskwait
    return a + b;
}

static void tasks_and_locks(void)
{
    long f = 0;
    int counted = 0;
    omp_lock_t lock;

#pragma omp parallel
#pragma omp single
    f = fib(20);
    check("tasks", f == 6765, "fib(20) with tasks is wrong");

    omp_init_lock(&lock);
#pragma omp parallel
    for (int i = 0; i < 500; i++) {
        omp_set_lock(&lock);
        counted++;
        omp_unset_lock(&lock);
    }
    omp_destroy_lock(&lock);
    check("lock", counted == 500 * omp_get_max_threads(), "omp_lock lost updates");
    double t0 = omp_get_wtime();
    check("wtime", t0 > 0.0 && omp_get_wtime() >= t0, "omp_get_wtime does not advance");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: omp-basic EXPECTED_PROCS EXPECTED_TEAM\n");
        return 2;
    }
    team_and_placement(atoi(argv[1]), atoi(argv[2]));
    worksharing();
    barrier();
    tasks_and_locks();
    return check_summary("openmp");
}

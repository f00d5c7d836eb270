/*
 * fwq_traffic.c - does MPI traffic disturb a compute core? FWQ on CPU 1
 * while the rank's main thread on CPU 0 ping-pongs with the other rank.
 *
 *   hermit-mpirun -n 2 --cpus 2 --icount fwq_traffic.elf [-s samples] [-w work] [-m bytes]
 *
 * Each of the two ranks runs bench/noise/fwq.c's fixed work quanta on a
 * thread pinned to CPU 1 and, until both ranks' quanta are done, sends
 * and receives messages of -m bytes on CPU 0, where the network stack,
 * its driver thread and the NIC's interrupts live. Under -icount shift=0
 * an undisturbed quantum always takes the same number of ticks. What
 * makes one longer is either the OS on CPU 1 (an interrupt, a switch) or
 * QEMU running CPU 0's turn in the same TCG thread (icount runs a VM's
 * vCPUs in turns), which CPU 1 cannot tell apart by time alone. So CPU
 * 1's own interrupt and context-switch counters over the run say whether
 * anything reached it, and the samples are reported as they are. Each
 * rank prints
 *
 *   traffic rank <r> cpu 1 samples <n> min <t> undisturbed <n> longer <n>
 *       max_excess <t> interrupts <n> context_switches <n> round_trips <n>
 *
 * (one line) and exits 0; 2 on bad arguments, 1 when it cannot run.
 */
#define _GNU_SOURCE                 /* pthread_setaffinity_np, CPU_SET, as on Linux */
#include "fwq.h"
#include "hermit_counters.h"

#include <mpi.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPUTE_CPU 1

struct quanta {
    unsigned samples, work;
    uint64_t *durations;
    struct hermit_cpu_counters before, after;
    volatile int start, done;
};

static void *compute(void *arg)
{
    struct quanta *q = arg;
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(COMPUTE_CPU, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
        fprintf(stderr, "fwq_traffic: cannot move to CPU %d\n", COMPUTE_CPU);
        abort();
    }
    while (!__atomic_load_n(&q->start, __ATOMIC_ACQUIRE))
        sched_yield();
    hermit_cpu_counters(COMPUTE_CPU, &q->before);
    fwq_run(q->samples, q->work, q->durations);
    hermit_cpu_counters(COMPUTE_CPU, &q->after);
    __atomic_store_n(&q->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Ping-pong until both ranks' quanta are done; rank 0 decides when to stop. */
static unsigned long traffic(int rank, char *buf, int bytes, struct quanta *q)
{
    unsigned long round_trips = 0;
    int peer_done = 0;

    for (;;) {
        if (rank == 0) {
            buf[0] = __atomic_load_n(&q->done, __ATOMIC_ACQUIRE) && peer_done;
            MPI_Send(buf, bytes, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
            if (buf[0])
                return round_trips;
            MPI_Recv(buf, bytes, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            peer_done = buf[0];
        } else {
            MPI_Recv(buf, bytes, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (buf[0])
                return round_trips;
            buf[0] = __atomic_load_n(&q->done, __ATOMIC_ACQUIRE);
            MPI_Send(buf, bytes, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
        }
        round_trips++;
    }
}

static int parse_args(int argc, char **argv, unsigned *samples, unsigned *work, int *bytes)
{
    for (int i = 1; i < argc; i += 2) {
        char *end;
        long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
        if (i + 1 >= argc || *end || v < 1 || v > 1 << 24)
            return 0;
        if (!strcmp(argv[i], "-s"))
            *samples = (unsigned)v;
        else if (!strcmp(argv[i], "-w"))
            *work = (unsigned)v;
        else if (!strcmp(argv[i], "-m"))
            *bytes = (int)v;
        else
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct quanta q = { 2000, 20000, NULL, { 0, 0 }, { 0, 0 }, 0, 0 };
    int rank, size, bytes = 8;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (!parse_args(argc, argv, &q.samples, &q.work, &bytes)) {
        if (rank == 0)
            fprintf(stderr, "usage: fwq_traffic [-s samples] [-w work] [-m bytes]\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    struct hermit_cpu_counters probe;
    if (size != 2 || hermit_cpu_counters(COMPUTE_CPU, &probe)) {
        fprintf(stderr, "fwq_traffic: needs 2 ranks of 2 vCPUs each (--cpus 2)\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    q.durations = malloc(q.samples * sizeof(uint64_t));
    uint64_t *scratch = malloc(q.samples * sizeof(uint64_t));
    char *buf = calloc(1, (size_t)bytes);
    pthread_t thread;
    if (!q.durations || !scratch || !buf || pthread_create(&thread, NULL, compute, &q)) {
        fprintf(stderr, "fwq_traffic: cannot start the compute thread\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    MPI_Barrier(MPI_COMM_WORLD);
    __atomic_store_n(&q.start, 1, __ATOMIC_RELEASE);
    unsigned long round_trips = traffic(rank, buf, bytes, &q);
    pthread_join(thread, NULL);

    struct fwq_stats s;
    unsigned undisturbed = 0;
    fwq_stats(q.durations, q.samples, scratch, &s);
    for (unsigned i = 0; i < q.samples; i++)
        undisturbed += q.durations[i] == s.min;
    printf("traffic rank %d cpu %d samples %u min %llu undisturbed %u longer %u max_excess %llu "
           "interrupts %llu context_switches %llu round_trips %lu\n",
           rank, COMPUTE_CPU, q.samples, (unsigned long long)s.min, undisturbed,
           q.samples - undisturbed, (unsigned long long)(s.max - s.min),
           (unsigned long long)(q.after.interrupts - q.before.interrupts),
           (unsigned long long)(q.after.context_switches - q.before.context_switches),
           round_trips);
    MPI_Finalize();
    return 0;
}

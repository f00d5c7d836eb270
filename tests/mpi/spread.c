/* spread.c - a job spread over many VMs and hosts: every rank says hello
 * with its processor name (rank 0 checks each is "rankR", i.e. the VM the
 * launcher booted for that rank), then a barrier, allreduces (sum and max),
 * and a ring of 64 KiB messages (larger than any MTU, so frames cross the
 * overlay in pieces) whose contents each receiver checks. With an optional
 * argument S, each rank sleeps S seconds first: the tests use it to kill a
 * host while the job waits. Prints "mpi-spread: OK: N ranks ..." on rank 0. */
#include "mpitest.h"

#include <unistd.h>

#define RING_BYTES (64 * 1024)

static void check_names(void)
{
    char name[MPI_MAX_PROCESSOR_NAME] = { 0 }, want[32];
    int len = 0, r;

    MPI_Get_processor_name(name, &len);
    char *all = mt_rank == 0 ? malloc((size_t) mt_size * MPI_MAX_PROCESSOR_NAME) : NULL;
    MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
               0, MPI_COMM_WORLD);
    if (mt_rank != 0)
        return;
    mt_check(all != NULL, "memory for %d names", mt_size);
    for (r = 0; all && r < mt_size; r++) {
        snprintf(want, sizeof(want), "rank%d", r);
        mt_check(strcmp(all + r * MPI_MAX_PROCESSOR_NAME, want) == 0,
                 "processor name of rank %d is '%s', expected '%s'", r,
                 all + r * MPI_MAX_PROCESSOR_NAME, want);
    }
    printf("mpi-spread: hello from %d ranks, rank%d .. rank%d\n", mt_size, 0, mt_size - 1);
    fflush(stdout);
    free(all);
}

static void check_reductions(void)
{
    long mine = mt_rank + 1, sum = 0, max = 0;

    MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&mine, &max, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    mt_check(sum == (long) mt_size * (mt_size + 1) / 2, "allreduce sum %ld", sum);
    mt_check(max == mt_size, "allreduce max %ld", max);
}

static unsigned char pattern(int from, int i)
{
    return (unsigned char) (from * 131 + i * 7 + (i >> 9));
}

static void check_ring(void)
{
    unsigned char *out = malloc(RING_BYTES), *in = malloc(RING_BYTES);
    int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size, i, bad = -1;

    for (i = 0; i < RING_BYTES; i++)
        out[i] = pattern(mt_rank, i);
    MPI_Sendrecv(out, RING_BYTES, MPI_BYTE, next, 7, in, RING_BYTES, MPI_BYTE, prev, 7,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    for (i = 0; i < RING_BYTES && bad < 0; i++)
        if (in[i] != pattern(prev, i))
            bad = i;
    mt_check(bad < 0, "ring message from rank %d differs at byte %d", prev, bad);
    free(out);
    free(in);
}

int main(int argc, char **argv)
{
    mt_init(&argc, &argv, "spread");
    if (argc > 1)
        sleep((unsigned) atoi(argv[1]));
    check_names();
    MPI_Barrier(MPI_COMM_WORLD);
    check_reductions();
    check_ring();
    return mt_finish("hello, barrier, allreduce, 64 KiB ring");
}

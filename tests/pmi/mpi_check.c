/* mpi_check.c - a small MPI program for testing the launchers on the host
 * (built with Debian's mpicc) and, later, in the image.
 *
 *   mpi_check [MODE]
 *
 * MODE ok (default): hello with the processor name, MPI_Allreduce of the
 * ranks, a ring of MPI_Send/MPI_Recv; prints "rank R of N: ok" and exits 0.
 * MODE die: like ok up to a barrier, then rank 1 kills itself (SIGKILL)
 * while the others wait in MPI_Barrier. MODE abort: rank 1 calls
 * MPI_Abort(MPI_COMM_WORLD, 7). MODE hang: every rank sleeps after init.
 */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int check_allreduce(int rank, int size)
{
    int sum = 0;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    return sum == size * (size - 1) / 2;
}

static int check_ring(int rank, int size)
{
    int token = -1, next = (rank + 1) % size, prev = (rank + size - 1) % size;
    if (size == 1)
        return 1;
    if (rank == 0) {
        token = 1000;
        MPI_Send(&token, 1, MPI_INT, next, 5, MPI_COMM_WORLD);
        MPI_Recv(&token, 1, MPI_INT, prev, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return token == 1000 + size - 1;
    }
    MPI_Recv(&token, 1, MPI_INT, prev, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    token++;
    MPI_Send(&token, 1, MPI_INT, next, 5, MPI_COMM_WORLD);
    return token == 1000 + rank;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "ok";
    char name[MPI_MAX_PROCESSOR_NAME];
    int rank, size, len, ok;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(name, &len);
    printf("hello from rank %d of %d on %s\n", rank, size, name);
    fflush(stdout);
    if (strcmp(mode, "hang") == 0)
        for (;;)
            sleep(1);
    if (strcmp(mode, "abort") == 0 && rank == 1)
        MPI_Abort(MPI_COMM_WORLD, 7);
    MPI_Barrier(MPI_COMM_WORLD);
    if (strcmp(mode, "die") == 0 && rank == 1)
        raise(SIGKILL);
    ok = check_allreduce(rank, size) && check_ring(rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    printf("rank %d of %d: %s\n", rank, size, ok ? "ok" : "FAILED");
    MPI_Finalize();
    return ok ? 0 : 1;
}

/* ring.c - passes a token around MPI_COMM_WORLD N times (argv[1], default
 * 3): rank 0 starts it, each rank adds its rank and forwards it. Rank 0
 * checks the total and prints "mpi-ring: OK ..." or fails with exit 1.
 * Also exercises MPI_Bcast and MPI_Allreduce once. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size, laps = 3, lap;
    long token = 0, expect;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0 && argc > 1)
        laps = atoi(argv[1]);
    MPI_Bcast(&laps, 1, MPI_INT, 0, MPI_COMM_WORLD);

    int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    for (lap = 0; lap < laps; lap++) {
        if (rank == 0) {
            /* Non-blocking send: with one rank, rank 0 is its own neighbour. */
            MPI_Request req;
            long out = token;
            MPI_Isend(&out, 1, MPI_LONG, next, lap, MPI_COMM_WORLD, &req);
            MPI_Recv(&token, 1, MPI_LONG, prev, lap, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Wait(&req, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(&token, 1, MPI_LONG, prev, lap, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            token += rank;
            MPI_Send(&token, 1, MPI_LONG, next, lap, MPI_COMM_WORLD);
        }
    }
    long sum = 0, one = rank;
    MPI_Allreduce(&one, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    expect = (long) laps * size * (size - 1) / 2;
    int ok = 1;
    if (rank == 0) {
        ok = token == expect && sum == (long) size * (size - 1) / 2;
        printf("mpi-ring: %s: %d ranks, %d laps, token %ld (expected %ld), allreduce %ld\n",
               ok ? "OK" : "FAILED", size, laps, token, expect, sum);
        fflush(stdout);
    }
    MPI_Finalize();
    return ok ? 0 : 1;
}

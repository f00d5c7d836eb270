/* fault_ring.c - a token ring that runs for a given time, for the
 * fault-injection tests (tests/suites/faults.sh):
 *
 *     fault-ring.elf SECONDS    pass a token around MPI_COMM_WORLD until
 *                               rank 0 has run SECONDS (0: until stopped)
 *
 * Every rank takes part in every lap, so one rank that stops, loses its
 * link or dies stalls all the others: without the launcher's supervisor
 * the job would hang. Rank 0 prints "fault-ring: lap N" about once a
 * second (the tests wait for the first one: every rank is then past
 * MPI_Init and talking), and "fault-ring: OK: ..." when it ends on time
 * with the token's sum right. The token's first word says whether to go
 * on, so every rank leaves the ring after the same lap. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size;
    long msg[2] = { 1, 0 };     /* go on?, running sum of ranks */
    long laps = 0;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double seconds = argc > 1 ? atof(argv[1]) : 0;
    int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    double start = MPI_Wtime(), said = start;

    while (msg[0]) {
        if (rank == 0) {
            double now = MPI_Wtime();
            if (seconds > 0 && now - start >= seconds)
                msg[0] = 0;
            if (now - said >= 1.0) {
                printf("fault-ring: lap %ld\n", laps);
                fflush(stdout);
                said = now;
            }
            MPI_Send(msg, 2, MPI_LONG, next, 0, MPI_COMM_WORLD);
            MPI_Recv(msg, 2, MPI_LONG, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(msg, 2, MPI_LONG, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            msg[1] += rank;
            MPI_Send(msg, 2, MPI_LONG, next, 0, MPI_COMM_WORLD);
        }
        laps++;
    }
    int ok = 1;
    if (rank == 0) {
        long expect = laps * ((long) size * (size - 1) / 2);
        ok = msg[1] == expect;
        printf("fault-ring: %s: %d ranks, %ld laps in %.1f s\n", ok ? "OK" : "FAILED (sum)",
               size, laps, MPI_Wtime() - start);
        fflush(stdout);
    }
    MPI_Finalize();
    return ok ? 0 : 1;
}

/* misbehave.c - MPI jobs that go wrong on purpose, for the launcher's
 * bad-input tests (tests/suites/mpi_tests.sh):
 *
 *     mpi-misbehave.elf panic    rank 1 dereferences NULL after MPI_Init
 *                                once the others wait in MPI_Recv; the job
 *                                must end with that rank's status (114)
 *     mpi-misbehave.elf noinit   rank 1 (PMI_ID from the launcher) returns 0
 *                                without calling MPI_Init while the others
 *                                wait in MPI_Init's PMI barrier
 *     mpi-misbehave.elf spin     every rank spins forever after MPI_Init;
 *                                only the launcher's --timeout ends it
 *
 * Each rank prints one line saying what it is about to do, so the tests
 * can tell the job got that far. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mb_say(int rank, const char *what)
{
    printf("mpi-misbehave: rank %d %s\n", rank, what);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int rank, dummy;

    if (strcmp(mode, "noinit") == 0) {
        const char *id = getenv("PMI_ID");
        rank = id ? atoi(id) : -1;
        if (rank == 1) {
            mb_say(rank, "exits without MPI_Init");
            return 0;
        }
        mb_say(rank, "calls MPI_Init");
        MPI_Init(&argc, &argv);
        mb_say(rank, "passed MPI_Init (should not happen)");
        MPI_Finalize();
        return 1;
    }

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Barrier(MPI_COMM_WORLD);
    if (strcmp(mode, "panic") == 0) {
        /* Rank 1 faults only after every other rank has said it waits:
         * the test reads those lines, and without this order a fast
         * fault could end the job before a slow rank printed its line. */
        int size, ready = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        if (rank == 1) {
            for (int i = 0; i < size - 1; i++)
                MPI_Recv(&ready, 1, MPI_INT, MPI_ANY_SOURCE, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            mb_say(rank, "dereferences NULL");
            volatile int *null = NULL;
            return *null;
        }
        mb_say(rank, "waits in MPI_Recv");
        MPI_Send(&ready, 1, MPI_INT, 1, 1, MPI_COMM_WORLD);
        MPI_Recv(&dummy, 1, MPI_INT, MPI_ANY_SOURCE, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (strcmp(mode, "spin") == 0) {
        volatile unsigned long spins = 0;
        mb_say(rank, "spins forever");
        for (;;)
            spins++;
    } else {
        if (rank == 0)
            printf("mpi-misbehave: unknown mode '%s' (panic, noinit or spin)\n", mode);
    }
    MPI_Finalize();
    return 2;
}

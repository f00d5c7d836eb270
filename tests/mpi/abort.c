/* abort.c - MPI_Abort from one rank while the others block in a receive
 * that will never be satisfied:
 *
 *     mpi-abort.elf [CODE [RANK]]      (defaults: code 7, rank 1)
 *
 * Every rank passes a barrier first (so all are inside MPI), then RANK
 * prints "mpi-abort: rank R aborting with code C" and calls
 * MPI_Abort(MPI_COMM_WORLD, CODE); the others wait in MPI_Recv from
 * MPI_ANY_SOURCE. The launcher must end the whole job promptly and exit
 * with CODE. If MPI_Abort returned, the rank exits 99 so that cannot pass. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size, code = 7, victim = 1, dummy;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc > 1)
        code = atoi(argv[1]);
    if (argc > 2)
        victim = atoi(argv[2]);
    if (victim < 0 || victim >= size) {
        if (rank == 0)
            printf("mpi-abort: rank %d does not exist in %d ranks\n", victim, size);
        MPI_Finalize();
        return 1;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == victim) {
        printf("mpi-abort: rank %d aborting with code %d\n", rank, code);
        fflush(stdout);
        MPI_Abort(MPI_COMM_WORLD, code);
        printf("mpi-abort: MPI_Abort returned\n");
        return 99;
    }
    MPI_Recv(&dummy, 1, MPI_INT, MPI_ANY_SOURCE, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("mpi-abort: rank %d received a message nobody sent\n", rank);
    MPI_Finalize();
    return 98;
}

/* hello.c - MPI hello: MPI_Init, rank and size, MPI_Get_processor_name,
 * MPI_Finalize. Prints "hello from rank R of N on NAME" and, on rank 0
 * after MPI_Finalize, "mpi-hello: OK" (the marker tests look for). Works
 * as a singleton (no PMI_PORT: size 1) and under a PMI-1 server. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank = -1, size = -1, len = 0, rc;
    char name[MPI_MAX_PROCESSOR_NAME];

    rc = MPI_Init(&argc, &argv);
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "mpi-hello: MPI_Init failed (%d)\n", rc);
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(name, &len);
    printf("hello from rank %d of %d on %s\n", rank, size, name);
    fflush(stdout);
    if (rank < 0 || rank >= size || len <= 0) {
        fprintf(stderr, "mpi-hello: bad rank/size/name\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    MPI_Finalize();
    if (rank == 0)
        printf("mpi-hello: OK\n");
    return 0;
}

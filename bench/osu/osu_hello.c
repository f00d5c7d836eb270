/* osu_hello.c - OSU-compatible MPI hello world: MPI_Init, and rank 0
 * prints how many processes the job has. */
#include <mpi.h>
#include <stdio.h>

#include "osu_util.h"

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_hello", .title = "OSU MPI Hello World Test",
                          .kind = OSU_STARTUP };

    osu_start(&argc, &argv, &o);
    osu_print_header(&o);
    if (o.rank == 0)
        printf("This is a test with %d processes\n", o.nprocs);
    return osu_finish();
}

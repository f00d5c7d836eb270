/* osu_barrier.c - OSU-compatible barrier latency: MPI_Barrier, each call
 * timed alone after another MPI_Barrier (osu_coll_run); the average over
 * ranks, and with -f the min, max and iteration count. */
#include <mpi.h>

#include "osu_util.h"

static void osu_op(size_t size)
{
    (void)size;
    MPI_Barrier(MPI_COMM_WORLD);
}

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_barrier", .title = "OSU MPI Barrier Latency Test",
                          .kind = OSU_BARRIER };

    osu_start(&argc, &argv, &o);
    if (o.nprocs < 2)
        osu_fail(&o, "This test requires at least two processes");
    osu_coll_run(&o, osu_op);
    return osu_finish();
}

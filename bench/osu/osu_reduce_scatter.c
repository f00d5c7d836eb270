/* osu_reduce_scatter.c - OSU-compatible reduce-scatter latency:
 * MPI_Reduce_scatter (MPI_SUM) of SIZE bytes of MPI_CHAR in all, split
 * as evenly as possible (the first SIZE % N ranks get one more).
 * Each call is timed alone after an MPI_Barrier (osu_coll_run); the
 * table has the average over ranks, and with -f the min, max and
 * iteration count. */
#include <mpi.h>

#include "osu_util.h"

static char *sbuf, *rbuf;
static int *counts, nprocs;

static void osu_op(size_t size)
{
    int r;

    for (r = 0; r < nprocs; r++)
        counts[r] = (int)(size / (size_t)nprocs) + ((size_t)r < size % (size_t)nprocs);
    MPI_Reduce_scatter(sbuf, rbuf, counts, MPI_CHAR, MPI_SUM, MPI_COMM_WORLD);
}

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_reduce_scatter",
                          .title = "OSU MPI Reduce_scatter Latency Test",
                          .kind = OSU_COLL };

    osu_start(&argc, &argv, &o);
    if (o.nprocs < 2)
        osu_fail(&o, "This test requires at least two processes");
    nprocs = o.nprocs;
    counts = osu_buffer(sizeof(int) * (size_t)o.nprocs, 0);
    sbuf = osu_buffer(o.max_size, 1);
    rbuf = osu_buffer(o.max_size, 0);
    osu_coll_run(&o, osu_op);
    return osu_finish();
}

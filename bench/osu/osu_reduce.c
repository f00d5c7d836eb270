/* osu_reduce.c - OSU-compatible reduce latency: MPI_Reduce (MPI_SUM) of
 * SIZE bytes of MPI_CHAR to rank 0.
 * Each call is timed alone after an MPI_Barrier (osu_coll_run); the
 * table has the average over ranks, and with -f the min, max and
 * iteration count. */
#include <mpi.h>

#include "osu_util.h"

static char *sbuf, *rbuf;

static void osu_op(size_t size)
{
    MPI_Reduce(sbuf, rbuf, (int)size, MPI_CHAR, MPI_SUM, 0, MPI_COMM_WORLD);
}

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_reduce",
                          .title = "OSU MPI Reduce Latency Test",
                          .kind = OSU_COLL };

    osu_start(&argc, &argv, &o);
    if (o.nprocs < 2)
        osu_fail(&o, "This test requires at least two processes");
    sbuf = osu_buffer(o.max_size, 1);
    rbuf = osu_buffer(o.max_size, 0);
    osu_coll_run(&o, osu_op);
    return osu_finish();
}

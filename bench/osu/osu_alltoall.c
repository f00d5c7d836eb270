/* osu_alltoall.c - OSU-compatible all-to-all latency: MPI_Alltoall,
 * SIZE bytes from every rank to every rank.
 * Each call is timed alone after an MPI_Barrier (osu_coll_run); the
 * table has the average over ranks, and with -f the min, max and
 * iteration count. */
#include <mpi.h>

#include "osu_util.h"

static char *sbuf, *rbuf;

static void osu_op(size_t size)
{
    MPI_Alltoall(sbuf, (int)size, MPI_CHAR, rbuf, (int)size, MPI_CHAR, MPI_COMM_WORLD);
}

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_alltoall",
                          .title = "OSU MPI All-to-All Personalized Exchange Latency Test",
                          .kind = OSU_COLL };

    osu_start(&argc, &argv, &o);
    if (o.nprocs < 2)
        osu_fail(&o, "This test requires at least two processes");
    sbuf = osu_buffer(o.max_size * (size_t)o.nprocs, 'a');
    rbuf = osu_buffer(o.max_size * (size_t)o.nprocs, 0);
    osu_coll_run(&o, osu_op);
    return osu_finish();
}

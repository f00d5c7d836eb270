/* osu_latency.c - OSU-compatible point-to-point latency: rank 0 and rank 1
 * play ping-pong with blocking MPI_Send/MPI_Recv; the reported latency is
 * half the average round trip, after warm-up round trips. */
#include <mpi.h>

#include "osu_util.h"

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_latency", .title = "OSU MPI Latency Test",
                          .kind = OSU_LATENCY };
    char *sbuf, *rbuf;
    size_t size;

    osu_start(&argc, &argv, &o);
    if (o.nprocs != 2)
        osu_fail(&o, "This test requires exactly two processes");
    sbuf = osu_buffer(o.max_size, 'a');
    rbuf = osu_buffer(o.max_size, 'b');
    osu_print_header(&o);
    for (size = o.min_size; size <= o.max_size; size = osu_next_size(size)) {
        int iters = osu_iters(&o, size), skip = osu_skip(&o, size), i;
        double t0 = 0;

        MPI_Barrier(MPI_COMM_WORLD);
        for (i = 0; i < skip + iters; i++) {
            if (i == skip)
                t0 = MPI_Wtime();
            if (o.rank == 0) {
                MPI_Send(sbuf, (int)size, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
                MPI_Recv(rbuf, (int)size, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(rbuf, (int)size, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(sbuf, (int)size, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
            }
        }
        osu_print_row(&o, size, (MPI_Wtime() - t0) * 1e6 / (2.0 * iters));
    }
    return osu_finish();
}

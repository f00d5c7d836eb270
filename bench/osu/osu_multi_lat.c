/* osu_multi_lat.c - OSU-compatible multi-pair latency: rank r < N/2
 * plays ping-pong with rank r + N/2, all pairs at once; the reported
 * latency is the one-way latency averaged over every rank. */
#include <mpi.h>

#include "osu_util.h"

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_multi_lat", .title = "OSU MPI Multi Latency Test",
                          .kind = OSU_MULTI_LAT };
    char *sbuf, *rbuf;
    size_t size;
    int pairs, peer, sender;

    osu_start(&argc, &argv, &o);
    if (o.nprocs < 2 || o.nprocs % 2)
        osu_fail(&o, "This test requires an even number of processes");
    pairs = o.nprocs / 2;
    sender = o.rank < pairs;
    peer = sender ? o.rank + pairs : o.rank - pairs;
    sbuf = osu_buffer(o.max_size, 'a');
    rbuf = osu_buffer(o.max_size, 'b');
    osu_print_header(&o);
    for (size = o.min_size; size <= o.max_size; size = osu_next_size(size)) {
        int iters = osu_iters(&o, size), skip = osu_skip(&o, size), i;
        double t0 = 0, latency, sum = 0;

        MPI_Barrier(MPI_COMM_WORLD);
        for (i = 0; i < skip + iters; i++) {
            if (i == skip)
                t0 = MPI_Wtime();
            if (sender) {
                MPI_Send(sbuf, (int)size, MPI_CHAR, peer, 1, MPI_COMM_WORLD);
                MPI_Recv(rbuf, (int)size, MPI_CHAR, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(rbuf, (int)size, MPI_CHAR, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(sbuf, (int)size, MPI_CHAR, peer, 1, MPI_COMM_WORLD);
            }
        }
        latency = (MPI_Wtime() - t0) * 1e6 / (2.0 * iters);
        MPI_Reduce(&latency, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        osu_print_row(&o, size, sum / o.nprocs);
    }
    return osu_finish();
}

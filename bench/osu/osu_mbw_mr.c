/* osu_mbw_mr.c - OSU-compatible multiple bandwidth / message rate: rank
 * r < N/2 streams windows of messages to rank r + N/2, all pairs at once,
 * each window acknowledged. The aggregate over pairs is reported, timed
 * from a common barrier to the slowest sender's end. */
#include <mpi.h>

#include "osu_util.h"

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_mbw_mr",
                          .title = "OSU MPI Multiple Bandwidth / Message Rate Test",
                          .kind = OSU_MBW_MR };
    /* Real status arrays: GCC warns about MPI_STATUSES_IGNORE as an array. */
    MPI_Status *st;
    MPI_Request *req;
    char *sbuf, *rbuf, ack[4] = { 0 };
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
    req = osu_buffer(sizeof(*req) * (size_t)o.window, 0);
    st = osu_buffer(sizeof(*st) * (size_t)o.window, 0);
    osu_print_header(&o);
    for (size = o.min_size; size <= o.max_size; size = osu_next_size(size)) {
        int iters = osu_iters(&o, size), skip = osu_skip(&o, size), i, w;
        double t0 = 0, t = 0, tmax = 0, rate;

        MPI_Barrier(MPI_COMM_WORLD);
        for (i = 0; i < skip + iters; i++) {
            if (i == skip) {
                MPI_Barrier(MPI_COMM_WORLD);
                t0 = MPI_Wtime();
            }
            if (sender) {
                for (w = 0; w < o.window; w++)
                    MPI_Isend(sbuf, (int)size, MPI_CHAR, peer, 100, MPI_COMM_WORLD, &req[w]);
                MPI_Waitall(o.window, req, st);
                MPI_Recv(ack, 4, MPI_CHAR, peer, 101, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                for (w = 0; w < o.window; w++)
                    MPI_Irecv(rbuf, (int)size, MPI_CHAR, peer, 100, MPI_COMM_WORLD, &req[w]);
                MPI_Waitall(o.window, req, st);
                MPI_Send(ack, 4, MPI_CHAR, peer, 101, MPI_COMM_WORLD);
            }
        }
        if (sender)
            t = MPI_Wtime() - t0;
        MPI_Reduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        rate = o.rank == 0 ? (double)pairs * iters * o.window / tmax : 0;
        osu_print_rate_row(&o, size, rate * (double)size / 1e6, rate);
    }
    return osu_finish();
}

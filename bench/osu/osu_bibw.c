/* osu_bibw.c - OSU-compatible bidirectional bandwidth: ranks 0 and 1 each
 * post a window of receives and a window of sends to the other, then wait
 * for both; bandwidth counts the bytes of both directions (MB/s). */
#include <mpi.h>

#include "osu_util.h"

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_bibw", .title = "OSU MPI Bi-Directional Bandwidth Test",
                          .kind = OSU_BW };
    /* Real status arrays: GCC warns about MPI_STATUSES_IGNORE as an array. */
    MPI_Status *st;
    MPI_Request *sreq, *rreq;
    char *sbuf, *rbuf;
    size_t size;
    int peer;

    osu_start(&argc, &argv, &o);
    if (o.nprocs != 2)
        osu_fail(&o, "This test requires exactly two processes");
    peer = 1 - o.rank;
    sbuf = osu_buffer(o.max_size, 'a');
    rbuf = osu_buffer(o.max_size, 'b');
    sreq = osu_buffer(sizeof(*sreq) * (size_t)o.window, 0);
    rreq = osu_buffer(sizeof(*rreq) * (size_t)o.window, 0);
    st = osu_buffer(sizeof(*st) * (size_t)o.window, 0);
    osu_print_header(&o);
    for (size = o.min_size; size <= o.max_size; size = osu_next_size(size)) {
        int iters = osu_iters(&o, size), skip = osu_skip(&o, size), i, w;
        double t0 = 0, t;

        MPI_Barrier(MPI_COMM_WORLD);
        for (i = 0; i < skip + iters; i++) {
            if (i == skip)
                t0 = MPI_Wtime();
            for (w = 0; w < o.window; w++)
                MPI_Irecv(rbuf, (int)size, MPI_CHAR, peer, 10, MPI_COMM_WORLD, &rreq[w]);
            for (w = 0; w < o.window; w++)
                MPI_Isend(sbuf, (int)size, MPI_CHAR, peer, 10, MPI_COMM_WORLD, &sreq[w]);
            MPI_Waitall(o.window, sreq, st);
            MPI_Waitall(o.window, rreq, st);
        }
        t = MPI_Wtime() - t0;
        osu_print_row(&o, size, (double)size / 1e6 * iters * o.window * 2 / t);
    }
    return osu_finish();
}

/* osu_bw.c - OSU-compatible unidirectional bandwidth: rank 0 sends a
 * window of non-blocking messages to rank 1, which acknowledges each
 * window with a 4-byte reply; bandwidth is bytes sent / time (MB/s,
 * 1 MB = 10^6 bytes, as OSU counts). */
#include <mpi.h>

#include "osu_util.h"

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_bw", .title = "OSU MPI Bandwidth Test", .kind = OSU_BW };
    /* Real status arrays: GCC warns about MPI_STATUSES_IGNORE as an array. */
    MPI_Status *st;
    MPI_Request *req;
    char *sbuf, *rbuf, ack[4] = { 0 };
    size_t size;

    osu_start(&argc, &argv, &o);
    if (o.nprocs != 2)
        osu_fail(&o, "This test requires exactly two processes");
    sbuf = osu_buffer(o.max_size, 'a');
    rbuf = osu_buffer(o.max_size, 'b');
    req = osu_buffer(sizeof(*req) * (size_t)o.window, 0);
    st = osu_buffer(sizeof(*st) * (size_t)o.window, 0);
    osu_print_header(&o);
    for (size = o.min_size; size <= o.max_size; size = osu_next_size(size)) {
        int iters = osu_iters(&o, size), skip = osu_skip(&o, size), i, w;
        double t0 = 0, t;

        MPI_Barrier(MPI_COMM_WORLD);
        for (i = 0; i < skip + iters; i++) {
            if (i == skip)
                t0 = MPI_Wtime();
            if (o.rank == 0) {
                for (w = 0; w < o.window; w++)
                    MPI_Isend(sbuf, (int)size, MPI_CHAR, 1, 100, MPI_COMM_WORLD, &req[w]);
                MPI_Waitall(o.window, req, st);
                MPI_Recv(ack, 4, MPI_CHAR, 1, 101, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                for (w = 0; w < o.window; w++)
                    MPI_Irecv(rbuf, (int)size, MPI_CHAR, 0, 100, MPI_COMM_WORLD, &req[w]);
                MPI_Waitall(o.window, req, st);
                MPI_Send(ack, 4, MPI_CHAR, 0, 101, MPI_COMM_WORLD);
            }
        }
        t = MPI_Wtime() - t0;
        osu_print_row(&o, size, (double)size / 1e6 * iters * o.window / t);
    }
    return osu_finish();
}

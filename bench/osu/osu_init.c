/* osu_init.c - OSU-compatible MPI_Init time: every rank reads the clock
 * around MPI_Init (in osu_start, which then parses the options) and rank
 * 0 prints the min, max and average over ranks in milliseconds. */
#include <mpi.h>
#include <stdio.h>
#include <time.h>

#include "osu_util.h"

static double osu_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    struct osu_opts o = { .name = "osu_init", .title = "OSU MPI Init Test",
                          .kind = OSU_STARTUP };
    double t0 = osu_now_ms(), ms, lo = 0, hi = 0, sum = 0;

    osu_start(&argc, &argv, &o);
    ms = osu_now_ms() - t0;
    MPI_Reduce(&ms, &lo, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(&ms, &hi, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&ms, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    osu_print_header(&o);
    if (o.rank == 0)
        printf("nprocs: %d, min: %.0f ms, max: %.0f ms, avg: %.0f ms\n", o.nprocs, lo, hi,
               sum / o.nprocs);
    return osu_finish();
}

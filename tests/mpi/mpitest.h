/* mpitest.h - the shared frame of the MPI correctness tests in tests/mpi:
 * every rank counts its failed checks (printing the first few with its
 * rank), and mt_finish() sums the counts over MPI_COMM_WORLD so rank 0
 * prints "mpi-NAME: OK ..." only when every check passed on every rank.
 * The suite (tests/suites/mpi_tests.sh) looks for that line and for exit
 * status 0; any failure makes every rank exit 1.
 *
 * Static functions in a header because each test is one image built from
 * one .c file (mpi-port/mpi.mk); there is no test library to link. */
#ifndef MPITEST_H
#define MPITEST_H

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_MAX_REPORTS 10   /* per rank, so a broken loop cannot flood the log */

static const char *mt_name;
static int mt_rank, mt_size, mt_fails, mt_checks;

static inline void mt_init(int *argc, char ***argv, const char *name)
{
    mt_name = name;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "mpi-%s: MPI_Init failed\n", name);
        exit(1);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mt_size);
}

/* Records one check; on failure prints "mpi-NAME: rank R: FAILED: why". */
static inline void mt_check(int ok, const char *fmt, ...)
{
    va_list ap;

    mt_checks++;
    if (ok)
        return;
    if (mt_fails++ >= MT_MAX_REPORTS)
        return;
    printf("mpi-%s: rank %d: FAILED: ", mt_name, mt_rank);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* Checks that n ints equal the expected ones, naming the first mismatch. */
static inline void mt_check_ints(const int *got, const int *want, int n, const char *what)
{
    int i;

    for (i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            mt_check(0, "%s: [%d] = %d, expected %d", what, i, got[i], want[i]);
            return;
        }
    }
    mt_check(1, "%s", what);
}

/* The tests need at least two ranks to say anything about communication. */
static inline void mt_need_ranks(int min)
{
    if (mt_size < min) {
        if (mt_rank == 0)
            printf("mpi-%s: FAILED: needs at least %d ranks, got %d\n", mt_name, min, mt_size);
        MPI_Finalize();
        exit(1);
    }
}

/* Sums the failures of every rank; rank 0 prints the verdict. Returns the
 * process exit status: 0 only if no rank failed a check. */
static inline int mt_finish(const char *what)
{
    int fails = 0, checks = 0;

    MPI_Allreduce(&mt_fails, &fails, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&mt_checks, &checks, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (mt_rank == 0) {
        if (fails == 0)
            printf("mpi-%s: OK: %d ranks, %d checks, %s\n", mt_name, mt_size, checks, what);
        else
            printf("mpi-%s: FAILED: %d of %d checks on %d ranks\n", mt_name, fails, checks,
                   mt_size);
        fflush(stdout);
    }
    MPI_Finalize();
    return fails == 0 ? 0 : 1;
}

#endif

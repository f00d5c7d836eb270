/* osu_util.h - the shared part of our OSU-compatible benchmarks: options,
 * buffers, message-size loop, timing and the OSU 7.2 output format.
 *
 * The programs in bench/osu/ are written here, not taken from the OSU
 * Micro-Benchmarks; they keep OSU's names, options, defaults and output so
 * that scripts which parse OSU output parse ours. They use only MPI, libc
 * and libm, so the same sources build with bin/hermit-mpicc (a unikernel
 * image) and with any host or Linux-guest mpicc. */
#ifndef OSU_UTIL_H
#define OSU_UTIL_H

#include <stddef.h>

#define OSU_VERSION "7.2"

/* OSU's table layout: a 10-wide size column, then 18-wide value columns
 * with two decimals (real OSU 7.x rows are 28 characters wide). */
#define OSU_SIZE_WIDTH  10
#define OSU_FIELD_WIDTH 18

/* Messages larger than this use the "large" iteration and skip counts. */
#define OSU_LARGE_SIZE 8192

enum osu_kind {
    OSU_LATENCY,      /* osu_latency: ping-pong between two ranks */
    OSU_MULTI_LAT,    /* osu_multi_lat: ping-pong between pairs */
    OSU_BW,           /* osu_bw, osu_bibw: windows of 64 messages */
    OSU_MBW_MR,       /* osu_mbw_mr: bandwidth and message rate of pairs */
    OSU_COLL,         /* a collective timed per message size */
    OSU_BARRIER,      /* osu_barrier: a collective without a size */
    OSU_STARTUP,      /* osu_init, osu_hello: no options but -h and -v */
};

struct osu_opts {
    /* Set by the benchmark before osu_start. */
    const char *name;           /* "osu_latency" */
    const char *title;          /* "OSU MPI Latency Test" */
    enum osu_kind kind;
    /* Defaults set by osu_start from kind, then changed by the options. */
    size_t min_size, max_size;
    int iters, iters_large;     /* timed iterations, small / large messages */
    int skip, skip_large;       /* untimed warm-up iterations */
    int window;                 /* messages in flight (bandwidth tests) */
    int full;                   /* -f: min, max and iteration columns */
    int print_rate;             /* osu_mbw_mr: Messages/s column */
    /* Filled in by osu_start. */
    int rank, nprocs;
};

/* MPI_Init, then the command line. On -h or -v every rank prints nothing
 * but rank 0 and the program exits 0; on a bad option rank 0 prints one
 * message and the usage, and every rank exits 1. */
void osu_start(int *argc, char ***argv, struct osu_opts *o);
/* MPI_Finalize and the exit status 0. */
int osu_finish(void);
/* Stops the whole job with a message from rank 0 (e.g. a wrong rank
 * count): every rank exits 1 after MPI_Finalize. */
void osu_fail(const struct osu_opts *o, const char *message);

/* The message sizes: min, then powers of two up to max (0 is followed by 1). */
size_t osu_next_size(size_t size);
int osu_iters(const struct osu_opts *o, size_t size);
int osu_skip(const struct osu_opts *o, size_t size);

/* A page-aligned buffer of at least size bytes filled with c; exits on
 * failure. Buffers live until the program ends. */
void *osu_buffer(size_t size, int c);

/* Output, printed by rank 0 only. */
void osu_print_header(const struct osu_opts *o);
void osu_print_row(const struct osu_opts *o, size_t size, double value);
/* osu_mbw_mr: bandwidth (MB/s) and, unless -r 0, messages/s. */
void osu_print_rate_row(const struct osu_opts *o, size_t size, double mbps, double rate);
/* Collectives: every rank passes its own average latency (us); rank 0
 * prints the average over ranks and, with -f, the min, max and iterations. */
void osu_coll_report(const struct osu_opts *o, size_t size, double latency_us, int iters);

/* The whole measurement of a collective benchmark: prints the header,
 * then for each size runs op(size) skip + iterations times, each call
 * after an MPI_Barrier and timed alone, and reports the latency. */
void osu_coll_run(const struct osu_opts *o, void (*op)(size_t size));

#endif

/* osu_util.c - options, buffers, size loop and OSU 7.2 output for the
 * benchmarks in bench/osu/ (see osu_util.h). Written for this project;
 * the defaults and the output layout follow what OSU 7.x documents and
 * prints, so its users' scripts work unchanged. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osu_util.h"

#define OSU_PAGE 4096

/* A long option and the short letter it stands for. */
struct osu_long {
    const char *name;
    char letter;
};

static const struct osu_long osu_longs[] = {
    { "message-size", 'm' }, { "iterations", 'i' }, { "warmup", 'x' },
    { "window-size", 'W' },  { "full", 'f' },       { "print-rate", 'r' },
    { "help", 'h' },         { "version", 'v' },
};

/* The letters each kind accepts; a letter followed by ':' takes a value. */
static const char *osu_letters(enum osu_kind kind)
{
    switch (kind) {
    case OSU_LATENCY:
    case OSU_MULTI_LAT: return "m:i:x:hv";
    case OSU_BW:        return "m:i:x:W:hv";
    case OSU_MBW_MR:    return "m:i:x:W:r:hv";
    case OSU_COLL:      return "m:i:x:fhv";
    case OSU_BARRIER:   return "i:x:fhv";
    default:            return "hv";
    }
}

static void osu_defaults(struct osu_opts *o)
{
    o->min_size = 1;
    o->full = 0;
    o->print_rate = 1;
    o->window = 64;
    switch (o->kind) {
    case OSU_BW:
    case OSU_MBW_MR:
        o->max_size = 1 << 22;
        o->iters = 100, o->iters_large = 20;
        o->skip = 10, o->skip_large = 2;
        break;
    case OSU_COLL:
    case OSU_BARRIER:
        o->max_size = 1 << 20;
        o->iters = 1000, o->iters_large = 100;
        o->skip = 100, o->skip_large = 10;
        break;
    default:
        o->max_size = 1 << 22;
        o->iters = 10000, o->iters_large = 1000;
        o->skip = 100, o->skip_large = 10;
        break;
    }
}

/* The help shows the defaults, not what earlier options changed. */
static void osu_usage(const struct osu_opts *given, FILE *f)
{
    struct osu_opts d = *given, *o = &d;
    const char *l = osu_letters(o->kind);

    osu_defaults(o);
    fprintf(f, "Usage: %s [options]\nOptions:\n", o->name);
    if (strchr(l, 'm'))
        fprintf(f, "  -m, --message-size [MIN:]MAX  message sizes from MIN to MAX bytes,\n"
                   "                                doubling (default %lu:%lu)\n",
                (unsigned long)o->min_size, (unsigned long)o->max_size);
    if (o->kind == OSU_BARRIER) {
        fprintf(f, "  -i, --iterations ITER         timed iterations (default %d)\n"
                   "  -x, --warmup ITER             untimed warm-up iterations (default %d)\n",
                o->iters, o->skip);
    } else if (strchr(l, 'i')) {
        fprintf(f, "  -i, --iterations ITER         timed iterations per size (default %d,\n"
                   "                                %d above %d bytes)\n",
                o->iters, o->iters_large, OSU_LARGE_SIZE);
        fprintf(f, "  -x, --warmup ITER             untimed warm-up iterations (default %d,\n"
                   "                                %d above %d bytes)\n",
                o->skip, o->skip_large, OSU_LARGE_SIZE);
    }
    if (strchr(l, 'W'))
        fprintf(f, "  -W, --window-size SIZE        messages in flight (default %d)\n", o->window);
    if (strchr(l, 'r'))
        fprintf(f, "  -r, --print-rate 0|1          print the message rate (default 1)\n");
    if (strchr(l, 'f'))
        fprintf(f, "  -f, --full                    also print min/max latency and iterations\n");
    fprintf(f, "  -h, --help                    print this help\n"
               "  -v, --version                 print the version\n");
}

/* A whole decimal number in [lo, hi], or -1. */
static long osu_number(const char *s, long lo, long hi)
{
    char *end;
    long v;

    if (!s || *s < '0' || *s > '9')
        return -1;
    v = strtol(s, &end, 10);
    return (*end || v < lo || v > hi) ? -1 : v;
}

/* -m [MIN:]MAX, also MIN: (keep the default maximum). */
static int osu_sizes(struct osu_opts *o, const char *arg)
{
    const char *colon = strchr(arg, ':');
    long lo = (long)o->min_size, hi = (long)o->max_size;
    char first[32];

    if (!colon) {
        hi = osu_number(arg, 0, 1L << 30);
    } else {
        if ((size_t)(colon - arg) >= sizeof(first))
            return -1;
        memcpy(first, arg, (size_t)(colon - arg));
        first[colon - arg] = '\0';
        if (first[0])
            lo = osu_number(first, 0, 1L << 30);
        if (colon[1])
            hi = osu_number(colon + 1, 0, 1L << 30);
    }
    if (lo < 0 || hi < 0 || lo > hi)
        return -1;
    o->min_size = (size_t)lo;
    o->max_size = (size_t)hi;
    return 0;
}

static int osu_apply(struct osu_opts *o, char letter, const char *val)
{
    long v;

    switch (letter) {
    case 'm': return osu_sizes(o, val);
    case 'i':
        if ((v = osu_number(val, 1, 100000000)) < 0)
            return -1;
        o->iters = o->iters_large = (int)v;
        return 0;
    case 'x':
        if ((v = osu_number(val, 0, 100000000)) < 0)
            return -1;
        o->skip = o->skip_large = (int)v;
        return 0;
    case 'W':
        if ((v = osu_number(val, 1, 4096)) < 0)
            return -1;
        o->window = (int)v;
        return 0;
    case 'r':
        if ((v = osu_number(val, 0, 1)) < 0)
            return -1;
        o->print_rate = (int)v;
        return 0;
    case 'f': o->full = 1; return 0;
    }
    return -1;
}

/* 0: run; 1: help or version printed; -1: bad usage, message in why. */
static int osu_parse(struct osu_opts *o, int argc, char **argv, char *why, size_t n)
{
    const char *letters = osu_letters(o->kind);
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *spec;
        char letter = 0;
        size_t k;

        if (a[0] != '-' || !a[1]) {
            snprintf(why, n, "unexpected argument '%s'", a);
            return -1;
        }
        if (a[1] == '-') {
            for (k = 0; k < sizeof(osu_longs) / sizeof(osu_longs[0]); k++)
                if (!strcmp(a + 2, osu_longs[k].name))
                    letter = osu_longs[k].letter;
        } else {
            letter = a[1];
            if (a[2])
                val = a + 2;
        }
        spec = letter ? strchr(letters, letter) : NULL;
        if (!spec) {
            snprintf(why, n, "unknown option '%s'", a);
            return -1;
        }
        if (spec[1] == ':' && !val) {
            if (i + 1 >= argc) {
                snprintf(why, n, "option '%s' needs a value", a);
                return -1;
            }
            val = argv[++i];
        } else if (spec[1] != ':' && val) {
            snprintf(why, n, "option '-%c' takes no value", letter);
            return -1;
        }
        if (letter == 'h' || letter == 'v')
            return letter == 'h' ? 1 : 2;
        if (osu_apply(o, letter, val) < 0) {
            snprintf(why, n, "bad value '%s' for option '-%c'", val, letter);
            return -1;
        }
    }
    return 0;
}

void osu_start(int *argc, char ***argv, struct osu_opts *o)
{
    char why[160];
    int r;

    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "%s: MPI_Init failed\n", o->name);
        exit(1);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &o->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &o->nprocs);
    osu_defaults(o);
    /* Every rank parses the same command line, so all decide alike. */
    r = osu_parse(o, *argc, *argv, why, sizeof(why));
    if (r == 0)
        return;
    if (o->rank == 0) {
        if (r == 1)
            osu_usage(o, stdout);
        else if (r == 2)
            printf("# %s v%s\n", o->title, OSU_VERSION);
        else {
            fprintf(stderr, "%s: %s\n", o->name, why);
            osu_usage(o, stderr);
        }
        fflush(stdout);
    }
    MPI_Finalize();
    exit(r < 0 ? 1 : 0);
}

int osu_finish(void)
{
    fflush(stdout);
    MPI_Finalize();
    return 0;
}

void osu_fail(const struct osu_opts *o, const char *message)
{
    if (o->rank == 0)
        fprintf(stderr, "%s: %s\n", o->name, message);
    MPI_Finalize();
    exit(1);
}

size_t osu_next_size(size_t size)
{
    return size ? size * 2 : 1;
}

int osu_iters(const struct osu_opts *o, size_t size)
{
    return size > OSU_LARGE_SIZE ? o->iters_large : o->iters;
}

int osu_skip(const struct osu_opts *o, size_t size)
{
    return size > OSU_LARGE_SIZE ? o->skip_large : o->skip;
}

void *osu_buffer(size_t size, int c)
{
    /* Over-allocate and round up: no posix_memalign needed. */
    char *raw = malloc(size + OSU_PAGE);
    char *p;

    if (!raw) {
        fprintf(stderr, "osu: cannot allocate %lu bytes\n", (unsigned long)size);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    p = (char *)(((unsigned long)raw + OSU_PAGE - 1) & ~(unsigned long)(OSU_PAGE - 1));
    memset(p, c, size ? size : 1);
    return p;
}

static void osu_datatype_line(void)
{
    char name[MPI_MAX_OBJECT_NAME];
    int len = 0;

    MPI_Type_get_name(MPI_CHAR, name, &len);
    printf("# Datatype: %s.\n", name);
}

void osu_print_header(const struct osu_opts *o)
{
    if (o->rank != 0)
        return;
    if (o->kind == OSU_COLL || o->kind == OSU_BARRIER)
        printf("\n");
    printf("# %s v%s\n", o->title, OSU_VERSION);
    switch (o->kind) {
    case OSU_LATENCY:
    case OSU_MULTI_LAT:
        printf("%-*s%*s\n", OSU_SIZE_WIDTH, "# Size", OSU_FIELD_WIDTH, "Latency (us)");
        osu_datatype_line();
        break;
    case OSU_BW:
        printf("%-*s%*s\n", OSU_SIZE_WIDTH, "# Size", OSU_FIELD_WIDTH, "Bandwidth (MB/s)");
        osu_datatype_line();
        break;
    case OSU_MBW_MR:
        printf("# [ pairs: %d ] [ window size: %d ]\n", o->nprocs / 2, o->window);
        printf("%-*s%*s", OSU_SIZE_WIDTH, "# Size", OSU_FIELD_WIDTH, "MB/s");
        if (o->print_rate)
            printf("%*s", OSU_FIELD_WIDTH, "Messages/s");
        printf("\n");
        osu_datatype_line();
        break;
    case OSU_COLL:
    case OSU_BARRIER:
        if (o->kind == OSU_COLL) {
            osu_datatype_line();
            printf("%-*s%*s", OSU_SIZE_WIDTH, "# Size", OSU_FIELD_WIDTH, "Avg Latency(us)");
        } else {
            printf("# Avg Latency(us)");
        }
        if (o->full)
            printf("%*s%*s%*s", OSU_FIELD_WIDTH, "Min Latency(us)", OSU_FIELD_WIDTH,
                   "Max Latency(us)", 12, "Iterations");
        printf("\n");
        break;
    default:
        break;
    }
    fflush(stdout);
}

void osu_print_row(const struct osu_opts *o, size_t size, double value)
{
    if (o->rank != 0)
        return;
    printf("%-*lu%*.2f\n", OSU_SIZE_WIDTH, (unsigned long)size, OSU_FIELD_WIDTH, value);
    fflush(stdout);
}

void osu_print_rate_row(const struct osu_opts *o, size_t size, double mbps, double rate)
{
    if (o->rank != 0)
        return;
    printf("%-*lu%*.2f", OSU_SIZE_WIDTH, (unsigned long)size, OSU_FIELD_WIDTH, mbps);
    if (o->print_rate)
        printf("%*.2f", OSU_FIELD_WIDTH, rate);
    printf("\n");
    fflush(stdout);
}

void osu_coll_report(const struct osu_opts *o, size_t size, double latency_us, int iters)
{
    double lo = 0, hi = 0, sum = 0;

    MPI_Reduce(&latency_us, &lo, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(&latency_us, &hi, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&latency_us, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (o->rank != 0)
        return;
    if (o->kind == OSU_BARRIER)
        printf("%*.2f", 17, sum / o->nprocs);   /* under "# Avg Latency(us)" */
    else
        printf("%-*lu%*.2f", OSU_SIZE_WIDTH, (unsigned long)size, OSU_FIELD_WIDTH,
               sum / o->nprocs);
    if (o->full)
        printf("%*.2f%*.2f%*d", OSU_FIELD_WIDTH, lo, OSU_FIELD_WIDTH, hi, 12, iters);
    printf("\n");
    fflush(stdout);
}

void osu_coll_run(const struct osu_opts *o, void (*op)(size_t size))
{
    size_t size = o->kind == OSU_BARRIER ? 0 : o->min_size;
    size_t last = o->kind == OSU_BARRIER ? 0 : o->max_size;

    osu_print_header(o);
    for (; size <= last; size = osu_next_size(size)) {
        int iters = osu_iters(o, size), skip = osu_skip(o, size), i;
        double total = 0, t0;

        for (i = 0; i < skip + iters; i++) {
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
            op(size);
            if (i >= skip)
                total += MPI_Wtime() - t0;
        }
        osu_coll_report(o, size, total * 1e6 / iters, iters);
    }
}

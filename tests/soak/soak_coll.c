/*
 * soak_coll.c - the collective kinds of a soak round (bcast, reduce,
 * allreduce, gather, scatter, allgather, alltoall, barrier) and the
 * communicator kinds (split and dup, each used and freed).
 *
 * Roots move with the iteration, so every rank is root in turn. Data
 * collectives move `size` bytes per rank (per pair for alltoall); the
 * reductions use size / 4 ints (at least one) whose expected results are
 * computed locally from every rank's formula.
 */
#include "soak.h"

#include <stdlib.h>

int soak_leak_comm;

static void soak_bcast(size_t size, unsigned iter, struct soak_tally *t)
{
    int root = (int)(iter % (unsigned)soak_size);
    uint32_t seed = soak_seed(iter, SOAK_BCAST, root, -1, 0);
    unsigned char *buf = soak_alloc(size);

    if (soak_rank == root) {
        soak_fill(buf, size, seed);
        t->bytes[SOAK_BCAST] += size;
    }
    MPI_Bcast(buf, (int)size, MPI_BYTE, root, MPI_COMM_WORLD);
    if (soak_rank != root)
        soak_check(buf, size, seed, t, "bcast", root);
    free(buf);
}

/* Rank r's i-th reduction input. */
static int soak_value(int r, size_t i, unsigned iter)
{
    return (int)((r * 7 + i * 13 + iter) % 1013) - 500;
}

/* Reduce (sum) to a moving root and allreduce (sum or max, by iteration). */
static void soak_reductions(size_t size, unsigned iter, struct soak_tally *t)
{
    size_t n = size / sizeof(int) ? size / sizeof(int) : 1;
    int root = (int)((iter + 1) % (unsigned)soak_size);
    int *in = soak_alloc(n * sizeof(int)), *out = soak_alloc(n * sizeof(int));
    int use_max = iter % 2;

    for (size_t i = 0; i < n; i++)
        in[i] = soak_value(soak_rank, i, iter);
    MPI_Reduce(in, out, (int)n, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD);
    t->bytes[SOAK_REDUCE] += n * sizeof(int);
    t->rounds[SOAK_REDUCE]++;
    for (size_t i = 0; soak_rank == root && i < n; i++) {
        int want = 0;
        for (int r = 0; r < soak_size; r++)
            want += soak_value(r, i, iter);
        if (out[i] != want)
            soak_fail("reduce (root %d, %zu ints): [%zu] = %d, expected %d", root, n, i, out[i], want);
    }
    t->checks++;

    MPI_Allreduce(in, out, (int)n, MPI_INT, use_max ? MPI_MAX : MPI_SUM, MPI_COMM_WORLD);
    t->bytes[SOAK_ALLREDUCE] += n * sizeof(int);
    t->rounds[SOAK_ALLREDUCE]++;
    for (size_t i = 0; i < n; i++) {
        int want = use_max ? soak_value(0, i, iter) : 0;
        for (int r = use_max; r < soak_size; r++)
            want = use_max ? (soak_value(r, i, iter) > want ? soak_value(r, i, iter) : want)
                           : want + soak_value(r, i, iter);
        if (out[i] != want)
            soak_fail("allreduce %s (%zu ints): [%zu] = %d, expected %d", use_max ? "max" : "sum",
                      n, i, out[i], want);
    }
    t->checks++;
    free(in);
    free(out);
}

/* Gather, scatter, allgather and alltoall of `size` bytes per rank (or pair). */
static void soak_movement(size_t size, unsigned iter, struct soak_tally *t)
{
    size_t all = size * (size_t)soak_size;
    unsigned char *one = soak_alloc(size), *many = soak_alloc(all), *many2 = soak_alloc(all);
    int root = (int)((iter + 2) % (unsigned)soak_size);

    soak_fill(one, size, soak_seed(iter, SOAK_GATHER, soak_rank, root, 0));
    MPI_Gather(one, (int)size, MPI_BYTE, many, (int)size, MPI_BYTE, root, MPI_COMM_WORLD);
    t->bytes[SOAK_GATHER] += size;
    for (int r = 0; soak_rank == root && r < soak_size; r++)
        soak_check(many + r * size, size, soak_seed(iter, SOAK_GATHER, r, root, 0), t, "gather", r);
    t->rounds[SOAK_GATHER]++;

    root = (int)((iter + 3) % (unsigned)soak_size);
    for (int r = 0; soak_rank == root && r < soak_size; r++)
        soak_fill(many + r * size, size, soak_seed(iter, SOAK_SCATTER, root, r, 0));
    MPI_Scatter(many, (int)size, MPI_BYTE, one, (int)size, MPI_BYTE, root, MPI_COMM_WORLD);
    if (soak_rank == root)
        t->bytes[SOAK_SCATTER] += all;
    soak_check(one, size, soak_seed(iter, SOAK_SCATTER, root, soak_rank, 0), t, "scatter", root);
    t->rounds[SOAK_SCATTER]++;

    soak_fill(one, size, soak_seed(iter, SOAK_ALLGATHER, soak_rank, -1, 0));
    MPI_Allgather(one, (int)size, MPI_BYTE, many, (int)size, MPI_BYTE, MPI_COMM_WORLD);
    t->bytes[SOAK_ALLGATHER] += size;
    for (int r = 0; r < soak_size; r++)
        soak_check(many + r * size, size, soak_seed(iter, SOAK_ALLGATHER, r, -1, 0), t, "allgather", r);
    t->rounds[SOAK_ALLGATHER]++;

    for (int r = 0; r < soak_size; r++)
        soak_fill(many + r * size, size, soak_seed(iter, SOAK_ALLTOALL, soak_rank, r, 0));
    MPI_Alltoall(many, (int)size, MPI_BYTE, many2, (int)size, MPI_BYTE, MPI_COMM_WORLD);
    t->bytes[SOAK_ALLTOALL] += all;
    for (int r = 0; r < soak_size; r++)
        soak_check(many2 + r * size, size, soak_seed(iter, SOAK_ALLTOALL, r, soak_rank, 0), t, "alltoall", r);
    t->rounds[SOAK_ALLTOALL]++;
    free(one);
    free(many);
    free(many2);
}

/* Three barriers; then every rank must agree on how many it has passed. */
static void soak_barrier(struct soak_tally *t)
{
    int passed[2], range[2];

    for (int i = 0; i < 3; i++)
        MPI_Barrier(MPI_COMM_WORLD);
    t->rounds[SOAK_BARRIER]++;
    passed[0] = (int)t->rounds[SOAK_BARRIER];
    passed[1] = -passed[0];
    MPI_Allreduce(passed, range, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (range[0] != -range[1])
        soak_fail("barrier: ranks passed between %d and %d rounds of barriers", -range[1], range[0]);
    t->checks++;
}

void soak_coll_round(size_t size, unsigned iter, struct soak_tally *t)
{
    soak_bcast(size, iter, t);
    t->rounds[SOAK_BCAST]++;
    soak_reductions(size, iter, t);
    soak_movement(size, iter, t);
    soak_barrier(t);
}

/*
 * Split into two halves by (rank + iter) parity with reversed keys, and
 * check size, order and a sum on the new communicator; then a dup of
 * MPI_COMM_WORLD, which must compare congruent and carry a ring exchange.
 */
void soak_comm_round(unsigned iter, struct soak_tally *t)
{
    int color = (int)((soak_rank + iter) % 2), want_size = 0, want_rank = 0;
    MPI_Comm half, dup;
    int size, rank, sum, want_sum = 0, cmp;

    for (int r = 0; r < soak_size; r++) {
        if ((int)((r + iter) % 2) != color)
            continue;
        want_size++;
        want_sum += r;
        want_rank += r > soak_rank;     /* key -rank: higher ranks come first */
    }
    MPI_Comm_split(MPI_COMM_WORLD, color, -soak_rank, &half);
    MPI_Comm_size(half, &size);
    MPI_Comm_rank(half, &rank);
    MPI_Allreduce(&soak_rank, &sum, 1, MPI_INT, MPI_SUM, half);
    if (size != want_size || rank != want_rank || sum != want_sum)
        soak_fail("split (color %d): size %d rank %d sum %d, expected %d %d %d", color, size, rank,
                  sum, want_size, want_rank, want_sum);
    MPI_Comm_free(&half);
    t->rounds[SOAK_SPLIT]++;
    t->bytes[SOAK_SPLIT] += sizeof(int);
    t->checks++;

    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_compare(MPI_COMM_WORLD, dup, &cmp);
    int next = (soak_rank + 1) % soak_size, prev = (soak_rank + soak_size - 1) % soak_size;
    int got = -1;
    MPI_Sendrecv(&soak_rank, 1, MPI_INT, next, 400, &got, 1, MPI_INT, prev, 400, dup, MPI_STATUS_IGNORE);
    if (cmp != MPI_CONGRUENT || got != prev)
        soak_fail("dup: compare %d (want congruent %d), ring got %d from %d", cmp, MPI_CONGRUENT, got, prev);
    if (!soak_leak_comm)
        MPI_Comm_free(&dup);
    t->rounds[SOAK_DUP]++;
    t->bytes[SOAK_DUP] += sizeof(int);
    t->checks++;
}

/* coll_move.c - the data-moving collectives with exact expected contents:
 * Bcast from every root, Gather, Gatherv (uneven counts and displacements
 * with holes), Scatter, Scatterv, Allgather, Allgatherv, Alltoall,
 * Alltoallv, MPI_IN_PLACE variants, and a non-blocking Ibcast/Iallgather
 * pair. Item j that rank r contributes is cm_item(r, j), so every
 * receiver knows what belongs where. Prints "mpi-coll_move: OK ..." from
 * rank 0 when all checks passed on every rank. */
#include "mpitest.h"

#define CM_K 3      /* items per rank for the regular collectives */

static int cm_item(int r, int j)
{
    return 1000 * (r + 1) + j;
}

/* Uneven counts: rank r contributes r+1 items; displacements leave a
 * one-element hole after each block, which must stay untouched. */
static void cm_layout(int n, int *counts, int *displs, int *total)
{
    int i, off = 0;

    for (i = 0; i < n; i++) {
        counts[i] = i + 1;
        displs[i] = off;
        off += counts[i] + 1;
    }
    *total = off;
}

static void cm_rooted(void)
{
    int n = mt_size, root, i, j;
    int counts[64], displs[64], total;
    int mine[CM_K], *all = malloc(n * CM_K * sizeof(int));
    int *want = calloc(n * CM_K, sizeof(int));

    cm_layout(n, counts, displs, &total);
    int *vall = malloc(total * sizeof(int)), *vwant = malloc(total * sizeof(int));
    for (root = 0; root < n; root++) {
        /* Bcast */
        int b[CM_K];
        for (j = 0; j < CM_K; j++)
            b[j] = mt_rank == root ? cm_item(root, j) : -1;
        MPI_Bcast(b, CM_K, MPI_INT, root, MPI_COMM_WORLD);
        for (j = 0; j < CM_K; j++)
            want[j] = cm_item(root, j);
        mt_check_ints(b, want, CM_K, "Bcast");

        /* Gather */
        for (j = 0; j < CM_K; j++)
            mine[j] = cm_item(mt_rank, j);
        for (i = 0; i < n * CM_K; i++) {
            all[i] = -1;
            want[i] = cm_item(i / CM_K, i % CM_K);
        }
        MPI_Gather(mine, CM_K, MPI_INT, all, CM_K, MPI_INT, root, MPI_COMM_WORLD);
        if (mt_rank == root)
            mt_check_ints(all, want, n * CM_K, "Gather");

        /* Scatter: the root's buffer is the gathered one; each rank gets its own items. */
        int got[CM_K] = {0};
        MPI_Scatter(want, CM_K, MPI_INT, got, CM_K, MPI_INT, root, MPI_COMM_WORLD);
        mt_check_ints(got, mine, CM_K, "Scatter");

        /* Gatherv into blocks with holes. */
        for (i = 0; i < total; i++)
            vall[i] = vwant[i] = -7;
        for (i = 0; i < n; i++)
            for (j = 0; j < counts[i]; j++)
                vwant[displs[i] + j] = cm_item(i, j);
        int vmine[64];
        for (j = 0; j <= mt_rank; j++)
            vmine[j] = cm_item(mt_rank, j);
        MPI_Gatherv(vmine, mt_rank + 1, MPI_INT, vall, counts, displs, MPI_INT, root,
                    MPI_COMM_WORLD);
        if (mt_rank == root)
            mt_check_ints(vall, vwant, total, "Gatherv");

        /* Scatterv back out of the same layout. */
        int vgot[64];
        for (j = 0; j < 64; j++)
            vgot[j] = -3;
        MPI_Scatterv(vwant, counts, displs, MPI_INT, vgot, mt_rank + 1, MPI_INT, root,
                     MPI_COMM_WORLD);
        mt_check_ints(vgot, vmine, mt_rank + 1, "Scatterv");
        mt_check(vgot[mt_rank + 1] == -3, "Scatterv wrote past its count");
    }

    /* Gather with MPI_IN_PLACE at the root. */
    for (i = 0; i < n * CM_K; i++)
        all[i] = mt_rank == 0 && i < CM_K ? cm_item(0, i) : -1;
    if (mt_rank == 0)
        MPI_Gather(MPI_IN_PLACE, CM_K, MPI_INT, all, CM_K, MPI_INT, 0, MPI_COMM_WORLD);
    else
        MPI_Gather(mine, CM_K, MPI_INT, NULL, 0, MPI_INT, 0, MPI_COMM_WORLD);
    if (mt_rank == 0)
        mt_check_ints(all, want, n * CM_K, "Gather IN_PLACE");
    free(all);
    free(want);
    free(vall);
    free(vwant);
}

static void cm_all(void)
{
    int n = mt_size, i, j;
    int counts[64], displs[64], total;
    int mine[CM_K], *all = malloc(n * CM_K * sizeof(int));
    int *want = calloc(n * CM_K, sizeof(int));

    for (j = 0; j < CM_K; j++)
        mine[j] = cm_item(mt_rank, j);
    for (i = 0; i < n * CM_K; i++) {
        all[i] = -1;
        want[i] = cm_item(i / CM_K, i % CM_K);
    }
    MPI_Allgather(mine, CM_K, MPI_INT, all, CM_K, MPI_INT, MPI_COMM_WORLD);
    mt_check_ints(all, want, n * CM_K, "Allgather");
    for (i = 0; i < n * CM_K; i++)
        all[i] = i / CM_K == mt_rank ? want[i] : -1;
    MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, CM_K, MPI_INT, MPI_COMM_WORLD);
    mt_check_ints(all, want, n * CM_K, "Allgather IN_PLACE");

    cm_layout(n, counts, displs, &total);
    int *vall = malloc(total * sizeof(int)), *vwant = malloc(total * sizeof(int)), vmine[64];
    for (i = 0; i < total; i++)
        vall[i] = vwant[i] = -7;
    for (i = 0; i < n; i++)
        for (j = 0; j < counts[i]; j++)
            vwant[displs[i] + j] = cm_item(i, j);
    for (j = 0; j <= mt_rank; j++)
        vmine[j] = cm_item(mt_rank, j);
    MPI_Allgatherv(vmine, mt_rank + 1, MPI_INT, vall, counts, displs, MPI_INT, MPI_COMM_WORLD);
    mt_check_ints(vall, vwant, total, "Allgatherv");

    /* Alltoall: block d from rank s holds s*100 + d*10 + j. */
    int *sbuf = malloc(n * CM_K * sizeof(int)), *rbuf = malloc(n * CM_K * sizeof(int));
    for (i = 0; i < n * CM_K; i++) {
        sbuf[i] = mt_rank * 100 + (i / CM_K) * 10 + i % CM_K;
        want[i] = (i / CM_K) * 100 + mt_rank * 10 + i % CM_K;
        rbuf[i] = -1;
    }
    MPI_Alltoall(sbuf, CM_K, MPI_INT, rbuf, CM_K, MPI_INT, MPI_COMM_WORLD);
    mt_check_ints(rbuf, want, n * CM_K, "Alltoall");

    /* Alltoallv: rank s sends d+1 items to rank d (so receives me+1 from each),
     * packed in the send buffer, spread with holes in the receive buffer. */
    int sc[64], sd[64], rc[64], rd[64], soff = 0, roff = 0;
    for (i = 0; i < n; i++) {
        sc[i] = i + 1;
        sd[i] = soff;
        soff += sc[i];
        rc[i] = mt_rank + 1;
        rd[i] = roff;
        roff += rc[i] + 2;
    }
    int *vs = malloc(soff * sizeof(int)), *vr = malloc(roff * sizeof(int));
    int *vw = malloc(roff * sizeof(int));
    for (i = 0; i < n; i++)
        for (j = 0; j < sc[i]; j++)
            vs[sd[i] + j] = mt_rank * 100 + i * 10 + j;
    for (i = 0; i < roff; i++)
        vr[i] = vw[i] = -5;
    for (i = 0; i < n; i++)
        for (j = 0; j < rc[i]; j++)
            vw[rd[i] + j] = i * 100 + mt_rank * 10 + j;
    MPI_Alltoallv(vs, sc, sd, MPI_INT, vr, rc, rd, MPI_INT, MPI_COMM_WORLD);
    mt_check_ints(vr, vw, roff, "Alltoallv");

    /* Non-blocking collectives overlapping each other. */
    MPI_Request req[2];
    MPI_Status sts[2];
    int ib = mt_rank == 1 ? 4242 : 0;
    for (i = 0; i < n * CM_K; i++)
        all[i] = -1;
    MPI_Ibcast(&ib, 1, MPI_INT, 1, MPI_COMM_WORLD, &req[0]);
    MPI_Iallgather(mine, CM_K, MPI_INT, all, CM_K, MPI_INT, MPI_COMM_WORLD, &req[1]);
    MPI_Waitall(2, req, sts);
    mt_check(ib == 4242, "Ibcast got %d", ib);
    for (i = 0; i < n * CM_K; i++)
        want[i] = cm_item(i / CM_K, i % CM_K);
    mt_check_ints(all, want, n * CM_K, "Iallgather");

    free(all);
    free(want);
    free(vall);
    free(vwant);
    free(sbuf);
    free(rbuf);
    free(vs);
    free(vr);
    free(vw);
}

int main(int argc, char **argv)
{
    mt_init(&argc, &argv, "coll_move");
    mt_need_ranks(2);
    if (mt_size > 60) {
        if (mt_rank == 0)
            printf("mpi-coll_move: FAILED: at most 60 ranks (fixed-size layouts)\n");
        MPI_Finalize();
        return 1;
    }
    cm_rooted();
    cm_all();
    return mt_finish("Bcast, Gather(v), Scatter(v), Allgather(v), Alltoall(v), IN_PLACE, "
                     "Ibcast+Iallgather");
}

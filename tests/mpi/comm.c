/* comm.c - communicators, groups and topologies: Comm_split (with keys
 * that reverse the order), Comm_dup and Comm_compare, Group_incl/excl,
 * Group_translate_ranks and Group_compare, Comm_create from a group,
 * Intercomm_create between the even and odd halves and Intercomm_merge,
 * Cart_create/Cart_coords/Cart_rank/Cart_shift, and traffic on each new
 * communicator (which must not mix with MPI_COMM_WORLD's). Needs >= 2
 * ranks. Prints "mpi-comm: OK ..." from rank 0 when all checks passed. */
#include "mpitest.h"

static void cm_split_dup(void)
{
    MPI_Comm half, dup;
    int hrank, hsize, cmp, sum;
    int color = mt_rank % 2, n = mt_size;
    int want_size = color == 0 ? (n + 1) / 2 : n / 2;

    /* key = -rank: ranks within each half are numbered in reverse. */
    MPI_Comm_split(MPI_COMM_WORLD, color, -mt_rank, &half);
    MPI_Comm_rank(half, &hrank);
    MPI_Comm_size(half, &hsize);
    mt_check(hsize == want_size, "split size %d, expected %d", hsize, want_size);
    mt_check(hrank == (want_size - 1) - mt_rank / 2, "split rank %d of world rank %d", hrank,
             mt_rank);
    MPI_Allreduce(&mt_rank, &sum, 1, MPI_INT, MPI_SUM, half);
    int want = 0, r;
    for (r = color; r < n; r += 2)
        want += r;
    mt_check(sum == want, "Allreduce over the half: %d, expected %d", sum, want);

    MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_WORLD, &cmp);
    mt_check(cmp == MPI_IDENT, "compare(world, world) = %d", cmp);
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_compare(MPI_COMM_WORLD, dup, &cmp);
    mt_check(cmp == MPI_CONGRUENT, "compare(world, dup) = %d", cmp);
    MPI_Comm_compare(MPI_COMM_WORLD, half, &cmp);
    mt_check(cmp == MPI_UNEQUAL, "compare(world, half) = %d", cmp);

    /* The same tag on world and on its dup: each receive gets its own
     * communicator's message, whatever order they were sent in. */
    int next = (mt_rank + 1) % n, prev = (mt_rank + n - 1) % n, a = -1, b = -1;
    int va = 100 + mt_rank, vb = 200 + mt_rank;
    MPI_Request req[2];
    MPI_Status sts[2];
    MPI_Isend(&va, 1, MPI_INT, next, 5, MPI_COMM_WORLD, &req[0]);
    MPI_Isend(&vb, 1, MPI_INT, next, 5, dup, &req[1]);
    MPI_Recv(&b, 1, MPI_INT, prev, 5, dup, MPI_STATUS_IGNORE);
    MPI_Recv(&a, 1, MPI_INT, prev, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Waitall(2, req, sts);
    mt_check(a == 100 + prev && b == 200 + prev, "world/dup isolation: %d %d", a, b);
    MPI_Comm_free(&dup);
    MPI_Comm_free(&half);
    mt_check(half == MPI_COMM_NULL, "Comm_free did not null the handle");
}

static void cm_groups(void)
{
    MPI_Group world, evens, noroot, back;
    MPI_Comm sub;
    int n = mt_size, i, cmp, size;
    int *ranks = malloc(n * sizeof(int)), *out = malloc(n * sizeof(int));

    MPI_Comm_group(MPI_COMM_WORLD, &world);
    int ne = 0;
    for (i = 0; i < n; i += 2)
        ranks[ne++] = i;
    MPI_Group_incl(world, ne, ranks, &evens);
    MPI_Group_size(evens, &size);
    mt_check(size == ne, "Group_incl size %d", size);
    int zero = 0;
    MPI_Group_excl(world, 1, &zero, &noroot);
    MPI_Group_size(noroot, &size);
    mt_check(size == n - 1, "Group_excl size %d", size);

    /* World ranks 0..n-1 in the no-root group: 0 is absent, r is r-1. */
    for (i = 0; i < n; i++)
        ranks[i] = i;
    MPI_Group_translate_ranks(world, n, ranks, noroot, out);
    for (i = 0; i < n; i++)
        mt_check(out[i] == (i == 0 ? MPI_UNDEFINED : i - 1), "translate %d -> %d", i, out[i]);

    MPI_Group_compare(world, noroot, &cmp);
    mt_check(cmp == MPI_UNEQUAL, "compare(world, noroot) = %d", cmp);
    for (i = 0; i < n; i++)
        ranks[i] = n - 1 - i;
    MPI_Group_incl(world, n, ranks, &back);
    MPI_Group_compare(world, back, &cmp);
    mt_check(cmp == MPI_SIMILAR, "compare(world, reversed) = %d", cmp);
    MPI_Group_free(&back);

    /* Comm_create: everyone calls it; only members get a communicator. */
    MPI_Comm_create(MPI_COMM_WORLD, noroot, &sub);
    if (mt_rank == 0) {
        mt_check(sub == MPI_COMM_NULL, "rank 0 got a communicator it is not in");
    } else {
        int srank, sum = 0;
        MPI_Comm_rank(sub, &srank);
        mt_check(srank == mt_rank - 1, "Comm_create rank %d", srank);
        MPI_Allreduce(&mt_rank, &sum, 1, MPI_INT, MPI_SUM, sub);
        mt_check(sum == n * (n - 1) / 2, "Allreduce over the subgroup %d", sum);
        MPI_Comm_free(&sub);
    }
    MPI_Group_free(&evens);
    MPI_Group_free(&noroot);
    MPI_Group_free(&world);
    free(ranks);
    free(out);
}

static void cm_intercomm(void)
{
    MPI_Comm half, inter, merged;
    int color = mt_rank % 2, n = mt_size, rsize, flag, mrank, msize;

    MPI_Comm_split(MPI_COMM_WORLD, color, mt_rank, &half);
    /* Leaders: local rank 0 of each half, i.e. world ranks 0 and 1. */
    MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, 1 - color, 77, &inter);
    MPI_Comm_test_inter(inter, &flag);
    MPI_Comm_remote_size(inter, &rsize);
    mt_check(flag, "Intercomm_create did not give an intercommunicator");
    mt_check(rsize == (color ? (n + 1) / 2 : n / 2), "remote size %d", rsize);

    /* Local rank 0 of each side swaps its world rank with the other side's rank 0. */
    int lrank, peer = -1;
    MPI_Comm_rank(half, &lrank);
    if (lrank == 0)
        MPI_Sendrecv(&mt_rank, 1, MPI_INT, 0, 1, &peer, 1, MPI_INT, 0, 1, inter,
                     MPI_STATUS_IGNORE);
    if (lrank == 0)
        mt_check(peer == 1 - color, "intercomm peer is world rank %d", peer);

    /* Merge with the odd side high: evens first, then odds. */
    MPI_Intercomm_merge(inter, color, &merged);
    MPI_Comm_rank(merged, &mrank);
    MPI_Comm_size(merged, &msize);
    int want = color == 0 ? mt_rank / 2 : (n + 1) / 2 + mt_rank / 2;
    mt_check(msize == n && mrank == want, "merged rank %d of %d, expected %d", mrank, msize,
             want);
    MPI_Comm_free(&merged);
    MPI_Comm_free(&inter);
    MPI_Comm_free(&half);
}

static void cm_cart(void)
{
    int n = mt_size, dims[2] = {0, 0}, periods[2] = {1, 0}, coords[2], crank, src, dst;
    MPI_Comm cart;

    MPI_Dims_create(n, 2, dims);
    mt_check(dims[0] * dims[1] == n && dims[0] >= dims[1], "Dims_create %dx%d", dims[0],
             dims[1]);
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
    MPI_Comm_rank(cart, &crank);
    MPI_Cart_coords(cart, crank, 2, coords);
    mt_check(coords[0] == crank / dims[1] && coords[1] == crank % dims[1], "coords of %d: %d,%d",
             crank, coords[0], coords[1]);
    int back;
    MPI_Cart_rank(cart, coords, &back);
    mt_check(back == crank, "Cart_rank %d", back);

    /* Periodic dimension 0 wraps; non-periodic dimension 1 ends in MPI_PROC_NULL. */
    MPI_Cart_shift(cart, 0, 1, &src, &dst);
    int want_dst = ((coords[0] + 1) % dims[0]) * dims[1] + coords[1];
    int want_src = ((coords[0] + dims[0] - 1) % dims[0]) * dims[1] + coords[1];
    mt_check(src == want_src && dst == want_dst, "shift dim 0: %d -> %d", src, dst);
    MPI_Cart_shift(cart, 1, 1, &src, &dst);
    mt_check(src == (coords[1] == 0 ? MPI_PROC_NULL : crank - 1) &&
             dst == (coords[1] == dims[1] - 1 ? MPI_PROC_NULL : crank + 1),
             "shift dim 1: %d -> %d", src, dst);

    /* A halo exchange along dimension 0 proves the neighbours are real. */
    int got = -1;
    MPI_Cart_shift(cart, 0, 1, &src, &dst);
    MPI_Sendrecv(&crank, 1, MPI_INT, dst, 9, &got, 1, MPI_INT, src, 9, cart, MPI_STATUS_IGNORE);
    mt_check(got == src, "halo from %d got %d", src, got);
    MPI_Comm_free(&cart);
}

int main(int argc, char **argv)
{
    mt_init(&argc, &argv, "comm");
    mt_need_ranks(2);
    cm_split_dup();
    cm_groups();
    cm_intercomm();
    cm_cart();
    return mt_finish("split, dup, compare, groups, Comm_create, intercomm+merge, Cart");
}

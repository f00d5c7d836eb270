/* p2p.c - point-to-point correctness on any number of ranks >= 2:
 * blocking and non-blocking sends (Isend/Irecv with Waitall, Waitany and
 * Test), tag matching including MPI_ANY_TAG and out-of-order tags,
 * MPI_ANY_SOURCE, Probe/Iprobe with Get_count, Sendrecv and
 * Sendrecv_replace, MPI_PROC_NULL, and the order of many messages between
 * one pair. Prints "mpi-p2p: OK ..." from rank 0 when all checks passed. */
#include "mpitest.h"

#define P2P_ORDERED 200     /* messages in the ordering test */

/* The value rank `from` sends to rank `to` as item i. */
static int p2p_value(int from, int to, int i)
{
    return from * 1000000 + to * 1000 + i;
}

/* Each rank sends to its right neighbour and receives from its left one. */
static void p2p_blocking_ring(void)
{
    int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size;
    int out[4], in[4] = {0}, want[4], i;
    MPI_Status st;

    for (i = 0; i < 4; i++) {
        out[i] = p2p_value(mt_rank, next, i);
        want[i] = p2p_value(prev, mt_rank, i);
    }
    /* Even ranks send first, odd ranks receive first: no deadlock without buffering. */
    if (mt_rank % 2 == 0) {
        MPI_Send(out, 4, MPI_INT, next, 11, MPI_COMM_WORLD);
        MPI_Recv(in, 4, MPI_INT, prev, 11, MPI_COMM_WORLD, &st);
    } else {
        MPI_Recv(in, 4, MPI_INT, prev, 11, MPI_COMM_WORLD, &st);
        MPI_Send(out, 4, MPI_INT, next, 11, MPI_COMM_WORLD);
    }
    mt_check_ints(in, want, 4, "blocking ring");
    mt_check(st.MPI_SOURCE == prev && st.MPI_TAG == 11, "ring status: source %d tag %d",
             st.MPI_SOURCE, st.MPI_TAG);

    /* Sendrecv and Sendrecv_replace the other way round. */
    int back = -1, mine = mt_rank;
    MPI_Sendrecv(&mine, 1, MPI_INT, prev, 12, &back, 1, MPI_INT, next, 12, MPI_COMM_WORLD, &st);
    mt_check(back == next, "Sendrecv got %d from %d, expected %d", back, st.MPI_SOURCE, next);
    MPI_Sendrecv_replace(&mine, 1, MPI_INT, next, 13, prev, 13, MPI_COMM_WORLD, &st);
    mt_check(mine == prev, "Sendrecv_replace got %d, expected %d", mine, prev);

    /* MPI_PROC_NULL: completes at once, status says so, buffer untouched. */
    int untouched = 77;
    MPI_Send(&mine, 1, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD);
    MPI_Recv(&untouched, 1, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD, &st);
    mt_check(untouched == 77 && st.MPI_SOURCE == MPI_PROC_NULL && st.MPI_TAG == MPI_ANY_TAG,
             "receive from MPI_PROC_NULL: value %d source %d", untouched, st.MPI_SOURCE);
}

/* Every rank exchanges with every other rank using non-blocking calls. */
static void p2p_nonblocking_all(void)
{
    int n = mt_size, peer, i;
    int *out = malloc(n * sizeof(int)), *in = malloc(n * sizeof(int));
    MPI_Request *req = malloc(2 * n * sizeof(MPI_Request));
    MPI_Status *st = malloc(2 * n * sizeof(MPI_Status));

    for (peer = 0; peer < n; peer++) {
        out[peer] = p2p_value(mt_rank, peer, 5);
        in[peer] = -1;
        MPI_Irecv(&in[peer], 1, MPI_INT, peer, 21, MPI_COMM_WORLD, &req[peer]);
    }
    for (peer = 0; peer < n; peer++)
        MPI_Isend(&out[peer], 1, MPI_INT, peer, 21, MPI_COMM_WORLD, &req[n + peer]);
    MPI_Waitall(2 * n, req, st);
    for (peer = 0; peer < n; peer++) {
        mt_check(in[peer] == p2p_value(peer, mt_rank, 5), "Waitall: from %d got %d", peer,
                 in[peer]);
        mt_check(st[peer].MPI_SOURCE == peer, "Waitall status source %d", st[peer].MPI_SOURCE);
        mt_check(req[peer] == MPI_REQUEST_NULL, "request not freed by Waitall");
    }

    /* Waitany: every index completes exactly once, then MPI_UNDEFINED. */
    int *seen = calloc(n, sizeof(int));
    for (peer = 0; peer < n; peer++) {
        in[peer] = -1;
        MPI_Irecv(&in[peer], 1, MPI_INT, peer, 22, MPI_COMM_WORLD, &req[peer]);
        MPI_Isend(&out[peer], 1, MPI_INT, peer, 22, MPI_COMM_WORLD, &req[n + peer]);
    }
    for (i = 0; i < n; i++) {
        int index;
        MPI_Status s;
        MPI_Waitany(n, req, &index, &s);
        if (index < 0 || index >= n) {
            mt_check(0, "Waitany index %d", index);
            break;
        }
        seen[index]++;
        mt_check(in[index] == p2p_value(index, mt_rank, 5) && s.MPI_SOURCE == index,
                 "Waitany: index %d got %d from %d", index, in[index], s.MPI_SOURCE);
    }
    for (peer = 0; peer < n; peer++)
        mt_check(seen[peer] == 1, "Waitany completed index %d %d times", peer, seen[peer]);
    int index;
    MPI_Waitany(n, req, &index, MPI_STATUS_IGNORE);
    mt_check(index == MPI_UNDEFINED, "Waitany on finished requests gave %d", index);
    MPI_Waitall(n, req + n, st);

    /* MPI_Test polling until a receive from the left neighbour completes. */
    int prev = (mt_rank + n - 1) % n, next = (mt_rank + 1) % n, got = -1, flag = 0;
    long polls = 0;
    MPI_Irecv(&got, 1, MPI_INT, prev, 23, MPI_COMM_WORLD, &req[0]);
    MPI_Isend(&out[next], 1, MPI_INT, next, 23, MPI_COMM_WORLD, &req[1]);
    while (!flag) {
        MPI_Test(&req[0], &flag, MPI_STATUS_IGNORE);
        polls++;
    }
    MPI_Wait(&req[1], MPI_STATUS_IGNORE);
    mt_check(got == p2p_value(prev, mt_rank, 5), "Test loop got %d after %ld polls", got, polls);
    free(seen);
    free(out);
    free(in);
    free(req);
    free(st);
}

/* Rank 0 sends to rank 1: many messages in order, tags received out of
 * order, MPI_ANY_TAG. Other ranks send rank 0 their rank for ANY_SOURCE. */
static void p2p_tags_and_sources(void)
{
    MPI_Status st;
    int i, v;

    if (mt_rank == 0) {
        for (i = 0; i < P2P_ORDERED; i++)
            MPI_Send(&i, 1, MPI_INT, 1, 31, MPI_COMM_WORLD);
        int a = 100, b = 200;
        MPI_Request r[2];
        MPI_Status rs[2];
        MPI_Isend(&a, 1, MPI_INT, 1, 32, MPI_COMM_WORLD, &r[0]);
        MPI_Isend(&b, 1, MPI_INT, 1, 33, MPI_COMM_WORLD, &r[1]);
        MPI_Waitall(2, r, rs);
        for (i = 0; i < 3; i++) {
            v = 500 + i;
            MPI_Send(&v, 1, MPI_INT, 1, 40 + i, MPI_COMM_WORLD);
        }
    } else if (mt_rank == 1) {
        int bad = 0;
        for (i = 0; i < P2P_ORDERED; i++) {
            MPI_Recv(&v, 1, MPI_INT, 0, 31, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (v != i && bad++ == 0)
                mt_check(0, "message %d of one pair arrived as %d (out of order)", i, v);
        }
        mt_check(bad == 0, "ordering");
        /* The later tag first: matching is by tag, not arrival. */
        MPI_Recv(&v, 1, MPI_INT, 0, 33, MPI_COMM_WORLD, &st);
        mt_check(v == 200 && st.MPI_TAG == 33, "tag 33 got %d", v);
        MPI_Recv(&v, 1, MPI_INT, 0, 32, MPI_COMM_WORLD, &st);
        mt_check(v == 100 && st.MPI_TAG == 32, "tag 32 got %d", v);
        for (i = 0; i < 3; i++) {
            MPI_Recv(&v, 1, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            mt_check(v == 500 + i && st.MPI_TAG == 40 + i,
                     "MPI_ANY_TAG message %d: value %d tag %d", i, v, st.MPI_TAG);
        }
    }

    /* MPI_ANY_SOURCE: rank 0 hears from every other rank exactly once. */
    if (mt_rank == 0) {
        int *seen = calloc(mt_size, sizeof(int));
        for (i = 1; i < mt_size; i++) {
            MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, 50, MPI_COMM_WORLD, &st);
            mt_check(v == st.MPI_SOURCE * 3 && st.MPI_SOURCE > 0 && st.MPI_SOURCE < mt_size,
                     "ANY_SOURCE: value %d from %d", v, st.MPI_SOURCE);
            if (st.MPI_SOURCE > 0 && st.MPI_SOURCE < mt_size)
                seen[st.MPI_SOURCE]++;
        }
        for (i = 1; i < mt_size; i++)
            mt_check(seen[i] == 1, "ANY_SOURCE heard rank %d %d times", i, seen[i]);
        free(seen);
    } else {
        v = mt_rank * 3;
        MPI_Send(&v, 1, MPI_INT, 0, 50, MPI_COMM_WORLD);
    }
}

/* Probe and Iprobe learn size and sender before the receive is posted. */
static void p2p_probe(void)
{
    MPI_Status st;
    int i, count;

    if (mt_rank != 0) {
        int n = mt_rank * 10 + 3, *buf = malloc(n * sizeof(int));
        for (i = 0; i < n; i++)
            buf[i] = p2p_value(mt_rank, 0, i);
        MPI_Send(buf, n, MPI_INT, 0, 60, MPI_COMM_WORLD);
        MPI_Send(buf, n / 2, MPI_INT, 0, 61, MPI_COMM_WORLD);
        free(buf);
        return;
    }
    for (i = 1; i < mt_size; i++) {
        MPI_Probe(MPI_ANY_SOURCE, 60, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        int src = st.MPI_SOURCE, j, bad = 0;
        mt_check(src > 0 && src < mt_size && count == src * 10 + 3,
                 "Probe: %d ints from %d", count, src);
        int *buf = malloc((count > 0 ? count : 1) * sizeof(int));
        MPI_Recv(buf, count, MPI_INT, src, 60, MPI_COMM_WORLD, &st);
        for (j = 0; j < count; j++)
            bad += buf[j] != p2p_value(src, 0, j);
        mt_check(bad == 0, "probed message from %d: %d wrong ints", src, bad);
        free(buf);
    }
    for (i = 1; i < mt_size; i++) {
        int flag = 0, buf[64];
        while (!flag)
            MPI_Iprobe(i, 61, MPI_COMM_WORLD, &flag, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        mt_check(count == (i * 10 + 3) / 2 && st.MPI_SOURCE == i && st.MPI_TAG == 61,
                 "Iprobe: %d ints from %d", count, st.MPI_SOURCE);
        /* A larger buffer than the message: Get_count reports what arrived. */
        MPI_Recv(buf, 64, MPI_INT, i, 61, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        mt_check(count == (i * 10 + 3) / 2 && buf[count - 1] == p2p_value(i, 0, count - 1),
                 "short receive: count %d", count);
    }
}

int main(int argc, char **argv)
{
    mt_init(&argc, &argv, "p2p");
    mt_need_ranks(2);
    p2p_blocking_ring();
    p2p_nonblocking_all();
    p2p_tags_and_sources();
    p2p_probe();
    return mt_finish("blocking, non-blocking, tags, ANY_SOURCE, probe, ordering");
}

/*
 * soak_p2p.c - the point-to-point kinds of a soak round: ping-pong and
 * windowed bandwidth between the pairs of this iteration, a non-blocking
 * exchange with both ring neighbours, and every rank sending to one
 * collector that receives from MPI_ANY_SOURCE. Every received buffer is
 * compared byte for byte with what its sender filled in.
 *
 * Pairs change every iteration (rank XOR k, k = 1 .. 2^m - 1 in turn), so
 * over a cycle every pair of ranks carries every size: a connection that
 * only one peer's traffic would break is not left out.
 */
#include "soak.h"

#include <stdlib.h>

/* Messages of one bandwidth window: about 2 MiB in flight, 1 to 16 messages. */
#define SOAK_WINDOW_BYTES   (2u << 20)
#define SOAK_WINDOW_MAX     16

/* This iteration's partner of this rank, or -1 when it sits out (odd sizes). */
static int soak_partner(unsigned iter)
{
    int span = 1;

    while (span < soak_size)
        span <<= 1;
    int k = 1 + (int)(iter % (unsigned)(span - 1 > 0 ? span - 1 : 1));
    int peer = soak_rank ^ k;
    return peer < soak_size && peer != soak_rank ? peer : -1;
}

/* Echo: the lower rank sends, the higher checks and sends the same bytes back. */
static void soak_pingpong(size_t size, unsigned iter, int peer, struct soak_tally *t)
{
    int reps = size >= 65536 ? 2 : 10;
    unsigned char *buf = soak_alloc(size);

    for (int r = 0; r < reps; r++) {
        uint32_t seed = soak_seed(iter, SOAK_PINGPONG, soak_rank < peer ? soak_rank : peer, r, 0);
        if (soak_rank < peer) {
            soak_fill(buf, size, seed);
            MPI_Send(buf, (int)size, MPI_BYTE, peer, 100 + r, MPI_COMM_WORLD);
            MPI_Recv(buf, (int)size, MPI_BYTE, peer, 100 + r, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            soak_check(buf, size, seed, t, "ping-pong echo", peer);
        } else {
            MPI_Recv(buf, (int)size, MPI_BYTE, peer, 100 + r, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            soak_check(buf, size, seed, t, "ping-pong", peer);
            MPI_Send(buf, (int)size, MPI_BYTE, peer, 100 + r, MPI_COMM_WORLD);
        }
        t->bytes[SOAK_PINGPONG] += size;
    }
    free(buf);
}

/* One window: the sender posts all its Isends, the receiver checks each message and acks. */
static void soak_bandwidth(size_t size, unsigned iter, int peer, struct soak_tally *t)
{
    int window = (int)(SOAK_WINDOW_BYTES / size);
    if (window < 1)
        window = 1;
    if (window > SOAK_WINDOW_MAX)
        window = SOAK_WINDOW_MAX;
    /* Alternate the direction so both ends of a pair stream in turn. */
    int sending = (soak_rank < peer) == (iter % 2 == 0);
    int from = sending ? soak_rank : peer, to = sending ? peer : soak_rank;
    unsigned char *bufs = soak_alloc(size * (size_t)window);
    MPI_Request req[SOAK_WINDOW_MAX];
    MPI_Status st[SOAK_WINDOW_MAX];     /* not MPI_STATUSES_IGNORE: gcc's stringop check misreads it */
    char ack = 0;

    for (int w = 0; w < window; w++) {
        unsigned char *b = bufs + (size_t)w * size;
        if (sending) {
            soak_fill(b, size, soak_seed(iter, SOAK_BANDWIDTH, from, to, w));
            MPI_Isend(b, (int)size, MPI_BYTE, peer, 200 + w, MPI_COMM_WORLD, &req[w]);
        } else {
            MPI_Irecv(b, (int)size, MPI_BYTE, peer, 200 + w, MPI_COMM_WORLD, &req[w]);
        }
    }
    MPI_Waitall(window, req, st);
    if (sending) {
        MPI_Recv(&ack, 1, MPI_CHAR, peer, 299, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (ack != 'A')
            soak_fail("bandwidth: ack from rank %d is %d", peer, ack);
        t->bytes[SOAK_BANDWIDTH] += size * (size_t)window;
    } else {
        for (int w = 0; w < window; w++)
            soak_check(bufs + (size_t)w * size, size, soak_seed(iter, SOAK_BANDWIDTH, from, to, w),
                       t, "bandwidth window", peer);
        ack = 'A';
        MPI_Send(&ack, 1, MPI_CHAR, peer, 299, MPI_COMM_WORLD);
    }
    free(bufs);
}

/* Isend to and Irecv from both neighbours, completed in whatever order Waitany gives. */
static void soak_nonblocking(size_t size, unsigned iter, struct soak_tally *t)
{
    int next = (soak_rank + 1) % soak_size, prev = (soak_rank + soak_size - 1) % soak_size;
    int peers[2] = {next, prev};
    unsigned char *out = soak_alloc(2 * size), *in = soak_alloc(2 * size);
    MPI_Request req[4];
    int done = 0, index;

    for (int i = 0; i < 2; i++) {
        /* Tag 300 travels rightwards, 301 leftwards: with 2 ranks next == prev. */
        MPI_Irecv(in + i * size, (int)size, MPI_BYTE, peers[i], 301 - i, MPI_COMM_WORLD, &req[i]);
    }
    for (int i = 0; i < 2; i++) {
        soak_fill(out + i * size, size, soak_seed(iter, SOAK_NONBLOCKING, soak_rank, peers[i], i));
        MPI_Isend(out + i * size, (int)size, MPI_BYTE, peers[i], 300 + i, MPI_COMM_WORLD, &req[2 + i]);
    }
    while (done < 4) {
        MPI_Waitany(4, req, &index, MPI_STATUS_IGNORE);
        if (index == MPI_UNDEFINED)
            soak_fail("non-blocking: Waitany found no active request after %d of 4", done);
        done++;
    }
    /* in[0] came from next, which sent it leftwards (its index 1); in[1] from prev, rightwards. */
    soak_check(in, size, soak_seed(iter, SOAK_NONBLOCKING, next, soak_rank, 1), t,
               "non-blocking from next", next);
    soak_check(in + size, size, soak_seed(iter, SOAK_NONBLOCKING, prev, soak_rank, 0), t,
               "non-blocking from prev", prev);
    t->bytes[SOAK_NONBLOCKING] += 2 * size;
    free(out);
    free(in);
}

/*
 * Every other rank sends to this iteration's collector, which takes the
 * messages in arrival order (MPI_ANY_SOURCE, MPI_ANY_TAG) and must learn
 * each sender, tag and length from the status. ANY_TAG is safe here:
 * every earlier message to the collector on MPI_COMM_WORLD has been
 * received by the kinds before, and no rank can start the next
 * iteration's sends before the collectives in between.
 */
static void soak_anysource(size_t size, unsigned iter, struct soak_tally *t)
{
    int root = (int)((iter + 1) % (unsigned)soak_size);
    unsigned char *buf = soak_alloc(size), *seen;

    if (soak_rank != root) {
        soak_fill(buf, size, soak_seed(iter, SOAK_ANYSOURCE, soak_rank, root, 0));
        MPI_Send(buf, (int)size, MPI_BYTE, root, 600 + soak_rank, MPI_COMM_WORLD);
        t->bytes[SOAK_ANYSOURCE] += size;
        free(buf);
        return;
    }
    seen = soak_alloc((size_t)soak_size);
    for (int r = 0; r < soak_size; r++)
        seen[r] = r == root;
    for (int n = 1; n < soak_size; n++) {
        MPI_Status st;
        int count = -1;

        MPI_Recv(buf, (int)size, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_BYTE, &count);
        int from = st.MPI_SOURCE;
        if (from < 0 || from >= soak_size || seen[from] || st.MPI_TAG != 600 + from ||
            count != (int)size)
            soak_fail("any-source: message %d of %d: source %d tag %d count %d (want an unseen "
                      "rank, tag 600 + rank, %zu bytes)", n, soak_size - 1, from, st.MPI_TAG,
                      count, size);
        seen[from] = 1;
        soak_check(buf, size, soak_seed(iter, SOAK_ANYSOURCE, from, root, 0), t, "any-source", from);
    }
    free(seen);
    free(buf);
}

void soak_p2p_round(size_t size, unsigned iter, struct soak_tally *t)
{
    int peer = soak_partner(iter);

    if (peer >= 0) {
        soak_pingpong(size, iter, peer, t);
        soak_bandwidth(size, iter, peer, t);
    }
    t->rounds[SOAK_PINGPONG]++;
    t->rounds[SOAK_BANDWIDTH]++;
    soak_nonblocking(size, iter, t);
    t->rounds[SOAK_NONBLOCKING]++;
    soak_anysource(size, iter, t);
    t->rounds[SOAK_ANYSOURCE]++;
}

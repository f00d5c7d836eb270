/* large.c - messages above ch3's eager threshold (128 KiB, 1, 4 and 16
 * MiB) with their whole content checked: every word depends on the
 * sender's rank and its offset, so a dropped, repeated, shifted or
 * misrouted chunk shows. Covers blocking Send/Recv with the receive posted
 * late (the sender waits in the rendezvous), Isend/Irecv between all ranks
 * of a ring at once, Sendrecv, a message cut into pieces received into one
 * buffer at an offset, and a large Bcast. Prints "mpi-large: OK ..." from
 * rank 0 when all checks passed on every rank. */
#include "mpitest.h"
#include <stdint.h>
#include <unistd.h>

static const size_t large_sizes[] = {128 << 10, 1 << 20, 4 << 20, 16 << 20};
#define LARGE_NSIZES (sizeof(large_sizes) / sizeof(large_sizes[0]))
#define LARGE_MAX (16 << 20)

/* The word at word offset i of a message from `rank` in round `round`. */
static uint32_t large_word(int rank, int round, size_t i)
{
    uint32_t x = (uint32_t) i * 2654435761u ^ (uint32_t) (rank + 1) * 0x9e3779b9u;
    return x + (uint32_t) round * 0x01000193u + (uint32_t) (i >> 10);
}

static void large_fill(uint32_t *buf, size_t bytes, int rank, int round)
{
    size_t i;

    for (i = 0; i < bytes / 4; i++)
        buf[i] = large_word(rank, round, i);
}

/* Checks a received message; names the first wrong word and how many are wrong. */
static void large_verify(const uint32_t *buf, size_t bytes, int rank, int round,
                         const char *what)
{
    size_t i, wrong = 0, first = 0;

    for (i = 0; i < bytes / 4; i++) {
        if (buf[i] != large_word(rank, round, i)) {
            if (wrong++ == 0)
                first = i;
        }
    }
    mt_check(wrong == 0, "%s, %zu bytes from rank %d: %zu wrong words, first at byte %zu "
             "(0x%08x, expected 0x%08x)", what, bytes, rank, wrong, first * 4,
             wrong ? buf[first] : 0, wrong ? large_word(rank, round, first) : 0);
}

static void large_check_count(MPI_Status *st, size_t bytes, int source, const char *what)
{
    int count = -1;

    MPI_Get_count(st, MPI_BYTE, &count);
    mt_check(count == (int) bytes && st->MPI_SOURCE == source,
             "%s: status says %d bytes from %d, expected %zu from %d", what, count,
             st->MPI_SOURCE, bytes, source);
}

int main(int argc, char **argv)
{
    uint32_t *out, *in;
    size_t k, bytes;
    /* Real status arrays: GCC warns about MPI_STATUSES_IGNORE (a null
     * pointer cast) as an array argument. */
    MPI_Status st, sts[4];
    int round = 0;

    mt_init(&argc, &argv, "large");
    mt_need_ranks(2);
    out = malloc(LARGE_MAX);
    in = malloc(LARGE_MAX);
    if (!out || !in) {
        printf("mpi-large: rank %d: FAILED: cannot allocate 2 x %d bytes\n", mt_rank,
               LARGE_MAX);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size;

    for (k = 0; k < LARGE_NSIZES; k++) {
        bytes = large_sizes[k];

        /* 1. Rank 0 -> 1 blocking; rank 1 posts its receive late, so the
         *    sender must wait in the rendezvous rather than copy eagerly. */
        round++;
        if (mt_rank == 0) {
            large_fill(out, bytes, 0, round);
            MPI_Send(out, (int) bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
        } else if (mt_rank == 1) {
            usleep(200 * 1000);
            memset(in, 0, bytes);
            MPI_Recv(in, (int) bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, &st);
            large_check_count(&st, bytes, 0, "late receive");
            large_verify(in, bytes, 0, round, "late receive");
        }

        /* 2. Every rank sends to the next and receives from the previous one
         *    at the same time, non-blocking. */
        round++;
        MPI_Request req[2];
        large_fill(out, bytes, mt_rank, round);
        memset(in, 0, bytes);
        MPI_Irecv(in, (int) bytes, MPI_BYTE, prev, 2, MPI_COMM_WORLD, &req[0]);
        MPI_Isend(out, (int) bytes, MPI_BYTE, next, 2, MPI_COMM_WORLD, &req[1]);
        MPI_Waitall(2, req, sts);
        large_verify(in, bytes, prev, round, "Isend/Irecv ring");

        /* 3. Sendrecv the other way round, as MPI_INT. */
        round++;
        large_fill(out, bytes, mt_rank, round);
        memset(in, 0, bytes);
        MPI_Sendrecv(out, (int) (bytes / 4), MPI_INT, prev, 3, in, (int) (bytes / 4), MPI_INT,
                     next, 3, MPI_COMM_WORLD, &st);
        large_verify(in, bytes, next, round, "Sendrecv");

        /* 4. Bcast from the last rank. */
        round++;
        if (mt_rank == mt_size - 1)
            large_fill(in, bytes, mt_rank, round);
        else
            memset(in, 0, bytes);
        MPI_Bcast(in, (int) bytes, MPI_BYTE, mt_size - 1, MPI_COMM_WORLD);
        large_verify(in, bytes, mt_size - 1, round, "Bcast");
    }

    /* 5. Rank 1 sends 16 MiB as four 4 MiB messages that rank 0 receives
     *    with Irecvs posted at the four offsets of one buffer. */
    round++;
    if (mt_rank == 1) {
        large_fill(out, LARGE_MAX, 1, round);
        int q;
        for (q = 0; q < 4; q++)
            MPI_Send((char *) out + q * (LARGE_MAX / 4), LARGE_MAX / 4, MPI_BYTE, 0, 5,
                     MPI_COMM_WORLD);
    } else if (mt_rank == 0) {
        MPI_Request req[4];
        int q;
        memset(in, 0, LARGE_MAX);
        for (q = 0; q < 4; q++)
            MPI_Irecv((char *) in + q * (LARGE_MAX / 4), LARGE_MAX / 4, MPI_BYTE, 1, 5,
                      MPI_COMM_WORLD, &req[q]);
        MPI_Waitall(4, req, sts);
        large_verify(in, LARGE_MAX, 1, round, "four pieces in order");
    }

    free(out);
    free(in);
    return mt_finish("128 KiB, 1 MiB, 4 MiB, 16 MiB: late receive, ring, Sendrecv, Bcast, pieces");
}

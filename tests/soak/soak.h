/*
 * soak.h - what the parts of the soak program share (tests/soak/: soak.c
 * runs the loop and samples the counters, soak_p2p.c and soak_coll.c do
 * one round of each kind of traffic and check every byte).
 *
 * A round of any kind either returns having checked its results or ends
 * the whole job through soak_fail (MPI_Abort): the host judge
 * (tests/soak/judge.py) needs no per-check output to know a run was clean.
 */
#ifndef SOAK_H
#define SOAK_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

enum soak_kind {
    SOAK_PINGPONG,      /* blocking send/recv echo between a pair */
    SOAK_BANDWIDTH,     /* a window of Isends, one ack (OSU bw style) */
    SOAK_NONBLOCKING,   /* Isend/Irecv with both ring neighbours, Waitany */
    SOAK_ANYSOURCE,     /* all to a moving collector, received with MPI_ANY_SOURCE/ANY_TAG */
    SOAK_BCAST,
    SOAK_REDUCE,
    SOAK_ALLREDUCE,
    SOAK_GATHER,
    SOAK_SCATTER,
    SOAK_ALLGATHER,
    SOAK_ALLTOALL,
    SOAK_BARRIER,
    SOAK_SPLIT,         /* MPI_Comm_split, traffic on it, MPI_Comm_free */
    SOAK_DUP,           /* MPI_Comm_dup, traffic on it, MPI_Comm_free */
    SOAK_KINDS
};

/* Per rank: rounds run and payload bytes this rank handed to MPI to send. */
struct soak_tally {
    uint64_t rounds[SOAK_KINDS];
    uint64_t bytes[SOAK_KINDS];
    uint64_t checks;            /* buffers and values compared */
};

extern const char *const soak_kind_names[SOAK_KINDS];
extern int soak_rank, soak_size;
extern int soak_leak_comm;      /* --leak comm: SOAK_DUP never frees its communicator */

/* Prints "soak: rank R: FAILED: ..." and aborts the job (status 3). */
void soak_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The byte at offset i of a buffer identified by seed; soak_check names the first difference. */
void soak_fill(unsigned char *buf, size_t len, uint32_t seed);
void soak_check(const unsigned char *buf, size_t len, uint32_t seed, struct soak_tally *t,
                const char *what, int peer);
/* A seed for one buffer: iteration, kind, sender, receiver, index. */
uint32_t soak_seed(unsigned iter, int kind, int from, int to, int index);
/* malloc or abort: a soak run that cannot allocate its buffers has failed. */
void *soak_alloc(size_t len);

/* One round of each kind at message size `size` (soak_p2p.c, soak_coll.c). */
void soak_p2p_round(size_t size, unsigned iter, struct soak_tally *t);
void soak_coll_round(size_t size, unsigned iter, struct soak_tally *t);
void soak_comm_round(unsigned iter, struct soak_tally *t);

#endif

/*
 * soak.c - the soak program: mixed MPI traffic for a given time, every
 * result checked, and the memory and network counters of every rank
 * (libc/hermit_counters.h) sampled at quiet moments, so that the host
 * judge (tests/soak/judge.py) can tell a leak from a cache.
 *
 *   soak SECONDS [--interval S] [--leak heap|comm]
 *
 * One iteration runs every kind (soak.h) at one message size; the sizes
 * cycle from 1 B to 1 MiB. The first full cycle is the warm-up: after it
 * every buffer, MPICH object pool and lwIP queue has seen its largest
 * use, and the "baseline" sample is taken. Then a sample every S
 * seconds, and a "final" one once SECONDS have passed and at least
 * SOAK_MIN_SAMPLES samples lie between baseline and final (a short run
 * with a long interval samples at once rather than end with no trend to
 * judge). --leak heap leaks 4 KiB per iteration and --leak comm one
 * communicator: they exist to show that the judge catches a leak
 * (docs/soak.md).
 *
 * Output (rank 0 decides when; every rank prints its own line):
 *   soak-sample: label=L rank=R t=T iter=I settle=N kheap=B ... pool.TCP_PCB=U/S ...
 *   soak-kind: NAME rounds=N bytes=B          (rank 0, at the end)
 *   soak-done: ranks=N seconds=T iterations=I checks=C failed=0
 * A failed check prints "soak: rank R: FAILED: ..." and aborts the job.
 */
#include "soak.h"
#include "hermit_counters.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Odd sizes and both sides of ch3's 128 KiB eager/rendezvous switch. */
static const size_t soak_sizes[] = {1, 2, 17, 256, 1000, 4096, 16411, 65536,
                                    131072, 131073, 524288, 1048576};
#define SOAK_NSIZES (sizeof(soak_sizes) / sizeof(soak_sizes[0]))
/* Periodic samples between baseline and final: with those two, 3 steps, the judge's minimum. */
#define SOAK_MIN_SAMPLES 2

const char *const soak_kind_names[SOAK_KINDS] = {
    "pingpong", "bandwidth", "nonblocking", "any_source", "bcast", "reduce", "allreduce", "gather",
    "scatter", "allgather", "alltoall", "barrier", "comm_split", "comm_dup",
};

int soak_rank, soak_size;

enum { SOAK_GO, SOAK_SAMPLE, SOAK_BASELINE, SOAK_FINAL };
static const char *const soak_labels[] = {"go", "sample", "baseline", "final"};

void soak_fail(const char *fmt, ...)
{
    va_list ap;

    printf("soak: rank %d: FAILED: ", soak_rank);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    MPI_Abort(MPI_COMM_WORLD, 3);
    exit(3);
}

uint32_t soak_seed(unsigned iter, int kind, int from, int to, int index)
{
    uint32_t x = iter * 2654435761u;

    x ^= (uint32_t)kind * 0x9E3779B9u + (uint32_t)(from + 1) * 0x85EBCA6Bu;
    x ^= (uint32_t)(to + 1) * 0xC2B2AE35u + (uint32_t)index * 0x27D4EB2Fu;
    return x ^ (x >> 15);
}

/* Position-dependent, so a shifted, repeated or truncated buffer does not pass. */
static unsigned char soak_byte(uint32_t seed, size_t i)
{
    uint32_t x = seed + (uint32_t)i * 0x9E3779B1u;

    return (unsigned char)((x >> 24) ^ (x >> 11) ^ (uint32_t)(i >> 12));
}

void soak_fill(unsigned char *buf, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = soak_byte(seed, i);
}

void soak_check(const unsigned char *buf, size_t len, uint32_t seed, struct soak_tally *t,
                const char *what, int peer)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != soak_byte(seed, i))
            soak_fail("%s from rank %d, %zu bytes: byte %zu is 0x%02x, expected 0x%02x", what, peer,
                      len, i, buf[i], soak_byte(seed, i));
    t->checks++;
}

void *soak_alloc(size_t len)
{
    void *p = malloc(len ? len : 1);

    if (!p)
        soak_fail("malloc(%zu) failed", len);
    return p;
}

static int soak_same(const struct hermit_counters *a, const struct hermit_counters *b)
{
    if (a->kheap_bytes != b->kheap_bytes || a->kheap_pages != b->kheap_pages ||
        a->pmem_free != b->pmem_free || a->stacks_live != b->stacks_live ||
        a->malloc_in_use != b->malloc_in_use || a->mmap_bytes != b->mmap_bytes ||
        a->fds_open != b->fds_open || a->net_pools != b->net_pools)
        return 0;
    for (unsigned i = 0; i < a->net_pools; i++)
        if (a->pool[i].used != b->pool[i].used)
            return 0;
    return 1;
}

/*
 * Reads the counters once the network is quiet: after a short wait,
 * every 100 ms until four reads in a row agree (in-flight segments are
 * acked and freed within a few delayed-ACK periods), at most 50 reads.
 * Returns how many reads it took; 0 if they never agreed.
 */
static int soak_settle(struct hermit_counters *c)
{
    struct hermit_counters prev;
    int same = 0;

    usleep(200000);
    hermit_counters(&prev);
    for (int n = 2; n <= 50; n++) {
        usleep(100000);
        hermit_counters(c);
        same = soak_same(c, &prev) ? same + 1 : 0;
        if (same == 3)
            return n;
        prev = *c;
    }
    return 0;
}

static void soak_print(const char *label, double t, unsigned iter, int settle,
                       const struct hermit_counters *c)
{
    printf("soak-sample: label=%s rank=%d t=%.1f iter=%u settle=%d kheap=%llu kheap-pages=%llu "
           "pmem-free=%llu stacks=%u stacks-cached=%u malloc=%llu arena=%llu free-chunks=%llu "
           "sbrk=%llu sbrk-mapped=%llu mmap=%llu mmap-regions=%u fds=%u",
           label, soak_rank, t, iter, settle, (unsigned long long)c->kheap_bytes,
           (unsigned long long)c->kheap_pages, (unsigned long long)c->pmem_free, c->stacks_live,
           c->stacks_cached, (unsigned long long)c->malloc_in_use, (unsigned long long)c->malloc_arena,
           (unsigned long long)c->malloc_free_chunks, (unsigned long long)c->sbrk_bytes,
           (unsigned long long)c->sbrk_mapped, (unsigned long long)c->mmap_bytes,
           c->mmap_regions, c->fds_open);
    for (unsigned i = 0; i < c->net_pools; i++)
        printf(" pool.%s=%u/%u", c->pool[i].name, c->pool[i].used, c->pool[i].size);
    printf("\n");
    fflush(stdout);
}

/*
 * A sample with nothing in flight towards the rank that reads: after a
 * barrier, a token passes 0 -> 1 -> ... -> N-1 -> 0 and each rank reads
 * while it holds it. A rank that has passed the token sends nothing
 * (it waits for rank 0's release), so no message can arrive at a rank
 * while it is reading; the token it just received has been consumed.
 */
static void soak_sample(const char *label, double t, unsigned iter)
{
    struct hermit_counters c;
    int token = 0, next = (soak_rank + 1) % soak_size, prev = (soak_rank + soak_size - 1) % soak_size;

    MPI_Barrier(MPI_COMM_WORLD);
    if (soak_rank != 0)
        MPI_Recv(&token, 1, MPI_INT, prev, 500, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    int settle = soak_settle(&c);
    soak_print(label, t, iter, settle, &c);
    MPI_Send(&token, 1, MPI_INT, next, 500, MPI_COMM_WORLD);
    if (soak_rank == 0) {
        MPI_Recv(&token, 1, MPI_INT, prev, 500, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        for (int r = 1; r < soak_size; r++)
            MPI_Send(&token, 1, MPI_INT, r, 501, MPI_COMM_WORLD);
    } else {
        MPI_Recv(&token, 1, MPI_INT, 0, 501, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
}

static void soak_summary(double seconds, unsigned iters, const struct soak_tally *t)
{
    uint64_t bytes[SOAK_KINDS], checks;

    MPI_Reduce(t->bytes, bytes, SOAK_KINDS, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&t->checks, &checks, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    if (soak_rank != 0)
        return;
    for (int k = 0; k < SOAK_KINDS; k++)
        printf("soak-kind: %s rounds=%llu bytes=%llu\n", soak_kind_names[k],
               (unsigned long long)t->rounds[k], (unsigned long long)bytes[k]);
    printf("soak-done: ranks=%d seconds=%.1f iterations=%u checks=%llu failed=0\n", soak_size,
           seconds, iters, (unsigned long long)checks);
    fflush(stdout);
}

/* --leak heap: 4 KiB never freed, chained from a volatile root so the compiler keeps it. */
static void *volatile soak_leaked;

static void soak_leak_page(unsigned iter)
{
    void **page = soak_alloc(4096);

    memset(page, (int)iter, 4096);
    *page = soak_leaked;
    soak_leaked = page;
}

static void soak_usage(void)
{
    if (soak_rank == 0)
        printf("usage: soak SECONDS [--interval S] [--leak heap|comm]\n");
    MPI_Finalize();
    exit(2);
}

int main(int argc, char **argv)
{
    double seconds = 0, interval = 60;
    int leak_heap = 0;
    struct soak_tally tally;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &soak_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &soak_size);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--interval") && i + 1 < argc)
            interval = atof(argv[++i]);
        else if (!strcmp(argv[i], "--leak") && i + 1 < argc && !strcmp(argv[i + 1], "heap"))
            leak_heap = 1, i++;
        else if (!strcmp(argv[i], "--leak") && i + 1 < argc && !strcmp(argv[i + 1], "comm"))
            soak_leak_comm = 1, i++;
        else if (seconds == 0 && atof(argv[i]) > 0)
            seconds = atof(argv[i]);
        else
            soak_usage();
    }
    if (seconds <= 0 || interval <= 0 || soak_size < 2)
        soak_usage();
    if (soak_rank == 0)
        printf("soak: %d ranks, %.0f s, sample every %.0f s, %zu sizes 1 B..1 MiB per cycle%s\n",
               soak_size, seconds, interval, SOAK_NSIZES,
               leak_heap ? ", leaking 4 KiB a iteration" : soak_leak_comm ? ", leaking a communicator a iteration" : "");
    memset(&tally, 0, sizeof(tally));
    double t0 = MPI_Wtime(), last = t0;
    soak_sample("start", 0, 0);

    unsigned iter = 0, samples = 0;
    for (int action = SOAK_GO; action != SOAK_FINAL;) {
        size_t size = soak_sizes[iter % SOAK_NSIZES];
        soak_p2p_round(size, iter, &tally);
        soak_coll_round(size, iter, &tally);
        soak_comm_round(iter, &tally);
        if (leak_heap)
            soak_leak_page(iter);
        iter++;

        /* Rank 0's clock decides for everyone, so all ranks sample together. */
        double now = MPI_Wtime();
        action = SOAK_GO;
        if (iter == SOAK_NSIZES)
            action = SOAK_BASELINE;
        else if (iter > SOAK_NSIZES && now - t0 >= seconds && samples >= SOAK_MIN_SAMPLES)
            action = SOAK_FINAL;
        else if (iter > SOAK_NSIZES && (now - last >= interval || now - t0 >= seconds)) {
            action = SOAK_SAMPLE;
            samples++;
        }
        MPI_Bcast(&action, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (action != SOAK_GO) {
            soak_sample(soak_labels[action], now - t0, iter);
            last = MPI_Wtime();
        }
    }
    soak_summary(MPI_Wtime() - t0, iter, &tally);
    MPI_Finalize();
    return 0;
}

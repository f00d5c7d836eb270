/* coll_reduce.c - the reducing collectives with exact expected values:
 * Barrier, Reduce to every root, Allreduce with SUM/PROD/MAX/MIN, the
 * bitwise and logical ops, on int, long long, unsigned char, float and
 * double, MAXLOC/MINLOC on MPI_DOUBLE_INT, MPI_IN_PLACE, a user-defined
 * op, Reduce_scatter, Reduce_scatter_block, Scan and Exscan. Each rank's
 * inputs depend on its rank so the results are computable in closed form.
 * Prints "mpi-coll_reduce: OK ..." from rank 0 when all checks passed. */
#include "mpitest.h"

#define CR_N 5      /* elements per vector */

/* Rank r's element i. Small enough that PROD over 4 ranks fits an int. */
static int cr_value(int r, int i)
{
    return r + i + 1;
}

/* A user op: elementwise a*b mod 1000003 (commutative). */
static void cr_mulmod(void *in, void *inout, int *len, MPI_Datatype *type)
{
    long long *a = in, *b = inout;
    int i;

    (void) type;
    for (i = 0; i < *len; i++)
        b[i] = (a[i] * b[i]) % 1000003;
}

static void cr_allreduce_ints(void)
{
    int in[CR_N], out[CR_N], want[CR_N], i, r;
    struct { MPI_Op op; const char *name; } ops[] = {
        {MPI_SUM, "SUM"}, {MPI_PROD, "PROD"}, {MPI_MAX, "MAX"}, {MPI_MIN, "MIN"},
        {MPI_BAND, "BAND"}, {MPI_BOR, "BOR"}, {MPI_BXOR, "BXOR"},
        {MPI_LAND, "LAND"}, {MPI_LOR, "LOR"}, {MPI_LXOR, "LXOR"},
    };
    unsigned k;

    for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        for (i = 0; i < CR_N; i++) {
            /* Logical ops: rank r's element i is true when (r + i) % 3 == 0. */
            in[i] = k >= 7 ? (mt_rank + i) % 3 == 0 : cr_value(mt_rank, i);
            for (r = 0; r < mt_size; r++) {
                int v = k >= 7 ? (r + i) % 3 == 0 : cr_value(r, i);
                if (r == 0) { want[i] = v; continue; }
                switch (k) {
                case 0: want[i] += v; break;
                case 1: want[i] *= v; break;
                case 2: want[i] = v > want[i] ? v : want[i]; break;
                case 3: want[i] = v < want[i] ? v : want[i]; break;
                case 4: want[i] &= v; break;
                case 5: want[i] |= v; break;
                case 6: want[i] ^= v; break;
                case 7: want[i] = want[i] && v; break;
                case 8: want[i] = want[i] || v; break;
                case 9: want[i] = !want[i] != !v; break;
                }
            }
        }
        MPI_Allreduce(in, out, CR_N, MPI_INT, ops[k].op, MPI_COMM_WORLD);
        char what[40];
        snprintf(what, sizeof(what), "Allreduce int %s", ops[k].name);
        mt_check_ints(out, want, CR_N, what);
    }
}

static void cr_allreduce_types(void)
{
    int n = mt_size, i;

    long long l = 1LL << (32 + mt_rank), lsum;
    MPI_Allreduce(&l, &lsum, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    mt_check(lsum == ((1LL << (32 + n)) - (1LL << 32)), "Allreduce long long SUM %lld", lsum);

    unsigned char c = (unsigned char) (0x10 << (mt_rank % 4)), cor;
    MPI_Allreduce(&c, &cor, 1, MPI_UNSIGNED_CHAR, MPI_BOR, MPI_COMM_WORLD);
    mt_check(cor == (n >= 4 ? 0xf0 : n == 2 ? 0x30 : 0x70), "Allreduce uchar BOR 0x%x", cor);

    /* Sums of halves are exact in binary floating point. */
    double d = mt_rank + 0.5, dsum, dmax;
    MPI_Allreduce(&d, &dsum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&d, &dmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    mt_check(dsum == n * (n - 1) / 2.0 + n * 0.5 && dmax == n - 0.5,
             "Allreduce double SUM %g MAX %g", dsum, dmax);
    float f = -1.25f * (mt_rank + 1), fmin;
    MPI_Allreduce(&f, &fmin, 1, MPI_FLOAT, MPI_MIN, MPI_COMM_WORLD);
    mt_check(fmin == -1.25f * n, "Allreduce float MIN %g", fmin);

    /* MAXLOC/MINLOC: the value peaks at rank n-1 and bottoms at rank 0;
     * equal values elsewhere must pick the lowest rank. */
    struct { double v; int loc; } dl = { mt_rank == n - 1 ? 9.0 : 1.0, mt_rank }, mx, mn;
    MPI_Allreduce(&dl, &mx, 1, MPI_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD);
    dl.v = mt_rank == 0 ? 9.0 : 1.0;
    MPI_Allreduce(&dl, &mn, 1, MPI_DOUBLE_INT, MPI_MINLOC, MPI_COMM_WORLD);
    mt_check(mx.v == 9.0 && mx.loc == n - 1, "MAXLOC %g at %d", mx.v, mx.loc);
    mt_check(mn.v == 1.0 && mn.loc == 1, "MINLOC %g at %d (expected the lowest tie, 1)",
             mn.v, mn.loc);

    /* MPI_IN_PLACE and a user-defined op. */
    int inplace[CR_N];
    for (i = 0; i < CR_N; i++)
        inplace[i] = cr_value(mt_rank, i);
    MPI_Allreduce(MPI_IN_PLACE, inplace, CR_N, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    for (i = 0; i < CR_N; i++)
        mt_check(inplace[i] == cr_value(n - 1, i), "IN_PLACE MAX [%d] = %d", i, inplace[i]);
    MPI_Op mulmod;
    MPI_Op_create(cr_mulmod, 1, &mulmod);
    long long u = 1000 + mt_rank, uprod, uwant = 1;
    for (i = 0; i < n; i++)
        uwant = uwant * (1000 + i) % 1000003;
    MPI_Allreduce(&u, &uprod, 1, MPI_LONG_LONG, mulmod, MPI_COMM_WORLD);
    mt_check(uprod == uwant, "user op: %lld, expected %lld", uprod, uwant);
    MPI_Op_free(&mulmod);
}

static void cr_reduce_and_scans(void)
{
    int n = mt_size, root, i, r;
    int in[CR_N], out[CR_N], want[CR_N];

    for (root = 0; root < n; root++) {
        for (i = 0; i < CR_N; i++) {
            in[i] = cr_value(mt_rank, i) * (root + 1);
            out[i] = -1;
            want[i] = 0;
            for (r = 0; r < n; r++)
                want[i] += cr_value(r, i) * (root + 1);
        }
        MPI_Reduce(in, out, CR_N, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD);
        if (mt_rank == root)
            mt_check_ints(out, want, CR_N, "Reduce SUM at root");
        else
            mt_check(out[0] == -1, "Reduce wrote a non-root's buffer");
    }

    /* Scan: ranks 0..me; Exscan: ranks 0..me-1 (undefined on rank 0). */
    int x = (mt_rank + 1) * (mt_rank + 1), scan = -1, exscan = -1, s = 0;
    for (r = 0; r <= mt_rank; r++)
        s += (r + 1) * (r + 1);
    MPI_Scan(&x, &scan, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    mt_check(scan == s, "Scan %d, expected %d", scan, s);
    MPI_Exscan(&x, &exscan, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (mt_rank > 0)
        mt_check(exscan == s - x, "Exscan %d, expected %d", exscan, s - x);
    int pmax = -1;
    x = mt_rank % 2 ? 100 - mt_rank : mt_rank;
    MPI_Scan(&x, &pmax, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    mt_check(pmax == (mt_rank >= 1 ? 99 : 0), "Scan MAX %d", pmax);

    /* Reduce_scatter_block: 3 elements per rank; element j of block b is
     * the sum over ranks of r*100 + b*10 + j. */
    int *rin = malloc(3 * n * sizeof(int)), rout[3], rwant[3], j;
    for (i = 0; i < 3 * n; i++)
        rin[i] = mt_rank * 100 + (i / 3) * 10 + i % 3;
    MPI_Reduce_scatter_block(rin, rout, 3, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    for (j = 0; j < 3; j++)
        rwant[j] = 100 * n * (n - 1) / 2 + n * (mt_rank * 10 + j);
    mt_check_ints(rout, rwant, 3, "Reduce_scatter_block");

    /* Reduce_scatter with uneven counts: rank b gets b+1 elements. */
    int *counts = malloc(n * sizeof(int)), total = 0, off = 0;
    for (i = 0; i < n; i++) {
        counts[i] = i + 1;
        total += i + 1;
    }
    int *vin = malloc(total * sizeof(int)), vout[8];
    for (i = 0; i < total; i++)
        vin[i] = i * (mt_rank + 1);
    MPI_Reduce_scatter(vin, vout, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    for (i = 0; i < mt_rank; i++)
        off += counts[i];
    for (i = 0; i <= mt_rank; i++)
        mt_check(vout[i] == (off + i) * n * (n + 1) / 2, "Reduce_scatter [%d] = %d", i,
                 vout[i]);
    free(rin);
    free(counts);
    free(vin);
}

int main(int argc, char **argv)
{
    mt_init(&argc, &argv, "coll_reduce");
    mt_need_ranks(2);
    MPI_Barrier(MPI_COMM_WORLD);
    cr_allreduce_ints();
    cr_allreduce_types();
    cr_reduce_and_scans();
    MPI_Barrier(MPI_COMM_WORLD);
    return mt_finish("Barrier, Reduce, Allreduce (10 ops, 5 types, MAXLOC, IN_PLACE, user op), "
                     "Reduce_scatter(_block), Scan, Exscan");
}

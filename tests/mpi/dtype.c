/* dtype.c - derived datatypes sent between ranks and checked element by
 * element on arrival: contiguous, vector (a matrix column), indexed,
 * struct with a resized extent (an array of C structs with padding),
 * subarray (an interior block of a 2-D array), a typed send received as
 * a different but matching type map, and MPI_Pack/MPI_Unpack with
 * Pack_size. Each rank sends to the next and receives from the previous
 * one. Prints "mpi-dtype: OK ..." from rank 0 when all checks passed. */
#include "mpitest.h"
#include <stddef.h>

#define DT_ROWS 6
#define DT_COLS 7

/* The value rank r stores at position i of anything it sends. */
static double dt_val(int r, int i)
{
    return r * 1000.0 + i + 0.25;
}

struct dt_particle {
    double x;
    int id;
    char tag;           /* padding follows: the extent must cover it */
};

static int dt_next, dt_prev;

static void dt_xfer(void *out, int outcount, MPI_Datatype outtype, void *in, int incount,
                    MPI_Datatype intype)
{
    MPI_Sendrecv(out, outcount, outtype, dt_next, 3, in, incount, intype, dt_prev, 3,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static void dt_simple(void)
{
    double m[DT_ROWS][DT_COLS], got[DT_ROWS][DT_COLS], col[DT_ROWS];
    MPI_Datatype contig, column, idx;
    int i, j, bad;

    for (i = 0; i < DT_ROWS; i++)
        for (j = 0; j < DT_COLS; j++)
            m[i][j] = dt_val(mt_rank, i * DT_COLS + j);

    /* contiguous: 2 rows as one element */
    MPI_Type_contiguous(2 * DT_COLS, MPI_DOUBLE, &contig);
    MPI_Type_commit(&contig);
    memset(got, 0, sizeof(got));
    dt_xfer(&m[1][0], 1, contig, &got[1][0], 1, contig);
    bad = 0;
    for (i = 0; i < DT_ROWS; i++)
        for (j = 0; j < DT_COLS; j++)
            bad += got[i][j] != (i == 1 || i == 2 ? dt_val(dt_prev, i * DT_COLS + j) : 0);
    mt_check(bad == 0, "contiguous: %d wrong elements", bad);

    /* vector: column 3 sent as a strided type, received as plain doubles */
    MPI_Type_vector(DT_ROWS, 1, DT_COLS, MPI_DOUBLE, &column);
    MPI_Type_commit(&column);
    dt_xfer(&m[0][3], 1, column, col, DT_ROWS, MPI_DOUBLE);
    bad = 0;
    for (i = 0; i < DT_ROWS; i++)
        bad += col[i] != dt_val(dt_prev, i * DT_COLS + 3);
    mt_check(bad == 0, "vector column: %d wrong", bad);
    /* ... and plain doubles received into a column of a zeroed matrix */
    for (i = 0; i < DT_ROWS; i++)
        col[i] = dt_val(mt_rank, 100 + i);
    memset(got, 0, sizeof(got));
    dt_xfer(col, DT_ROWS, MPI_DOUBLE, &got[0][5], 1, column);
    bad = 0;
    for (i = 0; i < DT_ROWS; i++)
        for (j = 0; j < DT_COLS; j++)
            bad += got[i][j] != (j == 5 ? dt_val(dt_prev, 100 + i) : 0);
    mt_check(bad == 0, "receive into a vector: %d wrong", bad);

    /* indexed: the lower triangle, row i holds i+1 elements */
    int lens[DT_ROWS], displs[DT_ROWS], total = 0;
    for (i = 0; i < DT_ROWS; i++) {
        lens[i] = i + 1;
        displs[i] = i * DT_COLS;
        total += lens[i];
    }
    MPI_Type_indexed(DT_ROWS, lens, displs, MPI_DOUBLE, &idx);
    MPI_Type_commit(&idx);
    int size;
    MPI_Type_size(idx, &size);
    mt_check(size == total * (int) sizeof(double), "indexed size %d", size);
    memset(got, 0, sizeof(got));
    dt_xfer(m, 1, idx, got, 1, idx);
    bad = 0;
    for (i = 0; i < DT_ROWS; i++)
        for (j = 0; j < DT_COLS; j++)
            bad += got[i][j] != (j <= i ? dt_val(dt_prev, i * DT_COLS + j) : 0);
    mt_check(bad == 0, "indexed triangle: %d wrong", bad);
    MPI_Type_free(&contig);
    MPI_Type_free(&column);
    MPI_Type_free(&idx);
}

static void dt_struct_subarray(void)
{
    struct dt_particle p[5], q[5];
    MPI_Datatype raw, particle;
    int blens[3] = {1, 1, 1}, i, bad = 0;
    MPI_Aint disps[3] = {offsetof(struct dt_particle, x), offsetof(struct dt_particle, id),
                         offsetof(struct dt_particle, tag)};
    MPI_Datatype types[3] = {MPI_DOUBLE, MPI_INT, MPI_CHAR};

    MPI_Type_create_struct(3, blens, disps, types, &raw);
    MPI_Type_create_resized(raw, 0, sizeof(struct dt_particle), &particle);
    MPI_Type_commit(&particle);
    MPI_Aint lb, extent;
    MPI_Type_get_extent(particle, &lb, &extent);
    mt_check(lb == 0 && extent == (MPI_Aint) sizeof(struct dt_particle), "struct extent %ld",
             (long) extent);
    for (i = 0; i < 5; i++) {
        p[i].x = dt_val(mt_rank, i);
        p[i].id = mt_rank * 10 + i;
        p[i].tag = (char) ('a' + i + mt_rank);
    }
    memset(q, 0, sizeof(q));
    dt_xfer(p, 5, particle, q, 5, particle);
    for (i = 0; i < 5; i++)
        bad += q[i].x != dt_val(dt_prev, i) || q[i].id != dt_prev * 10 + i ||
               q[i].tag != (char) ('a' + i + dt_prev);
    mt_check(bad == 0, "struct array: %d wrong", bad);
    MPI_Type_free(&raw);
    MPI_Type_free(&particle);

    /* subarray: the 3x4 block at (2,1) of the 6x7 matrix into the same place */
    double m[DT_ROWS][DT_COLS], got[DT_ROWS][DT_COLS];
    int sizes[2] = {DT_ROWS, DT_COLS}, sub[2] = {3, 4}, start[2] = {2, 1}, j;
    MPI_Datatype block;
    for (i = 0; i < DT_ROWS; i++)
        for (j = 0; j < DT_COLS; j++)
            m[i][j] = dt_val(mt_rank, i * DT_COLS + j);
    MPI_Type_create_subarray(2, sizes, sub, start, MPI_ORDER_C, MPI_DOUBLE, &block);
    MPI_Type_commit(&block);
    memset(got, 0, sizeof(got));
    dt_xfer(m, 1, block, got, 1, block);
    bad = 0;
    for (i = 0; i < DT_ROWS; i++)
        for (j = 0; j < DT_COLS; j++) {
            int inside = i >= 2 && i < 5 && j >= 1 && j < 5;
            bad += got[i][j] != (inside ? dt_val(dt_prev, i * DT_COLS + j) : 0);
        }
    mt_check(bad == 0, "subarray: %d wrong", bad);
    MPI_Type_free(&block);
}

static void dt_pack(void)
{
    int ints[3] = {mt_rank, mt_rank * 2, -mt_rank}, rints[3], size, pos = 0, i, bad = 0;
    double dbl[2] = {dt_val(mt_rank, 0), dt_val(mt_rank, 1)}, rdbl[2];
    char text[16], rtext[16];

    snprintf(text, sizeof(text), "from %d", mt_rank);
    MPI_Pack_size(3, MPI_INT, MPI_COMM_WORLD, &size);
    int total = size;
    MPI_Pack_size(2, MPI_DOUBLE, MPI_COMM_WORLD, &size);
    total += size;
    MPI_Pack_size(16, MPI_CHAR, MPI_COMM_WORLD, &size);
    total += size;
    char *buf = malloc(total), *rbuf = malloc(total);
    MPI_Pack(ints, 3, MPI_INT, buf, total, &pos, MPI_COMM_WORLD);
    MPI_Pack(dbl, 2, MPI_DOUBLE, buf, total, &pos, MPI_COMM_WORLD);
    MPI_Pack(text, 16, MPI_CHAR, buf, total, &pos, MPI_COMM_WORLD);
    mt_check(pos <= total, "packed %d bytes, Pack_size said %d", pos, total);

    MPI_Status st;
    int count;
    MPI_Sendrecv(buf, pos, MPI_PACKED, dt_next, 4, rbuf, total, MPI_PACKED, dt_prev, 4,
                 MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_PACKED, &count);
    mt_check(count == pos, "received %d packed bytes, sent %d", count, pos);
    pos = 0;
    MPI_Unpack(rbuf, count, &pos, rints, 3, MPI_INT, MPI_COMM_WORLD);
    MPI_Unpack(rbuf, count, &pos, rdbl, 2, MPI_DOUBLE, MPI_COMM_WORLD);
    MPI_Unpack(rbuf, count, &pos, rtext, 16, MPI_CHAR, MPI_COMM_WORLD);
    bad += rints[0] != dt_prev || rints[1] != dt_prev * 2 || rints[2] != -dt_prev;
    for (i = 0; i < 2; i++)
        bad += rdbl[i] != dt_val(dt_prev, i);
    snprintf(text, sizeof(text), "from %d", dt_prev);
    bad += strcmp(rtext, text) != 0;
    mt_check(bad == 0, "unpacked %d %d %d %g %g '%.16s'", rints[0], rints[1], rints[2],
             rdbl[0], rdbl[1], rtext);
    free(buf);
    free(rbuf);
}

int main(int argc, char **argv)
{
    mt_init(&argc, &argv, "dtype");
    mt_need_ranks(2);
    dt_next = (mt_rank + 1) % mt_size;
    dt_prev = (mt_rank + mt_size - 1) % mt_size;
    dt_simple();
    dt_struct_subarray();
    dt_pack();
    return mt_finish("contiguous, vector, indexed, struct+resized, subarray, pack/unpack");
}

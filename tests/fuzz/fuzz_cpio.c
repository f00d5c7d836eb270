/*
 * fuzz_cpio.c - the newc archive reader (libc/cpio.c) over an archive in
 * a heap copy of exactly the input's size.
 *
 * Properties: every file handed over lies inside the archive (its bytes
 * are all read, so ASan checks that too), its path is absolute, NUL-
 * terminated and no longer than a header allows, and a callback error
 * stops the walk and comes back as is.
 */
#include "fuzz.h"
#include "cpio.h"

struct walk {
    const uint8_t *archive;
    size_t size;
    unsigned files, stop_after;
    unsigned sum;
};

static int on_file(void *ctx, const char *path, const void *data, size_t size)
{
    struct walk *w = ctx;
    const uint8_t *d = data;

    FUZZ_CHECK(path[0] == '/' && strlen(path) <= 1025);
    FUZZ_CHECK(d >= w->archive && size <= w->size && d - w->archive <= (ptrdiff_t)(w->size - size));
    for (size_t i = 0; i < size; i++)
        w->sum += d[i];
    if (++w->files == w->stop_after)
        return 42;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* Byte 0: after how many files the callback fails (0: never). */
    struct walk w = { NULL, size - 1, 0, data[0], 0 };
    uint8_t *archive = fuzz_copy(data + 1, size - 1, 0);

    w.archive = archive;
    int err = cpio_each(archive, size - 1, on_file, &w);
    FUZZ_CHECK(err == CPIO_OK || err == CPIO_EMALFORMED || err == 42);
    FUZZ_CHECK((err == 42) == (w.stop_after && w.files == w.stop_after));
    free(archive);
    return 0;
}

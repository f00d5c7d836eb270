/*
 * test_cpio.c - the newc reader against archives built here.
 */
#include "check.h"
#include "cpio.h"

#include <stdio.h>
#include <string.h>

static char archive[8192];
static size_t used;

static void add(const char *name, unsigned mode, const char *data)
{
    size_t namesize = strlen(name) + 1, filesize = data ? strlen(data) : 0;

    used += (size_t)sprintf(archive + used,
                            "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
                            1u, mode, 0u, 0u, 1u, 0u, filesize, 0u, 0u, 0u, 0u, namesize, 0u);
    memcpy(archive + used, name, namesize);
    used = (used + namesize + 3) & ~(size_t)3;
    if (filesize)
        memcpy(archive + used, data, filesize);
    used = (used + filesize + 3) & ~(size_t)3;
}

struct seen {
    int count;
    char paths[4][64];
    char data[4][64];
};

static int record(void *ctx, const char *path, const void *data, size_t size)
{
    struct seen *s = ctx;

    if (s->count == 4)
        return 99;
    snprintf(s->paths[s->count], 64, "%s", path);
    snprintf(s->data[s->count], 64, "%.*s", (int)size, (const char *)data);
    s->count++;
    return 0;
}

static void test_files_and_dirs(void)
{
    struct seen s = { 0 };

    used = 0;
    add("data", 040755, NULL);
    add("data/a.txt", 0100644, "alpha");
    add("./b", 0100600, "bravo!");
    add("/abs/c", 0100644, "");
    add("TRAILER!!!", 0, NULL);
    CHECK(cpio_each(archive, used, record, &s) == CPIO_OK);
    CHECK(s.count == 3);
    CHECK(!strcmp(s.paths[0], "/data/a.txt") && !strcmp(s.data[0], "alpha"));
    CHECK(!strcmp(s.paths[1], "/b") && !strcmp(s.data[1], "bravo!"));
    CHECK(!strcmp(s.paths[2], "/abs/c") && !strcmp(s.data[2], ""));
}

static void test_malformed(void)
{
    struct seen s = { 0 };

    used = 0;
    add("x", 0100644, "0123456789");
    add("TRAILER!!!", 0, NULL);
    CHECK(cpio_each(archive, 50, record, &s) == CPIO_OK && s.count == 0);   /* truncated header */
    CHECK(cpio_each(archive, 120, record, &s) == CPIO_EMALFORMED);          /* data cut off */
    archive[0] = '8';
    CHECK(cpio_each(archive, used, record, &s) == CPIO_EMALFORMED);         /* bad magic */
    archive[0] = '0';
    archive[6 + 8 * 6] = 'Z';                                               /* bad hex */
    CHECK(cpio_each(archive, used, record, &s) == CPIO_EMALFORMED);
}

static void test_callback_error_stops(void)
{
    struct seen s = { .count = 4 };

    used = 0;
    add("x", 0100644, "1");
    add("TRAILER!!!", 0, NULL);
    CHECK(cpio_each(archive, used, record, &s) == 99);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "files_and_dirs", test_files_and_dirs },
        { "malformed", test_malformed },
        { "callback_error_stops", test_callback_error_stops },
    };
    return check_run("cpio", cases, sizeof(cases) / sizeof(cases[0]));
}

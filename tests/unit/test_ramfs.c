/*
 * test_ramfs.c - the in-memory file system: names, bytes, and lifetimes.
 */
#include "check.h"
#include "ramfs.h"

#include <stdlib.h>
#include <string.h>

static struct ramfs fs;

static void fresh(void)
{
    ramfs_destroy(&fs);
    CHECK(ramfs_init(&fs, (struct ramfs_allocator){ malloc, realloc, free }) == RAMFS_OK);
}

static void test_normalize(void)
{
    char out[RAMFS_PATH_MAX];

    CHECK(ramfs_normalize("/", out) == RAMFS_OK && !strcmp(out, "/"));
    CHECK(ramfs_normalize("//tmp///x/", out) == RAMFS_OK && !strcmp(out, "/tmp/x"));
    CHECK(ramfs_normalize("/tmp/./a/../b", out) == RAMFS_OK && !strcmp(out, "/tmp/b"));
    CHECK(ramfs_normalize("/../..", out) == RAMFS_OK && !strcmp(out, "/"));
    CHECK(ramfs_normalize("relative", out) == RAMFS_EINVAL);
    CHECK(ramfs_normalize("", out) == RAMFS_EINVAL);
    char *longpath = malloc(RAMFS_PATH_MAX + 10);
    memset(longpath, 'a', RAMFS_PATH_MAX + 9);
    longpath[0] = '/';
    longpath[RAMFS_PATH_MAX + 9] = '\0';
    CHECK(ramfs_normalize(longpath, out) == RAMFS_ENAMETOOLONG);
    free(longpath);
}

static void test_create_and_lookup(void)
{
    struct ramfs_node *n, *f;

    fresh();
    CHECK(ramfs_create(&fs, "/tmp", true, &n) == RAMFS_OK && n->is_dir);
    CHECK(ramfs_create(&fs, "/tmp/a.txt", false, &f) == RAMFS_OK && !f->is_dir);
    CHECK(ramfs_create(&fs, "/tmp/a.txt", false, NULL) == RAMFS_EEXIST);
    CHECK(ramfs_lookup(&fs, "/tmp//a.txt", &n) == RAMFS_OK && n == f);
    CHECK(ramfs_lookup(&fs, "/tmp/missing", &n) == RAMFS_ENOENT);
    CHECK(ramfs_create(&fs, "/nodir/x", false, NULL) == RAMFS_ENOENT);
    CHECK(ramfs_create(&fs, "/tmp/a.txt/x", false, NULL) == RAMFS_ENOTDIR);
    CHECK(ramfs_lookup(&fs, "/", &n) == RAMFS_OK && n == fs.root);
    CHECK(ramfs_create(&fs, "/", true, NULL) == RAMFS_EEXIST);
}

static void test_read_write(void)
{
    struct ramfs_node *f;
    char buf[64];

    fresh();
    ramfs_create(&fs, "/f", false, &f);
    CHECK(ramfs_write(&fs, f, 0, "hello", 5) == 5);
    CHECK(ramfs_write(&fs, f, 10, "world", 5) == 5 && f->size == 15);
    memset(buf, 'x', sizeof(buf));
    CHECK(ramfs_read(f, 0, buf, sizeof(buf)) == 15);
    CHECK(!memcmp(buf, "hello\0\0\0\0\0world", 15));
    CHECK(ramfs_read(f, 15, buf, 4) == 0);
    CHECK(ramfs_read(f, 100, buf, 4) == 0);
    CHECK(ramfs_truncate(&fs, f, 3) == RAMFS_OK && f->size == 3);
    CHECK(ramfs_truncate(&fs, f, 6) == RAMFS_OK && ramfs_read(f, 0, buf, 10) == 6);
    CHECK(!memcmp(buf, "hel\0\0\0", 6));

    /* A megabyte written in small appends comes back intact. */
    static char big[1 << 20];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7);
    for (size_t off = 0; off < sizeof(big); off += 1000) {
        size_t n = sizeof(big) - off < 1000 ? sizeof(big) - off : 1000;
        CHECK(ramfs_write(&fs, f, off, big + off, n) == (long)n);
    }
    static char back[1 << 20];
    CHECK(ramfs_read(f, 0, back, sizeof(back)) == (long)sizeof(back));
    CHECK(!memcmp(big, back, sizeof(big)));
}

static void test_directories(void)
{
    struct ramfs_node *d;
    char buf[4];

    fresh();
    ramfs_create(&fs, "/d", true, &d);
    ramfs_create(&fs, "/d/f", false, NULL);
    CHECK(ramfs_rmdir(&fs, "/d") == RAMFS_ENOTEMPTY);
    CHECK(ramfs_unlink(&fs, "/d") == RAMFS_EISDIR);
    CHECK(ramfs_rmdir(&fs, "/d/f") == RAMFS_ENOTDIR);
    CHECK(ramfs_read(d, 0, buf, 4) == -RAMFS_EISDIR);
    CHECK(ramfs_unlink(&fs, "/d/f") == RAMFS_OK);
    CHECK(ramfs_rmdir(&fs, "/d") == RAMFS_OK);
    CHECK(ramfs_rmdir(&fs, "/") == RAMFS_EBUSY);
    CHECK(ramfs_lookup(&fs, "/d", &d) == RAMFS_ENOENT);
}

static void test_unlink_while_open(void)
{
    struct ramfs_node *f, *g;
    char buf[8];

    fresh();
    ramfs_create(&fs, "/f", false, &f);
    ramfs_write(&fs, f, 0, "data", 4);
    ramfs_ref(f);
    CHECK(ramfs_unlink(&fs, "/f") == RAMFS_OK);
    CHECK(ramfs_lookup(&fs, "/f", &g) == RAMFS_ENOENT);
    CHECK(ramfs_read(f, 0, buf, 8) == 4 && !memcmp(buf, "data", 4));
    CHECK(ramfs_create(&fs, "/f", false, &g) == RAMFS_OK && g != f && g->size == 0);
    ramfs_unref(&fs, f);                /* frees the unlinked node (ASan checks) */
}

static void test_external_readonly(void)
{
    static const char image[] = "input bytes";
    struct ramfs_node *f;

    fresh();
    CHECK(ramfs_add_external(&fs, "/data/in/file.dat", image, sizeof(image)) == RAMFS_OK);
    CHECK(ramfs_lookup(&fs, "/data/in/file.dat", &f) == RAMFS_OK && f->readonly);
    CHECK(f->data == (const uint8_t *)image);
    CHECK(ramfs_write(&fs, f, 0, "x", 1) == -RAMFS_EROFS);
    CHECK(ramfs_truncate(&fs, f, 0) == RAMFS_EROFS);
    CHECK(ramfs_add_external(&fs, "/data/in/file.dat", image, 1) == RAMFS_EEXIST);
    CHECK(ramfs_add_external(&fs, "/data/other", image, 1) == RAMFS_OK);
    CHECK(ramfs_unlink(&fs, "/data/in/file.dat") == RAMFS_OK);  /* never frees image */
}

int main(void)
{
    static const struct check_case cases[] = {
        { "normalize", test_normalize },
        { "create_and_lookup", test_create_and_lookup },
        { "read_write", test_read_write },
        { "directories", test_directories },
        { "unlink_while_open", test_unlink_while_open },
        { "external_readonly", test_external_readonly },
    };
    int failed = check_run("ramfs", cases, sizeof(cases) / sizeof(cases[0]));
    ramfs_destroy(&fs);
    return failed;
}

/*
 * standalone.c - runs a fuzz harness over files, without libFuzzer: the
 * corpus replay of `make check`, built with gcc so it needs no clang.
 *
 *   fuzz_cmdline-replay FILE|DIR...
 *
 * Every regular file named, or found directly in a directory named (in
 * name order), is passed once to LLVMFuzzerTestOneInput. Before each the
 * file's name goes to stderr, so the last name printed is the input that
 * crashed. Prints "N inputs" and exits 0 when all ran.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned ran;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        perror(path);
        return 1;
    }
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            buf = realloc(buf, cap);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n);
    fclose(f);
    /* An exact-size copy, as libFuzzer hands it: ASan sees its end. */
    uint8_t *input = malloc(len ? len : 1);
    if (len)
        memcpy(input, buf, len);
    free(buf);
    fprintf(stderr, "input %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(input, len);
    free(input);
    ran++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t count = 0;
    int err = 0;

    if (!d) {
        perror(dir);
        return 1;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (count + 1) * sizeof(*names));
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        names[count] = malloc(n);
        snprintf(names[count++], n, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof(*names), by_name);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (!stat(names[i], &st) && S_ISREG(st.st_mode))
            err |= run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return err;
}

int main(int argc, char **argv)
{
    int err = 0;

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            perror(argv[i]);
            err = 1;
        } else {
            err |= S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
        }
    }
    printf("%u inputs\n", ran);
    return err;
}

/*
 * memory.c - anonymous mmap, munmap and mprotect as a program sees them.
 *
 *   memory calls          every call's results and errors: "ok memory"
 *   memory guard          touches a page made PROT_NONE: must fault
 *   memory readonly       writes to a page made PROT_READ: must fault
 *   memory guard-other-cpu
 *                         a thread on the last CPU reads a page, main makes it
 *                         PROT_NONE, the thread reads again: must fault there too
 *
 * The faulting cases print a line before the access; the suite checks
 * the kernel's page-fault report and status 114 after it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s (errno %d)\n", what, errno);
        failures++;
    }
}

static char *map(size_t len, int prot)
{
    return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void lengths(void)
{
    static const size_t huge[] = { SIZE_MAX, SIZE_MAX - 100, SIZE_MAX - PAGE + 2, SIZE_MAX / 2 };

    /* Rounding SIZE_MAX - 100 up to pages wrapped to 0: a tiny block "succeeded". */
    for (unsigned i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
        errno = 0;
        check(map(huge[i], PROT_READ | PROT_WRITE) == MAP_FAILED && errno == ENOMEM,
              "a length near SIZE_MAX is refused with ENOMEM");
    }
    errno = 0;
    check(map(0, PROT_READ) == MAP_FAILED && errno == EINVAL, "length 0 is EINVAL");
    errno = 0;
    check(map(PAGE, PROT_READ | PROT_EXEC) == MAP_FAILED && errno == ENOTSUP,
          "executable anonymous memory is refused (W^X)");
}

static void unmapping(void)
{
    static _Alignas(PAGE) char not_mapped[2 * PAGE];
    char *m = malloc(3 * PAGE), *aligned = (char *)(((uintptr_t)m + PAGE - 1) & ~(uintptr_t)(PAGE - 1));

    /* munmap used to free() any page-aligned pointer: a malloc block, static data. */
    memset(m, 0x5A, 3 * PAGE);
    errno = 0;
    check(munmap(aligned, PAGE) == -1 && errno == EINVAL, "munmap of malloc'd memory is EINVAL");
    errno = 0;
    check(munmap(not_mapped, PAGE) == -1 && errno == EINVAL, "munmap of static data is EINVAL");
    check(m[0] == 0x5A && m[3 * PAGE - 1] == 0x5A, "the malloc block is untouched");
    free(m);

    char *p = map(4 * PAGE, PROT_READ | PROT_WRITE);
    check(p != MAP_FAILED, "mmap 4 pages");
    for (size_t i = 0; i < 4 * PAGE; i++)
        if (p[i]) {
            check(0, "mmap memory is zeroed");
            break;
        }
    memset(p, 1, 4 * PAGE);
    errno = 0;
    check(munmap(p + 1, PAGE) == -1 && errno == EINVAL, "an unaligned munmap is EINVAL");
    errno = 0;
    check(munmap(p + 3 * PAGE, 2 * PAGE) == -1 && errno == EINVAL,
          "munmap past the end of a mapping is EINVAL");
    /* Trimming head and tail, as aligned allocators do. */
    check(munmap(p, PAGE) == 0, "munmap of the first page");
    check(munmap(p + 3 * PAGE, PAGE) == 0, "munmap of the last page");
    check(p[PAGE] == 1 && p[3 * PAGE - 1] == 1, "the middle stays mapped");
    errno = 0;
    check(munmap(p, PAGE) == -1 && errno == EINVAL, "munmap of a page already unmapped is EINVAL");
    check(munmap(p + PAGE, 2 * PAGE) == 0, "munmap of the rest");
    errno = 0;
    check(munmap(p + PAGE, 2 * PAGE) == -1 && errno == EINVAL, "a second munmap is EINVAL");
}

static void protecting(void)
{
    static _Alignas(PAGE) char data[PAGE];
    char *p = map(3 * PAGE, PROT_READ | PROT_WRITE);

    check(p != MAP_FAILED, "mmap 3 pages");
    memset(p, 7, 3 * PAGE);
    check(mprotect(p + PAGE, PAGE, PROT_READ) == 0, "mprotect PROT_READ");
    check(p[PAGE] == 7, "a read-only page reads");
    check(mprotect(p + PAGE, PAGE, PROT_NONE) == 0, "mprotect PROT_NONE");
    check(mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect back to read-write");
    check(p[PAGE] == 7 && p[2 * PAGE - 1] == 7, "contents survive PROT_NONE");
    p[PAGE] = 8;
    check(p[0] == 7 && p[2 * PAGE] == 7, "neighbours untouched");
    errno = 0;
    check(mprotect(p + 1, PAGE, PROT_NONE) == -1 && errno == EINVAL, "an unaligned mprotect is EINVAL");
    errno = 0;
    check(mprotect(p, PAGE, PROT_READ | PROT_EXEC) == -1 && errno == ENOTSUP,
          "PROT_EXEC is refused (W^X)");
    errno = 0;
    check(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ) == -1 && errno == ENOMEM,
          "mprotect past the end of a mapping is ENOMEM");
    /* It used to return 0 for anything: a guard page that does not exist. */
    errno = 0;
    check(mprotect(data, PAGE, PROT_NONE) == -1 && errno == ENOTSUP,
          "mprotect of memory mmap did not return is refused");
    check(munmap(p, 3 * PAGE) == 0, "munmap after mprotect");

    /* A reservation made PROT_NONE, opened a page at a time. */
    char *r = map(8 * PAGE, PROT_NONE);
    check(r != MAP_FAILED, "mmap PROT_NONE");
    check(mprotect(r + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE) == 0, "open part of it");
    check(r[2 * PAGE] == 0 && (r[4 * PAGE - 1] = 3) == 3, "the opened part is zeroed and writable");
    check(munmap(r, 8 * PAGE) == 0, "munmap of a partly open reservation");

    /* 8 MiB: large pages, one 4 KiB page in the middle made a guard. */
    size_t big = 8u << 20;
    char *b = map(big, PROT_READ | PROT_WRITE);
    check(b != MAP_FAILED, "mmap 8 MiB");
    memset(b, 9, big);
    check(mprotect(b + (3u << 20) + 5 * PAGE, PAGE, PROT_NONE) == 0, "a guard inside a large page");
    check(b[3u << 20] == 9 && b[(3u << 20) + 6 * PAGE] == 9 && b[big - 1] == 9,
          "the rest of the large page still reads");
    check(munmap(b, big) == 0, "munmap 8 MiB");
}

static char *volatile shared_page;
static volatile int stage;

static void *toucher(void *arg)
{
    (void)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) - 1, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    printf("toucher on CPU %d reads %d\n", sched_getcpu(), shared_page[0]);
    stage = 1;
    while (stage != 2)
        ;
    printf("toucher reads the page again after PROT_NONE\n");
    fflush(stdout);
    printf("read %d: the guard did not fault\n", shared_page[0]);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";

    if (!strcmp(what, "calls")) {
        lengths();
        unmapping();
        protecting();
        printf("%d failures\n", failures);
        puts(failures ? "FAIL memory" : "ok memory");
        return failures != 0;
    }
    if (!strcmp(what, "guard") || !strcmp(what, "readonly")) {
        char *p = map(2 * PAGE, PROT_READ | PROT_WRITE);
        int prot = !strcmp(what, "guard") ? PROT_NONE : PROT_READ;
        if (p == MAP_FAILED || mprotect(p + PAGE, PAGE, prot) != 0) {
            printf("FAIL: mmap/mprotect (errno %d)\n", errno);
            return 1;
        }
        p[0] = 1;
        printf("writing to the %s page at %p\n", what, (void *)(p + PAGE));
        fflush(stdout);
        ((volatile char *)p)[PAGE] = 1;
        printf("FAIL: the write did not fault\n");
        return 1;
    }
    if (!strcmp(what, "guard-other-cpu")) {
        pthread_t t;
        shared_page = map(PAGE, PROT_READ | PROT_WRITE);
        shared_page[0] = 42;
        pthread_create(&t, NULL, toucher, NULL);
        while (stage != 1)
            ;
        printf("main on CPU %d makes the page PROT_NONE: %d\n", sched_getcpu(),
               mprotect(shared_page, PAGE, PROT_NONE));
        fflush(stdout);
        stage = 2;
        pthread_join(t, NULL);
        return 1;
    }
    printf("memory: unknown case '%s'\n", what);
    return 2;
}

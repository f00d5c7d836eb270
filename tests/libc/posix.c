/*
 * posix.c - the POSIX and glibc calls code written for Linux expects,
 * each checked against what this system can truthfully answer. Prints
 * "ok NAME" or "FAIL NAME: why" per check, then "posix: N checks, M failed"
 * and exits with M (capped at 100).
 *
 *   posix EXPECTED_CPUS HOSTNAME
 *
 * Includes only what the code it stands for includes: the wait-status
 * macros come through <stdlib.h>, as glibc's programs find them.
 */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"

/* Burns CPU time for getrusage to see: about ms milliseconds of work. */
static double spin(int ms)
{
    volatile double x = 1.0;
    struct timespec start, now;

    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        for (int i = 0; i < 10000; i++)
            x = x * 1.0000001 + 1e-9;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
    return x;
}

static void wait_macros(void)
{
    int exited3 = 3 << 8, killed9 = 9;

    check("wait-macros-via-stdlib",
          WIFEXITED(exited3) && WEXITSTATUS(exited3) == 3 && !WIFSIGNALED(exited3) &&
              WIFSIGNALED(killed9) && WTERMSIG(killed9) == 9 && !WIFEXITED(killed9),
          "WIFEXITED/WEXITSTATUS/WIFSIGNALED/WTERMSIG decode wrongly");
}

static void popen_fails_cleanly(void)
{
    errno = 0;
    FILE *f = popen("gnuplot -persist", "w");
    int popen_errno = errno;
    errno = 0;
    int closed = pclose(stdout);
    int pclose_errno = errno;

    check("popen-enosys", !f && popen_errno == ENOSYS, "popen did not fail with ENOSYS");
    check("pclose-echild", closed == -1 && pclose_errno == ECHILD,
          "pclose of a stream popen never made did not fail with ECHILD");
}

static void identity(const char *hostname)
{
    struct utsname u;

    check("uname", uname(&u) == 0 && !strcmp(u.sysname, "HermitCore-C") &&
                       !strcmp(u.nodename, hostname) && !strcmp(u.machine, "x86_64"),
          "uname's sysname, nodename or machine is wrong");
    printf("uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    check("uid-gid", getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0,
          "the one user is not uid/gid 0");
}

static void usage(void)
{
    struct rusage before, after, children;

    getrusage(RUSAGE_SELF, &before);
    spin(200);
    int r = getrusage(RUSAGE_SELF, &after);
    long used_ms = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1000 +
                   (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1000;
    printf("getrusage: 200 ms of work took %ld ms of CPU, maxrss %ld KiB\n", used_ms,
           after.ru_maxrss);
    check("getrusage-self-time", r == 0 && used_ms >= 150 && used_ms <= 1000,
          "ru_utime did not advance by about the work done");
    check("getrusage-maxrss", after.ru_maxrss > 1024 && after.ru_maxrss >= before.ru_maxrss,
          "ru_maxrss is not a plausible, non-decreasing size");
    r = getrusage(RUSAGE_CHILDREN, &children);
    check("getrusage-children-zero", r == 0 && children.ru_utime.tv_sec == 0 &&
                                         children.ru_utime.tv_usec == 0 && children.ru_maxrss == 0,
          "a process without children reported child usage");
    errno = 0;
    check("getrusage-bad-who", getrusage(42, &children) == -1 && errno == EINVAL,
          "an unknown who did not fail with EINVAL");
}

static void *stack_limit_of_thread(void *out)
{
    struct rlimit *limit = out;

    if (getrlimit(RLIMIT_STACK, limit))
        limit->rlim_cur = 0;
    return NULL;
}

static void limits(void)
{
    struct rlimit stack, files, core, as, same, other, thread_stack = { 0, 0 };
    pthread_attr_t attr;
    pthread_t t;

    int r = getrlimit(RLIMIT_STACK, &stack) | getrlimit(RLIMIT_NOFILE, &files) |
            getrlimit(RLIMIT_CORE, &core) | getrlimit(RLIMIT_AS, &as);
    printf("getrlimit: stack %llu nofile %llu core %llu\n", (unsigned long long)stack.rlim_cur,
           (unsigned long long)files.rlim_cur, (unsigned long long)core.rlim_cur);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    if (pthread_create(&t, &attr, stack_limit_of_thread, &thread_stack) == 0)
        pthread_join(t, NULL);
    printf("getrlimit: a thread made with a 1 MiB stack sees %llu\n",
           (unsigned long long)thread_stack.rlim_cur);
    check("getrlimit-stack",
          r == 0 && stack.rlim_cur >= 64 * 1024 && stack.rlim_cur < RLIM_INFINITY &&
              thread_stack.rlim_cur >= (1 << 20) && thread_stack.rlim_cur < (1 << 20) + 65536,
          "RLIMIT_STACK is not the calling thread's own stack");
    check("getrlimit-nofile", files.rlim_cur == (rlim_t)sysconf(_SC_OPEN_MAX),
          "RLIMIT_NOFILE disagrees with sysconf(_SC_OPEN_MAX)");
    check("getrlimit-core-as", core.rlim_cur == 0 && as.rlim_cur == RLIM_INFINITY,
          "RLIMIT_CORE is not 0 or RLIMIT_AS is not unlimited");
    same = stack;
    other = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
    errno = 0;
    int keep = setrlimit(RLIMIT_STACK, &same), grow = setrlimit(RLIMIT_STACK, &other);
    check("setrlimit-keeps-only-current", keep == 0 && grow == -1 && errno == EPERM,
          "setrlimit did not keep the current value and refuse a change with EPERM");
    errno = 0;
    check("getrlimit-bad-resource", getrlimit(99, &other) == -1 && errno == EINVAL,
          "an unknown resource did not fail with EINVAL");
}

static void machine(int cpus)
{
    struct sysinfo si;

    int r = sysinfo(&si);
    printf("sysinfo: uptime %ld s, ram %lu KiB, free %lu KiB, procs %u, nprocs %d\n", si.uptime,
           si.totalram / 1024, si.freeram / 1024, si.procs, get_nprocs());
    check("get-nprocs", get_nprocs() == cpus && get_nprocs_conf() == cpus,
          "get_nprocs/get_nprocs_conf is not the number of vCPUs");
    check("sysinfo", r == 0 && si.mem_unit == 1 && si.totalram > si.freeram &&
                         si.freeram > 0 && si.procs >= 1 && si.totalswap == 0,
          "sysinfo's memory or thread figures are implausible");
}

static void lines_and_paths(void)
{
    char text[] = "first line\nsecond\n\nlast without newline";
    FILE *f = fmemopen(text, strlen(text), "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int count = 0, ok = f != NULL;

    static const char *const want[] = { "first line\n", "second\n", "\n",
                                        "last without newline" };
    while (f && (n = getline(&line, &cap, f)) >= 0) {
        ok &= count < 4 && (size_t)n == strlen(want[count]) && !strcmp(line, want[count]);
        count++;
    }
    check("getline", ok && count == 4, "getline did not return the four lines");
    if (f)
        rewind(f);
    n = f ? getdelim(&line, &cap, ' ', f) : -1;
    check("getdelim", n == 6 && !strcmp(line, "first "), "getdelim did not stop at the space");
    free(line);
    if (f)
        fclose(f);

    static const char *const cases[][3] = {     /* path, dirname, basename */
        { "/usr/lib", "/usr", "lib" }, { "/usr/", "/", "usr" }, { "usr", ".", "usr" },
        { "/", "/", "/" }, { "//", "/", "/" }, { "", ".", "." }, { "a/b//", "a", "b" },
    };
    ok = 1;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char d[16], b[16];
        strcpy(d, cases[i][0]);
        strcpy(b, cases[i][0]);
        ok &= !strcmp(dirname(d), cases[i][1]) && !strcmp(basename(b), cases[i][2]);
    }
    check("dirname-basename", ok, "dirname or basename split a path the POSIX way wrongly");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: posix EXPECTED_CPUS HOSTNAME\n");
        return 2;
    }
    wait_macros();
    popen_fails_cleanly();
    identity(argv[2]);
    usage();
    limits();
    machine(atoi(argv[1]));
    lines_and_paths();
    return check_summary("posix");
}

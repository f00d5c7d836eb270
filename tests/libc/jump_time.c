/*
 * jump_time.c - setjmp/longjmp, clocks, sleeping and time conversion.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static jmp_buf env;
static int counter_after_jump;
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

static void deep(int n)
{
    if (n > 1000)
        return;
    if (n <= 0)
        longjmp(env, 42);
    deep(n - 1);
    counter_after_jump++;               /* never reached */
}

static long long ns(const struct timespec *t)
{
    return t->tv_sec * 1000000000ll + t->tv_nsec;
}

int main(void)
{
    volatile int counter = 0;
    int r = setjmp(env);

    counter++;
    if (r == 0)
        deep(10);
    check(r == 42 && counter == 2 && !counter_after_jump, "longjmp returns its value to setjmp");

    struct timespec a, b, res;
    check(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime MONOTONIC");
    struct timespec req = { 0, 20000000 };
    check(nanosleep(&req, NULL) == 0, "nanosleep");
    clock_gettime(CLOCK_MONOTONIC, &b);
    check(ns(&b) - ns(&a) >= 20000000, "nanosleep sleeps at least as long as asked");
    usleep(1000);
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_nsec > 0, "clock_getres");
    check(clock_gettime(12345, &a) == -1, "unknown clock refused");

    time_t now = time(NULL);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    check(now > 1600000000 && now < 4102444800, "time() is a plausible date (RTC or epoch=)");
    check(tv.tv_sec - now <= 1, "gettimeofday agrees with time");

    time_t fixed = 1700000000;
    struct tm tm;
    char text[64];
    gmtime_r(&fixed, &tm);
    strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tm);
    check(!strcmp(text, "2023-11-14 22:13:20"), "gmtime_r + strftime");
    check(mktime(&tm) != (time_t)-1, "mktime");
    printf("now %lld, %s\n", (long long)now, text);
    if (failures)
        return 1;
    puts("ok jump_time");
    return 0;
}

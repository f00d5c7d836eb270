/*
 * check.h - a minimal harness for host unit tests.
 *
 * A test is a plain function; CHECK records a failed condition with its
 * source line. check_run prints one "PASS suite.test" or "FAIL suite.test"
 * line per test, which tests/run.sh counts, and returns non-zero if any
 * test failed.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>

struct check_case {
    const char *name;
    void (*fn)(void);
};

static int check_failures;

static void check_true(int ok, const char *expr, const char *file, int line)
{
    if (!ok && check_failures++ < 8)
        printf("  %s:%d: check failed: %s\n", file, line, expr);
}

/* Stringizing the condition is the one thing a function cannot do. */
#define CHECK(cond) check_true(!!(cond), #cond, __FILE__, __LINE__)

static int check_run(const char *suite, const struct check_case *cases, size_t count)
{
    int failed = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < count; i++) {
        check_failures = 0;
        cases[i].fn();
        printf("%s %s.%s\n", check_failures ? "FAIL" : "PASS", suite, cases[i].name);
        failed |= check_failures != 0;
    }
    return failed;
}

#endif

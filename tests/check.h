/*
 * check.h - the in-guest test programs' verdict lines: each check prints
 * "ok NAME" or "FAIL NAME: why"; check_summary prints "WHAT: N checks, M
 * failed" and returns M, capped at 100, for main to return as the VM's
 * exit status. Included by tests/libc/posix.c and tests/openmp/basic.c.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>

static int checks_run, checks_failed;

static void check(const char *name, int ok, const char *why)
{
    checks_run++;
    if (ok) {
        printf("ok %s\n", name);
    } else {
        checks_failed++;
        printf("FAIL %s: %s\n", name, why);
    }
}

static int check_summary(const char *what)
{
    printf("%s: %d checks, %d failed\n", what, checks_run, checks_failed);
    return checks_failed > 100 ? 100 : checks_failed;
}

#endif

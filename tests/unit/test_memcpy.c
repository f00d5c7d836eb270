/*
 * test_memcpy.c - kernel/memcpy.c (built here as kernel_memcpy) against a
 * byte loop: every length up to 600 and a few large ones, at every
 * source and destination alignment within 8 bytes; the bytes around the
 * destination stay as they were, and the return value is the
 * destination.
 */
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *kernel_memcpy(void *restrict dst, const void *restrict src, size_t n);

#define GUARD 16
#define MAX   (70000 + 2 * GUARD + 8)

static uint8_t src[MAX], dst[MAX], want[MAX];

/* Copies n bytes at the given alignments; 0 if anything differs from the byte loop. */
static int copy_right(size_t n, size_t sa, size_t da)
{
    memset(dst, 0xA5, n + 2 * GUARD + 8);
    memset(want, 0xA5, n + 2 * GUARD + 8);
    for (size_t i = 0; i < n; i++)
        want[GUARD + da + i] = src[sa + i];
    if (kernel_memcpy(dst + GUARD + da, src + sa, n) != dst + GUARD + da)
        return 0;
    return memcmp(dst, want, n + 2 * GUARD + 8) == 0;
}

static void every_length_and_alignment(void)
{
    int bad = 0;

    for (size_t n = 0; n <= 600; n++)
        for (size_t sa = 0; sa < 8; sa++)
            for (size_t da = 0; da < 8; da++)
                bad += !copy_right(n, sa, da);
    CHECK(bad == 0);
}

static void large(void)
{
    static const size_t sizes[] = { 1460, 4095, 4096, 65536, 65537, 70000 };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (size_t a = 0; a < 8; a += 3)
            CHECK(copy_right(sizes[i], a, 7 - a));
}

int main(void)
{
    static const struct check_case cases[] = {
        { "every_length_and_alignment", every_length_and_alignment },
        { "large", large },
    };

    srand(1460);
    for (size_t i = 0; i < MAX; i++)
        src[i] = (uint8_t)rand();
    return check_run("memcpy", cases, sizeof(cases) / sizeof(cases[0]));
}

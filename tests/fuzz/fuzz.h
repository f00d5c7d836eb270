/*
 * fuzz.h - shared helpers of the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput and is linked either with
 * libFuzzer (clang -fsanitize=fuzzer: `make fuzz`) or with standalone.c
 * (gcc: `make check` replays the corpora through it), both under
 * AddressSanitizer and UBSan, so a read past a buffer is a crash.
 *
 * FUZZ_CHECK states a property the parser promises; a broken one aborts
 * with the harness's line, which both drivers report as a crash.
 *
 * FUZZ_KNOWN_BUGS (0 by default): a harness whose target has a known,
 * open bug (issue 15) steers around inputs that reach it, so that the
 * fuzzer looks for new ones instead of finding the old one again. Built
 * with -DFUZZ_KNOWN_BUGS=1 it does not, and the reproducers in
 * tests/fuzz/corpus-known/ crash it until the bug is fixed.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_KNOWN_BUGS
#define FUZZ_KNOWN_BUGS 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
    abort();
}

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))

/* Reads an input front to back; past its end every read yields zeros. */
struct fuzz_in {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* A heap copy of exactly n bytes (plus `extra` zero bytes): ASan sees its end. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t n, size_t extra)
{
    uint8_t *p = malloc(n + extra ? n + extra : 1);

    if (n)
        memcpy(p, data, n);
    memset(p + n, 0, extra);
    return p;
}

#endif

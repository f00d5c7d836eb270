/*
 * ktest_fpu.c - vector registers survive thread switches.
 *
 * Several threads share one core and each keeps its own values in SSE
 * (xmm) and, where the CPU has AVX, ymm registers across yields; built with
 * the application flags, so the compiler may use SSE here too.
 */
#include "console.h"
#include "cpu.h"
#include "percpu.h"
#include "thread.h"

#include <stdint.h>

int ktest_fpu(void);

/*
 * The yield happens inside the asm: between two asm statements the
 * compiler may use the register itself, and before a call it emits
 * vzeroupper, which clears the upper ymm halves legitimately.
 */
#define CALL_CLOBBERS "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc"

static int have_avx(void)
{
    struct cpuid_regs r = cpuid(1, 0);

    return (r.ecx >> 28) & 1 && (r.ecx >> 27) & 1;      /* AVX and OSXSAVE */
}

static void *sse_worker(void *arg)
{
    uint64_t seed = (uintptr_t)arg, errors = 0;

    for (int round = 0; round < 200; round++) {
        uint64_t in[2] = { seed * 3 + (uint64_t)round, seed * 7 }, out[2];
        __asm__ volatile("movdqu %1, %%xmm7\n\t"
                         "call thread_yield\n\t"
                         "movdqu %%xmm7, %0"
                         : "=m"(out) : "m"(in) : CALL_CLOBBERS, "xmm7");
        errors += out[0] != in[0] || out[1] != in[1];
    }
    /* Ordinary floating point through the compiler, across yields. */
    double x = (double)seed;
    for (int i = 0; i < 100; i++) {
        x = x * 1.5 + 0.25;
        thread_yield();
        x = (x - 0.25) / 1.5;
    }
    errors += x != (double)seed;
    return (void *)(uintptr_t)errors;
}

__attribute__((target("avx")))
static void *avx_worker(void *arg)
{
    uint64_t seed = (uintptr_t)arg, errors = 0;

    for (int round = 0; round < 200; round++) {
        uint64_t in[4] = { seed, seed + 1, seed * 5 + (uint64_t)round, ~seed }, out[4];
        __asm__ volatile("vmovdqu %1, %%ymm9\n\t"
                         "call thread_yield\n\t"
                         "vmovdqu %%ymm9, %0"
                         : "=m"(out) : "m"(in) : CALL_CLOBBERS, "xmm9");
        for (int k = 0; k < 4; k++)
            errors += out[k] != in[k];
    }
    return (void *)(uintptr_t)errors;
}

int ktest_fpu(void)
{
    struct thread *t[6];
    struct thread_attr same_core = { 0, 0, false, NULL };
    int avx = have_avx(), failures = 0;

    for (int i = 0; i < 6; i++) {
        void *(*fn)(void *) = (avx && (i & 1)) ? avx_worker : sse_worker;
        if (thread_create(&t[i], &same_core, fn, (void *)(uintptr_t)(0x1000 * (i + 1))))
            return 1;
    }
    for (int i = 0; i < 6; i++) {
        void *errors;
        thread_join(t[i], &errors);
        if (errors) {
            kprintf("FAIL: thread %d lost %llu vector values\n", i,
                    (unsigned long long)(uintptr_t)errors);
            failures++;
        }
    }
    kprintf("fpu: 6 threads on one core, %s\n", avx ? "SSE and AVX" : "SSE only");
    return failures;
}

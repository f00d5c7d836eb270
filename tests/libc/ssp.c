/*
 * ssp.c - the stack protector, seen from an application.
 *
 *   ssp smash    overflows a local buffer: must end with "stack smashing
 *                detected" and status 95 (EXIT_STACK_SMASHED)
 *   ssp canary   prints the canary; checks it is set (never 0, low byte
 *                0) and that %fs:0x28 holds it in main and in a thread
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern uintptr_t __stack_chk_guard;

/* Read at run time, so the compiler cannot see (or warn about) the overflow. */
static volatile size_t overflow_len = 64;

__attribute__((noinline)) static int smash(const char *src)
{
    char buf[16];

    memcpy(buf, src, overflow_len);
    __asm__ volatile("" : : "r"(buf) : "memory");
    return buf[0];
}

static uint64_t fs_guard(void)
{
    uint64_t v;

    __asm__ volatile("mov %%fs:0x28, %0" : "=r"(v));
    return v;
}

static void *thread_guard(void *out)
{
    *(uint64_t *)out = fs_guard();
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "smash";

    if (!strcmp(mode, "smash")) {
        char big[64];
        memset(big, 'A', sizeof(big));
        printf("overflowing a 16-byte buffer with %zu bytes\n", (size_t)overflow_len);
        fflush(stdout);
        smash(big);
        printf("survived the overflow\n");
        return 0;
    }
    if (!strcmp(mode, "canary")) {
        uint64_t guard = __stack_chk_guard, in_thread = 0;
        pthread_t t;
        if (pthread_create(&t, NULL, thread_guard, &in_thread) || pthread_join(t, NULL)) {
            printf("pthread failed\n");
            return 1;
        }
        printf("canary %016llx main %016llx thread %016llx\n", (unsigned long long)guard,
               (unsigned long long)fs_guard(), (unsigned long long)in_thread);
        if (!guard || (guard & 0xff) || fs_guard() != guard || in_thread != guard) {
            printf("bad canary\n");
            return 1;
        }
        printf("ok canary\n");
        return 0;
    }
    printf("unknown mode %s\n", mode);
    return 2;
}

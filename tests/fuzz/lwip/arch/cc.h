/*
 * arch/cc.h - lwIP's platform contract for the host fuzz build
 * (tests/fuzz/fuzz_lwip.c): glibc's types and errno, no diagnostics, and
 * a failed lwIP assertion is a crash.
 */
#ifndef FUZZ_ARCH_CC_H
#define FUZZ_ARCH_CC_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#define PACK_STRUCT_STRUCT __attribute__((packed))
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) \
    do { fprintf(stderr, "lwIP assertion \"%s\" at %s:%d\n", x, __FILE__, __LINE__); abort(); } while (0)
#define LWIP_RAND() ((uint32_t)rand())

#endif

/*
 * arch/cc.h - lwIP's compiler and platform contract for HermitCore-C:
 * types come from newlib's <stdint.h>, errno values are newlib's (so the
 * socket layer can hand them to POSIX callers unchanged), diagnostics go
 * to the kernel console, and a failed lwIP assertion stops the VM loudly.
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

/* x86-64: little endian; struct packing with gcc attributes. */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define PACK_STRUCT_STRUCT __attribute__((packed))

/* The compiler's byte swaps beat lwIP's portable shifts. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/* newlib has ssize_t (long) but no SSIZE_MAX; without it lwIP would
 * define ssize_t as int. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* struct timeval comes from newlib (<sys/time.h>), as POSIX callers use it. */
#define LWIP_TIMEVAL_PRIVATE 0

/* Implemented in net/sys_arch.c. */
void net_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void net_assert_fail(const char *msg, const char *file, int line);
uint32_t net_random(void);

#define LWIP_PLATFORM_DIAG(x) do { net_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_assert_fail(x, __FILE__, __LINE__)
#define LWIP_RAND() net_random()

#endif

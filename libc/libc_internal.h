/*
 * libc_internal.h - what the C library glue files share: the kernel
 * services they sit on and small helpers for errno handling.
 *
 * The glue is compiled against newlib's headers (not the kernel's
 * freestanding ones), so only the kernel headers that need nothing but
 * <stdint.h>-level types are included here.
 */
#ifndef LIBC_INTERNAL_H
#define LIBC_INTERNAL_H

#include <errno.h>

#include "spinlock.h"

/* Returns r when r >= 0; otherwise sets errno to -r and returns -1. */
static inline long syscall_result(long r)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The kernel deadline (clock_ns) of absolute time *abs on `clock`; now if past. */
uint64_t libc_deadline(clockid_t clock, const struct timespec *abs);

static inline int libc_valid_timespec(const struct timespec *t)
{
    return t && t->tv_nsec >= 0 && t->tv_nsec < 1000000000l;
}

/* times() and sysconf(_SC_CLK_TCK) count in hundredths, as Linux does. */
#define LIBC_CLK_TCK 100

/* Set-up steps run by app_start before main (start.c). */
void libc_reent_main_thread(void);
void libc_locks_init(void);
void libc_memory_init(void);
void libc_time_init(void);
void libc_env_init(void);
void libc_files_init(void);
void libc_net_init(void);       /* weak no-op unless the network layer is linked */
void libc_net_drain(void);      /* at exit: lets sent data leave (bounded); weak no-op */

/* sbrk's heap: the break and the backed high-water mark, from its base (memory.c). */
void libc_heap_usage(uint64_t *brk_bytes, uint64_t *mapped_bytes);
/* Bytes and regions mmap has handed out and munmap not taken back (memory.c). */
void libc_mmap_usage(uint64_t *bytes, unsigned *count);

/* Frees the calling thread's newlib state (thread exit). */
void libc_reent_release(void);

/* Memory that must not come from malloc (malloc's own locks, reent). */
void *libc_kernel_zalloc(size_t size);
void libc_kernel_free(void *p);

const char *hostname_option(void);

#endif

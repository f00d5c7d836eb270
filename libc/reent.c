/*
 * reent.c - a newlib reentrancy structure per thread.
 *
 * newlib is built with __DYNAMIC_REENT__, so everything that needs
 * per-thread state (errno, strtok, the stdio buffers' thread state, rand)
 * asks __getreent(). The main thread uses newlib's global structure; any
 * other thread gets its own on first use, found through a __thread
 * pointer, and gives it back when the thread ends (libc_reent_release).
 */
#include "libc_internal.h"

#include <reent.h>
#include <stdlib.h>
#include <string.h>

static __thread struct _reent *thread_reent;
static __thread int is_main_thread;

void libc_reent_main_thread(void)
{
    is_main_thread = 1;
}

struct _reent *__getreent(void)
{
    struct _reent *r = thread_reent;

    if (r)
        return r;
    if (is_main_thread)
        return _impure_ptr;
    /* Allocated with the kernel heap: malloc itself asks for __getreent. */
    r = libc_kernel_zalloc(sizeof(*r));
    if (!r)
        return _impure_ptr;             /* better shared than none */
    _REENT_INIT_PTR(r);
    thread_reent = r;
    return r;
}

void libc_reent_release(void)
{
    struct _reent *r = thread_reent;

    if (!r)
        return;
    _reclaim_reent(r);
    thread_reent = NULL;
    libc_kernel_free(r);
}

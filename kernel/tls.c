/*
 * tls.c - lays out a thread's TLS block from the image's PT_TLS sections.
 */
#include "tls.h"
#include "heap.h"
#include "kerr.h"
#include "ssp.h"

#include <string.h>

#define TCB_SIZE    64
#define MIN_ALIGN   16
#define TCB_STACK_GUARD 0x28    /* gcc's default canary, %fs:0x28 */

extern char __tdata_start[], __tdata_end[], __tbss_end[], __tls_align[];

size_t tls_image_size(void)
{
    return (size_t)(__tbss_end - __tdata_start);
}

int tls_create(void **alloc, uint64_t *tp)
{
    size_t align = (uintptr_t)__tls_align < MIN_ALIGN ? MIN_ALIGN : (uintptr_t)__tls_align;
    size_t init = (size_t)(__tdata_end - __tdata_start);
    size_t block = (tls_image_size() + align - 1) & ~(align - 1);
    char *mem = kmalloc(block + TCB_SIZE + align);

    if (!mem)
        return KERR_NOMEM;
    /* The linker placed each variable at (its offset - block) from tp. */
    char *tcb = (char *)(((uintptr_t)mem + block + align - 1) & ~(uintptr_t)(align - 1));
    char *start = tcb - block;
    memcpy(start, __tdata_start, init);
    memset(start + init, 0, block - init);
    memset(tcb, 0, TCB_SIZE);
    *(uint64_t *)tcb = (uintptr_t)tcb;
    *(uint64_t *)(tcb + TCB_STACK_GUARD) = __stack_chk_guard;
    *alloc = mem;
    *tp = (uintptr_t)tcb;
    return KERR_OK;
}

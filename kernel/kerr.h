/*
 * kerr.h - error codes of the kernel's thread and synchronization API.
 *
 * Kept apart from any C library's errno values; the libc glue translates.
 */
#ifndef KERNEL_KERR_H
#define KERNEL_KERR_H

enum kerr {
    KERR_OK = 0,
    KERR_NOMEM,         /* out of memory for a stack, TLS or FPU area */
    KERR_INVAL,         /* bad argument (offline CPU, detached thread, ...) */
    KERR_DEADLK,        /* joining oneself, relocking a mutex one holds */
    KERR_TIMEDOUT,      /* the deadline passed first */
    KERR_BUSY,          /* a try-operation would have blocked */
    KERR_PERM,          /* unlocking a mutex one does not hold */
};

const char *kerr_name(int err);

#endif

/*
 * tls.h - per-thread copies of the image's thread-local storage.
 *
 * x86-64 ELF "variant II": the TLS block ends where the thread pointer
 * (the FS base) points, and the word at the thread pointer points to
 * itself, so `%fs:0` yields the thread pointer. 64 bytes after it are a
 * thread control block, zeroed but for offset 0x28, which holds the stack
 * protector's canary (a copy of __stack_chk_guard: gcc's default guard
 * reads %fs:0x28; our builds use the global, see ssp.h).
 *
 * Contract: tls_create returns KERR_OK with *alloc to kfree later and *tp
 * to load into the FS base, or KERR_NOMEM.
 */
#ifndef KERNEL_TLS_H
#define KERNEL_TLS_H

#include <stddef.h>
#include <stdint.h>

int tls_create(void **alloc, uint64_t *tp);
size_t tls_image_size(void);

#endif

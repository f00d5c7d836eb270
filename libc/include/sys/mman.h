/*
 * sys/mman.h - memory mappings (HermitCore-C; newlib has none).
 *
 * One address space and no files to map: anonymous private or shared
 * mappings, page aligned, zeroed, backed at once; mprotect changes their
 * page tables (PROT_NONE faults, PROT_READ faults on writes, PROT_EXEC is
 * refused). libc/memory.c has the details. Values are Linux's, for
 * programs that hard-code them.
 */
#ifndef _SYS_MMAN_H
#define _SYS_MMAN_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROT_NONE       0x0
#define PROT_READ       0x1
#define PROT_WRITE      0x2
#define PROT_EXEC       0x4

#define MAP_SHARED      0x01
#define MAP_PRIVATE     0x02
#define MAP_FIXED       0x10
#define MAP_ANONYMOUS   0x20
#define MAP_ANON        MAP_ANONYMOUS
#define MAP_NORESERVE   0x4000
#define MAP_FAILED      ((void *)-1)

#define MS_ASYNC        1
#define MS_INVALIDATE   2
#define MS_SYNC         4

#define MADV_NORMAL     0
#define MADV_DONTNEED   4

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int msync(void *addr, size_t len, int flags);
int madvise(void *addr, size_t len, int advice);

#ifdef __cplusplus
}
#endif

#endif

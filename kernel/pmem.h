/*
 * pmem.h - physical memory: which page frames are free.
 *
 * Built from the boot memory map: every RAM range goes into a free list,
 * then the first megabyte (firmware, and later the AP trampoline), the
 * kernel image and the boot modules are taken out.
 *
 * Contract: pmem_init MUST run once, before any other call. pmem_alloc
 * returns a physical address aligned to `align` (a power of two >= 4096)
 * or 0 when nothing fits; sizes are rounded up to 4 KiB. pmem_free of a
 * range that is already free is a kernel bug and panics. All calls are
 * thread-safe.
 */
#ifndef KERNEL_PMEM_H
#define KERNEL_PMEM_H

#include <stdint.h>

#include "bootinfo.h"

#define PMEM_LOW_RESERVED   0x100000ull     /* the first 1 MiB */

/* Returns 0, or EXIT_NO_MEMORY / EXIT_BAD_BOOT after printing why. */
int pmem_init(const struct boot_info *bi);

uint64_t pmem_alloc(uint64_t size, uint64_t align);
void pmem_free(uint64_t base, uint64_t size);

uint64_t pmem_total_bytes(void);        /* RAM in the memory map */
uint64_t pmem_free_bytes(void);
uint64_t pmem_peak_used_bytes(void);   /* most RAM ever allocated at once, the image included */
uint64_t pmem_top(void);                /* end of the highest RAM range */

#endif

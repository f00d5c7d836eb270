/*
 * paging.h - 4-level page tables: map, unmap, translate.
 *
 * One address space for the whole system. Page-table pages are reached
 * through the identity map, so the allocator given to paging_init MUST
 * return identity-mapped, zero-filled 4 KiB pages (physical address, 0 on
 * exhaustion).
 *
 * page_map picks the largest page (1 GiB, 2 MiB, 4 KiB) that the alignment
 * of virt and phys and the remaining size allow. Callers MUST NOT map over
 * an existing mapping (PAGING_EEXIST) and MAY unmap only whole pages as
 * they were mapped (PAGING_EINVAL otherwise). Calls MAY come from several
 * CPUs at once (they serialize). The changes apply to the running tables
 * at once; on SMP, remote TLBs are the caller's business (tlb.h).
 *
 * page_protect changes the access to mapped pages. PAGE_NOACCESS makes
 * them fault on any access while their entries keep the frame, so that
 * a later page_protect gives the same memory back; page_translate sees
 * such a page as unmapped, page_map refuses to map over it, page_unmap
 * removes it. A 2 MiB or 1 GiB page that the range covers only in part
 * is split first: the smaller table is filled before it replaces the
 * large entry, so no other CPU ever sees a hole.
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE_4K    0x1000ull
#define PAGE_SIZE_2M    0x200000ull
#define PAGE_SIZE_1G    0x40000000ull

enum page_flags {
    PAGE_READ = 0,              /* always implied */
    PAGE_WRITE = 1 << 0,
    PAGE_EXEC = 1 << 1,
    PAGE_NOCACHE = 1 << 2,
    PAGE_NOACCESS = 1 << 3,     /* page_protect only: faults on any access */
};

enum paging_error {
    PAGING_OK = 0,
    PAGING_ENOMEM,              /* the table allocator ran dry */
    PAGING_EINVAL,              /* unaligned, or would split a large page */
    PAGING_EEXIST,              /* part of the range is already mapped */
};

struct paging_stats {
    uint64_t pages_4k, pages_2m, pages_1g;  /* leaf entries ever mapped */
    uint64_t tables;                        /* table pages allocated */
};

typedef uint64_t (*paging_table_alloc_fn)(void);

/* Starts a new, empty address space. max_page_size caps the page size. */
void paging_init(paging_table_alloc_fn alloc, uint64_t max_page_size);

/* Largest page size this CPU supports (1 GiB needs CPUID pdpe1gb). */
uint64_t paging_max_supported(void);

/* Switches the CPU to the new tables and turns on NX and write protection. */
void paging_activate(void);

int page_map(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags);
int page_unmap(uint64_t virt, uint64_t size);
/* PAGING_EINVAL if the range is unaligned or a page in it is not mapped. */
int page_protect(uint64_t virt, uint64_t size, unsigned flags);

/* True if virt is mapped; *phys and *page_size (either MAY be NULL) describe it. */
bool page_translate(uint64_t virt, uint64_t *phys, uint64_t *page_size);
/* The same, counting pages made inaccessible with PAGE_NOACCESS as mapped. */
bool page_frame(uint64_t virt, uint64_t *phys, uint64_t *page_size);

void paging_get_stats(struct paging_stats *out);

#endif

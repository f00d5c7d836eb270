/*
 * freelist.h - a sorted list of free address ranges: the one allocator
 * behind physical memory and kernel virtual address space.
 *
 * Ranges are kept sorted, disjoint and coalesced (two touching ranges are
 * always merged). Allocation is first fit from the lowest address with
 * any power-of-two alignment, which is how 4 KiB, 2 MiB and 1 GiB pages
 * come out of the same list.
 *
 * The list never allocates memory itself: its nodes come from a pool the
 * owner hands to freelist_init. A call that would need one more node than
 * the pool holds fails with FREELIST_ENODES and changes nothing.
 *
 * Contract: not thread-safe; the owner locks. Sizes and bases are in bytes
 * and a range MUST NOT wrap around the end of the address space.
 */
#ifndef KERNEL_FREELIST_H
#define KERNEL_FREELIST_H

#include <stddef.h>
#include <stdint.h>

enum freelist_error {
    FREELIST_OK = 0,
    FREELIST_EINVAL,            /* zero size, wrap-around, alignment not a power of two */
    FREELIST_ENOSPC,            /* no free range fits */
    FREELIST_EOVERLAP,          /* freeing bytes that are already free: a double free */
    FREELIST_ENOTFREE,          /* reserving bytes that are not all free */
    FREELIST_ENODES,            /* the node pool is exhausted */
};

struct freelist_node {
    uint64_t base, size;
    struct freelist_node *next;
};

struct freelist {
    struct freelist_node *head;         /* sorted by base */
    struct freelist_node *spare;        /* unused nodes */
    uint64_t free_bytes;
    unsigned nodes_used, nodes_total;
};

void freelist_init(struct freelist *fl, struct freelist_node *pool, unsigned count);

/* Gives [base, base+size) to the list (initial ranges and frees alike). */
int freelist_free(struct freelist *fl, uint64_t base, uint64_t size);

/* Takes the lowest `align`-aligned range of `size` bytes. */
int freelist_alloc(struct freelist *fl, uint64_t size, uint64_t align, uint64_t *base);

/* Takes exactly [base, base+size), which must be entirely free. */
int freelist_reserve(struct freelist *fl, uint64_t base, uint64_t size);

/* Takes whatever part of [base, base+size) is free (for boot reservations). */
int freelist_reserve_any(struct freelist *fl, uint64_t base, uint64_t size);

uint64_t freelist_free_bytes(const struct freelist *fl);
const char *freelist_strerror(int error);

#endif

/*
 * tlb.h - making every CPU forget a range's old translations after its
 * page-table entries changed (a TLB shootdown).
 *
 * The kernel itself never changes a mapping another CPU may hold, so it
 * needs no shootdown; an application's mprotect does (a page made
 * inaccessible must fault on every CPU, not only on the one that asked).
 * The requesting CPU flushes its own TLB, sends VECTOR_TLB to every
 * other online CPU and waits until each has flushed.
 *
 * Contract: tlb_init runs once on the boot CPU before the APs start.
 * tlb_shootdown MUST be called from a thread with interrupts enabled
 * (two CPUs may shoot at each other) and MUST NOT be called from an
 * interrupt handler. It returns once no CPU can use an old translation
 * of [virt, virt + size).
 */
#ifndef KERNEL_TLB_H
#define KERNEL_TLB_H

#include <stdint.h>

#define VECTOR_TLB          0xF2

void tlb_init(void);
void tlb_shootdown(uint64_t virt, uint64_t size);

#endif

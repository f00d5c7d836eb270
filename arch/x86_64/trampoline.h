/*
 * trampoline.h - where the AP start-up code runs and what it needs.
 *
 * Contract: the caller copies [trampoline_start, trampoline_end) to
 * TRAMPOLINE_BASE, which MUST be identity-mapped executable and writable
 * while APs start, fills the parameter block, and sends the STARTUP IPI
 * with page TRAMPOLINE_BASE >> 12. cr3 MUST be below 4 GiB (the AP loads
 * it in 32-bit mode). The entry gets `arg` in rdi on the given stack.
 */
#ifndef ARCH_TRAMPOLINE_H
#define ARCH_TRAMPOLINE_H

#include <stdint.h>

#define TRAMPOLINE_BASE 0x8000ull

struct trampoline_params {
    uint64_t cr3;
    uint64_t stack_top;
    uint64_t entry;
    uint64_t arg;
};

extern char trampoline_start[], trampoline_end[], trampoline_params[];

#endif

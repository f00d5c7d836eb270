/*
 * panic.h - fatal errors, backtraces and symbol lookup.
 *
 * The image carries its own symbol table (.ksyms, generated at link time
 * from the image's text symbols), so reports name functions without any
 * host-side tool.
 *
 * Contract: panic never returns; it prints the message and a backtrace
 * of the caller and exits with EXIT_PANIC. backtrace_print MAY be called
 * from exception handlers: it checks that every frame it reads is mapped
 * and stops after a fixed number of frames.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints rip, then the return addresses found by following rbp. */
void backtrace_print(uint64_t rip, uint64_t rbp);

/* Name of the function containing addr (NULL if unknown), and the offset. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif

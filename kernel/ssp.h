/*
 * ssp.h - the stack protector's canary and its failure report.
 *
 * Everything (kernel, C library, lwIP, MPICH, applications through
 * hermit-cc) is compiled with -fstack-protector-strong
 * -mstack-protector-guard=global: a protected function saves the global
 * __stack_chk_guard in its frame and compares it before returning. The
 * global guard, not gcc's default %fs:0x28, because the kernel runs
 * protected code where no thread pointer exists (before the scheduler,
 * in idle threads and interrupts with FS base 0, where %fs:0x28 would
 * read page 0 and fault); in one address space a per-thread canary would
 * add nothing. tls_create still copies the canary to each thread's
 * %fs:0x28, so code built with gcc's default guard works in threads too.
 *
 * Contract: ssp_init MUST run before any protected function whose frame
 * is live when it returns: it is kernel_main's first call, and
 * kernel_main and ssp_init are themselves unprotected. It sets the guard
 * once, from entropy_seed64, with the low byte zero (a string copy that
 * overflows stops at the canary's terminator). __stack_chk_fail never
 * returns: it prints "stack smashing detected", the function and a
 * backtrace, and exits with EXIT_STACK_SMASHED.
 */
#ifndef KERNEL_SSP_H
#define KERNEL_SSP_H

#include <stdint.h>

#define NO_STACK_PROTECTOR __attribute__((no_stack_protector))

extern uintptr_t __stack_chk_guard;

void ssp_init(void);
/* Where the canary came from ("RDRAND", ...), for the boot log. */
const char *ssp_source(void);
_Noreturn void __stack_chk_fail(void);

#endif

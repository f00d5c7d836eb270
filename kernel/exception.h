/*
 * exception.h - the kernel's policy for CPU exceptions: every one is
 * fatal, reported with a diagnosis, registers and a symbolized backtrace,
 * and ends the VM with EXIT_EXCEPTION_BASE + vector.
 *
 * Contract: exception_init MUST run after the IDT is loaded and before
 * anything that may fault.
 */
#ifndef KERNEL_EXCEPTION_H
#define KERNEL_EXCEPTION_H

void exception_init(void);

#endif

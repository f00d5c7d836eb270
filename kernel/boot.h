/*
 * boot.h - what the boot sequence leaves behind for the rest of the
 * system and for tests: the parsed boot information, the command line,
 * and the TSC stamps of kernel entry and of the call to main().
 *
 * Contract: valid once main() runs; read-only afterwards.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdint.h>

#include "bootinfo.h"
#include "cmdline.h"

const struct boot_info *boot_get_info(void);
const struct cmdline *boot_get_cmdline(void);

extern uint64_t boot_tsc_entry;     /* first instruction (entry.asm) */
extern uint64_t boot_tsc_main;      /* just before main() */

/* The application's entry point. */
int main(int argc, char **argv);

/*
 * What the kernel calls in the main thread. The kernel's own (weak)
 * version calls main() directly; the C library replaces it with one that
 * sets up stdio and the environment first and passes main's result to
 * exit(). It returns the exit status.
 */
int app_start(int argc, char **argv);

void kernel_main(uint32_t magic, uintptr_t info);

#endif

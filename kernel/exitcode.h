/*
 * exitcode.h - the exit statuses the kernel itself produces.
 *
 * An application's own status (from main or exit) passes through as is.
 * The kernel's statuses sit in 95..131 so that a script can tell a kernel
 * diagnosis from an ordinary failure of the application.
 */
#ifndef KERNEL_EXITCODE_H
#define KERNEL_EXITCODE_H

enum kernel_exit_code {
    EXIT_STACK_SMASHED = 95,    /* a stack protector canary was overwritten */
    EXIT_BAD_CMDLINE = 96,      /* malformed or unknown kernel option */
    EXIT_NO_MEMORY = 97,        /* too little RAM to run */
    EXIT_BAD_BOOT = 98,         /* unusable boot information (no memory map, ...) or
                                   no clock source that calibrates the TSC */
    EXIT_PANIC = 99,            /* a kernel invariant broke */
    EXIT_EXCEPTION_BASE = 100,  /* 100 + vector: a fatal CPU exception */
};

#endif

/*
 * ssp.c - the stack protector's canary and __stack_chk_fail.
 *
 * This object also goes into the C library glue's archive, which images
 * link whole before newlib: newlib's libc.a has its own __stack_chk_guard
 * and __stack_chk_fail (ssp/stack_protector.c: a constructor seeds the
 * guard too late and from nothing random), which must never be linked.
 */
#include "ssp.h"
#include "console.h"
#include "cpu.h"
#include "entropy.h"
#include "exitcode.h"
#include "machine.h"
#include "panic.h"

/* Never 0 after ssp_init; 0 only before it, when no protected frame is live. */
uintptr_t __stack_chk_guard;

static enum entropy_source source;

NO_STACK_PROTECTOR void ssp_init(void)
{
    uint64_t v = entropy_seed64(&source);

    v &= ~(uint64_t)0xff;
    if (!v)             /* 2^-56; a zero canary would equal a zeroed frame */
        v = (rdtsc() | 1) << 8;
    __stack_chk_guard = v;
}

const char *ssp_source(void)
{
    return entropy_source_name(source);
}

NO_STACK_PROTECTOR _Noreturn void __stack_chk_fail(void)
{
    uint64_t ret = (uintptr_t)__builtin_return_address(0) - 1, offset;
    const char *name = ksym_lookup(ret, &offset);

    irq_disable();
    kprintf("hermit: stack smashing detected in %s: a local buffer overflowed "
            "and overwrote the canary\n", name ? name : "?");
    /* The smashed function's frame pointer is still in rbp (the check comes
     * before its epilogue); above it, the overflow may have left garbage,
     * where the backtrace stops. */
    backtrace_print(ret, *(const uint64_t *)read_rbp());
    machine_exit(EXIT_STACK_SMASHED);
}

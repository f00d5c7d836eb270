/*
 * panic.c - panic(), frame-pointer backtraces, and the .ksyms lookup.
 *
 * The kernel and applications build with frame pointers, so each frame
 * starts with the caller's rbp followed by the return address. The walk
 * trusts nothing: a frame must be mapped, aligned, and above the last.
 */
#include "panic.h"
#include "console.h"
#include "exitcode.h"
#include "format.h"
#include "machine.h"
#include "paging.h"
#include "cpu.h"

#include <stdarg.h>
#include <stdbool.h>

#define BACKTRACE_MAX 24

/* Emitted by tools/ksyms.sh into section .ksyms; sorted by address. */
struct ksym {
    uint64_t addr;
    const char *name;
};
extern const struct ksym ksym_table[];
extern const uint64_t ksym_count;
extern char __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    uint64_t lo = 0, hi = ksym_count;

    if (!hi || addr < ksym_table[0].addr || addr >= (uintptr_t)__text_end)
        return NULL;
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (ksym_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - ksym_table[lo].addr;
    return ksym_table[lo].name;
}

static void print_frame(int index, uint64_t addr)
{
    uint64_t offset;
    const char *name = ksym_lookup(addr, &offset);

    if (name)
        kprintf("  #%-2d %#018llx %s+%#llx\n", index, (unsigned long long)addr, name,
                (unsigned long long)offset);
    else
        kprintf("  #%-2d %#018llx ?\n", index, (unsigned long long)addr);
}

static bool readable(uint64_t addr)
{
    return page_translate(addr, NULL, NULL) && page_translate(addr + 15, NULL, NULL);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
    int i = 0;

    kprintf("backtrace:\n");
    print_frame(i++, rip);
    while (i < BACKTRACE_MAX && rbp && !(rbp & 7) && readable(rbp)) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t ret = frame[1];
        if (!ret)
            break;
        /* A return address points just past the call; name the call. */
        print_frame(i++, ret - 1);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

_Noreturn void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    irq_disable();
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kprintf("hermit: panic: %s\n", msg);
    /* Start at our caller: its rbp is the one saved in our own frame. */
    backtrace_print((uintptr_t)__builtin_return_address(0) - 1,
                    *(const uint64_t *)read_rbp());
    machine_exit(EXIT_PANIC);
}

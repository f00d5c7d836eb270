/*
 * trap.c - routes every interrupt and exception to a registered handler.
 */
#include "trap.h"
#include "cpu.h"

#include <stddef.h>

static trap_handler_fn handlers[256];
static trap_handler_fn fallback;
static uint64_t counts[CPU_MAX][256];
static uint64_t halt_start[CPU_MAX], halted[CPU_MAX];   /* TSC ticks */

static const struct {
    const char *mnemonic;
    const char *description;
} exceptions[TRAP_EXCEPTION_COUNT] = {
    [0] = { "#DE", "divide error" },
    [1] = { "#DB", "debug" },
    [2] = { "NMI", "non-maskable interrupt" },
    [3] = { "#BP", "breakpoint" },
    [4] = { "#OF", "overflow" },
    [5] = { "#BR", "bound range exceeded" },
    [6] = { "#UD", "invalid opcode" },
    [7] = { "#NM", "device not available" },
    [8] = { "#DF", "double fault" },
    [9] = { "#CSO", "coprocessor segment overrun" },
    [10] = { "#TS", "invalid TSS" },
    [11] = { "#NP", "segment not present" },
    [12] = { "#SS", "stack-segment fault" },
    [13] = { "#GP", "general protection fault" },
    [14] = { "#PF", "page fault" },
    [15] = { "#15", "reserved" },
    [16] = { "#MF", "x87 floating-point error" },
    [17] = { "#AC", "alignment check" },
    [18] = { "#MC", "machine check" },
    [19] = { "#XM", "SIMD floating-point exception" },
    [20] = { "#VE", "virtualization exception" },
    [21] = { "#CP", "control protection" },
    [28] = { "#HV", "hypervisor injection" },
    [29] = { "#VC", "VMM communication" },
    [30] = { "#SX", "security exception" },
};

const char *trap_mnemonic(unsigned vector)
{
    if (vector < TRAP_EXCEPTION_COUNT && exceptions[vector].mnemonic)
        return exceptions[vector].mnemonic;
    return vector < TRAP_EXCEPTION_COUNT ? "#??" : "IRQ";
}

const char *trap_description(unsigned vector)
{
    if (vector < TRAP_EXCEPTION_COUNT && exceptions[vector].description)
        return exceptions[vector].description;
    return vector < TRAP_EXCEPTION_COUNT ? "reserved exception" : "interrupt";
}

void trap_set_handler(unsigned vector, trap_handler_fn handler)
{
    if (vector < 256)
        handlers[vector] = handler;
}

void trap_set_fallback(trap_handler_fn handler)
{
    fallback = handler;
}

uint64_t trap_count(unsigned cpu, unsigned vector)
{
    return cpu < CPU_MAX && vector < 256 ? __atomic_load_n(&counts[cpu][vector], __ATOMIC_RELAXED)
                                         : 0;
}

static void end_halt(unsigned cpu)
{
    if (halt_start[cpu]) {
        halted[cpu] += rdtsc() - halt_start[cpu];
        halt_start[cpu] = 0;
    }
}

void trap_halt_until_interrupt(void)
{
    unsigned cpu = cpu_index();

    halt_start[cpu] = rdtsc();
    /* sti takes effect after hlt starts: no wake-up slips between. */
    __asm__ volatile("sti; hlt" ::: "memory");
    end_halt(cpu);
}

uint64_t trap_halted_ticks(unsigned cpu)
{
    if (cpu >= CPU_MAX)
        return 0;
    uint64_t start = __atomic_load_n(&halt_start[cpu], __ATOMIC_RELAXED);
    uint64_t total = __atomic_load_n(&halted[cpu], __ATOMIC_RELAXED);
    return start ? total + (rdtsc() - start) : total;
}

void trap_dispatch(struct trap_frame *frame)
{
    trap_handler_fn h = handlers[frame->vector & 0xFF];
    unsigned cpu = cpu_index();

    end_halt(cpu);
    counts[cpu][frame->vector & 0xFF]++;
    if (!h)
        h = fallback;
    if (h)
        h(frame);
}

/*
 * exception.c - fatal exception reports.
 *
 * The diagnosis line is written for a person: a page fault names what was
 * accessed and how, and recognizes the two common bugs whose raw form is
 * confusing: a NULL dereference (page 0 is never mapped) and a stack
 * overflow (a guard page, reached as a #PF, or as a #DF when the CPU could
 * not even push the #PF frame onto the exhausted stack).
 */
#include "exception.h"
#include "console.h"
#include "cpu.h"
#include "exitcode.h"
#include "machine.h"
#include "panic.h"
#include "trap.h"
#include "vmem.h"

static void print_registers(const struct trap_frame *f)
{
    kprintf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
            "  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n"
            "  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
            "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
            "  rip %016llx rflags %08llx cs %04llx ss %04llx\n",
            (unsigned long long)f->rax, (unsigned long long)f->rbx,
            (unsigned long long)f->rcx, (unsigned long long)f->rdx,
            (unsigned long long)f->rsi, (unsigned long long)f->rdi,
            (unsigned long long)f->rbp, (unsigned long long)f->rsp,
            (unsigned long long)f->r8, (unsigned long long)f->r9,
            (unsigned long long)f->r10, (unsigned long long)f->r11,
            (unsigned long long)f->r12, (unsigned long long)f->r13,
            (unsigned long long)f->r14, (unsigned long long)f->r15,
            (unsigned long long)f->rip, (unsigned long long)f->rflags,
            (unsigned long long)f->cs, (unsigned long long)f->ss);
}

static void diagnose_address(uint64_t cr2)
{
    const struct kstack *s = stack_guard_owner(cr2);

    if (s)
        kprintf("hermit: stack overflow: %#llx is the guard page below the stack "
                "%#llx-%#llx\n", (unsigned long long)cr2, (unsigned long long)s->base,
                (unsigned long long)s->top);
    else if (cr2 < 0x1000)
        kprintf("hermit: NULL pointer dereference (address %#llx)\n",
                (unsigned long long)cr2);
}

static void describe_page_fault(const struct trap_frame *f, uint64_t cr2)
{
    const char *access = (f->error & PF_FETCH) ? "instruction fetch from"
                       : (f->error & PF_WRITE) ? "write to" : "read from";
    const char *why = (f->error & PF_PRESENT) ? "a protected page" : "an unmapped page";

    kprintf("hermit: page fault: %s %#llx, %s\n", access, (unsigned long long)cr2, why);
    diagnose_address(cr2);
}

static void fatal_exception(struct trap_frame *f)
{
    unsigned vector = (unsigned)f->vector;
    uint64_t cr2 = read_cr2();

    kprintf("\nhermit: fatal exception %s (%s, vector %u) at rip %#llx, error code %#llx, "
            "cr2 %#llx\n", trap_mnemonic(vector), trap_description(vector), vector,
            (unsigned long long)f->rip, (unsigned long long)f->error,
            (unsigned long long)cr2);
    if (vector == TRAP_PAGE_FAULT)
        describe_page_fault(f, cr2);
    else if (vector == TRAP_DOUBLE_FAULT)
        diagnose_address(cr2);
    print_registers(f);
    backtrace_print(f->rip, f->rbp);
    machine_exit(EXIT_EXCEPTION_BASE + (int)vector);
}

static void unexpected_interrupt(struct trap_frame *f)
{
    if (f->vector < TRAP_EXCEPTION_COUNT)
        fatal_exception(f);
    klog(LOG_WARN, "unexpected interrupt, vector %llu (ignored)\n",
         (unsigned long long)f->vector);
}

void exception_init(void)
{
    for (unsigned v = 0; v < TRAP_EXCEPTION_COUNT; v++)
        trap_set_handler(v, fatal_exception);
    trap_set_fallback(unexpected_interrupt);
}

/*
 * trap.h - the register frame of an interrupt or exception, and dispatch.
 *
 * The architecture owns the mechanism (stubs, frame, table); the kernel
 * owns the policy by registering handlers. A vector without a handler goes
 * to the fallback handler.
 *
 * Contract: handlers run with interrupts disabled on the interrupted
 * thread's stack (or an IST stack for #DF, NMI, #MC); a handler MAY modify
 * the frame, which is restored on return. trap_set_handler MUST NOT race
 * with delivery of the same vector.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

enum trap_vector {
    TRAP_DIVIDE = 0,
    TRAP_DEBUG = 1,
    TRAP_NMI = 2,
    TRAP_BREAKPOINT = 3,
    TRAP_INVALID_OPCODE = 6,
    TRAP_DOUBLE_FAULT = 8,
    TRAP_GENERAL_PROTECTION = 13,
    TRAP_PAGE_FAULT = 14,
    TRAP_MACHINE_CHECK = 18,
    TRAP_EXCEPTION_COUNT = 32,
};

/* Page-fault error code bits. */
#define PF_PRESENT  (1u << 0)
#define PF_WRITE    (1u << 1)
#define PF_FETCH    (1u << 4)

typedef void (*trap_handler_fn)(struct trap_frame *frame);

void trap_set_handler(unsigned vector, trap_handler_fn handler);

/*
 * Halts until an interrupt arrives; the caller MUST have interrupts
 * disabled (they are enabled atomically with the halt, so no wake-up slips
 * between its last check and the halt). The halted time up to the
 * interrupt's dispatch is added to trap_halted_ticks; the handler's own
 * time is not, so busy time counts the work interrupts do.
 */
void trap_halt_until_interrupt(void);
/* TSC ticks CPU cpu spent halted in trap_halt_until_interrupt. */
uint64_t trap_halted_ticks(unsigned cpu);
void trap_set_fallback(trap_handler_fn handler);

/* Short mnemonic and description of an exception vector ("#PF", "page fault"). */
const char *trap_mnemonic(unsigned vector);
const char *trap_description(unsigned vector);

/* How many times vector v arrived on CPU cpu since boot. */
uint64_t trap_count(unsigned cpu, unsigned vector);

/* Called from isr.asm only. */
void trap_dispatch(struct trap_frame *frame);

#endif

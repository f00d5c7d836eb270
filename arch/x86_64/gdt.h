/*
 * gdt.h - segment descriptors and the task state segment.
 *
 * Long mode ignores segmentation except for the code segment's mode bits
 * and the TSS, which holds the interrupt stack table (IST): the known-good
 * stacks that double faults, NMIs and machine checks switch to, so that
 * they can be reported even when the faulting stack is unusable.
 *
 * Contract: gdt_init_cpu MUST run on the CPU it describes, with interrupts
 * disabled, before its IDT is loaded; the IST stack tops MUST stay valid
 * for the life of that CPU.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE     0x08
#define GDT_KERNEL_DATA     0x10
#define GDT_TSS             0x18

enum ist_slot {
    IST_DOUBLE_FAULT = 1,
    IST_NMI = 2,
    IST_MACHINE_CHECK = 3,
    IST_COUNT = 3,
};

/* Loads the boot CPU's GDT and TSS, using IST stacks built into the image. */
void gdt_init_boot_cpu(void);

/* Loads CPU `cpu`'s GDT and TSS; ist_top[i] is the stack top for slot i+1. */
void gdt_init_cpu(unsigned cpu, const uintptr_t ist_top[IST_COUNT]);

#endif

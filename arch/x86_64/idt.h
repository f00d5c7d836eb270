/*
 * idt.h - the interrupt descriptor table.
 *
 * All 256 vectors enter through the stubs in isr.asm and reach
 * trap_dispatch (trap.h). One IDT serves every CPU.
 *
 * Contract: idt_init MUST run once before any CPU enables interrupts;
 * idt_load MUST run on every CPU after its GDT is loaded.
 */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

void idt_init(void);
void idt_load(void);

#endif

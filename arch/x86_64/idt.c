/*
 * idt.c - fills the IDT from the stub table that isr.asm generates.
 *
 * Every gate is an interrupt gate (interrupts stay off in handlers). The
 * exceptions that may strike on a broken stack get their own IST stack.
 */
#include "idt.h"
#include "gdt.h"
#include "trap.h"

#include <stdint.h>

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

#define GATE_INTERRUPT_PRESENT 0x8E

extern const uintptr_t isr_stub_table[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void idt_set(unsigned vector, uintptr_t handler, unsigned ist)
{
    idt[vector] = (struct idt_gate){
        .offset_low = handler & 0xFFFF,
        .selector = GDT_KERNEL_CODE,
        .ist = (uint8_t)ist,
        .type_attr = GATE_INTERRUPT_PRESENT,
        .offset_mid = (handler >> 16) & 0xFFFF,
        .offset_high = (uint32_t)(handler >> 32),
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, isr_stub_table[v], 0);
    idt_set(TRAP_DOUBLE_FAULT, isr_stub_table[TRAP_DOUBLE_FAULT], IST_DOUBLE_FAULT);
    idt_set(TRAP_NMI, isr_stub_table[TRAP_NMI], IST_NMI);
    idt_set(TRAP_MACHINE_CHECK, isr_stub_table[TRAP_MACHINE_CHECK], IST_MACHINE_CHECK);
}

void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };

    __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

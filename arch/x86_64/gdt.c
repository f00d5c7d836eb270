/*
 * gdt.c - per-CPU GDT and TSS.
 *
 * Each CPU needs its own TSS (the busy bit and the IST pointers are per
 * CPU), hence its own GDT to describe it. The layout is fixed: null, kernel
 * code, kernel data, then the 16-byte TSS descriptor.
 */
#include "gdt.h"
#include "cpu.h"

#include <stddef.h>

#define GDT_ENTRIES     5               /* null, code, data, tss (2 slots) */
#define BOOT_IST_SIZE   8192

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

struct cpu_segments {
    uint64_t gdt[GDT_ENTRIES];
    struct tss tss;
} __attribute__((aligned(16)));

static struct cpu_segments segments[CPU_MAX];
static uint8_t boot_ist_stacks[IST_COUNT][BOOT_IST_SIZE] __attribute__((aligned(16)));

static void tss_descriptor(uint64_t *slot, const struct tss *tss)
{
    uint64_t base = (uintptr_t)tss;
    uint64_t limit = sizeof(*tss) - 1;

    slot[0] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
              (0x89ull << 40) |                 /* present, 64-bit TSS */
              (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    slot[1] = base >> 32;
}

void gdt_init_cpu(unsigned cpu, const uintptr_t ist_top[IST_COUNT])
{
    struct cpu_segments *s = &segments[cpu];
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = { sizeof(s->gdt) - 1, (uintptr_t)s->gdt };

    s->gdt[0] = 0;
    s->gdt[1] = 0x00AF9A000000FFFFull;   /* 64-bit code, DPL 0 */
    s->gdt[2] = 0x00CF92000000FFFFull;   /* data, DPL 0 */
    for (int i = 0; i < IST_COUNT; i++)
        s->tss.ist[i] = ist_top[i];
    s->tss.iomap_base = sizeof(s->tss);  /* no I/O permission bitmap */
    tss_descriptor(&s->gdt[3], &s->tss);

    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3\n\t"
        :
        : "m"(gdtr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
        : "rax", "memory");
}

void gdt_init_boot_cpu(void)
{
    uintptr_t top[IST_COUNT];

    for (int i = 0; i < IST_COUNT; i++)
        top[i] = (uintptr_t)&boot_ist_stacks[i][BOOT_IST_SIZE];
    gdt_init_cpu(0, top);
}

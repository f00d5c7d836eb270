/*
 * ktest.c - in-guest tests of the foundation, one case per run:
 *
 *   ktest CASE [ARG]
 *
 * A case either checks something and exits 0 (printing "ok CASE"), or
 * provokes a fault whose report and exit status tests/run.sh checks.
 */
#include "boot.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "discovery.h"
#include "percpu.h"
#include "heap.h"
#include "paging.h"
#include "panic.h"
#include "pmem.h"
#include "vmem.h"

#include <string.h>

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        kprintf("FAIL: %s\n", what);
        failures++;
    }
}

static int finish(const char *name)
{
    if (failures)
        return 1;
    kprintf("ok %s\n", name);
    return 0;
}

static int case_boot(void)
{
    const struct boot_info *bi = boot_get_info();
    uint64_t t0 = clock_ns();

    kprintf("protocol: %s\n", bootinfo_protocol_name(bi->protocol));
    for (unsigned i = 0; i < bi->module_count; i++)
        kprintf("module %u: %llu bytes \"%s\"\n", i, (unsigned long long)bi->modules[i].size,
                bi->modules[i].name);
    expect(bi->memmap_count > 0, "memory map present");
    expect(pmem_free_bytes() > 0 && pmem_free_bytes() < pmem_total_bytes(), "free < total");
    void *p = kmalloc(100);
    expect(p && ((uintptr_t)p & 15) == 0, "kmalloc returns 16-byte aligned memory");
    kfree(p);
    clock_delay_ns(1000000);
    expect(clock_ns() - t0 >= 1000000, "clock advances across a 1 ms delay");
    expect(boot_tsc_entry && boot_tsc_main > boot_tsc_entry, "boot TSC stamps ordered");
    return finish("boot");
}

static int case_memmap(void)
{
    const struct boot_info *bi = boot_get_info();
    struct paging_stats st;

    for (unsigned i = 0; i < bi->memmap_count; i++)
        kprintf("memmap: %#014llx-%#014llx type %u\n",
                (unsigned long long)bi->memmap[i].base,
                (unsigned long long)(bi->memmap[i].base + bi->memmap[i].size),
                bi->memmap[i].type);
    paging_get_stats(&st);
    kprintf("ram: total %llu MiB free %llu MiB\n",
            (unsigned long long)(pmem_total_bytes() >> 20),
            (unsigned long long)(pmem_free_bytes() >> 20));
    kprintf("pages: 1G=%llu 2M=%llu 4K=%llu\n", (unsigned long long)st.pages_1g,
            (unsigned long long)st.pages_2m, (unsigned long long)st.pages_4k);

    /* Every RAM byte is reachable through the identity map. */
    for (unsigned i = 0; i < bi->memmap_count; i++) {
        const struct boot_mem_range *r = &bi->memmap[i];
        if (r->type != BOOT_MEM_RAM || r->base + r->size <= PMEM_LOW_RESERVED)
            continue;
        uint64_t last = (r->base + r->size - 1) & ~0xFFFull, phys;
        expect(page_translate(last, &phys, NULL) && phys == last, "RAM identity-mapped");
    }
    expect(!page_translate(0, NULL, NULL), "page 0 unmapped");
    /* Largest pages: every gigabyte that lies wholly in RAM uses a 1 GiB page. */
    for (unsigned i = 0; paging_max_supported() == PAGE_SIZE_1G && i < bi->memmap_count; i++) {
        const struct boot_mem_range *r = &bi->memmap[i];
        uint64_t size, gb = (r->base + PAGE_SIZE_1G - 1) & ~(PAGE_SIZE_1G - 1);
        for (; r->type == BOOT_MEM_RAM && gb + PAGE_SIZE_1G <= r->base + r->size;
             gb += PAGE_SIZE_1G)
            expect(page_translate(gb, NULL, &size) && size == PAGE_SIZE_1G,
                   "1 GiB page for a whole gigabyte of RAM");
    }
    return finish("memmap");
}

static int case_pmem(void)
{
    uint64_t before = pmem_free_bytes();
    static const uint64_t sizes[] = { PAGE_SIZE_4K, PAGE_SIZE_2M, PAGE_SIZE_1G };

    for (unsigned i = 0; i < 3; i++) {
        uint64_t p = pmem_alloc(sizes[i], sizes[i]);
        if (sizes[i] == PAGE_SIZE_1G && pmem_free_bytes() < 2 * PAGE_SIZE_1G)
            continue;           /* not enough RAM for a 1 GiB page */
        expect(p && (p & (sizes[i] - 1)) == 0, "aligned page allocation");
        if (p)
            pmem_free(p, sizes[i]);
    }
    expect(pmem_free_bytes() == before, "free bytes restored");
    expect(pmem_alloc(1ull << 50, PAGE_SIZE_4K) == 0, "exhaustion returns 0");
    return finish("pmem");
}

static int case_heap(void)
{
    enum { N = 512 };
    static unsigned char *blocks[N];
    static size_t sizes[N];
    uint64_t before = pmem_free_bytes(), seed = 12345;
    uint64_t in_use_before = kheap()->bytes_in_use, held_before = kheap()->pages_held;

    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            sizes[i] = (seed >> 33) % (round % 4 == 3 ? 40000 : 3000) + 1;
            blocks[i] = kmalloc(sizes[i]);
            expect(blocks[i] != NULL, "kmalloc");
            if (blocks[i])
                memset(blocks[i], i & 0xFF, sizes[i]);
        }
        for (int i = 0; i < N; i++) {
            int j = (i * 7 + round) % N;
            for (size_t k = 0; blocks[j] && k < sizes[j]; k++)
                if (blocks[j][k] != (j & 0xFF)) {
                    expect(0, "heap block contents intact");
                    break;
                }
            kfree(blocks[j]);
            blocks[j] = NULL;
        }
    }
    expect(kheap()->bytes_in_use == in_use_before, "heap back to its start after freeing");
    /* Small-class pages are kept; large runs must all have gone back. */
    expect(before - pmem_free_bytes() == (kheap()->pages_held - held_before) * PAGE_SIZE_4K,
           "large allocations returned their pages");
    return finish("heap");
}

static int case_stack(void)
{
    struct kstack *s = stack_alloc(16384);
    uint64_t phys;

    expect(s != NULL, "stack_alloc");
    expect(!page_translate(s->guard, NULL, NULL), "guard page unmapped");
    expect(page_translate(s->base, &phys, NULL) && phys == s->phys, "stack mapped");
    expect(stack_guard_owner(s->guard) == s, "guard lookup");
    stack_free(s);
    expect(stack_guard_owner(s->guard) == NULL, "freed stack forgotten");
    expect(stack_alloc(16384) == s, "a freed stack is reused");
    return finish("stack");
}

static __attribute__((noinline)) int recurse(volatile char *prev, int depth)
{
    volatile char frame[256];

    frame[0] = prev ? prev[0] + 1 : 0;
    if (depth > (1 << 30))      /* never reached: the guard page is */
        return 0;
    return depth + recurse(frame, depth + 1) + frame[0];
}

static __attribute__((noinline)) void ktest_pagefault(void)
{
    volatile uint64_t *p = (volatile uint64_t *)0xdead0000000ull;
    kprintf("value %llu\n", (unsigned long long)*p);
}

static __attribute__((noinline)) int ktest_divide(volatile int divisor)
{
    return 100 / divisor;
}

/* Overflows a local buffer (the length is read at run time, so the
 * compiler neither sees nor warns about it): the stack protector ends it. */
static volatile size_t smash_len = 64;
static __attribute__((noinline)) int ktest_smash(void)
{
    char buf[16];

    memset(buf, 'A', smash_len);
    __asm__ volatile("" : : "r"(buf) : "memory");
    return buf[0];
}

static int run_fault(const char *name)
{
    if (!strcmp(name, "pagefault")) {
        ktest_pagefault();
    } else if (!strcmp(name, "null")) {
        volatile int *p = NULL;
        kprintf("read %d\n", *p);
    } else if (!strcmp(name, "divide")) {
        kprintf("result %d\n", ktest_divide(0));
    } else if (!strcmp(name, "stackoverflow")) {
        kprintf("%d\n", recurse(NULL, 0));
    } else if (!strcmp(name, "wx-text")) {
        volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)&main;
        *code = 0xC3;
    } else if (!strcmp(name, "wx-rodata")) {
        volatile char *text = (volatile char *)(uintptr_t)"constant";
        *text = 'X';
    } else if (!strcmp(name, "nx-stack")) {
        uint8_t ret[16] = { 0xC3 };     /* a "ret" on the stack */
        ((void (*)(void))(uintptr_t)ret)();
    } else if (!strcmp(name, "invalid-opcode")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(name, "smash")) {
        kprintf("result %d\n", ktest_smash());
    } else if (!strcmp(name, "panic")) {
        panic("requested by ktest");
    } else if (!strcmp(name, "hang")) {
        for (;;)
            cpu_relax();
    } else {
        return -1;
    }
    kprintf("FAIL: %s did not fault\n", name);
    return 1;
}

static int parse_int(const char *s)
{
    int v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

static int case_cpus(void)
{
    const struct platform_info *pi = discovery_platform();

    kprintf("tables: %s\n", pi->source == PLATFORM_SOURCE_ACPI ? "ACPI"
            : pi->source == PLATFORM_SOURCE_MPTABLE ? "MP" : "none");
    for (unsigned i = 0; i < pi->cpu_count; i++)
        kprintf("listed cpu apic_id %u enabled %d\n", pi->cpus[i].apic_id, pi->cpus[i].enabled);
    kprintf("online: %u\n", cpu_online_count());
    return finish("cpus");
}

int ktest_threads(const char *name, int argc, char **argv);

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "";

    if (!strcmp(name, "boot")) return case_boot();
    if (!strcmp(name, "cpus")) return case_cpus();
    if (!strcmp(name, "memmap")) return case_memmap();
    if (!strcmp(name, "pmem")) return case_pmem();
    if (!strcmp(name, "heap")) return case_heap();
    if (!strcmp(name, "stack")) return case_stack();
    if (!strcmp(name, "exit")) return argc > 2 ? parse_int(argv[2]) : 0;
    if (!strcmp(name, "args")) {
        for (int i = 0; i < argc; i++)
            kprintf("argv[%d]=<%s>\n", i, argv[i]);
        return 0;
    }
    int r = ktest_threads(name, argc, argv);
    if (r >= 0)
        return r;
    r = run_fault(name);
    if (r >= 0)
        return r;
    kprintf("ktest: unknown case '%s'\n", name);
    return 2;
}

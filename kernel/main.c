/*
 * main.c - the boot sequence, from the first C instruction to main().
 *
 * Order matters: the console first (so everything after can complain),
 * then the CPU tables (so faults are reported), then what the loader told
 * us, the command line, time, physical memory, the real page tables, and
 * finally a guarded stack on which the application runs.
 */
#include "boot.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "discovery.h"
#include "exception.h"
#include "exitcode.h"
#include "gdt.h"
#include "heap.h"
#include "idt.h"
#include "machine.h"
#include "options.h"
#include "fpu.h"
#include "apic.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "pmem.h"
#include "sched.h"
#include "serial.h"
#include "shutdown.h"
#include "smp.h"
#include "ssp.h"
#include "thread.h"
#include "tlb.h"
#include "trampoline.h"
#include "tsc.h"
#include "vmem.h"

#include <string.h>

#define MAIN_STACK_SIZE     (256 * 1024)
#define PROBE_ITERATIONS    20000000u

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

uint64_t boot_tsc_main;

static struct boot_info boot_info;
static struct cmdline cmdline;
static struct kernel_options options;
static char *default_argv[] = { "hermit-app", NULL };

const struct boot_info *boot_get_info(void)
{
    return &boot_info;
}

const struct cmdline *boot_get_cmdline(void)
{
    return &cmdline;
}

static uint64_t table_page(void)
{
    uint64_t page = pmem_alloc(PAGE_SIZE_4K, PAGE_SIZE_4K);

    if (page)
        memset((void *)(uintptr_t)page, 0, PAGE_SIZE_4K);
    return page;
}

static void *heap_pages(void *ctx, size_t count)
{
    (void)ctx;
    return (void *)(uintptr_t)pmem_alloc(count * PAGE_SIZE_4K, PAGE_SIZE_4K);
}

static void heap_pages_free(void *ctx, void *pages, size_t count)
{
    (void)ctx;
    pmem_free((uintptr_t)pages, count * PAGE_SIZE_4K);
}

static void map_or_panic(uint64_t base, uint64_t end, unsigned flags)
{
    if (end <= base)
        return;
    int err = page_map(base, base, end - base, flags);
    if (err)
        panic("cannot map %#llx-%#llx (paging error %d)", (unsigned long long)base,
              (unsigned long long)end, err);
}

/* Identity-maps [base, end) except the kernel image and page 0. */
static void map_ram(uint64_t base, uint64_t end)
{
    uint64_t image = (uintptr_t)__image_start, image_end = (uintptr_t)__image_end;

    base = (base + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
    end &= ~(PAGE_SIZE_4K - 1);
    if (base < PAGE_SIZE_4K)
        base = PAGE_SIZE_4K;
    if (end <= image || base >= image_end) {
        map_or_panic(base, end, PAGE_WRITE);
        return;
    }
    map_or_panic(base, image, PAGE_WRITE);
    map_or_panic(image_end, end, PAGE_WRITE);
}

static void memory_init(void)
{
    paging_init(table_page, paging_max_supported());
    /* The AP trampoline page is mapped executable only while APs start. */
    map_ram(0, TRAMPOLINE_BASE);
    map_ram(TRAMPOLINE_BASE + PAGE_SIZE_4K, PMEM_LOW_RESERVED);
    for (unsigned i = 0; i < boot_info.memmap_count; i++) {
        const struct boot_mem_range *r = &boot_info.memmap[i];
        uint64_t base = r->base < PMEM_LOW_RESERVED ? PMEM_LOW_RESERVED : r->base;
        if ((r->type == BOOT_MEM_RAM || r->type == BOOT_MEM_ACPI || r->type == BOOT_MEM_NVS) &&
            r->base + r->size > base)
            map_ram(base, r->base + r->size);
    }
    map_or_panic((uintptr_t)__image_start, (uintptr_t)__text_end, PAGE_EXEC);
    map_or_panic((uintptr_t)__text_end, (uintptr_t)__rodata_end, PAGE_READ);
    map_or_panic((uintptr_t)__rodata_end, (uintptr_t)__image_end, PAGE_WRITE);
    paging_activate();

    struct paging_stats st;
    paging_get_stats(&st);
    klog(LOG_INFO, "paging: %llu x 1 GiB, %llu x 2 MiB, %llu x 4 KiB pages, %llu tables\n",
         (unsigned long long)st.pages_1g, (unsigned long long)st.pages_2m,
         (unsigned long long)st.pages_4k, (unsigned long long)st.tables);

    vmem_init();
    kheap_init((struct heap_page_source){ heap_pages, heap_pages_free, NULL });
}

static void run_probe(void)
{
    uint64_t start = clock_ns();

    for (volatile uint32_t i = 0; i < PROBE_ITERATIONS; i++)
        ;
    kprintf("probe: %u iterations in %llu us\n", PROBE_ITERATIONS,
            (unsigned long long)((clock_ns() - start) / 1000));
    machine_exit(0);
}

__attribute__((weak)) int app_start(int argc, char **argv)
{
    return main(argc, argv);
}

static void *main_thread(void *unused)
{
    char **argv = cmdline.argc ? cmdline.argv : default_argv;
    int argc = cmdline.argc ? cmdline.argc : 1;

    (void)unused;
    boot_tsc_main = rdtsc();
    shutdown_exit(app_start(argc, argv));
}

/* Runs on the boot CPU's guarded stack, which becomes its idle thread's. */
static _Noreturn void kernel_run(void *unused)
{
    static const struct thread_attr main_attr = { MAIN_STACK_SIZE, 0, true, "main" };

    (void)unused;
    if (options.probe)
        run_probe();
    sched_init(options.idle);
    tlb_init();
    sched_init_cpu(&cpus[0]);
    cpus[0].online = 1;
    smp_start(options.max_cpus);
    int err = thread_create(NULL, &main_attr, main_thread, NULL);
    if (err)
        panic("cannot create the main thread (error %d)", err);
    sched_idle_loop();
}

static void report_cmdline_error(int err)
{
    kprintf("hermit: bad kernel command line: %s\n  %s\n  %*s^\n",
            cmdline_strerror(err), boot_info.cmdline, (int)cmdline.error_pos, "");
}

/* Unprotected: the canary is set under its frame. */
NO_STACK_PROTECTOR void kernel_main(uint32_t magic, uintptr_t info)
{
    ssp_init();
    serial_init();
    percpu_install(&cpus[0], 0);
    gdt_init_boot_cpu();
    idt_init();
    idt_load();
    exception_init();
    fpu_init_cpu();

    int err = bootinfo_parse(magic, info, &boot_info);
    if (err) {
        kprintf("hermit: cannot boot: %s (protocol %s)\n", bootinfo_strerror(err),
                bootinfo_protocol_name(boot_info.protocol));
        machine_exit(EXIT_BAD_BOOT);
    }
    err = cmdline_parse(&cmdline, boot_info.cmdline);
    if (err) {
        report_cmdline_error(err);
        machine_exit(EXIT_BAD_CMDLINE);
    }
    if ((err = options_apply(&cmdline, &options)))
        machine_exit(err);
    shutdown_set_stats(options.stats);
    klog(LOG_INFO, "booted via %s, command line \"%s\"\n",
         bootinfo_protocol_name(boot_info.protocol), boot_info.cmdline);
    klog(LOG_INFO, "stack protector: canary from %s\n", ssp_source());

    if ((err = pmem_init(&boot_info)))
        machine_exit(err);
    memory_init();
    struct platform_options platform_opts = { options.acpi_off != 0 };
    discovery_read(&boot_info, &platform_opts);

    /* After the tables: the FADT names the ACPI PM timer. Never a guess:
     * a clock 28 % off (as the old 2 GHz fallback was) corrupts every
     * timeout and every measurement without a word. */
    enum tsc_source source;
    struct tsc_calibration cal;
    uint64_t hz = tsc_detect_hz((uint16_t)discovery_platform()->pm_timer_port, &source, &cal);
    if (!hz) {
        kprintf("hermit: cannot boot: no clock source calibrates the TSC (CPUID 15h/16h "
                "empty, ACPI PM timer %s, PIT: no window within 0.1 %% in %u)\n",
                discovery_platform()->pm_timer_port ? "unusable" : "absent", cal.windows);
        machine_exit(EXIT_BAD_BOOT);
    }
    clock_init(hz);
    if (cal.windows)
        klog(LOG_INFO, "TSC: %llu kHz from %s (best of %u good windows of %u, error %u ppm)\n",
             (unsigned long long)(hz / 1000), tsc_source_name(source), cal.good_windows,
             cal.windows, cal.error_ppm);
    else
        klog(LOG_INFO, "TSC: %llu kHz from %s\n", (unsigned long long)(hz / 1000),
             tsc_source_name(source));
    discovery_init();
    cpus[0].apic_id = apic_id();
    klog(LOG_INFO, "vector state: %s, %llu bytes per thread\n", fpu_mechanism(),
         (unsigned long long)fpu_area_size());

    struct kstack *stack = stack_alloc(MAIN_STACK_SIZE);
    if (!stack)
        panic("cannot allocate the main stack");
    arch_call_on_stack((void *)(uintptr_t)stack->top, kernel_run, NULL);
}

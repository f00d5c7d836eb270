/*
 * smp.c - INIT-SIPI-SIPI through the real-mode trampoline.
 *
 * APs are started one by one so that the single trampoline parameter
 * block can be reused. Each AP gets its own idle stack and IST stacks,
 * all with guard pages, and joins the scheduler as soon as it runs C.
 */
#include "smp.h"
#include "apic.h"
#include "clock.h"
#include "cmos.h"
#include "console.h"
#include "discovery.h"
#include "fpu.h"
#include "gdt.h"
#include "idt.h"
#include "paging.h"
#include "percpu.h"
#include "sched.h"
#include "trampoline.h"
#include "vmem.h"

#include <string.h>

#define AP_STACK_SIZE       (64 * 1024)
#define IST_STACK_SIZE      (16 * 1024)
#define FIRST_WAIT_NS       1000000ull          /* after the first SIPI */
#define START_TIMEOUT_NS    1000000000ull       /* before giving up on a CPU */
#define PROBE_TIMEOUT_NS    200000000ull        /* for CPUs no table lists */

static _Noreturn void ap_main(void *arg)
{
    struct cpu *c = arg;
    uintptr_t ist[IST_COUNT];

    percpu_install(c, (unsigned)c->index);
    for (int i = 0; i < IST_COUNT; i++)
        ist[i] = c->ist_stacks[i]->top;
    gdt_init_cpu((unsigned)c->index, ist);
    idt_load();
    fpu_init_cpu();
    apic_init_cpu();
    c->apic_id = apic_id();
    sched_init_cpu(c);
    __atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
    sched_idle_loop();
}

static bool wait_online(struct cpu *c, uint64_t ns)
{
    uint64_t end = clock_ns() + ns;

    while (clock_ns() < end)
        if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

static bool prepare(struct cpu *c, unsigned index, struct trampoline_params *params)
{
    struct kstack *stack = stack_alloc(AP_STACK_SIZE);

    c->index = index;
    for (int i = 0; i < IST_COUNT; i++)
        if (!(c->ist_stacks[i] = stack_alloc(IST_STACK_SIZE)))
            return false;
    if (!stack)
        return false;
    params->stack_top = stack->top;
    params->arg = (uintptr_t)c;
    return true;
}

static bool start_cpu(struct cpu *c, uint32_t apic, uint64_t timeout_ns)
{
    uint8_t page = (uint8_t)(TRAMPOLINE_BASE >> 12);

    apic_send_init(apic);
    clock_delay_ns(10000);
    apic_send_startup(apic, page);
    if (wait_online(c, FIRST_WAIT_NS))
        return true;
    apic_send_startup(apic, page);
    return wait_online(c, timeout_ns);
}

static bool apic_online(uint32_t apic)
{
    for (unsigned i = 0; i < CPU_MAX; i++)
        if (cpus[i].online && cpus[i].apic_id == apic)
            return true;
    return false;
}

/* Starts the CPU with this APIC ID as CPU `index`; false if it stays silent. */
static bool try_start(unsigned index, uint32_t apic, uint64_t timeout_ns,
                      struct trampoline_params *params)
{
    struct cpu *c = &cpus[index];

    if (!prepare(c, index, params)) {
        klog(LOG_WARN, "out of memory starting CPU %u\n", index);
        return false;
    }
    if (start_cpu(c, apic, timeout_ns))
        return true;
    klog(LOG_WARN, "CPU with APIC ID %u did not start; continuing without it\n", apic);
    return false;
}

void smp_start(unsigned max_cpus)
{
    const struct platform_info *pi = discovery_platform();
    struct trampoline_params *params = (struct trampoline_params *)
        (TRAMPOLINE_BASE + (uintptr_t)(trampoline_params - trampoline_start));
    uint32_t boot_apic = apic_id();
    unsigned next = 1;

    if (read_cr3() >= (1ull << 32) || page_map(TRAMPOLINE_BASE, TRAMPOLINE_BASE, PAGE_SIZE_4K,
                                               PAGE_WRITE | PAGE_EXEC)) {
        klog(LOG_WARN, "cannot set up the AP trampoline: boot CPU only\n");
        return;
    }
    memcpy((void *)(uintptr_t)TRAMPOLINE_BASE, trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    params->cr3 = read_cr3();
    params->entry = (uintptr_t)ap_main;

    for (unsigned i = 0; i < pi->cpu_count && next < CPU_MAX; i++) {
        const struct platform_cpu *pc = &pi->cpus[i];
        if (!pc->enabled || pc->apic_id == boot_apic)
            continue;
        if (max_cpus && next >= max_cpus)
            break;
        if (!try_start(next, pc->apic_id, START_TIMEOUT_NS, params))
            continue;
        next++;
    }
    /*
     * SeaBIOS's MP table (QEMU without ACPI) lists only the boot CPU. The
     * CMOS CPU count says how many there are; QEMU numbers their APIC IDs
     * from 0, so the missing ones can be started by ID.
     */
    unsigned expected = pi->source == PLATFORM_SOURCE_ACPI ? 0 : cmos_cpu_count();
    for (uint32_t apic = 0; apic < expected && next < CPU_MAX; apic++) {
        if (max_cpus && next >= max_cpus)
            break;
        if (apic_online(apic))
            continue;
        if (try_start(next, apic, PROBE_TIMEOUT_NS, params))
            next++;
    }
    page_unmap(TRAMPOLINE_BASE, PAGE_SIZE_4K);
    klog(LOG_INFO, "smp: %u CPUs online\n", cpu_online_count());
}

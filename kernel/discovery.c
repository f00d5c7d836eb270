/*
 * discovery.c - finds CPUs and interrupt controllers, then programs them.
 *
 * ACPI first (the RSDP from the boot loader, else a BIOS-area search),
 * the MP table when ACPI is absent or broken, and a single CPU when both
 * fail: a broken table costs CPUs, never the boot. Tables are mapped on
 * demand, read-only, because firmware often keeps them in ranges the
 * memory map calls reserved, which the identity map leaves out.
 */
#include "discovery.h"
#include "apic.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "ioapic.h"
#include "machine.h"
#include "paging.h"
#include "panic.h"

#define DEFAULT_LAPIC 0xFEE00000ull

static struct platform_info platform;

const struct platform_info *discovery_platform(void)
{
    return &platform;
}

static bool map_pages(uint64_t phys, uint64_t size, unsigned flags)
{
    uint64_t first = phys & ~(PAGE_SIZE_4K - 1);
    uint64_t end = (phys + size + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);

    for (uint64_t page = first; page < end; page += PAGE_SIZE_4K)
        if (!page_translate(page, NULL, NULL) && page_map(page, page, PAGE_SIZE_4K, flags))
            return false;
    return true;
}

static const void *map_table(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    return map_pages(phys, len, PAGE_READ) ? (const void *)(uintptr_t)phys : NULL;
}

uintptr_t discovery_map_mmio(uint64_t phys, uint64_t size)
{
    return map_pages(phys, size, PAGE_WRITE | PAGE_NOCACHE) ? (uintptr_t)phys : 0;
}

static void report_failure(const char *what, int err, const struct platform_diag *diag)
{
    if (err == PLATFORM_ENOTFOUND) {
        klog(LOG_INFO, "%s: not found\n", what);
        return;
    }
    klog(LOG_WARN, "%s unusable: %s (table \"%s\" at %#llx)\n", what, platform_strerror(err),
         diag->table, (unsigned long long)diag->address);
}

static void read_tables(const struct boot_info *bi, const struct platform_options *opts)
{
    bool page0_was_mapped = page_translate(0, NULL, NULL);

    const struct platform_mapper mapper = { map_table, NULL };
    struct platform_diag diag = { "", 0 };
    int err = PLATFORM_ENOTFOUND;

    if (!opts->acpi_off) {
        uint64_t rsdp = bi->rsdp;
        if (rsdp || acpi_find_rsdp(&mapper, &rsdp) == PLATFORM_OK)
            err = acpi_parse(&mapper, rsdp, &platform, &diag);
        if (err != PLATFORM_OK)
            report_failure("ACPI", err, &diag);
    }
    if (err != PLATFORM_OK) {
        err = mptable_parse(&mapper, &platform, &diag);
        if (err != PLATFORM_OK)
            report_failure("MP table", err, &diag);
    }
    /* The search reads the BIOS data area in page 0; NULL must fault again. */
    if (!page0_was_mapped)
        page_unmap(0, PAGE_SIZE_4K);
    if (err == PLATFORM_OK)
        return;
    klog(LOG_WARN, "no usable ACPI or MP table\n");
    platform = (struct platform_info){ .source = PLATFORM_SOURCE_NONE,
                                       .lapic_address = DEFAULT_LAPIC, .pcat_compat = true };
}

static void setup_ioapics(void)
{
    for (unsigned i = 0; i < platform.ioapic_count; i++) {
        const struct platform_ioapic *io = &platform.ioapics[i];
        if (ioapic_add(io->id, discovery_map_mmio(io->address, PAGE_SIZE_4K), io->gsi_base))
            klog(LOG_WARN, "I/O APIC %u at %#llx ignored\n", io->id,
                 (unsigned long long)io->address);
    }
}

void discovery_read(const struct boot_info *bi, const struct platform_options *opts)
{
    read_tables(bi, opts);
}

void discovery_init(void)
{
    if (platform.cpus_dropped)
        klog(LOG_WARN, "%u CPUs beyond the supported %u ignored\n", platform.cpus_dropped,
             PLATFORM_CPUS_MAX);
    if (platform.s5_valid)
        machine_set_acpi_poweroff(platform.pm1a_cnt_port, platform.pm1b_cnt_port,
                                  platform.slp_typ_s5a, platform.slp_typ_s5b);
    if (platform.imcr_present) {
        outb(0x22, 0x70);               /* IMCR: route interrupts to the APIC */
        outb(0x23, 0x01);
    }
    pic_disable();
    if (apic_init_boot(platform.lapic_address, true, discovery_map_mmio))
        panic("this CPU has no usable local APIC");
    apic_init_cpu();
    uint64_t timer_hz = apic_timer_calibrate(clock_tsc_hz());
    setup_ioapics();
    klog(LOG_INFO, "local APIC timer: %llu kHz\n", (unsigned long long)(timer_hz / 1000));
    klog(LOG_INFO, "platform: %s, %u CPUs listed, %u I/O APICs, local APIC in %s mode\n",
         platform.source == PLATFORM_SOURCE_ACPI ? "ACPI"
         : platform.source == PLATFORM_SOURCE_MPTABLE ? "MP table" : "no tables",
         platform.cpu_count, ioapic_count(), apic_mode_name());
}

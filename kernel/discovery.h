/*
 * discovery.h - reads the machine's description once at boot (ACPI, else
 * the MP table) and sets up its interrupt controllers.
 *
 * Contract: discovery_read runs once on the boot CPU after paging is up,
 * then (once the TSC's frequency is known: the local APIC timer is
 * calibrated against it) discovery_init. discovery_read always leaves a
 * usable description: when neither ACPI nor an MP
 * table can be read it says why and describes one CPU with the default
 * local APIC address.
 */
#ifndef KERNEL_DISCOVERY_H
#define KERNEL_DISCOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"
#include "platform.h"

struct platform_options {
    bool acpi_off;              /* ignore ACPI, read the MP table */
};

void discovery_read(const struct boot_info *bi, const struct platform_options *opts);
void discovery_init(void);
const struct platform_info *discovery_platform(void);

/* Identity-maps an MMIO range uncached and returns its address (0 on failure). */
uintptr_t discovery_map_mmio(uint64_t phys, uint64_t size);

#endif

/*
 * fuzz_madt.c - the MADT's entries (arch/x86_64/acpi_madt.c), handed
 * over directly: the input is the table as acpi.c maps it (checksum and
 * signature already checked there), in a heap copy of exactly its size.
 */
#include "fuzz.h"
#include "platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct platform_info info;
    uint8_t *madt = fuzz_copy(data, size, 0);

    memset(&info, 0, sizeof(info));
    int err = acpi_madt_parse(madt, (uint32_t)size, &info);
    FUZZ_CHECK(err == PLATFORM_OK || err == PLATFORM_EMALFORMED);
    FUZZ_CHECK(info.cpu_count <= PLATFORM_CPUS_MAX);
    FUZZ_CHECK(info.ioapic_count <= PLATFORM_IOAPICS_MAX);
    FUZZ_CHECK(info.override_count <= PLATFORM_OVERRIDES_MAX);
    FUZZ_CHECK(info.nmi_count <= PLATFORM_NMIS_MAX);
    for (unsigned i = 0; i < info.cpu_count; i++)
        for (unsigned j = 0; j < i; j++)
            FUZZ_CHECK(info.cpus[i].apic_id != info.cpus[j].apic_id);
    free(madt);
    return 0;
}

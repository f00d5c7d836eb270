/*
 * fuzz_acpi.c - the ACPI tables (arch/x86_64/acpi.c, acpi_madt.c): the
 * RSDP search, RSDT/XSDT, MADT, FADT with the DSDT's \_S5_, MCFG, in fake
 * low memory (fuzz_platform.h says how the input is laid out).
 *
 * The RSDP is searched for as the kernel does; when none is found, the
 * tables are parsed from an RSDP at 0xF0000 anyway (the multiboot2 path
 * hands one over without a search). Properties: fuzz_platform.h's
 * check_info, and a found RSDP lies in a search area.
 */
#include "fuzz_platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct platform_info info;
    struct platform_diag diag;
    uint64_t rsdp = 0;

    fake_load(data, size);
    if (acpi_find_rsdp(&mapper, &rsdp) == PLATFORM_OK)
        FUZZ_CHECK(rsdp % 16 == 0 && ((rsdp >= 0xE0000 && rsdp < 0x100000) || rsdp < 0xA0000));
    else
        rsdp = PLACE_AT;
    int err = acpi_parse(&mapper, rsdp, &info, &diag);
    check_info(err, &info, &diag);
    if (!err)
        FUZZ_CHECK(info.source == PLATFORM_SOURCE_ACPI);
    fake_unload();
    return 0;
}

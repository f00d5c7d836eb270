/*
 * fuzz_platform.h - fake low memory for the ACPI and MP-table harnesses
 * (fuzz_acpi.c, fuzz_mptable.c), after tests/unit/platform_fixture.h.
 *
 * Input: byte 0 holds flags (bit 0: leave checksums as they are), bytes
 * 1-2 the EBDA segment (BDA 0x40E), bytes 3-4 the KiB of base memory (BDA
 * 0x413); the rest is copied to physical 0xF0000 and on (inside both BIOS
 * search areas, and past 1 MiB for larger inputs). Everything else in the
 * first PHYS_SIZE bytes reads as zeros; beyond it the mapper refuses.
 *
 * The mapper hands out a fresh heap copy of exactly the range asked for,
 * so ASan catches a read past what the parser mapped.
 *
 * Checksums: a fuzzer cannot find a matching byte sum by mutation, so
 * unless flag bit 0 is set every structure recognised by its signature
 * (RSDP, RSDT, XSDT, APIC, FACP, DSDT, MCFG, _MP_, PCMP) with a length
 * that fits gets its checksum byte set, last structure first so that an
 * enclosing one is summed after what it encloses.
 */
#ifndef TESTS_FUZZ_PLATFORM_H
#define TESTS_FUZZ_PLATFORM_H

#include "fuzz.h"
#include "platform.h"

#define PHYS_SIZE       0x200000u
#define PLACE_AT        0xF0000u
#define COPIES_MAX      4096

static uint8_t phys[PHYS_SIZE];
static size_t placed;

static struct {
    void *copies[COPIES_MAX];
    unsigned count;
} fake;

static const void *fake_map(void *ctx, uint64_t base, uint64_t len)
{
    (void)ctx;
    /* platform_map refuses len 0 and wrapping ranges before we are asked. */
    FUZZ_CHECK(len > 0 && base + len > base);
    if (base >= PHYS_SIZE || len > PHYS_SIZE - base || fake.count == COPIES_MAX)
        return NULL;
    void *copy = malloc(len);
    memcpy(copy, phys + base, len);
    fake.copies[fake.count++] = copy;
    return copy;
}

static const struct platform_mapper mapper = { fake_map, NULL };

static void fix_sum(uint8_t *p, size_t len, size_t at)
{
    uint8_t sum = 0;

    p[at] = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    p[at] = (uint8_t)-sum;
}

static void fix_checksums(uint8_t *p, size_t n)
{
    static const char *const tables[] = { "RSDT", "XSDT", "APIC", "FACP", "DSDT", "MCFG" };

    for (size_t i = n; i-- > 0;) {
        size_t room = n - i, len;
        if (room >= 20 && !memcmp(p + i, "RSD PTR ", 8)) {
            fix_sum(p + i, 20, 8);
            len = platform_get32(p + i + 20);
            if (p[i + 15] >= 2 && room >= 36 && len >= 36 && len <= room)
                fix_sum(p + i, len, 32);
            continue;
        }
        if (room >= 16 && !memcmp(p + i, "_MP_", 4)) {
            len = (size_t)p[i + 8] * 16;
            if (len >= 16 && len <= room)
                fix_sum(p + i, len, 10);
            continue;
        }
        if (room >= 44 && !memcmp(p + i, "PCMP", 4)) {
            len = platform_get16(p + i + 4);
            if (len >= 44 && len <= room)
                fix_sum(p + i, len, 7);
            continue;
        }
        if (room < 36)
            continue;
        for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
            len = platform_get32(p + i + 4);
            if (!memcmp(p + i, tables[t], 4) && len >= 36 && len <= room)
                fix_sum(p + i, len, 9);
        }
    }
}

/* Lays the input out in fake memory; returns its flags byte. */
static uint8_t fake_load(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    uint8_t flags = fuzz_u8(&in);
    uint16_t ebda_segment = fuzz_u16(&in), base_kib = fuzz_u16(&in);

    memcpy(phys + 0x40E, &ebda_segment, 2);
    memcpy(phys + 0x413, &base_kib, 2);
    placed = in.left < PHYS_SIZE - PLACE_AT ? in.left : PHYS_SIZE - PLACE_AT;
    if (placed)
        memcpy(phys + PLACE_AT, in.p, placed);
    if (!(flags & 1))
        fix_checksums(phys + PLACE_AT, placed);
    return flags;
}

static void fake_unload(void)
{
    for (unsigned i = 0; i < fake.count; i++)
        free(fake.copies[i]);
    fake.count = 0;
    memset(phys + PLACE_AT, 0, placed);
    memset(phys + 0x40E, 0, 2);
    memset(phys + 0x413, 0, 2);
}

/* What both parsers promise about a result. */
static void check_info(int err, const struct platform_info *info, const struct platform_diag *diag)
{
    FUZZ_CHECK(platform_strerror(err) != NULL);
    FUZZ_CHECK(diag->table[4] == '\0');
    if (err)
        return;
    FUZZ_CHECK(info->cpu_count <= PLATFORM_CPUS_MAX);
    FUZZ_CHECK(info->ioapic_count <= PLATFORM_IOAPICS_MAX);
    FUZZ_CHECK(info->override_count <= PLATFORM_OVERRIDES_MAX);
    FUZZ_CHECK(info->nmi_count <= PLATFORM_NMIS_MAX);
    FUZZ_CHECK(info->ecam_base == 0 || info->ecam_bus_start <= info->ecam_bus_end);
}

#endif

/*
 * platform_fixture.h - fake physical memory for the ACPI and MP-table
 * parser tests (test_acpi.c, test_mptable.c).
 *
 * The mapper hands out a fresh heap copy of exactly the requested range,
 * so AddressSanitizer catches any read past what the parser asked for,
 * and it refuses (and counts) requests outside the regions a test
 * declared: the declared length of each table, or the BIOS areas.
 * Included by one test program each, so its static helpers are private.
 */
#ifndef TESTS_PLATFORM_FIXTURE_H
#define TESTS_PLATFORM_FIXTURE_H

#include "check.h"
#include "platform.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PHYS_SIZE   0x200000
#define REGIONS_MAX 64
#define COPIES_MAX  4096

static uint8_t phys[PHYS_SIZE];
static struct platform_info info;
static struct platform_diag diag;

static struct fake {
    struct { uint64_t base, len; } regions[REGIONS_MAX];
    unsigned region_count;
    void *copies[COPIES_MAX];
    unsigned copy_count;
    unsigned violations;        /* requests outside every declared region */
    uint64_t deny;              /* a range start the mapper refuses, 0 for none */
} fake;

static const void *fake_map(void *ctx, uint64_t base, uint64_t len)
{
    struct fake *f = ctx;
    int inside = 0;

    if (f->deny && base == f->deny)
        return NULL;
    for (unsigned i = 0; i < f->region_count; i++)
        if (base >= f->regions[i].base && len <= f->regions[i].len &&
            base - f->regions[i].base <= f->regions[i].len - len)
            inside = 1;
    if (!inside || base + len > PHYS_SIZE || f->copy_count == COPIES_MAX) {
        f->violations++;
        return NULL;
    }
    void *copy = malloc(len);
    memcpy(copy, phys + base, len);
    f->copies[f->copy_count++] = copy;
    return copy;
}

static const struct platform_mapper mapper = { fake_map, &fake };

static inline void fake_reset(void)
{
    for (unsigned i = 0; i < fake.copy_count; i++)
        free(fake.copies[i]);
    memset(&fake, 0, sizeof(fake));
    memset(phys, 0, sizeof(phys));
    memset(&diag, 0, sizeof(diag));
}

static inline void region(uint64_t base, uint64_t len)
{
    fake.regions[fake.region_count].base = base;
    fake.regions[fake.region_count++].len = len;
}

/* ---- writing little-endian data into fake memory ------------------------ */

static uint64_t cur;            /* where the e* emitters write next */

static inline void put16(uint64_t a, uint16_t v) { phys[a] = (uint8_t)v; phys[a + 1] = (uint8_t)(v >> 8); }
static inline void put32(uint64_t a, uint32_t v) { put16(a, (uint16_t)v); put16(a + 2, (uint16_t)(v >> 16)); }
static inline void put64(uint64_t a, uint64_t v) { put32(a, (uint32_t)v); put32(a + 4, (uint32_t)(v >> 32)); }
static inline void e8(uint8_t v) { phys[cur++] = v; }
static inline void e16(uint16_t v) { put16(cur, v); cur += 2; }
static inline void e32(uint32_t v) { put32(cur, v); cur += 4; }
static inline void ebytes(const void *p, size_t n) { if (n) memcpy(phys + cur, p, n); cur += n; }

/* Sets the byte at a + at so that bytes [a, a + len) sum to 0. */
static inline void checksum(uint64_t a, uint64_t len, uint64_t at)
{
    uint8_t sum = 0;

    phys[a + at] = 0;
    for (uint64_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + phys[a + i]);
    phys[a + at] = (uint8_t)-sum;
}


static inline void low_memory(uint16_t ebda_segment)
{
    fake_reset();
    put16(0x40E, ebda_segment);
    put16(0x413, 639);
    region(0x400, 0x100);
    if (ebda_segment)
        region((uint64_t)ebda_segment << 4, 0x400);
    region(0x9F800, 0x400);
    region(0xE0000, 0x20000);
}

#endif

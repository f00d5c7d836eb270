/*
 * acpi.c - reads the ACPI tables the kernel needs: RSDP, RSDT/XSDT, MADT
 * (mapped here, decoded in acpi_madt.c), FADT (PM ports, and the DSDT's
 * \_S5_ package for power-off), MCFG (PCI ECAM).
 *
 * Layouts: ACPI 6.5, chapter 5.2. Every table is mapped as a 36-byte
 * header first, then at its declared length, and nothing is read beyond
 * that length. An AML interpreter is out of scope: \_S5_ is found by its
 * byte pattern, which is how every small kernel does it.
 */
#include "platform.h"

#include <string.h>

#define ACPI_HEADER_LEN     36
#define ACPI_TABLE_MAX      (16u << 20)     /* beyond any real DSDT: a length that is garbage */
#define RSDP_V1_LEN         20
#define RSDP_V2_LEN         36
#define EBDA_SEARCH_LEN     1024
#define BIOS_AREA_START     0xE0000
#define BIOS_AREA_END       0x100000

#define FADT_DSDT           40
#define FADT_PM1A_CNT_BLK   64
#define FADT_PM1B_CNT_BLK   68
#define FADT_PM_TMR_BLK     76
#define FADT_MIN_LEN        80              /* through PM_TMR_BLK */
#define FADT_X_DSDT         140

#define MCFG_ENTRIES        44              /* header + 8 reserved bytes */
#define MCFG_ENTRY_LEN      16

/* ---- RSDP ---------------------------------------------------------------- */

/* avail bounds the extended checksum: a scan window may end right after. */
static bool acpi_rsdp_valid(const uint8_t *p, uint64_t avail)
{
    if (avail < RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) || !platform_sum_ok(p, RSDP_V1_LEN))
        return false;
    if (p[15] < 2)
        return true;
    uint32_t len = platform_get32(p + 20);
    return len >= RSDP_V2_LEN && len <= avail && platform_sum_ok(p, len);
}

static int acpi_scan(const struct platform_mapper *m, uint64_t base, uint64_t len,
                     uint64_t *found)
{
    const uint8_t *p = platform_map(m, base, len);

    if (!p)
        return PLATFORM_ENOMAP;
    for (uint64_t off = 0; off + RSDP_V1_LEN <= len; off += 16) {
        if (acpi_rsdp_valid(p + off, len - off)) {
            *found = base + off;
            return PLATFORM_OK;
        }
    }
    return PLATFORM_ENOTFOUND;
}

int acpi_find_rsdp(const struct platform_mapper *m, uint64_t *rsdp_phys)
{
    uint64_t ebda = platform_ebda(m);

    if (ebda && acpi_scan(m, ebda, EBDA_SEARCH_LEN, rsdp_phys) == PLATFORM_OK)
        return PLATFORM_OK;
    return acpi_scan(m, BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START, rsdp_phys);
}

/* ---- tables -------------------------------------------------------------- */

/* Maps a whole table once its signature, length and checksum are right. */
static int acpi_map_table(const struct platform_mapper *m, uint64_t phys, const char *sig,
                          const uint8_t **table, uint32_t *len, struct platform_diag *diag)
{
    const uint8_t *h = platform_map(m, phys, ACPI_HEADER_LEN);

    if (!h)
        return platform_fail(diag, PLATFORM_ENOMAP, sig, phys);
    uint32_t n = platform_get32(h + 4);
    if (memcmp(h, sig, 4) || n < ACPI_HEADER_LEN || n > ACPI_TABLE_MAX)
        return platform_fail(diag, PLATFORM_EMALFORMED, sig, phys);
    const uint8_t *t = platform_map(m, phys, n);
    if (!t)
        return platform_fail(diag, PLATFORM_ENOMAP, sig, phys);
    if (!platform_sum_ok(t, n))
        return platform_fail(diag, PLATFORM_ECHECKSUM, sig, phys);
    *table = t;
    *len = n;
    return PLATFORM_OK;
}

/* ---- MADT ---------------------------------------------------------------- */

static int acpi_parse_madt(const struct platform_mapper *m, uint64_t phys,
                           struct platform_info *out, struct platform_diag *diag)
{
    const uint8_t *t;
    uint32_t len;
    int err = acpi_map_table(m, phys, "APIC", &t, &len, diag);

    if (!err && (err = acpi_madt_parse(t, len, out)))
        platform_fail(diag, err, "APIC", phys);
    return err;
}

/* ---- DSDT: \_S5_ ----------------------------------------------------------- */

/* PkgLength: bits 7-6 of the lead byte count the bytes that follow it. */
static const uint8_t *aml_pkg_length(const uint8_t *p, const uint8_t *end, uint32_t *len)
{
    if (p >= end)
        return NULL;
    unsigned follow = *p >> 6;
    if (end - p < 1 + (ptrdiff_t)follow)
        return NULL;
    if (!follow) {
        *len = *p & 0x3F;
        return p + 1;
    }
    uint32_t v = *p & 0x0F;
    for (unsigned i = 0; i < follow; i++)
        v |= (uint32_t)p[1 + i] << (4 + 8 * i);
    *len = v;
    return p + 1 + follow;
}

/* The integer encodings a SLP_TYP element uses; SLP_TYP is 3 bits wide. */
static const uint8_t *aml_integer(const uint8_t *p, const uint8_t *end, uint16_t *value)
{
    if (p >= end)
        return NULL;
    switch (*p) {
    case 0x00: *value = 0; return p + 1;                    /* ZeroOp */
    case 0x01: *value = 1; return p + 1;                    /* OneOp */
    case 0x0A: if (end - p < 2) return NULL;                /* BytePrefix */
        *value = p[1]; return p + 2;
    case 0x0B: if (end - p < 3) return NULL;                /* WordPrefix */
        *value = platform_get16(p + 1); return p + 3;
    case 0x0C: if (end - p < 5) return NULL;                /* DWordPrefix */
        *value = (uint16_t)platform_get32(p + 1); return p + 5;
    default: return NULL;
    }
}

/* p points just after PackageOp; the package must lie inside the table. */
static bool aml_s5_package(const uint8_t *p, const uint8_t *end, struct platform_info *out)
{
    const uint8_t *start = p;
    uint32_t pkg_len;
    uint16_t a, b;

    if (!(p = aml_pkg_length(p, end, &pkg_len)) || pkg_len > (uint32_t)(end - start))
        return false;
    end = start + pkg_len;
    if (p >= end || *p < 2)
        return false;           /* NumElements: SLP_TYPa and SLP_TYPb */
    if (!(p = aml_integer(p + 1, end, &a)) || !aml_integer(p, end, &b))
        return false;
    out->slp_typ_s5a = a;
    out->slp_typ_s5b = b;
    return true;
}

/* NameOp, an optional root prefix '\', "_S5_", PackageOp. */
static void acpi_find_s5(const struct platform_mapper *m, uint64_t phys, struct platform_info *out)
{
    const uint8_t *t;
    uint32_t len;

    if (acpi_map_table(m, phys, "DSDT", &t, &len, NULL) != PLATFORM_OK)
        return;
    for (uint32_t i = ACPI_HEADER_LEN; len - i >= 5; i++) {
        if (memcmp(t + i, "_S5_", 4) || t[i + 4] != 0x12)
            continue;
        if (t[i - 1] != 0x08 && !(t[i - 1] == '\\' && t[i - 2] == 0x08))
            continue;
        if (aml_s5_package(t + i + 5, t + len, out)) {
            out->s5_valid = true;
            return;
        }
    }
}

/* ---- FADT, MCFG ---------------------------------------------------------- */

static int acpi_parse_fadt(const struct platform_mapper *m, uint64_t phys,
                           struct platform_info *out, struct platform_diag *diag)
{
    const uint8_t *t;
    uint32_t len;
    int err = acpi_map_table(m, phys, "FACP", &t, &len, diag);

    if (err)
        return err;
    if (len < FADT_MIN_LEN)
        return platform_fail(diag, PLATFORM_EMALFORMED, "FACP", phys);
    out->pm1a_cnt_port = platform_get32(t + FADT_PM1A_CNT_BLK);
    out->pm1b_cnt_port = platform_get32(t + FADT_PM1B_CNT_BLK);
    out->pm_timer_port = platform_get32(t + FADT_PM_TMR_BLK);
    /* ACPI 2.0+: X_DSDT, when set, wins over the 32-bit field. */
    uint64_t dsdt = platform_get32(t + FADT_DSDT);
    if (len >= FADT_X_DSDT + 8 && platform_get64(t + FADT_X_DSDT))
        dsdt = platform_get64(t + FADT_X_DSDT);
    if (dsdt)
        acpi_find_s5(m, dsdt, out);
    return PLATFORM_OK;
}

/* Optional: without a usable MCFG, PCI falls back to ports 0xCF8/0xCFC. */
static void acpi_parse_mcfg(const struct platform_mapper *m, uint64_t phys,
                            struct platform_info *out)
{
    const uint8_t *t;
    uint32_t len;

    if (acpi_map_table(m, phys, "MCFG", &t, &len, NULL) != PLATFORM_OK ||
        len < MCFG_ENTRIES + MCFG_ENTRY_LEN)
        return;
    const uint8_t *e = t + MCFG_ENTRIES;
    if (e[11] < e[10])
        return;
    out->ecam_base = platform_get64(e);
    out->ecam_segment = platform_get16(e + 8);
    out->ecam_bus_start = e[10];
    out->ecam_bus_end = e[11];
}

/* ---- RSDT / XSDT --------------------------------------------------------- */

struct acpi_tables { uint64_t madt, fadt, mcfg; };

/* Only the signature of each listed table is read here; the first of each kind counts. */
static int acpi_walk_root(const struct platform_mapper *m, uint64_t phys, bool xsdt,
                          struct acpi_tables *found, struct platform_diag *diag)
{
    const char *sig = xsdt ? "XSDT" : "RSDT";
    uint32_t entry = xsdt ? 8 : 4;
    const uint8_t *t;
    uint32_t len;
    int err = acpi_map_table(m, phys, sig, &t, &len, diag);

    if (err)
        return err;
    /* A partial entry at the end is ignored, as other operating systems do. */
    for (uint32_t off = ACPI_HEADER_LEN; len - off >= entry; off += entry) {
        uint64_t a = xsdt ? platform_get64(t + off) : platform_get32(t + off);
        if (!a)
            continue;
        const uint8_t *s = platform_map(m, a, 4);
        if (!s)
            return platform_fail(diag, PLATFORM_ENOMAP, "????", a);
        if (!found->madt && !memcmp(s, "APIC", 4))
            found->madt = a;
        else if (!found->fadt && !memcmp(s, "FACP", 4))
            found->fadt = a;
        else if (!found->mcfg && !memcmp(s, "MCFG", 4))
            found->mcfg = a;
    }
    return PLATFORM_OK;
}

/* Picks the root table: the XSDT when an ACPI 2.0+ RSDP names one, else the RSDT. */
static int acpi_root(const struct platform_mapper *m, uint64_t rsdp, uint64_t *root,
                     bool *xsdt, struct platform_diag *diag)
{
    const uint8_t *r = platform_map(m, rsdp, RSDP_V1_LEN);

    if (!r)
        return platform_fail(diag, PLATFORM_ENOMAP, "RSD ", rsdp);
    if (memcmp(r, "RSD PTR ", 8))
        return platform_fail(diag, PLATFORM_ENOTFOUND, "RSD ", rsdp);
    if (!platform_sum_ok(r, RSDP_V1_LEN))
        return platform_fail(diag, PLATFORM_ECHECKSUM, "RSD ", rsdp);
    *root = platform_get32(r + 16);
    *xsdt = false;
    if (r[15] >= 2) {
        /* The length field lies past the 20 bytes of version 1. */
        if (!(r = platform_map(m, rsdp, RSDP_V2_LEN)))
            return platform_fail(diag, PLATFORM_ENOMAP, "RSD ", rsdp);
        uint32_t len = platform_get32(r + 20);
        if (len < RSDP_V2_LEN || len > ACPI_TABLE_MAX)
            return platform_fail(diag, PLATFORM_EMALFORMED, "RSD ", rsdp);
        if (!(r = platform_map(m, rsdp, len)))
            return platform_fail(diag, PLATFORM_ENOMAP, "RSD ", rsdp);
        if (!platform_sum_ok(r, len))
            return platform_fail(diag, PLATFORM_ECHECKSUM, "RSD ", rsdp);
        if (platform_get64(r + 24)) {
            *root = platform_get64(r + 24);
            *xsdt = true;
        }
    }
    return *root ? PLATFORM_OK : platform_fail(diag, PLATFORM_EMALFORMED, "RSD ", rsdp);
}

int acpi_parse(const struct platform_mapper *m, uint64_t rsdp_phys, struct platform_info *out,
               struct platform_diag *diag)
{
    struct acpi_tables found = { 0, 0, 0 };
    uint64_t root;
    bool xsdt;
    int err;

    memset(out, 0, sizeof(*out));
    if (diag)
        memset(diag, 0, sizeof(*diag));
    if ((err = acpi_root(m, rsdp_phys, &root, &xsdt, diag)) ||
        (err = acpi_walk_root(m, root, xsdt, &found, diag)))
        return err;
    if (!found.madt)
        return platform_fail(diag, PLATFORM_ENOTFOUND, "APIC", 0);
    if ((err = acpi_parse_madt(m, found.madt, out, diag)))
        return err;
    if (found.fadt && (err = acpi_parse_fadt(m, found.fadt, out, diag)))
        return err;
    if (found.mcfg)
        acpi_parse_mcfg(m, found.mcfg, out);
    out->source = PLATFORM_SOURCE_ACPI;
    return PLATFORM_OK;
}

const char *platform_strerror(int error)
{
    switch (error) {
    case PLATFORM_OK: return "no error";
    case PLATFORM_ENOTFOUND: return "firmware table not found";
    case PLATFORM_ECHECKSUM: return "firmware table has a bad checksum";
    case PLATFORM_EMALFORMED: return "firmware table is malformed";
    case PLATFORM_ENOMAP: return "firmware table could not be mapped";
    default: return "unknown platform error";
    }
}

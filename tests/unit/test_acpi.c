/*
 * test_acpi.c - the ACPI parser (RSDP, RSDT/XSDT, MADT, FADT, DSDT \_S5_,
 * MCFG) against tables built in fake physical memory.
 */
#include "platform_fixture.h"

/* ---- ACPI tables -------------------------------------------------------- */

enum {
    RSDP = 0xE0010, RSDT = 0x100000, XSDT = 0x101000, MADT = 0x102000, FADT = 0x103000,
    MADT_RSDT = 0x104000, DSDT_PLAIN = 0x105000, MCFG = 0x106000, DSDT = 0x107000,
    HPET = 0x108000,
};

static uint64_t table_at;

static void table_begin(uint64_t a, const char *sig, uint8_t revision)
{
    table_at = a;
    memcpy(phys + a, sig, 4);
    phys[a + 8] = revision;
    memcpy(phys + a + 10, "HERMIT", 6);
    cur = a + 36;
}

/* The length is what was emitted; the table becomes a region the parser may read. */
static void table_end(void)
{
    put32(table_at + 4, (uint32_t)(cur - table_at));
    checksum(table_at, cur - table_at, 9);
    region(table_at, cur - table_at);
}

static void rsdp(uint64_t a, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
    memcpy(phys + a, "RSD PTR ", 8);
    memcpy(phys + a + 9, "HERMIT", 6);
    phys[a + 15] = revision;
    put32(a + 16, rsdt);
    if (revision >= 2) {
        put32(a + 20, 36);
        put64(a + 24, xsdt);
        checksum(a, 20, 8);
        checksum(a, 36, 32);
    } else {
        checksum(a, 20, 8);
    }
    region(a, revision >= 2 ? 36 : 20);
}

static void root(uint64_t a, int xsdt, const uint64_t *entries, unsigned n)
{
    table_begin(a, xsdt ? "XSDT" : "RSDT", 1);
    for (unsigned i = 0; i < n; i++) {
        if (xsdt) {
            put64(cur, entries[i]);
            cur += 8;
        } else {
            e32((uint32_t)entries[i]);
        }
    }
    table_end();
}

static void madt_begin(uint64_t a, uint32_t lapic, uint32_t flags)
{
    table_begin(a, "APIC", 5);
    e32(lapic);
    e32(flags);
}

static void madt_lapic(uint8_t uid, uint8_t id, uint32_t flags) { e8(0); e8(8); e8(uid); e8(id); e32(flags); }
static void madt_ioapic(uint8_t id, uint32_t address, uint32_t gsi) { e8(1); e8(12); e8(id); e8(0); e32(address); e32(gsi); }
static void madt_override(uint8_t irq, uint32_t gsi, uint16_t flags) { e8(2); e8(10); e8(0); e8(irq); e32(gsi); e16(flags); }
static void madt_nmi(uint8_t uid, uint16_t flags, uint8_t lint) { e8(4); e8(6); e8(uid); e16(flags); e8(lint); }

static void madt_x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
    e8(9); e8(16); e16(0); e32(id); e32(flags); e32(uid);
}

/* FADT revision 6 (276 bytes) or revision 1 (116 bytes, no X_DSDT). */
static void fadt(uint64_t a, int revision, uint32_t dsdt, uint64_t x_dsdt)
{
    table_begin(a, "FACP", (uint8_t)revision);
    put32(a + 40, dsdt);
    put32(a + 64, 0x604);
    put32(a + 68, revision >= 2 ? 0x704 : 0);
    put32(a + 76, 0x608);
    if (revision >= 2)
        put64(a + 140, x_dsdt);
    cur = a + (revision >= 2 ? 276 : 116);
    table_end();
}

static void dsdt(uint64_t a, const uint8_t *aml, size_t n)
{
    table_begin(a, "DSDT", 2);
    ebytes(aml, n);
    table_end();
}

static void mcfg(uint64_t a)
{
    table_begin(a, "MCFG", 1);
    cur += 8;
    put64(cur, 0xB0000000);
    cur += 8;
    e16(0);
    e8(0);
    e8(0x7F);
    e32(0);
    table_end();
}

/*
 * The QEMU-like machine: RSDP v2 naming both roots. The XSDT lists a junk
 * HPET (never mapped beyond its signature), the FADT, a null entry, the
 * MADT and the MCFG; the RSDT names a different one-CPU MADT, so reading
 * it instead of the XSDT would show.
 */
static void build_acpi(void)
{
    static const uint8_t aml[] = {
        0x10, 0x0A, '\\', '_', 'S', 'B', '_', 0x5B, 0x82, 0x00, 0x00, 0x00,     /* Scope */
        0x0D, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x01, 0x0A, 0x01, 0x00,  /* a string */
        0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0B, 0x07, 0x00, 0x00,
        0x00,
    };
    static const uint8_t no_s5[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x01, 0x01 };
    const uint64_t x[] = { HPET, FADT, 0, MADT, MCFG };
    const uint64_t r[] = { MADT_RSDT, FADT };

    fake_reset();
    rsdp(RSDP, 2, RSDT, XSDT);
    root(XSDT, 1, x, 5);
    root(RSDT, 0, r, 2);
    table_begin(HPET, "HPET", 1);
    cur += 20;
    table_end();
    phys[HPET + 40] ^= 0x55;                    /* its checksum is wrong, and unread */

    madt_begin(MADT, 0xFEE00000, 1);
    madt_lapic(0, 0, 1);
    madt_lapic(1, 1, 1);
    madt_lapic(2, 0xFF, 0);                     /* neither enabled nor online-capable */
    madt_ioapic(0, 0xFEC00000, 0);
    madt_override(0, 2, 0);
    madt_x2apic(300, 3, 1);
    madt_override(9, 9, 0x000D);
    madt_lapic(4, 4, 2);                        /* online-capable only */
    madt_nmi(0xFF, 0x0005, 1);
    e8(0x7F); e8(4); e16(0xFFFF);               /* a type from the future: skipped */
    table_end();

    madt_begin(MADT_RSDT, 0xFEE00000, 0);
    madt_lapic(0, 7, 1);
    table_end();

    fadt(FADT, 6, DSDT_PLAIN, DSDT);
    dsdt(DSDT_PLAIN, no_s5, sizeof(no_s5));
    dsdt(DSDT, aml, sizeof(aml));
    mcfg(MCFG);
}

static void test_acpi_xsdt(void)
{
    build_acpi();
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_OK);
    CHECK(info.source == PLATFORM_SOURCE_ACPI);
    CHECK(info.lapic_address == 0xFEE00000 && info.pcat_compat);
    CHECK(info.cpu_count == 4 && info.cpus_dropped == 0);
    CHECK(info.cpus[0].apic_id == 0 && info.cpus[0].acpi_uid == 0 && info.cpus[0].enabled);
    CHECK(info.cpus[1].apic_id == 1 && info.cpus[1].acpi_uid == 1 && info.cpus[1].enabled);
    CHECK(info.cpus[2].apic_id == 300 && info.cpus[2].acpi_uid == 3 && info.cpus[2].enabled);
    CHECK(info.cpus[3].apic_id == 4 && info.cpus[3].acpi_uid == 4 && !info.cpus[3].enabled);
    CHECK(info.ioapic_count == 1 && info.ioapics[0].id == 0 &&
          info.ioapics[0].address == 0xFEC00000 && info.ioapics[0].gsi_base == 0);
    CHECK(info.override_count == 2);
    CHECK(info.overrides[0].bus_irq == 0 && info.overrides[0].gsi == 2 && info.overrides[0].flags == 0);
    CHECK(info.overrides[1].bus_irq == 9 && info.overrides[1].gsi == 9 &&
          info.overrides[1].flags == 0x000D);
    CHECK(info.nmi_count == 1 && info.nmis[0].acpi_uid == PLATFORM_UID_ALL &&
          info.nmis[0].flags == 5 && info.nmis[0].lint == 1);
    CHECK(info.pm1a_cnt_port == 0x604 && info.pm1b_cnt_port == 0x704 && info.pm_timer_port == 0x608);
    CHECK(info.s5_valid && info.slp_typ_s5a == 5 && info.slp_typ_s5b == 7);
    CHECK(info.ecam_base == 0xB0000000 && info.ecam_segment == 0 &&
          info.ecam_bus_start == 0 && info.ecam_bus_end == 0x7F);
    CHECK(fake.violations == 0);
}

static void test_acpi_rsdt(void)
{
    static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00 };
    const uint64_t r[] = { FADT, MADT };

    fake_reset();
    rsdp(RSDP, 0, RSDT, 0);                     /* 20 bytes only: reading 36 would show */
    root(RSDT, 0, r, 2);
    madt_begin(MADT, 0xFEE00000, 0);
    madt_lapic(0, 0, 1);
    madt_lapic(1, 2, 1);
    table_end();
    fadt(FADT, 1, DSDT, 0);
    dsdt(DSDT, aml, sizeof(aml));
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_OK);
    CHECK(info.cpu_count == 2 && info.cpus[1].apic_id == 2 && info.cpus[1].acpi_uid == 1);
    CHECK(!info.pcat_compat && info.ioapic_count == 0 && info.ecam_base == 0);
    CHECK(info.pm1a_cnt_port == 0x604 && info.pm1b_cnt_port == 0 && info.pm_timer_port == 0x608);
    CHECK(info.s5_valid && info.slp_typ_s5a == 0 && info.slp_typ_s5b == 1);
    CHECK(fake.violations == 0);

    /* An ACPI 2.0 RSDP without an XSDT falls back to the RSDT. */
    build_acpi();
    rsdp(RSDP, 2, RSDT, 0);
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_OK);
    CHECK(info.cpu_count == 1 && info.cpus[0].apic_id == 7);
    CHECK(info.s5_valid && info.slp_typ_s5a == 5);
}

/* Corrupts one byte of a table and expects its name in diag. */
static void expect_checksum(uint64_t at, const char *table, uint64_t address)
{
    build_acpi();
    phys[at] ^= 0x40;
    memset(&diag, 0, sizeof(diag));
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_ECHECKSUM);
    CHECK(!strcmp(diag.table, table) && diag.address == address);
}

static void test_acpi_checksums(void)
{
    expect_checksum(MADT + 50, "APIC", MADT);
    expect_checksum(XSDT + 36, "XSDT", XSDT);
    expect_checksum(FADT + 200, "FACP", FADT);
    expect_checksum(RSDP + 9, "RSD ", RSDP);
    expect_checksum(RSDP + 33, "RSD ", RSDP);   /* extended checksum only */

    /* DSDT and MCFG damage loses only what they provide. */
    build_acpi();
    phys[DSDT + 40] ^= 0x40;
    phys[MCFG + 40] ^= 0x40;
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_OK);
    CHECK(!info.s5_valid && info.ecam_base == 0 && info.cpu_count == 4);

    /* RSDT checksum, through a v1 RSDP. */
    build_acpi();
    rsdp(RSDP, 0, RSDT, 0);
    phys[RSDT + 36] ^= 0x40;
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_ECHECKSUM);
    CHECK(!strcmp(diag.table, "RSDT") && diag.address == RSDT);
}

/* A MADT with one CPU, then raw entry bytes; len_adjust shortens the declared length. */
static int parse_madt_with(const uint8_t *raw, size_t n, int len_adjust)
{
    const uint64_t x[] = { MADT };

    fake_reset();
    rsdp(RSDP, 2, 0, XSDT);
    root(XSDT, 1, x, 1);
    madt_begin(MADT, 0xFEE00000, 0);
    madt_lapic(0, 0, 1);
    ebytes(raw, n);
    cur = (uint64_t)((int64_t)cur + len_adjust);
    table_end();
    memset(&diag, 0, sizeof(diag));
    return acpi_parse(&mapper, RSDP, &info, &diag);
}

static void test_madt_malformed(void)
{
    static const uint8_t zero_len[] = { 1, 0, 0, 0 };
    static const uint8_t one_len[] = { 1, 1, 0, 0 };
    static const uint8_t past_end[] = { 0, 8, 1, 1, 1, 0, 0, 0 };
    static const uint8_t short_lapic[] = { 0, 4, 1, 1 };
    static const uint8_t short_x2apic[] = { 9, 12, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
    static const uint8_t stray[] = { 1 };
    static const uint8_t unknown_zero[] = { 0x7F, 0, 0, 0 };
    static const uint8_t unknown_one[] = { 0x7F, 1, 0, 0 };
    static const uint8_t fine[] = { 0, 8, 1, 1, 1, 0, 0, 0 };

    CHECK(parse_madt_with(zero_len, sizeof(zero_len), 0) == PLATFORM_EMALFORMED);
    CHECK(!strcmp(diag.table, "APIC") && diag.address == MADT);
    CHECK(parse_madt_with(one_len, sizeof(one_len), 0) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(past_end, sizeof(past_end), -3) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(short_lapic, sizeof(short_lapic), 0) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(short_x2apic, sizeof(short_x2apic), 0) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(stray, sizeof(stray), 0) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(unknown_zero, sizeof(unknown_zero), 0) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(unknown_one, sizeof(unknown_one), 0) == PLATFORM_EMALFORMED);
    CHECK(parse_madt_with(fine, sizeof(fine), 0) == PLATFORM_OK && info.cpu_count == 2);
    CHECK(fake.violations == 0);

    /* Shorter than its fixed fields (44 bytes). */
    CHECK(parse_madt_with(NULL, 0, -12) == PLATFORM_EMALFORMED);
    CHECK(!strcmp(diag.table, "APIC"));
}

static void test_madt_limits(void)
{
    const uint64_t x[] = { MADT };

    fake_reset();
    rsdp(RSDP, 2, 0, XSDT);
    root(XSDT, 1, x, 1);
    madt_begin(MADT, 0xFEE00000, 0);
    for (unsigned i = 0; i < PLATFORM_CPUS_MAX + 6; i++)
        madt_x2apic(i, i, 1);
    madt_lapic(99, 5, 1);                       /* APIC ID 5 again: not a new CPU */
    for (unsigned i = 0; i < PLATFORM_IOAPICS_MAX + 1; i++)
        madt_ioapic((uint8_t)i, 0xFEC00000 + i * 0x1000, i * 24);
    for (unsigned i = 0; i < PLATFORM_OVERRIDES_MAX + 2; i++)
        madt_override((uint8_t)i, i + 100, 0);
    e8(5); e8(12); e16(0); put64(cur, 0x1FEE00000ull); cur += 8;   /* LAPIC address override */
    table_end();
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_OK);
    CHECK(info.cpu_count == PLATFORM_CPUS_MAX && info.cpus_dropped == 6);
    CHECK(info.cpus[63].apic_id == 63 && info.cpus[5].acpi_uid == 5);
    CHECK(info.ioapic_count == PLATFORM_IOAPICS_MAX && info.ioapics_dropped == 1);
    CHECK(info.ioapics[7].gsi_base == 7 * 24);
    CHECK(info.override_count == PLATFORM_OVERRIDES_MAX && info.overrides_dropped == 2);
    CHECK(info.lapic_address == 0x1FEE00000ull);
    CHECK(info.pm1a_cnt_port == 0 && !info.s5_valid);   /* no FADT is not an error */
}

static void test_acpi_missing(void)
{
    const uint64_t x[] = { FADT };

    build_acpi();
    root(XSDT, 1, x, 1);
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_ENOTFOUND);
    CHECK(!strcmp(diag.table, "APIC"));
    CHECK(acpi_parse(&mapper, MADT, &info, &diag) == PLATFORM_ENOTFOUND);   /* no RSDP there */
    CHECK(!strcmp(diag.table, "RSD ") && diag.address == MADT);

    build_acpi();
    fake.deny = MADT;
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_ENOMAP);
    CHECK(diag.address == MADT);

    build_acpi();
    put32(FADT + 4, 60);                        /* too short to hold PM_TMR_BLK */
    checksum(FADT, 60, 9);
    region(FADT, 60);
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_EMALFORMED);
    CHECK(!strcmp(diag.table, "FACP"));

    build_acpi();
    put32(XSDT + 4, 0xFFFFFFF0);                /* a garbage length is never mapped */
    CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_EMALFORMED);
    CHECK(!strcmp(diag.table, "XSDT") && fake.violations == 0);
}

/* \_S5_ packages that must not be trusted. */
static void test_dsdt_s5(void)
{
    static const uint8_t truncated[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05 };
    static const uint8_t one_element[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x01, 0x0A, 0x05, 0x0A, 0x05,
    };
    static const uint8_t method_call[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x68, 0x69 };
    static const uint8_t at_end[] = { 0x08, '_', 'S', '5', '_', 0x12 };
    static const uint8_t two_byte_len[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x02, 0x0A, 0x03, 0x0A, 0x04,
    };
    const struct { const uint8_t *aml; size_t n; int valid; } cases[] = {
        { truncated, sizeof(truncated), 0 }, { one_element, sizeof(one_element), 0 },
        { method_call, sizeof(method_call), 0 }, { at_end, sizeof(at_end), 0 },
        { two_byte_len, sizeof(two_byte_len), 1 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        build_acpi();
        dsdt(DSDT, cases[i].aml, cases[i].n);
        CHECK(acpi_parse(&mapper, RSDP, &info, &diag) == PLATFORM_OK);
        CHECK(info.s5_valid == cases[i].valid);
        CHECK(fake.violations == 0);
    }
    CHECK(info.slp_typ_s5a == 3 && info.slp_typ_s5b == 4);
}

/* ---- RSDP search over fake low memory ----------------------------------- */

static void test_find_rsdp(void)
{
    uint64_t found = 0;

    low_memory(0x9FC0);
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_ENOTFOUND);
    memcpy(phys + 0xE0000, "RSD PTR ", 8);      /* bad checksum */
    rsdp(0xE1008, 0, 0x100000, 0);              /* not on a 16-byte boundary */
    rsdp(0xF5A40, 2, 0x100000, 0x101000);
    phys[0xF5A40 + 33] ^= 1;                    /* bad extended checksum */
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_ENOTFOUND);
    rsdp(0xF6000, 2, 0x100000, 0x101000);
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_OK && found == 0xF6000);
    rsdp(0x9FC20, 0, 0x100000, 0);              /* the EBDA is searched first */
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_OK && found == 0x9FC20);
    CHECK(fake.violations == 0);

    /* No EBDA: its area must not even be asked for. */
    low_memory(0);
    rsdp(0x9FC20, 0, 0x100000, 0);
    rsdp(0xFFFC0, 0, 0x100000, 0);
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_OK && found == 0xFFFC0);
    CHECK(fake.violations == 0);

    /* A segment pointing into the interrupt vector table is not an EBDA. */
    low_memory(0);
    put16(0x40E, 0x0010);
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_ENOTFOUND && fake.violations == 0);

    low_memory(0x9FC0);
    fake.deny = 0xE0000;
    CHECK(acpi_find_rsdp(&mapper, &found) == PLATFORM_ENOMAP);
}

static void test_strerror(void)
{
    CHECK(strstr(platform_strerror(PLATFORM_ECHECKSUM), "checksum") != NULL);
    CHECK(strstr(platform_strerror(PLATFORM_ENOTFOUND), "not found") != NULL);
    CHECK(strstr(platform_strerror(PLATFORM_EMALFORMED), "malformed") != NULL);
    CHECK(strstr(platform_strerror(PLATFORM_ENOMAP), "mapped") != NULL);
    CHECK(strstr(platform_strerror(-1), "unknown") != NULL);
}
int main(void)
{
    static const struct check_case cases[] = {
        { "acpi_xsdt", test_acpi_xsdt },
        { "acpi_rsdt", test_acpi_rsdt },
        { "acpi_checksums", test_acpi_checksums },
        { "madt_malformed", test_madt_malformed },
        { "madt_limits", test_madt_limits },
        { "acpi_missing", test_acpi_missing },
        { "dsdt_s5", test_dsdt_s5 },
        { "find_rsdp", test_find_rsdp },
        { "strerror", test_strerror },
    };
    int failed = check_run("acpi", cases, sizeof(cases) / sizeof(cases[0]));

    fake_reset();
    return failed;
}

/*
 * test_mptable.c - the Intel MP table parser (the fallback without ACPI)
 * against tables built in fake physical memory.
 */
#include "platform_fixture.h"

/* ---- MP tables ---------------------------------------------------------- */

enum { MPF = 0xF5B00, PCMP = 0xF5B10 };

static void mp_floating(uint64_t a, uint32_t table, uint8_t default_config)
{
    memcpy(phys + a, "_MP_", 4);
    put32(a + 4, table);
    phys[a + 8] = 1;
    phys[a + 9] = 4;
    phys[a + 11] = default_config;
    phys[a + 12] = 0x80;
    checksum(a, 16, 10);
}

static void mp_processor(uint8_t id, uint8_t flags) { e8(0); e8(id); e8(0x14); e8(flags); e32(0x600); e32(0x201); e32(0); e32(0); }
static void mp_bus(uint8_t id, const char *type) { e8(1); e8(id); ebytes(type, 6); }
static void mp_ioapic(uint8_t id, uint8_t flags, uint32_t address) { e8(2); e8(id); e8(0x11); e8(flags); e32(address); }

static void mp_interrupt(uint8_t kind, uint8_t type, uint16_t flags, uint8_t bus, uint8_t irq,
                         uint8_t dest, uint8_t pin)
{
    e8(kind); e8(type); e16(flags); e8(bus); e8(irq); e8(dest); e8(pin);
}

/* SeaBIOS-like: two CPUs (the second disabled), ISA and PCI buses, one enabled I/O APIC. */
static uint16_t mp_config(uint64_t a, uint16_t count_adjust)
{
    memcpy(phys + a, "PCMP", 4);
    phys[a + 6] = 4;
    memcpy(phys + a + 8, "HERMIT  TEST        ", 20);
    put32(a + 36, 0xFEE00000);
    cur = a + 44;
    mp_processor(0, 3);
    mp_processor(1, 0);
    mp_bus(0, "PCI   ");
    mp_bus(1, "ISA   ");
    mp_ioapic(2, 1, 0xFEC00000);
    mp_ioapic(3, 0, 0xFEC01000);                /* disabled: not listed */
    mp_interrupt(3, 0, 0, 1, 0, 2, 2);          /* ISA IRQ0 -> INTIN2 */
    mp_interrupt(3, 0, 0, 1, 1, 2, 1);          /* identity, edge/high: no override */
    mp_interrupt(3, 0, 0x000F, 1, 9, 2, 9);     /* level, active low */
    mp_interrupt(3, 0, 0x000F, 0, 0x0C, 2, 11); /* PCI: not an override */
    mp_interrupt(3, 3, 0, 1, 0, 2, 0);          /* ExtINT */
    mp_interrupt(4, 3, 0, 1, 0, 0xFF, 0);
    mp_interrupt(4, 1, 0, 1, 0, 0xFF, 1);       /* NMI on LINT1 of every CPU */
    uint16_t len = (uint16_t)(cur - a);
    put16(a + 4, len);
    put16(a + 34, (uint16_t)(13 + count_adjust));
    checksum(a, len, 7);
    region(a, len);
    return len;
}

static void check_mp_machine(void)
{
    CHECK(info.source == PLATFORM_SOURCE_MPTABLE && info.lapic_address == 0xFEE00000);
    CHECK(info.pcat_compat && info.imcr_present);
    CHECK(info.cpu_count == 2 && info.cpus[0].apic_id == 0 && info.cpus[0].enabled &&
          info.cpus[1].apic_id == 1 && !info.cpus[1].enabled);
    CHECK(info.ioapic_count == 1 && info.ioapics[0].id == 2 &&
          info.ioapics[0].address == 0xFEC00000 && info.ioapics[0].gsi_base == 0);
    CHECK(info.override_count == 2);
    CHECK(info.overrides[0].bus_irq == 0 && info.overrides[0].gsi == 2 && info.overrides[0].flags == 0);
    CHECK(info.overrides[1].bus_irq == 9 && info.overrides[1].gsi == 9 &&
          info.overrides[1].flags == 0x000F);
    CHECK(info.nmi_count == 1 && info.nmis[0].acpi_uid == PLATFORM_UID_ALL && info.nmis[0].lint == 1);
}

static void test_mptable(void)
{
    low_memory(0);
    mp_floating(MPF, PCMP, 0);
    mp_config(PCMP, 0);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_OK);
    check_mp_machine();
    CHECK(fake.violations == 0);

    /* In the last KiB of base memory (639 KiB in the BDA), found before 0xF0000. */
    mp_floating(0x9F810, 0x9F830, 0);
    mp_config(0x9F830, 0);
    mp_floating(MPF, 0x1FF000, 0);              /* unmappable: must not be chosen */
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_OK);
    check_mp_machine();
    CHECK(fake.violations == 0);

    /* A floating pointer with a bad checksum is passed over for a good one. */
    low_memory(0x9FC0);
    mp_floating(0x9FC00, PCMP, 0);
    phys[0x9FC00 + 15] = 1;
    mp_floating(MPF, PCMP, 0);
    mp_config(PCMP, 0);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_OK && info.cpu_count == 2);
}

static void test_mptable_errors(void)
{
    low_memory(0);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_ENOTFOUND);

    mp_floating(MPF, PCMP, 0);
    phys[MPF + 15] = 1;
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_ECHECKSUM);
    CHECK(!strcmp(diag.table, "_MP_") && diag.address == MPF);

    mp_floating(MPF, PCMP, 0);
    mp_config(PCMP, 0);
    phys[PCMP + 50] ^= 1;
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_ECHECKSUM);
    CHECK(!strcmp(diag.table, "PCMP") && diag.address == PCMP);

    /* One entry more than the base table holds. */
    mp_config(PCMP, 1);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_EMALFORMED);
    CHECK(!strcmp(diag.table, "PCMP") && fake.violations == 0);

    /* An entry type the base table does not define. */
    uint16_t len = mp_config(PCMP, 0);
    phys[PCMP + 44 + 2 * 20] = 7;
    checksum(PCMP, len, 7);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_EMALFORMED);

    /* A processor entry cut by the base table's length. */
    len = mp_config(PCMP, 0);
    put16(PCMP + 4, 44 + 10);
    checksum(PCMP, 44 + 10, 7);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_EMALFORMED);
    CHECK(fake.violations == 0);
}

static void test_mptable_default(void)
{
    low_memory(0);
    mp_floating(MPF, 0, 5);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_OK);
    CHECK(info.cpu_count == 2 && info.cpus[1].apic_id == 1 && info.cpus[1].enabled);
    CHECK(info.ioapic_count == 1 && info.ioapics[0].id == 2 &&
          info.ioapics[0].address == 0xFEC00000);
    CHECK(info.override_count == 1 && info.overrides[0].gsi == 2);
    CHECK(info.lapic_address == 0xFEE00000);

    mp_floating(MPF, 0, 9);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_EMALFORMED);
    mp_floating(MPF, 0, 0);
    CHECK(mptable_parse(&mapper, &info, &diag) == PLATFORM_EMALFORMED);
    CHECK(!strcmp(diag.table, "_MP_") && diag.address == MPF);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "mptable", test_mptable },
        { "mptable_errors", test_mptable_errors },
        { "mptable_default", test_mptable_default },
    };
    int failed = check_run("mptable", cases, sizeof(cases) / sizeof(cases[0]));

    fake_reset();
    return failed;
}

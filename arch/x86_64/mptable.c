/*
 * mptable.c - reads the Intel MultiProcessor tables: the machine's CPUs
 * and I/O APICs when the firmware offers no ACPI (QEMU -no-acpi).
 *
 * Layouts: MultiProcessor Specification 1.4, chapter 4. The floating
 * pointer ("_MP_", 16 bytes) names the configuration table ("PCMP"), or,
 * when it names none, one of the default configurations of chapter 5.
 * Only the base table is read; the extended entries (bus hierarchy,
 * address spaces) describe nothing the kernel uses.
 */
#include "platform.h"

#include <string.h>

#define MPF_LEN             16
#define MPF_TABLE           4
#define MPF_LENGTH          8               /* in 16-byte paragraphs */
#define MPF_FEATURE1        11              /* default configuration type, 0 if a table exists */
#define MPF_FEATURE2        12
#define MPF_IMCRP           0x80            /* the IMCR is present: PIC mode at boot */

#define BDA_BASE_MEMORY     0x413           /* KiB of conventional memory */
#define EBDA_SEARCH_LEN     1024
#define BIOS_AREA_START     0xF0000
#define BIOS_AREA_END       0x100000

#define PCMP_HEADER_LEN     44
#define PCMP_BASE_LENGTH    4
#define PCMP_ENTRY_COUNT    34
#define PCMP_LAPIC_ADDRESS  36

#define MP_PROCESSOR_LEN    20
#define MP_ENTRY_LEN        8               /* every other base entry */
#define MP_CPU_ENABLED      0x01
#define MP_IOAPIC_ENABLED   0x01
#define MP_IOAPIC_PINS      24              /* assumed per I/O APIC: MP tables give no GSI base */
#define MP_INT_VECTORED     0               /* interrupt type: an ordinary vectored interrupt */
#define MP_INT_NMI          1
#define MP_ALL              0xFF            /* destination: every LAPIC (or I/O APIC) */

#define DEFAULT_LAPIC       0xFEE00000u
#define DEFAULT_IOAPIC      0xFEC00000u
#define DEFAULT_CONFIG_MAX  7

enum mp_entry_type {
    MP_PROCESSOR = 0,
    MP_BUS = 1,
    MP_IOAPIC = 2,
    MP_IO_INTERRUPT = 3,
    MP_LOCAL_INTERRUPT = 4,
};

struct mptable_search {
    uint64_t found;             /* a checksum-valid floating pointer */
    uint64_t bad;               /* the first "_MP_" whose checksum failed */
};

struct mptable_state {
    uint8_t isa_bus[256 / 8];   /* bus IDs whose type is ISA */
};

/* ---- search -------------------------------------------------------------- */

static int mptable_scan(const struct platform_mapper *m, uint64_t base, uint64_t len,
                        struct mptable_search *s)
{
    const uint8_t *p = platform_map(m, base, len);

    if (!p)
        return PLATFORM_ENOMAP;
    for (uint64_t off = 0; len - off >= MPF_LEN; off += 16) {
        if (memcmp(p + off, "_MP_", 4))
            continue;
        uint64_t n = (uint64_t)p[off + MPF_LENGTH] * 16;
        if (n >= MPF_LEN && n <= len - off && platform_sum_ok(p + off, n)) {
            s->found = base + off;
            return PLATFORM_OK;
        }
        if (!s->bad)
            s->bad = base + off;
    }
    return PLATFORM_ENOTFOUND;
}

/* The last KiB of conventional memory, from the BDA; 0 when implausible. */
static uint64_t mptable_base_memory_top(const struct platform_mapper *m)
{
    const uint8_t *p = platform_map(m, BDA_BASE_MEMORY, 2);
    uint64_t kib = p ? platform_get16(p) : 0;

    return kib >= 2 && kib <= 640 ? (kib - 1) * 1024 : 0;
}

/* Areas in the order of MP spec 4.0; a bad checksum is reported only if nothing valid turns up. */
static int mptable_find(const struct platform_mapper *m, uint64_t *fp, struct platform_diag *diag)
{
    struct mptable_search s = { 0, 0 };
    uint64_t ebda = platform_ebda(m), top = mptable_base_memory_top(m);
    int err = PLATFORM_ENOTFOUND;

    if (ebda)
        err = mptable_scan(m, ebda, EBDA_SEARCH_LEN, &s);
    if (err && top && top != ebda)
        err = mptable_scan(m, top, EBDA_SEARCH_LEN, &s);
    if (err)
        err = mptable_scan(m, BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START, &s);
    if (!err) {
        *fp = s.found;
        return PLATFORM_OK;
    }
    if (s.bad)
        return platform_fail(diag, PLATFORM_ECHECKSUM, "_MP_", s.bad);
    return platform_fail(diag, err, "_MP_", err == PLATFORM_ENOMAP ? BIOS_AREA_START : 0);
}

/* ---- entries ------------------------------------------------------------- */

static void mptable_add_cpu(struct platform_info *out, const uint8_t *e)
{
    if (out->cpu_count == PLATFORM_CPUS_MAX) {
        out->cpus_dropped++;
        return;
    }
    out->cpus[out->cpu_count++] = (struct platform_cpu){
        .apic_id = e[1], .acpi_uid = e[1], .enabled = (e[3] & MP_CPU_ENABLED) != 0,
    };
}

static void mptable_add_ioapic(struct platform_info *out, uint8_t id, uint64_t address)
{
    if (out->ioapic_count == PLATFORM_IOAPICS_MAX) {
        out->ioapics_dropped++;
        return;
    }
    out->ioapics[out->ioapic_count] = (struct platform_ioapic){
        .id = id, .address = address, .gsi_base = out->ioapic_count * MP_IOAPIC_PINS,
    };
    out->ioapic_count++;
}

/* Only ISA IRQs that are not identity-mapped edge/high need an override, as in ACPI. */
static void mptable_add_override(struct platform_info *out, uint8_t irq, uint32_t gsi,
                                 uint16_t flags)
{
    if (gsi == irq && flags == 0)
        return;
    if (out->override_count == PLATFORM_OVERRIDES_MAX) {
        out->overrides_dropped++;
        return;
    }
    out->overrides[out->override_count++] = (struct platform_override){ irq, gsi, flags };
}

/* Entries come sorted by type, so buses and I/O APICs are known before interrupts. */
static void mptable_io_interrupt(struct platform_info *out, const struct mptable_state *st,
                                 const uint8_t *e)
{
    uint8_t bus = e[4], irq = e[5], dest = e[6], pin = e[7];

    if (e[1] != MP_INT_VECTORED || !(st->isa_bus[bus / 8] & (1u << (bus % 8))))
        return;             /* PCI routing is the PCI driver's business */
    for (unsigned i = 0; i < out->ioapic_count; i++) {
        if (out->ioapics[i].id == dest) {
            mptable_add_override(out, irq, out->ioapics[i].gsi_base + pin, platform_get16(e + 2));
            return;
        }
    }
}

static void mptable_local_interrupt(struct platform_info *out, const uint8_t *e)
{
    if (e[1] != MP_INT_NMI)
        return;
    if (out->nmi_count == PLATFORM_NMIS_MAX) {
        out->nmis_dropped++;
        return;
    }
    out->nmis[out->nmi_count++] = (struct platform_nmi){
        .acpi_uid = e[6] == MP_ALL ? PLATFORM_UID_ALL : e[6],
        .flags = platform_get16(e + 2), .lint = e[7],
    };
}

static void mptable_entry(struct platform_info *out, struct mptable_state *st, const uint8_t *e)
{
    switch (e[0]) {
    case MP_PROCESSOR:
        mptable_add_cpu(out, e);
        break;
    case MP_BUS:
        if (!memcmp(e + 2, "ISA   ", 6))
            st->isa_bus[e[1] / 8] |= (uint8_t)(1u << (e[1] % 8));
        break;
    case MP_IOAPIC:
        if (e[3] & MP_IOAPIC_ENABLED)
            mptable_add_ioapic(out, e[1], platform_get32(e + 4));
        break;
    case MP_IO_INTERRUPT:
        mptable_io_interrupt(out, st, e);
        break;
    case MP_LOCAL_INTERRUPT:
        mptable_local_interrupt(out, e);
        break;
    }
}

/* ---- tables -------------------------------------------------------------- */

static int mptable_parse_config(const struct platform_mapper *m, uint64_t phys,
                                struct platform_info *out, struct platform_diag *diag)
{
    struct mptable_state st;
    const uint8_t *h = platform_map(m, phys, PCMP_HEADER_LEN);

    if (!h)
        return platform_fail(diag, PLATFORM_ENOMAP, "PCMP", phys);
    uint16_t len = platform_get16(h + PCMP_BASE_LENGTH);
    if (memcmp(h, "PCMP", 4) || len < PCMP_HEADER_LEN)
        return platform_fail(diag, PLATFORM_EMALFORMED, "PCMP", phys);
    const uint8_t *t = platform_map(m, phys, len);
    if (!t)
        return platform_fail(diag, PLATFORM_ENOMAP, "PCMP", phys);
    if (!platform_sum_ok(t, len))
        return platform_fail(diag, PLATFORM_ECHECKSUM, "PCMP", phys);

    memset(&st, 0, sizeof(st));
    out->lapic_address = platform_get32(t + PCMP_LAPIC_ADDRESS);
    uint16_t count = platform_get16(t + PCMP_ENTRY_COUNT);
    uint32_t off = PCMP_HEADER_LEN;
    for (uint16_t i = 0; i < count; i++) {
        const uint8_t *e = t + off;
        /* An unknown type has an unknown length: nothing after it can be trusted. */
        if (off >= len || e[0] > MP_LOCAL_INTERRUPT)
            return platform_fail(diag, PLATFORM_EMALFORMED, "PCMP", phys);
        uint32_t size = e[0] == MP_PROCESSOR ? MP_PROCESSOR_LEN : MP_ENTRY_LEN;
        if (len - off < size)
            return platform_fail(diag, PLATFORM_EMALFORMED, "PCMP", phys);
        mptable_entry(out, &st, e);
        off += size;
    }
    return PLATFORM_OK;
}

/*
 * Default configurations 1-7 (MP spec chapter 5): two CPUs with APIC IDs
 * 0 and 1, one I/O APIC with ID 2, the 8254 timer on INTIN2.
 */
static int mptable_default(struct platform_info *out, uint8_t type, uint64_t fp,
                           struct platform_diag *diag)
{
    if (type > DEFAULT_CONFIG_MAX)
        return platform_fail(diag, PLATFORM_EMALFORMED, "_MP_", fp);
    out->lapic_address = DEFAULT_LAPIC;
    out->cpus[0] = (struct platform_cpu){ .apic_id = 0, .acpi_uid = 0, .enabled = true };
    out->cpus[1] = (struct platform_cpu){ .apic_id = 1, .acpi_uid = 1, .enabled = true };
    out->cpu_count = 2;
    mptable_add_ioapic(out, 2, DEFAULT_IOAPIC);
    mptable_add_override(out, 0, 2, 0);
    return PLATFORM_OK;
}

int mptable_parse(const struct platform_mapper *m, struct platform_info *out,
                  struct platform_diag *diag)
{
    uint64_t fp;
    int err;

    memset(out, 0, sizeof(*out));
    if (diag)
        memset(diag, 0, sizeof(*diag));
    if ((err = mptable_find(m, &fp, diag)))
        return err;
    const uint8_t *f = platform_map(m, fp, MPF_LEN);
    if (!f)
        return platform_fail(diag, PLATFORM_ENOMAP, "_MP_", fp);
    /* MP systems are PC/AT compatible: the 8259 pair is always there. */
    out->pcat_compat = true;
    out->imcr_present = (f[MPF_FEATURE2] & MPF_IMCRP) != 0;
    /* A default configuration type, when set, means there is no table. */
    uint32_t table = platform_get32(f + MPF_TABLE);
    if (f[MPF_FEATURE1])
        err = mptable_default(out, f[MPF_FEATURE1], fp, diag);
    else if (table)
        err = mptable_parse_config(m, table, out, diag);
    else
        err = platform_fail(diag, PLATFORM_EMALFORMED, "_MP_", fp);
    if (!err)
        out->source = PLATFORM_SOURCE_MPTABLE;
    return err;
}

/*
 * acpi_madt.c - decodes the entries of the ACPI MADT ("APIC"): local APICs
 * and x2APICs, I/O APICs, interrupt source overrides, local APIC NMIs and
 * the 64-bit local APIC address override.
 *
 * Layouts: ACPI 6.5, section 5.2.12. acpi.c has already mapped the table
 * and checked its checksum; this file only walks the bytes it is handed,
 * so every entry is checked to lie inside them before it is read.
 */
#include "platform.h"

#define MADT_ENTRIES        44              /* header + local APIC address + flags */
#define MADT_PCAT_COMPAT    (1u << 0)
#define MADT_CPU_ENABLED    (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

enum madt_type {
    MADT_LAPIC = 0,
    MADT_IOAPIC = 1,
    MADT_OVERRIDE = 2,
    MADT_LAPIC_NMI = 4,
    MADT_LAPIC_ADDRESS = 5,
    MADT_X2APIC = 9,
    MADT_X2APIC_NMI = 10,
};

/* Shortest legal entry of each type we read; shorter ones would make us read past it. */
static const uint8_t madt_min_len[] = {
    [MADT_LAPIC] = 8, [MADT_IOAPIC] = 12, [MADT_OVERRIDE] = 10, [MADT_LAPIC_NMI] = 6,
    [MADT_LAPIC_ADDRESS] = 12, [MADT_X2APIC] = 16, [MADT_X2APIC_NMI] = 12,
};

static void madt_add_cpu(struct platform_info *out, uint32_t apic_id, uint32_t uid,
                         uint32_t flags)
{
    if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)))
        return;                 /* a placeholder for a CPU that can never run */
    for (unsigned i = 0; i < out->cpu_count; i++)
        if (out->cpus[i].apic_id == apic_id)
            return;             /* listed both as local APIC and as local x2APIC */
    if (out->cpu_count == PLATFORM_CPUS_MAX) {
        out->cpus_dropped++;
        return;
    }
    out->cpus[out->cpu_count++] = (struct platform_cpu){
        .apic_id = apic_id, .acpi_uid = uid, .enabled = (flags & MADT_CPU_ENABLED) != 0,
    };
}

static void madt_add_ioapic(struct platform_info *out, const uint8_t *e)
{
    if (out->ioapic_count == PLATFORM_IOAPICS_MAX) {
        out->ioapics_dropped++;
        return;
    }
    out->ioapics[out->ioapic_count++] = (struct platform_ioapic){
        .id = e[2], .address = platform_get32(e + 4), .gsi_base = platform_get32(e + 8),
    };
}

static void madt_add_override(struct platform_info *out, const uint8_t *e)
{
    if (out->override_count == PLATFORM_OVERRIDES_MAX) {
        out->overrides_dropped++;
        return;
    }
    out->overrides[out->override_count++] = (struct platform_override){
        .bus_irq = e[3], .gsi = platform_get32(e + 4), .flags = platform_get16(e + 8),
    };
}

static void madt_add_nmi(struct platform_info *out, uint32_t uid, uint16_t flags, uint8_t lint)
{
    if (out->nmi_count == PLATFORM_NMIS_MAX) {
        out->nmis_dropped++;
        return;
    }
    out->nmis[out->nmi_count++] = (struct platform_nmi){ uid, flags, lint };
}

static void madt_entry(struct platform_info *out, const uint8_t *e)
{
    switch (e[0]) {
    case MADT_LAPIC:
        madt_add_cpu(out, e[3], e[2], platform_get32(e + 4));
        break;
    case MADT_X2APIC:
        madt_add_cpu(out, platform_get32(e + 4), platform_get32(e + 12), platform_get32(e + 8));
        break;
    case MADT_IOAPIC:
        madt_add_ioapic(out, e);
        break;
    case MADT_OVERRIDE:
        madt_add_override(out, e);
        break;
    case MADT_LAPIC_NMI:
        madt_add_nmi(out, e[2] == 0xFF ? PLATFORM_UID_ALL : e[2], platform_get16(e + 3), e[5]);
        break;
    case MADT_X2APIC_NMI:
        madt_add_nmi(out, platform_get32(e + 4), platform_get16(e + 2), e[8]);
        break;
    case MADT_LAPIC_ADDRESS:
        out->lapic_address = platform_get64(e + 4);
        break;
    }
}

int acpi_madt_parse(const uint8_t *madt, uint32_t len, struct platform_info *out)
{
    if (len < MADT_ENTRIES)
        return PLATFORM_EMALFORMED;
    out->lapic_address = platform_get32(madt + 36);
    out->pcat_compat = (platform_get32(madt + 40) & MADT_PCAT_COMPAT) != 0;
    /* Each step advances by at least 2 bytes, so the loop ends. */
    for (uint32_t off = MADT_ENTRIES; off < len;) {
        const uint8_t *e = madt + off;
        if (len - off < 2 || e[1] < 2 || e[1] > len - off)
            return PLATFORM_EMALFORMED;
        if (e[0] < sizeof(madt_min_len) && e[1] < madt_min_len[e[0]])
            return PLATFORM_EMALFORMED;
        madt_entry(out, e);
        off += e[1];
    }
    return PLATFORM_OK;
}

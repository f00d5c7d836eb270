/*
 * platform.h - what the firmware says about the machine: CPUs, interrupt
 * controllers, power-off, PCI configuration space.
 *
 * Two sources, one result: ACPI (acpi.c + acpi_madt.c: RSDP, RSDT/XSDT,
 * MADT, FADT with the DSDT's \_S5_, MCFG) and, when there is no ACPI
 * (QEMU -no-acpi), the Intel MultiProcessor table (mptable.c). Both are
 * pure parsers: they see memory only through the caller's mapper, so the
 * same code runs on the host under sanitizers.
 *
 * Contract:
 * - The mapper MUST return a pointer through which [phys, phys + len) can
 *   be read, or NULL; every pointer it returns MUST stay valid until the
 *   parse call returns (an identity map satisfies this). The parsers ask
 *   for: the RSDP (20 bytes, then 36, then its length); the first 4
 *   bytes of each table the RSDT/XSDT lists; the RSDT/XSDT, APIC, FACP,
 *   DSDT and MCFG as a 36-byte header, then whole at their declared length
 *   (at most 16 MiB); the MP floating pointer (16 bytes) and the PCMP base
 *   table (44 bytes, then its length); and, while searching: the BDA
 *   words 0x40E and 0x413, the EBDA's first KiB, the last KiB of base
 *   memory (MP only), 0xE0000-0xFFFFF (ACPI) or 0xF0000-0xFFFFF (MP).
 *   The mapper MAY refuse page 0 (the BDA): that only skips the EBDA and
 *   base-memory areas.
 * - The caller MUST NOT trust *out after an error. On error, *diag (which
 *   MAY be NULL) names the table ("APIC", "FACP", "RSDT", "XSDT", "RSD ",
 *   "_MP_", "PCMP", ...) and its physical address.
 * - Capacity overflows are not errors: the excess is counted in the
 *   *_dropped fields, and the caller SHOULD report them.
 * - DSDT and MCFG problems are not errors either: s5_valid stays false or
 *   ecam_base stays 0, and the caller falls back (SeaBIOS port, CF8/CFC).
 */
#ifndef ARCH_PLATFORM_H
#define ARCH_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLATFORM_CPUS_MAX       64      /* same as CPU_MAX in cpu.h */
#define PLATFORM_IOAPICS_MAX    8
#define PLATFORM_OVERRIDES_MAX  16
#define PLATFORM_NMIS_MAX       16
#define PLATFORM_UID_ALL        0xFFFFFFFFu     /* an NMI entry for every CPU */

enum platform_source { PLATFORM_SOURCE_NONE, PLATFORM_SOURCE_ACPI, PLATFORM_SOURCE_MPTABLE };

enum platform_error {
    PLATFORM_OK = 0,
    PLATFORM_ENOTFOUND,     /* no RSDP / no MP floating pointer / no MADT */
    PLATFORM_ECHECKSUM,     /* a table's checksum is wrong: diag names which */
    PLATFORM_EMALFORMED,    /* lengths or entries that do not fit */
    PLATFORM_ENOMAP,        /* the mapper could not map a table */
};

/* MP tables have no processor UID: there acpi_uid is the APIC ID. */
struct platform_cpu { uint32_t apic_id; uint32_t acpi_uid; bool enabled; };
/* MP tables give no GSI base: gsi_base assumes 24 inputs per earlier I/O APIC. */
struct platform_ioapic { uint32_t id; uint64_t address; uint32_t gsi_base; };
/* An ISA IRQ that is not identity-mapped or not edge/high; flags = MPS INTI. */
struct platform_override { uint8_t bus_irq; uint32_t gsi; uint16_t flags; };
/* LINTn of the CPU(s) with acpi_uid (or PLATFORM_UID_ALL) is an NMI input. */
struct platform_nmi { uint32_t acpi_uid; uint16_t flags; uint8_t lint; };

struct platform_info {
    enum platform_source source;
    uint64_t lapic_address;
    unsigned cpu_count;  struct platform_cpu cpus[PLATFORM_CPUS_MAX];   /* table order */
    unsigned ioapic_count; struct platform_ioapic ioapics[PLATFORM_IOAPICS_MAX];
    unsigned override_count; struct platform_override overrides[PLATFORM_OVERRIDES_MAX];
    unsigned nmi_count; struct platform_nmi nmis[PLATFORM_NMIS_MAX];
    bool pcat_compat;               /* a legacy 8259 pair is present and must be masked */
    bool imcr_present;              /* MP only: write IMCR (ports 0x22/0x23) to leave PIC mode */
    /* FADT: ACPI power-off (0 when unknown) */
    uint32_t pm1a_cnt_port, pm1b_cnt_port; uint16_t slp_typ_s5a, slp_typ_s5b; bool s5_valid;
    uint32_t pm_timer_port;         /* ACPI PM timer I/O port, 0 if none */
    /* MCFG: PCI ECAM (first segment only), 0 when absent */
    uint64_t ecam_base; uint16_t ecam_segment; uint8_t ecam_bus_start, ecam_bus_end;
    unsigned cpus_dropped;          /* entries beyond PLATFORM_CPUS_MAX (reported, not fatal) */
    unsigned ioapics_dropped, overrides_dropped, nmis_dropped;  /* likewise */
};

struct platform_diag { char table[5]; uint64_t address; };   /* which table failed, where */

/* Maps [phys, phys+len) readable and returns a pointer to it, or NULL. */
struct platform_mapper { const void *(*map)(void *ctx, uint64_t phys, uint64_t len); void *ctx; };

/* EBDA first KiB, then 0xE0000-0xFFFFF, 16-byte steps; checksum-valid only. */
int acpi_find_rsdp(const struct platform_mapper *m, uint64_t *rsdp_phys);
int acpi_parse(const struct platform_mapper *m, uint64_t rsdp_phys, struct platform_info *out,
               struct platform_diag *diag);
/* Searches EBDA first KiB, last KiB of base memory (BDA 0x413), 0xF0000-0xFFFFF. */
int mptable_parse(const struct platform_mapper *m, struct platform_info *out,
                  struct platform_diag *diag);
const char *platform_strerror(int error);          /* lives in acpi.c */

/*
 * Helpers shared by acpi.c and mptable.c; callers need none of them.
 * Firmware tables are packed and little-endian, so fields are read byte
 * by byte: no unaligned loads, no aliasing questions.
 */
static inline uint16_t platform_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t platform_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t platform_get64(const uint8_t *p)
{
    return platform_get32(p) | (uint64_t)platform_get32(p + 4) << 32;
}

/* Firmware checksums: all bytes of the structure add up to 0 modulo 256. */
static inline bool platform_sum_ok(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

/* A range that wraps around the address space is refused before the mapper sees it. */
static inline const uint8_t *platform_map(const struct platform_mapper *m, uint64_t phys,
                                          uint64_t len)
{
    if (len == 0 || phys + len < phys)
        return NULL;
    return m->map(m->ctx, phys, len);
}

/*
 * The EBDA's segment is in the BIOS data area at 0x40E. A value that
 * does not point into conventional memory below 640 KiB means "no EBDA".
 */
static inline uint64_t platform_ebda(const struct platform_mapper *m)
{
    const uint8_t *p = platform_map(m, 0x40E, 2);
    uint64_t ebda = p ? (uint64_t)platform_get16(p) << 4 : 0;

    return ebda >= 0x500 && ebda + 1024 <= 0xA0000 ? ebda : 0;
}

/* Decodes a mapped, checksum-valid MADT (acpi_madt.c): PLATFORM_OK or PLATFORM_EMALFORMED. */
int acpi_madt_parse(const uint8_t *madt, uint32_t len, struct platform_info *out);

static inline int platform_fail(struct platform_diag *diag, int error, const char *table,
                                uint64_t address)
{
    if (diag) {
        for (int i = 0; i < 4; i++)
            diag->table[i] = table[i];
        diag->table[4] = '\0';
        diag->address = address;
    }
    return error;
}

#endif

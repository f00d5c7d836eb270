/*
 * bootinfo.c - reads PVH start_info and the multiboot2 information block.
 *
 * Layouts: Xen's hvm_start_info (version 1 adds the memory map), and the
 * multiboot2 tag list (8-byte aligned tags, terminated by type 0).
 */
#include "bootinfo.h"

#include <stddef.h>
#include <string.h>

struct pvh_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr;      /* version >= 1 */
    uint32_t memmap_entries, reserved;
};

struct pvh_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

struct pvh_module {
    uint64_t paddr, size, cmdline_paddr, reserved;
};

enum mb2_tag_type {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_MODULE = 3,
    MB2_TAG_MEMMAP = 6,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
    uint32_t type, size;
};

struct mb2_memmap_entry {
    uint64_t base, length;
    uint32_t type, reserved;
};

static const void *phys(uint64_t addr)
{
    return (const void *)(uintptr_t)addr;
}

/* The length of the string at s, looking at no more than max bytes. */
static size_t string_length(const char *s, size_t max)
{
    size_t n = 0;

    while (s && n < max && s[n])
        n++;
    return n;
}

/* Copies the string at src, which ends at a NUL or after max bytes. */
static int copy_string(char *dst, size_t cap, const char *src, size_t max)
{
    size_t n = string_length(src, max);

    if (n >= cap)
        return -1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

static int add_range(struct boot_info *out, uint64_t base, uint64_t size, uint32_t type)
{
    if (out->memmap_count == BOOT_MEMMAP_MAX)
        return BOOT_EMEMMAP_FULL;
    out->memmap[out->memmap_count++] = (struct boot_mem_range){ base, size, type };
    return BOOT_OK;
}

static int add_module(struct boot_info *out, uint64_t base, uint64_t size, const char *name,
                      size_t name_max)
{
    if (out->module_count == BOOT_MODULES_MAX)
        return BOOT_EMODULES_FULL;
    struct boot_module *m = &out->modules[out->module_count++];
    m->base = base;
    m->size = size;
    /* A name longer than the slot is cut, not fatal: it is only a label. */
    size_t n = string_length(name, name_max);
    if (n >= sizeof(m->name))
        n = sizeof(m->name) - 1;
    memcpy(m->name, name ? name : "", n);
    m->name[n] = '\0';
    return BOOT_OK;
}

static int parse_pvh(const struct pvh_start_info *si, struct boot_info *out)
{
    int err;

    if (si->cmdline_paddr &&
        copy_string(out->cmdline, sizeof(out->cmdline), phys(si->cmdline_paddr), SIZE_MAX))
        return BOOT_ECMDLINE_LONG;
    out->rsdp = si->rsdp_paddr;

    const struct pvh_module *mods = phys(si->modlist_paddr);
    for (uint32_t i = 0; si->modlist_paddr && i < si->nr_modules; i++) {
        const char *name = mods[i].cmdline_paddr ? phys(mods[i].cmdline_paddr) : "";
        if ((err = add_module(out, mods[i].paddr, mods[i].size, name, SIZE_MAX)))
            return err;
    }

    if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
        return BOOT_ENOMEMMAP;
    const struct pvh_memmap_entry *e = phys(si->memmap_paddr);
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if ((err = add_range(out, e[i].addr, e[i].size, e[i].type)))
            return err;
    return BOOT_OK;
}

static int parse_mb2_memmap(const struct mb2_tag *tag, struct boot_info *out)
{
    const uint8_t *p = (const uint8_t *)tag;
    int err;

    if (tag->size < 16)
        return BOOT_ENOMEMMAP;      /* no room for entry_size and entry_version */
    uint32_t entry_size = *(const uint32_t *)(p + 8);
    if (entry_size < sizeof(struct mb2_memmap_entry))
        return BOOT_ENOMEMMAP;
    /* Written so that an entry_size near 2^32 cannot wrap the sum. */
    for (uint32_t off = 16; entry_size <= tag->size - off; off += entry_size) {
        const struct mb2_memmap_entry *e = (const void *)(p + off);
        if ((err = add_range(out, e->base, e->length, e->type)))
            return err;
    }
    return BOOT_OK;
}

static int parse_mb2(uintptr_t info, struct boot_info *out)
{
    uint32_t total = *(const uint32_t *)info;
    int err;

    for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
        const struct mb2_tag *tag = (const void *)(info + off);
        const uint8_t *body = (const uint8_t *)tag + sizeof(*tag);
        if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
            break;
        switch (tag->type) {
        /* Strings end at their NUL or at the end of their tag, whichever comes first. */
        case MB2_TAG_CMDLINE:
            if (copy_string(out->cmdline, sizeof(out->cmdline), (const char *)body,
                            tag->size - sizeof(*tag)))
                return BOOT_ECMDLINE_LONG;
            break;
        case MB2_TAG_MODULE: {
            const uint32_t *m = (const uint32_t *)body;
            if (tag->size < sizeof(*tag) + 8)
                break;          /* no room for start and end: not a module */
            if ((err = add_module(out, m[0], m[1] - m[0], (const char *)(m + 2),
                                  tag->size - sizeof(*tag) - 8)))
                return err;
            break;
        }
        case MB2_TAG_MEMMAP:
            if ((err = parse_mb2_memmap(tag, out)))
                return err;
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW: {
            size_t n = tag->size - sizeof(*tag);
            if (n > sizeof(out->rsdp_copy))
                n = sizeof(out->rsdp_copy);
            memcpy(out->rsdp_copy, body, n);
            out->rsdp = (uintptr_t)out->rsdp_copy;
            break;
        }
        }
        off += (tag->size + 7) & ~7u;
    }
    return out->memmap_count ? BOOT_OK : BOOT_ENOMEMMAP;
}

int bootinfo_parse(uint32_t magic, uintptr_t info, struct boot_info *out)
{
    memset(out, 0, sizeof(*out));
    if (magic == BOOT_MULTIBOOT2_MAGIC) {
        out->protocol = BOOT_PROTOCOL_MULTIBOOT2;
        return parse_mb2(info, out);
    }
    if (info && ((const struct pvh_start_info *)info)->magic == BOOT_PVH_MAGIC) {
        out->protocol = BOOT_PROTOCOL_PVH;
        return parse_pvh((const struct pvh_start_info *)info, out);
    }
    return BOOT_EPROTOCOL;
}

const char *bootinfo_strerror(int error)
{
    switch (error) {
    case BOOT_OK: return "no error";
    case BOOT_EPROTOCOL: return "unknown boot protocol (neither PVH nor multiboot2)";
    case BOOT_ENOMEMMAP: return "the boot loader provided no memory map";
    case BOOT_EMEMMAP_FULL: return "memory map has more than 128 ranges";
    case BOOT_ECMDLINE_LONG: return "kernel command line longer than 4095 bytes";
    case BOOT_EMODULES_FULL: return "more than 16 boot modules";
    default: return "unknown boot error";
    }
}

const char *bootinfo_protocol_name(enum boot_protocol protocol)
{
    switch (protocol) {
    case BOOT_PROTOCOL_PVH: return "PVH";
    case BOOT_PROTOCOL_MULTIBOOT2: return "multiboot2";
    default: return "unknown";
    }
}

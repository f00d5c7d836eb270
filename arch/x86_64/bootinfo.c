/*
 * bootinfo.c - reads PVH start_info and the multiboot2 information block.
 *
 * Layouts: Xen's hvm_start_info (version 1 adds the memory map), and the
 * multiboot2 tag list (8-byte aligned tags, terminated by type 0).
 *
 * Every size and count comes from the loader and is checked before it
 * is used: a tag lies inside the block's total size, a tag's fields and
 * strings inside the tag, counts are refused above what we keep before
 * any entry is read, and sums are done in 64 bits so none wraps.
 */
#include "bootinfo.h"

#include <stdbool.h>
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

/* strnlen, which the kernel's string.h lacks: reads at most `max` bytes. */
static size_t length_within(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

/* Copies a NUL-terminated string of which at most `max` bytes may be read. */
static int copy_string(char *dst, size_t cap, const char *src, size_t max)
{
    size_t n = src ? length_within(src, max < cap ? max : cap) : 0;

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

/* `name` MAY lack a NUL within `name_max` bytes; it is read no further. */
static int add_module(struct boot_info *out, uint64_t base, uint64_t size, const char *name,
                      size_t name_max)
{
    if (out->module_count == BOOT_MODULES_MAX)
        return BOOT_EMODULES_FULL;
    struct boot_module *m = &out->modules[out->module_count++];
    m->base = base;
    m->size = size;
    /* A name longer than the slot is cut, not fatal: it is only a label. */
    if (name_max > sizeof(m->name) - 1)
        name_max = sizeof(m->name) - 1;
    size_t n = name ? length_within(name, name_max) : 0;
    memcpy(m->name, name ? name : "", n);
    m->name[n] = '\0';
    return BOOT_OK;
}

/* True if the table [addr, addr + count * size) does not wrap the address space. */
static int table_fits(uint64_t addr, uint32_t count, size_t size)
{
    return addr <= UINT64_MAX - (uint64_t)count * size;
}

/* True if addr lies in a range of the memory map parsed so far. */
static bool in_memmap(const struct boot_info *bi, uint64_t addr)
{
    for (unsigned i = 0; i < bi->memmap_count; i++)
        if (addr >= bi->memmap[i].base && addr - bi->memmap[i].base < bi->memmap[i].size)
            return true;
    return false;
}

static int parse_pvh(const struct pvh_start_info *si, struct boot_info *out)
{
    int err;

    if (si->cmdline_paddr && copy_string(out->cmdline, sizeof(out->cmdline),
                                         phys(si->cmdline_paddr), sizeof(out->cmdline)))
        return BOOT_ECMDLINE_LONG;
    out->rsdp = si->rsdp_paddr;

    if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
        return BOOT_ENOMEMMAP;
    if (si->memmap_entries > BOOT_MEMMAP_MAX)
        return BOOT_EMEMMAP_FULL;
    if (!table_fits(si->memmap_paddr, si->memmap_entries, sizeof(struct pvh_memmap_entry)))
        return BOOT_EMALFORMED;
    const struct pvh_memmap_entry *e = phys(si->memmap_paddr);
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if ((err = add_range(out, e[i].addr, e[i].size, e[i].type)))
            return err;

    /* Counts are refused before any entry is read: nothing past a real table is touched. */
    const struct pvh_module *mods = phys(si->modlist_paddr);
    uint32_t nmods = si->modlist_paddr ? si->nr_modules : 0;
    if (nmods > BOOT_MODULES_MAX)
        return BOOT_EMODULES_FULL;
    if (!table_fits(si->modlist_paddr, nmods, sizeof(*mods)))
        return BOOT_EMALFORMED;
    for (uint32_t i = 0; i < nmods; i++) {
        /* qboot leaves cmdline_paddr uninitialized (we saw 0x202000f18f2):
         * a name outside the memory map is no name, not a page fault. */
        uint64_t at = mods[i].cmdline_paddr;
        const char *name = at && in_memmap(out, at) ? phys(at) : "";
        if ((err = add_module(out, mods[i].paddr, mods[i].size, name, BOOT_MODULE_NAME_MAX)))
            return err;
    }
    return BOOT_OK;
}

static int parse_mb2_memmap(const struct mb2_tag *tag, struct boot_info *out)
{
    const uint8_t *p = (const uint8_t *)tag;
    int err;

    if (tag->size < 16)
        return BOOT_EMALFORMED;
    uint32_t entry_size = *(const uint32_t *)(p + 8);
    if (entry_size < sizeof(struct mb2_memmap_entry))
        return BOOT_ENOMEMMAP;
    /* 64-bit offsets: off + entry_size cannot wrap back into the tag. */
    for (uint64_t off = 16; off + entry_size <= tag->size; off += entry_size) {
        const struct mb2_memmap_entry *e = (const void *)(p + off);
        if ((err = add_range(out, e->base, e->length, e->type)))
            return err;
    }
    return BOOT_OK;
}

static int parse_mb2_tag(const struct mb2_tag *tag, struct boot_info *out)
{
    const uint8_t *body = (const uint8_t *)tag + sizeof(*tag);
    uint32_t len = tag->size - (uint32_t)sizeof(*tag);     /* the caller checked size >= 8 */
    int err;

    switch (tag->type) {
    case MB2_TAG_CMDLINE:
        if (copy_string(out->cmdline, sizeof(out->cmdline), (const char *)body, len))
            return BOOT_ECMDLINE_LONG;
        break;
    case MB2_TAG_MODULE: {
        const uint32_t *m = (const uint32_t *)body;
        if (len < 8 || m[1] < m[0])
            return BOOT_EMALFORMED;
        if ((err = add_module(out, m[0], m[1] - m[0], (const char *)(m + 2), len - 8)))
            return err;
        break;
    }
    case MB2_TAG_MEMMAP:
        return parse_mb2_memmap(tag, out);
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW: {
        size_t n = len < sizeof(out->rsdp_copy) ? len : sizeof(out->rsdp_copy);
        memcpy(out->rsdp_copy, body, n);
        out->rsdp = (uintptr_t)out->rsdp_copy;
        break;
    }
    }
    return BOOT_OK;
}

static int parse_mb2(uintptr_t info, struct boot_info *out)
{
    uint32_t total = *(const uint32_t *)info;
    int err;

    /*
     * Each tag must lie inside the total size, and the next offset is
     * computed in 64 bits: a size near 2^32 used to wrap the step to 0
     * and walk the same tag for ever.
     */
    for (uint64_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
        const struct mb2_tag *tag = (const void *)(info + off);
        if (tag->type == MB2_TAG_END)
            break;
        if (tag->size < sizeof(*tag) || tag->size > total - off)
            return BOOT_EMALFORMED;
        if ((err = parse_mb2_tag(tag, out)))
            return err;
        off += ((uint64_t)tag->size + 7) & ~7ull;
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
    case BOOT_EMALFORMED: return "malformed boot information (a size or count out of bounds)";
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

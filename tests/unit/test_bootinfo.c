/*
 * test_bootinfo.c - PVH and multiboot2 boot information, built in host
 * memory (host pointers stand in for physical addresses).
 */
#include "check.h"
#include "bootinfo.h"
#include "pvh_layout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct boot_info bi;
static struct pvh_memmap_entry pvh_map[3] = {
    { 0, 0x9FC00, 1, 0 }, { 0xF0000, 0x10000, 2, 0 }, { 0x100000, 0x7F00000, 1, 0 },
};
static char pvh_cmdline[] = "loglevel=info -- app x";
static char module_name[] = "/input.dat";
static struct pvh_module pvh_mods[1] = { { 0x800000, 0x1234, 0, 0 } };

static struct pvh_start_info pvh(uint32_t version)
{
    pvh_mods[0].cmdline_paddr = (uintptr_t)module_name;
    return (struct pvh_start_info){
        .magic = BOOT_PVH_MAGIC, .version = version, .nr_modules = 1,
        .modlist_paddr = (uintptr_t)pvh_mods, .cmdline_paddr = (uintptr_t)pvh_cmdline,
        .rsdp_paddr = 0xF5A40, .memmap_paddr = (uintptr_t)pvh_map, .memmap_entries = 3,
    };
}

static void test_pvh(void)
{
    struct pvh_start_info si = pvh(1);

    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_OK);
    CHECK(bi.protocol == BOOT_PROTOCOL_PVH);
    CHECK(!strcmp(bi.cmdline, pvh_cmdline));
    CHECK(bi.memmap_count == 3 && bi.memmap[2].base == 0x100000 && bi.memmap[1].type == 2);
    CHECK(bi.module_count == 1 && bi.modules[0].size == 0x1234);
    CHECK(!strcmp(bi.modules[0].name, "/input.dat"));
    CHECK(bi.rsdp == 0xF5A40);
}

static void test_pvh_without_memmap(void)
{
    struct pvh_start_info si = pvh(0);

    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_ENOMEMMAP);
    si = pvh(1);
    si.memmap_entries = 0;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_ENOMEMMAP);
    CHECK(strstr(bootinfo_strerror(BOOT_ENOMEMMAP), "memory map") != NULL);
}

static void test_unknown_protocol(void)
{
    uint32_t junk[4] = { 0x12345678, 0, 0, 0 };

    CHECK(bootinfo_parse(0, (uintptr_t)junk, &bi) == BOOT_EPROTOCOL);
    CHECK(bootinfo_parse(0, 0, &bi) == BOOT_EPROTOCOL);
}

/* Appends one multiboot2 tag (8-byte aligned) to buf at *off. */
static void mb2_tag(uint8_t *buf, uint32_t *off, uint32_t type, const void *body, uint32_t len)
{
    uint32_t header[2] = { type, 8 + len };

    memcpy(buf + *off, header, 8);
    if (len)
        memcpy(buf + *off + 8, body, len);
    *off += (8 + len + 7) & ~7u;
}

static uint32_t build_mb2(uint8_t *buf, int with_memmap, const char *cmdline)
{
    uint32_t off = 8;
    struct { uint32_t entry_size, entry_version; uint64_t e[2][3]; } map = {
        24, 0, { { 0, 0x9FC00, 1 }, { 0x100000, 0x3FF00000, 1 } },
    };
    struct { uint32_t start, end; char name[8]; } mod = { 0x400000, 0x401000, "initrd" };
    uint8_t rsdp[20] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

    mb2_tag(buf, &off, 1, cmdline, (uint32_t)strlen(cmdline) + 1);
    if (with_memmap)
        mb2_tag(buf, &off, 6, &map, sizeof(map));
    mb2_tag(buf, &off, 3, &mod, sizeof(mod));
    mb2_tag(buf, &off, 14, rsdp, sizeof(rsdp));
    mb2_tag(buf, &off, 0, NULL, 0);
    uint32_t total[2] = { off, 0 };
    memcpy(buf, total, 8);
    return off;
}

static void test_multiboot2(void)
{
    static _Alignas(8) uint8_t buf[8192];

    build_mb2(buf, 1, "probe -- a");
    CHECK(bootinfo_parse(BOOT_MULTIBOOT2_MAGIC, (uintptr_t)buf, &bi) == BOOT_OK);
    CHECK(bi.protocol == BOOT_PROTOCOL_MULTIBOOT2);
    CHECK(!strcmp(bi.cmdline, "probe -- a"));
    CHECK(bi.memmap_count == 2 && bi.memmap[1].size == 0x3FF00000);
    CHECK(bi.module_count == 1 && bi.modules[0].base == 0x400000 &&
          bi.modules[0].size == 0x1000 && !strcmp(bi.modules[0].name, "initrd"));
    CHECK(bi.rsdp == (uintptr_t)bi.rsdp_copy && !memcmp(bi.rsdp_copy, "RSD PTR ", 8));

    build_mb2(buf, 0, "x");
    CHECK(bootinfo_parse(BOOT_MULTIBOOT2_MAGIC, (uintptr_t)buf, &bi) == BOOT_ENOMEMMAP);
}

static void test_limits(void)
{
    static _Alignas(8) uint8_t buf[16384];
    static char long_cmdline[BOOT_CMDLINE_MAX + 1];
    static struct pvh_memmap_entry many[BOOT_MEMMAP_MAX + 1];

    memset(long_cmdline, 'x', BOOT_CMDLINE_MAX);
    build_mb2(buf, 1, long_cmdline);
    CHECK(bootinfo_parse(BOOT_MULTIBOOT2_MAGIC, (uintptr_t)buf, &bi) == BOOT_ECMDLINE_LONG);

    struct pvh_start_info si = pvh(1);
    si.memmap_paddr = (uintptr_t)many;
    si.memmap_entries = BOOT_MEMMAP_MAX + 1;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_EMEMMAP_FULL);
    si.memmap_entries = BOOT_MEMMAP_MAX;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_OK);
}

/*
 * Found by fuzzing (tests/fuzz/fuzz_bootinfo.c): tags that lie inside the
 * total size but are too short for what the parser read from them. Each
 * block sits in a heap copy of exactly its size, so ASan sees a read past
 * it.
 */
static int parse_exact(const uint8_t *block, uint32_t len)
{
    uint8_t *copy = malloc(len);
    int err;

    memcpy(copy, block, len);
    memcpy(copy, &len, 4);
    err = bootinfo_parse(BOOT_MULTIBOOT2_MAGIC, (uintptr_t)copy, &bi);
    free(copy);
    return err;
}

static void test_mb2_short_tags(void)
{
    static _Alignas(8) uint8_t buf[256];
    struct { uint32_t entry_size, entry_version; uint64_t e[3]; } map = { 24, 0, { 0, 0x1000, 1 } };
    uint32_t off = 8;

    /* A command line without its NUL, ending the block: cut at the tag's end. */
    mb2_tag(buf, &off, 6, &map, sizeof(map));
    mb2_tag(buf, &off, 1, "abc", 3);
    CHECK(parse_exact(buf, off - 5) == BOOT_OK && !strcmp(bi.cmdline, "abc"));

    /* A module tag with no room for its end address, and one with a name
     * that runs to the end of the block. */
    off = 8;
    mb2_tag(buf, &off, 6, &map, sizeof(map));
    uint32_t start = 0x400000;
    mb2_tag(buf, &off, 3, &start, 4);
    CHECK(parse_exact(buf, off - 4) == BOOT_OK && bi.module_count == 0);
    off = 8;
    mb2_tag(buf, &off, 6, &map, sizeof(map));
    struct { uint32_t start, end; char name[4]; } mod = { 0x400000, 0x401000, "init" };
    mb2_tag(buf, &off, 3, &mod, sizeof(mod));
    CHECK(parse_exact(buf, off) == BOOT_OK && bi.module_count == 1 &&
          !strcmp(bi.modules[0].name, "init"));

    /* A memory map tag too short for its entry size, as the block's last bytes. */
    off = 8;
    mb2_tag(buf, &off, 1, "x", 2);
    mb2_tag(buf, &off, 6, NULL, 0);
    CHECK(parse_exact(buf, off) == BOOT_ENOMEMMAP);

    /* An entry size near 2^32 wrapped the walk back over the tag's header. */
    off = 8;
    map.entry_size = 0xFFFFFFF8u;
    mb2_tag(buf, &off, 6, &map, sizeof(map));
    mb2_tag(buf, &off, 0, NULL, 0);
    CHECK(parse_exact(buf, off) == BOOT_ENOMEMMAP && bi.memmap_count == 0);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "pvh", test_pvh },
        { "pvh_without_memmap", test_pvh_without_memmap },
        { "unknown_protocol", test_unknown_protocol },
        { "multiboot2", test_multiboot2 },
        { "limits", test_limits },
        { "mb2_short_tags", test_mb2_short_tags },
    };
    return check_run("bootinfo", cases, sizeof(cases) / sizeof(cases[0]));
}

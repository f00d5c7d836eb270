/*
 * test_bootinfo.c - PVH and multiboot2 boot information, built in host
 * memory (host pointers stand in for physical addresses).
 *
 * The hostile cases put each structure in a heap block of exactly its
 * size, so AddressSanitizer reports any read past it, and an alarm
 * turns a parse that never ends into a failure instead of a hung run.
 */
#include "check.h"
#include "bootinfo.h"
#include "pvh_layout.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static struct boot_info bi;
/* The fourth range stands for this host process's memory, where the test
 * keeps module names: the parser reads a name only inside the map. */
static struct pvh_memmap_entry pvh_map[4] = {
    { 0, 0x9FC00, 1, 0 }, { 0xF0000, 0x10000, 2, 0 }, { 0x100000, 0x7F00000, 1, 0 },
    { 0x1000000000ull, 0x7F0000000000ull, 2, 0 },
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
        .rsdp_paddr = 0xF5A40, .memmap_paddr = (uintptr_t)pvh_map, .memmap_entries = 4,
    };
}

static void test_pvh(void)
{
    struct pvh_start_info si = pvh(1);

    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_OK);
    CHECK(bi.protocol == BOOT_PROTOCOL_PVH);
    CHECK(!strcmp(bi.cmdline, pvh_cmdline));
    CHECK(bi.memmap_count == 4 && bi.memmap[2].base == 0x100000 && bi.memmap[1].type == 2);
    CHECK(bi.module_count == 1 && bi.modules[0].size == 0x1234);
    CHECK(!strcmp(bi.modules[0].name, "/input.dat"));
    CHECK(bi.rsdp == 0xF5A40);
}

/* qboot leaves a module's cmdline_paddr uninitialized (0x202000f18f2 in a
 * real boot): outside the map it names nothing. */
static void test_pvh_module_name_outside_map(void)
{
    struct pvh_start_info si = pvh(1);

    pvh_mods[0].cmdline_paddr = 0xF00000000000ull;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_OK);
    CHECK(bi.module_count == 1 && bi.modules[0].size == 0x1234 && bi.modules[0].name[0] == 0);
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

/* A multiboot2 block of exactly `total` bytes: the tags in `tags` after the 8-byte header. */
static uint8_t *mb2_exact(const void *tags, uint32_t len)
{
    uint8_t *b = malloc(8 + len);
    uint32_t header[2] = { 8 + len, 0 };

    memcpy(b, header, 8);
    memcpy(b + 8, tags, len);
    return b;
}

static int parse_mb2_block(const uint8_t *b)
{
    return bootinfo_parse(BOOT_MULTIBOOT2_MAGIC, (uintptr_t)b, &bi);
}

/* A memory-map tag with one RAM entry, then whatever the case appends. */
static const uint32_t mb2_memmap[] = { 6, 40, 24, 0, 0, 0, 0x100000, 0, 1, 0 };

/* A tag size near 2^32: the step (size + 7) & ~7 wrapped to 0 and the walk never ended. */
static void test_mb2_huge_tag_size(void)
{
    uint32_t tags[16];
    static const uint32_t sizes[] = { 0xFFFFFFF9u, 0xFFFFFFFFu, 0xFFFFFFF8u, 0x80000000u };

    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        memcpy(tags, mb2_memmap, sizeof(mb2_memmap));
        uint32_t t[4] = { 99, sizes[i], 0, 0 };
        memcpy(tags + 10, t, sizeof(t));
        uint32_t end[2] = { 0, 8 };
        memcpy(tags + 14, end, sizeof(end));
        uint8_t *b = mb2_exact(tags, sizeof(tags));
        CHECK(parse_mb2_block(b) == BOOT_EMALFORMED);
        free(b);
    }
}

/* A tag that claims more bytes than the block has left: nothing past the block is read. */
static void test_mb2_tag_past_total(void)
{
    uint32_t tags[12];

    memcpy(tags, mb2_memmap, sizeof(mb2_memmap));
    uint32_t cmd[2] = { 1, 64 };                /* a command line of 56 bytes, 0 present */
    memcpy(tags + 10, cmd, sizeof(cmd));
    uint8_t *b = mb2_exact(tags, sizeof(tags));
    CHECK(parse_mb2_block(b) == BOOT_EMALFORMED);
    free(b);

    uint32_t mmap_long[10];
    memcpy(mmap_long, mb2_memmap, sizeof(mb2_memmap));
    mmap_long[1] = 40 + 24;                     /* a second entry that is not there */
    b = mb2_exact(mmap_long, sizeof(mmap_long));
    CHECK(parse_mb2_block(b) == BOOT_EMALFORMED);
    free(b);
}

/* Strings and fields end with their tag, NUL or not. */
static void test_mb2_fields_inside_tag(void)
{
    uint8_t tags[40 + 16 + 8 + 8];

    /* A command line tag whose string has no NUL before the block ends. */
    memcpy(tags, mb2_memmap, 40);
    uint32_t cmd[2] = { 1, 8 + 24 };
    memcpy(tags + 40, cmd, 8);
    memset(tags + 48, 'x', sizeof(tags) - 48);
    uint8_t *b = mb2_exact(tags, sizeof(tags));
    CHECK(parse_mb2_block(b) == BOOT_OK && strlen(bi.cmdline) == 24);
    free(b);

    /* A module tag too short for its start and end. */
    uint32_t mod[4] = { 3, 12, 0x400000, 0 };
    memcpy(tags + 40, mod, 16);
    b = mb2_exact(tags, 40 + 12);
    CHECK(parse_mb2_block(b) == BOOT_EMALFORMED);
    free(b);

    /* A module whose end is below its start (its size would wrap). */
    uint32_t mod2[4] = { 3, 16, 0x400000, 0x3FF000 };
    memcpy(tags + 40, mod2, 16);
    b = mb2_exact(tags, 40 + 16);
    CHECK(parse_mb2_block(b) == BOOT_EMALFORMED);
    free(b);

    /* A module name without NUL: cut at the tag's end. */
    uint32_t mod3[4] = { 3, 16 + 5, 0x400000, 0x401000 };
    memcpy(tags + 40, mod3, 16);
    memcpy(tags + 56, "abcde", 5);
    b = mb2_exact(tags, 40 + 16 + 5);
    CHECK(parse_mb2_block(b) == BOOT_OK && !strcmp(bi.modules[0].name, "abcde"));
    free(b);
}

/* An entry size near 2^32 wrapped off + entry_size back into the tag. */
static void test_mb2_memmap_entry_size(void)
{
    uint32_t tags[10];

    memcpy(tags, mb2_memmap, sizeof(mb2_memmap));
    tags[2] = 0xFFFFFFF8u;
    uint8_t *b = mb2_exact(tags, sizeof(tags));
    CHECK(parse_mb2_block(b) == BOOT_ENOMEMMAP && bi.memmap_count == 0);
    free(b);
    tags[1] = 12;                               /* too short for its entry_size field */
    b = mb2_exact(tags, 16);
    CHECK(parse_mb2_block(b) == BOOT_EMALFORMED);
    free(b);
}

/* PVH counts are refused before a single entry past the real table is read. */
static void test_pvh_counts(void)
{
    struct pvh_start_info si = pvh(1);
    struct pvh_memmap_entry *map = malloc(sizeof(pvh_map));
    struct pvh_module *mods = malloc(sizeof(pvh_mods));

    memcpy(map, pvh_map, sizeof(pvh_map));
    memcpy(mods, pvh_mods, sizeof(pvh_mods));
    si.memmap_paddr = (uintptr_t)map;
    si.modlist_paddr = (uintptr_t)mods;
    si.memmap_entries = 0xFFFFFFFFu;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_EMEMMAP_FULL);
    si.memmap_entries = 3;
    si.nr_modules = 0xFFFFFFFFu;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_EMODULES_FULL);
    si.nr_modules = 1;
    si.memmap_paddr = UINT64_MAX - 16;          /* the table would wrap the address space */
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_EMALFORMED);
    free(map);
    free(mods);
}

/* PVH strings carry no length: they are read no further than what we keep. */
static void test_pvh_strings(void)
{
    struct pvh_start_info si = pvh(1);
    char *cmd = malloc(BOOT_CMDLINE_MAX), *name = malloc(BOOT_MODULE_NAME_MAX);

    memset(cmd, 'x', BOOT_CMDLINE_MAX);         /* no NUL anywhere */
    si.cmdline_paddr = (uintptr_t)cmd;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_ECMDLINE_LONG);
    si = pvh(1);
    memset(name, 'n', BOOT_MODULE_NAME_MAX);
    pvh_mods[0].cmdline_paddr = (uintptr_t)name;
    si.modlist_paddr = (uintptr_t)pvh_mods;
    CHECK(bootinfo_parse(0, (uintptr_t)&si, &bi) == BOOT_OK);
    CHECK(strlen(bi.modules[0].name) == BOOT_MODULE_NAME_MAX - 1);
    free(cmd);
    free(name);
}

static void on_alarm(int sig)
{
    static const char msg[] = "FAIL bootinfo: a parse did not end within 10 s\n";

    (void)sig;
    if (write(1, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    alarm(10);
    static const struct check_case cases[] = {
        { "pvh", test_pvh },
        { "pvh_module_name_outside_map", test_pvh_module_name_outside_map },
        { "pvh_without_memmap", test_pvh_without_memmap },
        { "unknown_protocol", test_unknown_protocol },
        { "multiboot2", test_multiboot2 },
        { "limits", test_limits },
        { "mb2_huge_tag_size", test_mb2_huge_tag_size },
        { "mb2_tag_past_total", test_mb2_tag_past_total },
        { "mb2_fields_inside_tag", test_mb2_fields_inside_tag },
        { "mb2_memmap_entry_size", test_mb2_memmap_entry_size },
        { "pvh_counts", test_pvh_counts },
        { "pvh_strings", test_pvh_strings },
    };
    return check_run("bootinfo", cases, sizeof(cases) / sizeof(cases[0]));
}

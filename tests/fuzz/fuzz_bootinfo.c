/*
 * fuzz_bootinfo.c - PVH start_info and the multiboot2 information block
 * (arch/x86_64/bootinfo.c), in host memory: a host pointer stands in for
 * a physical address, as in tests/unit/test_bootinfo.c.
 *
 * Input: byte 0 picks the protocol (bit 0: 0 multiboot2, 1 PVH); the rest
 * is the block the loader hands over, in a heap copy of exactly its size
 * plus one NUL (so ASan sees a read past it).
 *
 * What the loader guarantees is kept, what it says is not trusted:
 * - multiboot2: the total size in the first word is the block's length,
 *   so it is cut to the input's length (a larger one would only make the
 *   harness, not the parser, read past the buffer).
 * - PVH: every address (command line, module list, module names, memory
 *   map) is read as an offset into the block and made a pointer there,
 *   8-byte aligned; counts are cut to what fits after their array.
 *   Strings end at the block's trailing NUL at the latest.
 *
 * Properties: the counts stay within their arrays, strings are
 * terminated, and an RSDP copy is pointed at only when one was made.
 */
#include "fuzz.h"
#include "bootinfo.h"
#include "pvh_layout.h"

/* A loader-given address as an 8-aligned offset into the block, 0 stays 0. */
static uint64_t relocate(uint64_t addr, uint8_t *block, size_t len)
{
    return addr ? (uintptr_t)(block + ((addr % len) & ~(uint64_t)7)) : 0;
}

static uint32_t fit(uint32_t count, uint64_t addr, uint8_t *block, size_t len, size_t each)
{
    size_t room = addr ? (len - (size_t)((uint8_t *)(uintptr_t)addr - block)) / each : 0;

    return count < room ? count : (uint32_t)room;
}

static int pvh(uint8_t *block, size_t len, struct boot_info *bi)
{
    struct pvh_start_info si = { 0 };
    struct pvh_module *mods = NULL;
    int err;

    memcpy(&si, block, len < sizeof(si) ? len : sizeof(si));
    si.magic = BOOT_PVH_MAGIC;
    si.cmdline_paddr = relocate(si.cmdline_paddr, block, len);
    si.memmap_paddr = relocate(si.memmap_paddr, block, len);
    si.memmap_entries = fit(si.memmap_entries, si.memmap_paddr, block, len,
                            sizeof(struct pvh_memmap_entry));
    si.modlist_paddr = relocate(si.modlist_paddr, block, len);
    si.nr_modules = fit(si.nr_modules, si.modlist_paddr, block, len, sizeof(*mods));
    if (si.modlist_paddr) {
        /* The list in a copy of its own, so relocating its names cannot move other fields. */
        mods = malloc((si.nr_modules ? si.nr_modules : 1) * sizeof(*mods));
        memcpy(mods, (void *)(uintptr_t)si.modlist_paddr, si.nr_modules * sizeof(*mods));
        for (uint32_t i = 0; i < si.nr_modules; i++)
            mods[i].cmdline_paddr = relocate(mods[i].cmdline_paddr, block, len);
        si.modlist_paddr = (uintptr_t)mods;
    }
    err = bootinfo_parse(0, (uintptr_t)&si, bi);
    FUZZ_CHECK(bi->protocol == BOOT_PROTOCOL_PVH);
    if (!err)
        FUZZ_CHECK(bi->memmap_count == si.memmap_entries && bi->rsdp == si.rsdp_paddr);
    free(mods);
    return err;
}

static int mb2(uint8_t *block, size_t len, struct boot_info *bi)
{
    uint32_t total = 0;

    if (len >= 4)
        memcpy(&total, block, 4);
    if (total > len) {
        total = (uint32_t)len;
        memcpy(block, &total, len < 4 ? len : 4);
    }
    if (len < 8)
        return -1;     /* the loader's block has at least its 8-byte header */
    int err = bootinfo_parse(BOOT_MULTIBOOT2_MAGIC, (uintptr_t)block, bi);
    FUZZ_CHECK(bi->protocol == BOOT_PROTOCOL_MULTIBOOT2);
    FUZZ_CHECK(bi->rsdp == 0 || bi->rsdp == (uintptr_t)bi->rsdp_copy);
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct boot_info bi;

    if (size < 1)
        return 0;
    size_t len = size - 1;
    /* 8-aligned like a loader's block; one NUL after it ends any string. */
    uint8_t *block = fuzz_copy(data + 1, len, 1);
    int err = data[0] & 1 ? pvh(block, len + 1, &bi) : mb2(block, len, &bi);

    if (err >= 0) {
        FUZZ_CHECK(bootinfo_strerror(err) != NULL);
        FUZZ_CHECK(bi.memmap_count <= BOOT_MEMMAP_MAX && bi.module_count <= BOOT_MODULES_MAX);
        FUZZ_CHECK(memchr(bi.cmdline, 0, sizeof(bi.cmdline)) != NULL);
        for (unsigned i = 0; i < bi.module_count; i++)
            FUZZ_CHECK(memchr(bi.modules[i].name, 0, sizeof(bi.modules[i].name)) != NULL);
    }
    free(block);
    return 0;
}

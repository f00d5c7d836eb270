/*
 * pvh_layout.h - Xen's hvm_start_info as PVH loaders lay it out (private
 * to arch/x86_64/bootinfo.c), for the tests that build one in host memory
 * (tests/unit/test_bootinfo.c, tests/fuzz/fuzz_bootinfo.c).
 */
#ifndef TESTS_PVH_LAYOUT_H
#define TESTS_PVH_LAYOUT_H

#include <stdint.h>

struct pvh_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct pvh_memmap_entry { uint64_t addr, size; uint32_t type, reserved; };
struct pvh_module { uint64_t paddr, size, cmdline_paddr, reserved; };

#endif

/*
 * bootinfo.h - what the boot loader told us, in one protocol-neutral form.
 *
 * Two protocols reach _start32: PVH (QEMU -kernel, Firecracker,
 * cloud-hypervisor) and multiboot2 (GRUB). bootinfo_parse copies what the
 * kernel needs out of the loader's structures, so that the memory they
 * occupy may be reused afterwards.
 *
 * Contract: `info` MUST be readable at its physical address (the boot
 * page tables identity-map the first 4 GiB). On error, *out is partially
 * filled (protocol is always set) and the caller MUST NOT trust the rest.
 */
#ifndef ARCH_BOOTINFO_H
#define ARCH_BOOTINFO_H

#include <stdint.h>

#define BOOT_MULTIBOOT2_MAGIC   0x36D76289u
#define BOOT_PVH_MAGIC          0x336EC578u

#define BOOT_CMDLINE_MAX        4096
#define BOOT_MEMMAP_MAX         128
#define BOOT_MODULES_MAX        16
#define BOOT_MODULE_NAME_MAX    64
#define BOOT_RSDP_COPY_MAX      36

enum boot_protocol {
    BOOT_PROTOCOL_UNKNOWN,
    BOOT_PROTOCOL_PVH,
    BOOT_PROTOCOL_MULTIBOOT2,
};

/* E820 types; both protocols use them. */
enum boot_mem_type {
    BOOT_MEM_RAM = 1,
    BOOT_MEM_RESERVED = 2,
    BOOT_MEM_ACPI = 3,
    BOOT_MEM_NVS = 4,
    BOOT_MEM_BAD = 5,
};

enum boot_error {
    BOOT_OK = 0,
    BOOT_EPROTOCOL,             /* neither magic matched */
    BOOT_ENOMEMMAP,             /* the loader gave no memory map */
    BOOT_EMEMMAP_FULL,          /* more ranges than BOOT_MEMMAP_MAX */
    BOOT_ECMDLINE_LONG,         /* longer than BOOT_CMDLINE_MAX - 1 */
    BOOT_EMODULES_FULL,         /* more modules than BOOT_MODULES_MAX */
    BOOT_EMALFORMED,            /* a tag past the total size, a field past its tag, a wrap */
};

struct boot_mem_range {
    uint64_t base, size;
    uint32_t type;
};

struct boot_module {
    uint64_t base, size;
    char name[BOOT_MODULE_NAME_MAX];
};

struct boot_info {
    enum boot_protocol protocol;
    char cmdline[BOOT_CMDLINE_MAX];
    struct boot_mem_range memmap[BOOT_MEMMAP_MAX];
    unsigned memmap_count;
    struct boot_module modules[BOOT_MODULES_MAX];
    unsigned module_count;
    uint64_t rsdp;              /* physical address of the ACPI RSDP, or 0 */
    uint8_t rsdp_copy[BOOT_RSDP_COPY_MAX];  /* multiboot2 hands a copy */
};

int bootinfo_parse(uint32_t magic, uintptr_t info, struct boot_info *out);
const char *bootinfo_strerror(int error);
const char *bootinfo_protocol_name(enum boot_protocol protocol);

#endif

/*
 * paging.c - x86-64 4-level page tables over the identity map.
 *
 * Tables are walked from the root; a level's entry either points at the
 * next table or, with the PS bit at levels 2 and 3, is itself a 2 MiB or
 * 1 GiB page. Leaves are installed only into empty slots, so a mapping
 * never silently replaces another one.
 *
 * A page made inaccessible (page_protect with PAGE_NOACCESS) keeps its
 * leaf with the present bit clear and PTE_KEPT set: the CPU ignores the
 * other bits of a non-present entry, so the frame and the page size
 * stay there for when access comes back.
 */
#include "paging.h"
#include "cpu.h"

#include <stddef.h>

#define PTE_PRESENT     (1ull << 0)
#define PTE_WRITE       (1ull << 1)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_LARGE       (1ull << 7)
#define PTE_KEPT        (1ull << 9)     /* software: an inaccessible leaf, frame kept */
#define PTE_NX          (1ull << 63)
#define PTE_ADDR_MASK   0x000FFFFFFFFFF000ull
#define ENTRIES         512

/*
 * One lock for all changes: threads on several CPUs map at once (stacks,
 * the sbrk heap, MMIO), and two of them filling the same empty slot with
 * a new table would lose one. A plain flag with interrupts off is enough:
 * mapping is rare and short.
 */
static volatile int map_lock;
static paging_table_alloc_fn table_alloc;
static uint64_t *root;
static uint64_t max_page;
static bool have_nx;
static bool live;                   /* root is in CR3: changes need invlpg */
static struct paging_stats stats;

static const uint64_t level_size[5] = {
    0, PAGE_SIZE_4K, PAGE_SIZE_2M, PAGE_SIZE_1G, 512 * PAGE_SIZE_1G,
};

static unsigned index_at(uint64_t virt, int level)
{
    return (virt >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
}

uint64_t paging_max_supported(void)
{
    struct cpuid_regs r = cpuid(0x80000001, 0);

    return (r.edx & (1u << 26)) ? PAGE_SIZE_1G : PAGE_SIZE_2M;
}

void paging_init(paging_table_alloc_fn alloc, uint64_t max_page_size)
{
    struct cpuid_regs r = cpuid(0x80000001, 0);

    have_nx = r.edx & (1u << 20);
    table_alloc = alloc;
    max_page = max_page_size;
    root = (uint64_t *)(uintptr_t)alloc();
    stats.tables = root ? 1 : 0;
}

void paging_activate(void)
{
    if (have_nx)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    write_cr0(read_cr0() | CR0_WP);
    write_cr3((uintptr_t)root);
    live = true;
}

static uint64_t leaf_bits(unsigned flags, int level)
{
    uint64_t bits = PTE_PRESENT;

    if (flags & PAGE_WRITE)
        bits |= PTE_WRITE;
    if (!(flags & PAGE_EXEC) && have_nx)
        bits |= PTE_NX;
    if (flags & PAGE_NOCACHE)
        bits |= PTE_PCD | PTE_PWT;
    if (level > 1)
        bits |= PTE_LARGE;
    return bits;
}

/* Returns the table at `level` - 1 below entry *e, creating it if asked. */
static uint64_t *next_table(uint64_t *e, bool create)
{
    if (*e & PTE_PRESENT)
        return (*e & PTE_LARGE) ? NULL : (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
    if (!create)
        return NULL;
    uint64_t page = table_alloc();
    if (!page)
        return NULL;
    stats.tables++;
    /* Intermediate entries grant everything; the leaf decides. */
    *e = page | PTE_PRESENT | PTE_WRITE;
    return (uint64_t *)(uintptr_t)page;
}

static int map_one(uint64_t virt, uint64_t phys, int leaf_level, unsigned flags)
{
    uint64_t *table = root;

    for (int level = 4; level > leaf_level; level--) {
        uint64_t *e = &table[index_at(virt, level)];
        if (((*e & PTE_PRESENT) && (*e & PTE_LARGE)) || (*e & PTE_KEPT))
            return PAGING_EEXIST;
        table = next_table(e, true);
        if (!table)
            return PAGING_ENOMEM;
    }
    uint64_t *leaf = &table[index_at(virt, leaf_level)];
    if (*leaf & (PTE_PRESENT | PTE_KEPT))
        return PAGING_EEXIST;
    *leaf = phys | leaf_bits(flags, leaf_level);
    if (live)
        invlpg(virt);
    if (leaf_level == 3)
        stats.pages_1g++;
    else if (leaf_level == 2)
        stats.pages_2m++;
    else
        stats.pages_4k++;
    return PAGING_OK;
}

static uint64_t lock_tables(void)
{
    uint64_t flags = irq_save();

    while (__atomic_exchange_n(&map_lock, 1, __ATOMIC_ACQUIRE))
        cpu_relax();
    return flags;
}

static void unlock_tables(uint64_t flags)
{
    __atomic_store_n(&map_lock, 0, __ATOMIC_RELEASE);
    irq_restore(flags);
}

static int map_range(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags)
{
    while (size) {
        int level = 1;
        for (int l = 3; l > 1; l--) {
            uint64_t s = level_size[l];
            if (s <= max_page && size >= s && !((virt | phys) & (s - 1))) {
                level = l;
                break;
            }
        }
        int err = map_one(virt, phys, level, flags);
        if (err)
            return err;
        virt += level_size[level];
        phys += level_size[level];
        size -= level_size[level];
    }
    return PAGING_OK;
}

int page_map(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags)
{
    if (!root)
        return PAGING_ENOMEM;
    if ((virt | phys | size) & (PAGE_SIZE_4K - 1))
        return PAGING_EINVAL;
    uint64_t irqs = lock_tables();
    int err = map_range(virt, phys, size, flags);
    unlock_tables(irqs);
    return err;
}

/* Finds the leaf entry mapping virt and its level, or NULL; kept (inaccessible) ones if asked. */
static uint64_t *find_leaf(uint64_t *top, uint64_t virt, int *level_out, bool kept_too)
{
    uint64_t *table = top;

    for (int level = 4; level >= 1; level--) {
        uint64_t *e = &table[index_at(virt, level)];
        if (kept_too && (*e & PTE_KEPT)) {
            *level_out = level;
            return e;
        }
        if (!(*e & PTE_PRESENT))
            return NULL;
        if (level == 1 || (*e & PTE_LARGE)) {
            *level_out = level;
            return e;
        }
        table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
    }
    return NULL;
}

static int unmap_range(uint64_t virt, uint64_t size)
{
    while (size) {
        int level;
        uint64_t *e = find_leaf(root, virt, &level, true);
        if (!e) {
            virt += PAGE_SIZE_4K;
            size -= PAGE_SIZE_4K;
            continue;
        }
        uint64_t s = level_size[level];
        if ((virt & (s - 1)) || size < s)
            return PAGING_EINVAL;
        *e = 0;
        invlpg(virt);
        virt += s;
        size -= s;
    }
    return PAGING_OK;
}

int page_unmap(uint64_t virt, uint64_t size)
{
    if ((virt | size) & (PAGE_SIZE_4K - 1))
        return PAGING_EINVAL;
    uint64_t irqs = lock_tables();
    int err = unmap_range(virt, size);
    unlock_tables(irqs);
    return err;
}

/* The frame a leaf at `level` maps (bit 12 of a large leaf is PAT, not address). */
static uint64_t leaf_frame(uint64_t e, int level)
{
    return e & PTE_ADDR_MASK & ~(level_size[level] - 1);
}

/* A leaf for `frame` with `flags`, inaccessible but kept for PAGE_NOACCESS. */
static uint64_t protected_leaf(uint64_t frame, unsigned flags, int level)
{
    if (flags & PAGE_NOACCESS)
        return frame | PTE_KEPT | (level > 1 ? PTE_LARGE : 0);
    return frame | leaf_bits(flags, level);
}

/*
 * Replaces the large leaf *e (level 2 or 3) by a table of 512 leaves one
 * level down with the same frame and access. The table is complete
 * before the one store that installs it.
 */
static int split_leaf(uint64_t *e, int level)
{
    uint64_t page = table_alloc();

    if (!page)
        return PAGING_ENOMEM;
    stats.tables++;
    uint64_t *t = (uint64_t *)(uintptr_t)page, old = *e, frame = leaf_frame(old, level);
    uint64_t bits = old & (PTE_PRESENT | PTE_WRITE | PTE_PWT | PTE_PCD | PTE_NX | PTE_KEPT);
    uint64_t step = level_size[level - 1];
    for (unsigned i = 0; i < ENTRIES; i++)
        t[i] = (frame + i * step) | bits | (level - 1 > 1 ? PTE_LARGE : 0);
    __atomic_store_n(e, page | PTE_PRESENT | PTE_WRITE, __ATOMIC_RELEASE);
    if (level - 1 == 1)
        stats.pages_4k += ENTRIES;
    else
        stats.pages_2m += ENTRIES;
    return PAGING_OK;
}

static int protect_range(uint64_t virt, uint64_t size, unsigned flags)
{
    bool split = false;

    while (size) {
        int level;
        uint64_t *e = find_leaf(root, virt, &level, true);
        if (!e)
            return PAGING_EINVAL;
        uint64_t s = level_size[level];
        if ((virt & (s - 1)) || size < s) {
            /* Covered in part: one level down, then look again. */
            int err = split_leaf(e, level);
            if (err)
                return err;
            split = true;
            continue;
        }
        *e = protected_leaf(leaf_frame(*e, level), flags, level);
        invlpg(virt);
        virt += s;
        size -= s;
    }
    /* A split large page may sit in this CPU's TLB under any of its addresses. */
    if (split)
        write_cr3(read_cr3());
    return PAGING_OK;
}

int page_protect(uint64_t virt, uint64_t size, unsigned flags)
{
    if ((virt | size) & (PAGE_SIZE_4K - 1))
        return PAGING_EINVAL;
    uint64_t irqs = lock_tables();
    int err = protect_range(virt, size, flags);
    unlock_tables(irqs);
    return err;
}

static bool lookup(uint64_t virt, uint64_t *phys, uint64_t *page_size, bool kept_too)
{
    int level;
    uint64_t *e;

    /* Walk the live tables: this also serves early boot and fault handlers. */
    e = find_leaf((uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR_MASK), virt, &level, kept_too);
    if (!e)
        return false;
    uint64_t s = level_size[level];
    if (phys)
        *phys = leaf_frame(*e, level) + (virt & (s - 1));
    if (page_size)
        *page_size = s;
    return true;
}

bool page_translate(uint64_t virt, uint64_t *phys, uint64_t *page_size)
{
    return lookup(virt, phys, page_size, false);
}

bool page_frame(uint64_t virt, uint64_t *phys, uint64_t *page_size)
{
    return lookup(virt, phys, page_size, true);
}

void paging_get_stats(struct paging_stats *out)
{
    *out = stats;
}

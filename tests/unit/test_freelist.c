/*
 * test_freelist.c - the free-list allocator against a page-bitmap model.
 */
#include "check.h"
#include "freelist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull

static struct freelist_node pool[4096];

static bool invariants_hold(const struct freelist *fl)
{
    uint64_t sum = 0;
    unsigned count = 0;

    for (const struct freelist_node *n = fl->head; n; n = n->next, count++) {
        sum += n->size;
        if (!n->size || (n->next && n->base + n->size >= n->next->base))
            return false;               /* empty, unsorted, overlapping or uncoalesced */
    }
    return sum == fl->free_bytes && count == fl->nodes_used;
}

static void test_coalescing(void)
{
    struct freelist fl;

    freelist_init(&fl, pool, 16);
    CHECK(freelist_free(&fl, 3 * K4, K4) == FREELIST_OK);
    CHECK(freelist_free(&fl, 1 * K4, K4) == FREELIST_OK);
    CHECK(fl.nodes_used == 2);
    CHECK(freelist_free(&fl, 2 * K4, K4) == FREELIST_OK);
    CHECK(fl.nodes_used == 1 && fl.head->base == K4 && fl.head->size == 3 * K4);
    CHECK(freelist_free(&fl, 4 * K4, K4) == FREELIST_OK);
    CHECK(freelist_free(&fl, 0, K4) == FREELIST_OK);
    CHECK(fl.nodes_used == 1 && fl.head->base == 0 && fl.head->size == 5 * K4);
    CHECK(invariants_hold(&fl));
}

static void test_double_free(void)
{
    struct freelist fl;

    freelist_init(&fl, pool, 16);
    freelist_free(&fl, 0x10000, 0x10000);
    CHECK(freelist_free(&fl, 0x10000, K4) == FREELIST_EOVERLAP);
    CHECK(freelist_free(&fl, 0x1F000, K4) == FREELIST_EOVERLAP);
    CHECK(freelist_free(&fl, 0xF000, 2 * K4) == FREELIST_EOVERLAP);
    CHECK(freelist_free(&fl, 0x1F000, 2 * K4) == FREELIST_EOVERLAP);
    CHECK(freelist_free(&fl, 0x8000, 0x100000) == FREELIST_EOVERLAP);
    CHECK(freelist_free_bytes(&fl) == 0x10000 && invariants_hold(&fl));
}

static void test_invalid(void)
{
    struct freelist fl;
    uint64_t base;

    freelist_init(&fl, pool, 16);
    CHECK(freelist_free(&fl, K4, 0) == FREELIST_EINVAL);
    CHECK(freelist_free(&fl, UINT64_MAX - K4 + 1, K4) == FREELIST_EINVAL);
    freelist_free(&fl, 0, G1);
    CHECK(freelist_alloc(&fl, K4, 3 * K4, &base) == FREELIST_EINVAL);
    CHECK(freelist_alloc(&fl, 0, K4, &base) == FREELIST_EINVAL);
    CHECK(freelist_reserve(&fl, K4, 0) == FREELIST_EINVAL);
}

static void test_page_sizes(void)
{
    struct freelist fl;
    uint64_t base;

    freelist_init(&fl, pool, 64);
    CHECK(freelist_free(&fl, K4, 4 * G1) == FREELIST_OK);   /* [4K, 4G + 4K) */
    for (uint64_t expect = G1; expect < 4 * G1; expect += G1) {
        CHECK(freelist_alloc(&fl, G1, G1, &base) == FREELIST_OK);
        CHECK(base == expect);
    }
    CHECK(freelist_alloc(&fl, G1, G1, &base) == FREELIST_ENOSPC);
    CHECK(freelist_alloc(&fl, M2, M2, &base) == FREELIST_OK && base == M2);
    CHECK(freelist_alloc(&fl, K4, K4, &base) == FREELIST_OK && base == K4);
    CHECK(freelist_alloc(&fl, K4, K4, &base) == FREELIST_OK && base == 2 * K4);
    CHECK(freelist_alloc(&fl, 5 * K4, K4, &base) == FREELIST_OK && base == 3 * K4);
    CHECK(freelist_alloc(&fl, K4, K4, &base) == FREELIST_OK && base == 8 * K4);
    CHECK(freelist_reserve(&fl, 4 * G1, K4) == FREELIST_OK);
    CHECK(freelist_reserve(&fl, 4 * G1, K4) == FREELIST_ENOTFREE);
    CHECK(invariants_hold(&fl));
    CHECK(freelist_free(&fl, 2 * G1, G1) == FREELIST_OK);
    CHECK(freelist_alloc(&fl, G1, G1, &base) == FREELIST_OK && base == 2 * G1);
}

static void test_exhaustion(void)
{
    struct freelist fl;
    uint64_t base;

    freelist_init(&fl, pool, 2);
    CHECK(freelist_free(&fl, 0, 16 * K4) == FREELIST_OK);
    CHECK(freelist_alloc(&fl, 17 * K4, K4, &base) == FREELIST_ENOSPC);
    CHECK(freelist_reserve(&fl, 4 * K4, K4) == FREELIST_OK);    /* splits: 2 nodes */
    uint64_t before = freelist_free_bytes(&fl);
    CHECK(freelist_reserve(&fl, 8 * K4, K4) == FREELIST_ENODES);
    CHECK(freelist_free_bytes(&fl) == before && invariants_hold(&fl));
    CHECK(freelist_free(&fl, 100 * K4, K4) == FREELIST_ENODES);
    CHECK(freelist_free_bytes(&fl) == before && invariants_hold(&fl));
    CHECK(freelist_free(&fl, 4 * K4, K4) == FREELIST_OK);       /* merges back */
    CHECK(fl.nodes_used == 1);
    CHECK(freelist_alloc(&fl, 16 * K4, K4, &base) == FREELIST_OK && base == 0);
    CHECK(freelist_alloc(&fl, K4, K4, &base) == FREELIST_ENOSPC);
}

static void test_reserve(void)
{
    struct freelist fl;

    freelist_init(&fl, pool, 16);
    freelist_free(&fl, 0, 10 * K4);
    freelist_free(&fl, 20 * K4, 10 * K4);
    CHECK(freelist_reserve(&fl, 8 * K4, 4 * K4) == FREELIST_ENOTFREE);
    CHECK(freelist_reserve(&fl, 12 * K4, K4) == FREELIST_ENOTFREE);
    CHECK(freelist_reserve(&fl, 0, K4) == FREELIST_OK);
    CHECK(freelist_reserve(&fl, 29 * K4, K4) == FREELIST_OK);
    CHECK(freelist_free_bytes(&fl) == 18 * K4);
    CHECK(freelist_reserve_any(&fl, 5 * K4, 20 * K4) == FREELIST_OK);   /* spans a hole */
    CHECK(freelist_free_bytes(&fl) == 4 * K4 + 4 * K4);
    CHECK(freelist_reserve_any(&fl, 100 * K4, K4) == FREELIST_OK);      /* nothing there */
    CHECK(freelist_reserve_any(&fl, 0, 64 * K4) == FREELIST_OK);
    CHECK(freelist_free_bytes(&fl) == 0 && fl.head == NULL && invariants_hold(&fl));
}

/* The model: one byte per 4 KiB page of a 16 MiB universe at 1 MiB. */
#define MODEL_BASE  0x100000ull
#define MODEL_PAGES 4096
static unsigned char model[MODEL_PAGES];

static bool model_free(uint64_t first, uint64_t count)
{
    for (uint64_t i = first; i < first + count; i++)
        if (i >= MODEL_PAGES || !model[i])
            return false;
    return true;
}

static int64_t model_lowest_fit(uint64_t pages, uint64_t align)
{
    for (uint64_t addr = (MODEL_BASE + align - 1) & ~(align - 1);
         addr + pages * K4 <= MODEL_BASE + MODEL_PAGES * K4; addr += align)
        if (model_free((addr - MODEL_BASE) / K4, pages))
            return (int64_t)addr;
    return -1;
}

static void model_set(uint64_t addr, uint64_t pages, unsigned char v)
{
    memset(&model[(addr - MODEL_BASE) / K4], v, pages);
}

static void test_random_against_model(void)
{
    struct freelist fl;
    struct { uint64_t base, pages; } live[2048];
    unsigned nlive = 0;
    int mismatches = 0;

    srand(7);
    freelist_init(&fl, pool, 4096);
    memset(model, 1, sizeof(model));
    CHECK(freelist_free(&fl, MODEL_BASE, MODEL_PAGES * K4) == FREELIST_OK);

    for (int op = 0; op < 30000 && mismatches < 5; op++) {
        int kind = rand() % 10;
        if (kind < 5 && nlive < 2048) {
            uint64_t pages = (rand() % 8 == 0) ? 512 : 1 + rand() % 48;
            uint64_t align = pages == 512 ? M2 : K4 << (rand() % 4);
            int64_t want = model_lowest_fit(pages, align);
            uint64_t got;
            int err = freelist_alloc(&fl, pages * K4, align, &got);
            if ((want < 0) != (err == FREELIST_ENOSPC) || (want >= 0 && (uint64_t)want != got))
                mismatches++;
            if (!err) {
                model_set(got, pages, 0);
                live[nlive].base = got;
                live[nlive++].pages = pages;
            }
        } else if (kind < 9 && nlive) {
            unsigned i = (unsigned)rand() % nlive;
            if (freelist_free(&fl, live[i].base, live[i].pages * K4) != FREELIST_OK)
                mismatches++;
            model_set(live[i].base, live[i].pages, 1);
            /* Freeing it again, or a page of it, must be refused. */
            if (freelist_free(&fl, live[i].base, K4) != FREELIST_EOVERLAP)
                mismatches++;
            live[i] = live[--nlive];
        } else {
            uint64_t first = (uint64_t)rand() % MODEL_PAGES, count = 1 + rand() % 16;
            bool expect_ok = model_free(first, count);
            int err = freelist_reserve(&fl, MODEL_BASE + first * K4, count * K4);
            if (expect_ok != (err == FREELIST_OK))
                mismatches++;
            if (!err)
                freelist_free(&fl, MODEL_BASE + first * K4, count * K4);
        }
        uint64_t model_bytes = 0;
        for (int i = 0; i < MODEL_PAGES; i++)
            model_bytes += model[i] ? K4 : 0;
        if (model_bytes != freelist_free_bytes(&fl) || !invariants_hold(&fl))
            mismatches++;
    }
    CHECK(mismatches == 0);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "coalescing", test_coalescing },
        { "double_free", test_double_free },
        { "invalid", test_invalid },
        { "page_sizes", test_page_sizes },
        { "exhaustion", test_exhaustion },
        { "reserve", test_reserve },
        { "random_against_model", test_random_against_model },
    };
    return check_run("freelist", cases, sizeof(cases) / sizeof(cases[0]));
}

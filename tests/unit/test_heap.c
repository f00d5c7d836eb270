/*
 * test_heap.c - the size-class heap over a counting page source.
 */
#include "check.h"
#include "heap.h"

#include <stdlib.h>
#include <string.h>

/* The heap keeps small-class pages for reuse by design: not leaks. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

static long pages_out;

static void *source_alloc(void *ctx, size_t count)
{
    (void)ctx;
    void *p = aligned_alloc(HEAP_PAGE_SIZE, count * HEAP_PAGE_SIZE);
    if (p)
        pages_out += (long)count;
    return p;
}

static void source_free(void *ctx, void *pages, size_t count)
{
    (void)ctx;
    pages_out -= (long)count;
    free(pages);
}

static struct heap h;

/*
 * A page source that hands freed pages out again at the same address
 * (first fit over a fixed arena), as the kernel's physical allocator
 * does: a freed large block's pages soon belong to someone else.
 */
#define ARENA_PAGES 64
static _Alignas(HEAP_PAGE_SIZE) unsigned char arena[ARENA_PAGES * HEAP_PAGE_SIZE];
static unsigned char arena_used[ARENA_PAGES];

static void *arena_alloc(void *ctx, size_t count)
{
    (void)ctx;
    for (size_t first = 0; first + count <= ARENA_PAGES; first++) {
        size_t n = 0;
        while (n < count && !arena_used[first + n])
            n++;
        if (n == count) {
            memset(arena_used + first, 1, count);
            return arena + first * HEAP_PAGE_SIZE;
        }
    }
    return NULL;
}

static void arena_free(void *ctx, void *pages, size_t count)
{
    (void)ctx;
    memset(arena_used + ((unsigned char *)pages - arena) / HEAP_PAGE_SIZE, 0, count);
    memset(pages, 0xDD, count * HEAP_PAGE_SIZE);    /* what the next owner might write */
}

static void fresh_heap(void)
{
    pages_out = 0;
    heap_init(&h, (struct heap_page_source){ source_alloc, source_free, NULL });
}

static void test_sizes_and_alignment(void)
{
    fresh_heap();
    for (size_t size = 0; size < 9000; size += 7) {
        unsigned char *p = heap_alloc(&h, size);
        CHECK(p != NULL && ((uintptr_t)p & 15) == 0);
        CHECK(heap_block_size(p) >= (size ? size : 1));
        memset(p, 0xAB, size);
        CHECK(heap_free(&h, p) == HEAP_OK);
    }
    CHECK(h.bytes_in_use == 0);
}

static void test_errors(void)
{
    static _Alignas(16) unsigned char not_heap[64];

    fresh_heap();
    void *p = heap_alloc(&h, 40);
    CHECK(heap_free(&h, p) == HEAP_OK);
    CHECK(heap_free(&h, p) == HEAP_EDOUBLEFREE);
    CHECK(heap_free(&h, (char *)heap_alloc(&h, 40) + 8) == HEAP_EINVAL);
    CHECK(heap_free(&h, not_heap + 16) == HEAP_EINVAL);
    CHECK(heap_free(&h, NULL) == HEAP_OK);
    void *big = heap_alloc(&h, 100000);
    CHECK(heap_free(&h, big) == HEAP_OK);
}

static void test_large_returns_pages(void)
{
    fresh_heap();
    void *small = heap_alloc(&h, 100);
    /* The first large block's record takes a small-class page, kept for later ones. */
    CHECK(heap_free(&h, heap_alloc(&h, 5 * HEAP_PAGE_SIZE)) == HEAP_OK);
    long base = pages_out;
    void *big = heap_alloc(&h, 5 * HEAP_PAGE_SIZE);
    CHECK(pages_out == base + 6);           /* 5 pages + header needs 6 */
    CHECK(heap_free(&h, big) == HEAP_OK);
    CHECK(pages_out == base);
    CHECK(heap_free(&h, small) == HEAP_OK);
}

static void test_random_stress(void)
{
    enum { N = 1000 };
    static unsigned char *blocks[N];
    static size_t sizes[N];
    int corrupt = 0;

    fresh_heap();
    srand(11);
    for (int step = 0; step < 100000; step++) {
        int i = rand() % N;
        if (blocks[i]) {
            for (size_t k = 0; k < sizes[i]; k++)
                corrupt += blocks[i][k] != (unsigned char)i;
            CHECK(heap_free(&h, blocks[i]) == HEAP_OK);
            blocks[i] = NULL;
        } else {
            sizes[i] = (size_t)(rand() % 8 == 0 ? rand() % 20000 : rand() % 600);
            blocks[i] = heap_alloc(&h, sizes[i]);
            CHECK(blocks[i] != NULL);
            memset(blocks[i], i, sizes[i]);
        }
    }
    for (int i = 0; i < N; i++)
        if (blocks[i])
            heap_free(&h, blocks[i]);
    CHECK(corrupt == 0);
    CHECK(h.bytes_in_use == 0);
    CHECK(pages_out == (long)h.pages_held);
}

/* The second free of a large block must not read its pages: they were given back. */
static void test_large_double_free(void)
{
    fresh_heap();
    void *big = heap_alloc(&h, 100000);
    CHECK(heap_free(&h, big) == HEAP_OK);
    CHECK(heap_free(&h, big) == HEAP_EDOUBLEFREE);
    CHECK(h.bytes_in_use == 0 && pages_out == (long)h.pages_held);
}

/* ...nor take the pages' next owner for the block. */
static void test_large_double_free_after_reuse(void)
{
    static void *small[HEAP_PAGE_SIZE / 32];
    unsigned n = 0;

    memset(arena_used, 0, sizeof(arena_used));
    heap_init(&h, (struct heap_page_source){ arena_alloc, arena_free, NULL });
    unsigned char *big = heap_alloc(&h, 3 * HEAP_PAGE_SIZE);
    CHECK(big != NULL && heap_free(&h, big) == HEAP_OK);
    /* 16-byte blocks fill the freed first page again, header words where big's was. */
    while (n < sizeof(small) / sizeof(small[0])) {
        small[n] = heap_alloc(&h, 16);
        memset(small[n], n, 16);
        n++;
    }
    uint64_t in_use = h.bytes_in_use;
    int err = heap_free(&h, big);
    CHECK(err == HEAP_EDOUBLEFREE || err == HEAP_EINVAL);
    CHECK(h.bytes_in_use == in_use);
    for (unsigned i = 0; i < n; i++) {
        unsigned char *p = small[i];
        if (p[0] != (unsigned char)i || p[15] != (unsigned char)i || heap_free(&h, p) != HEAP_OK) {
            CHECK(!"a live small block survived the bad free");
            break;
        }
    }
    CHECK(h.bytes_in_use == 0);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "sizes_and_alignment", test_sizes_and_alignment },
        { "errors", test_errors },
        { "large_returns_pages", test_large_returns_pages },
        { "random_stress", test_random_stress },
        { "large_double_free", test_large_double_free },
        { "large_double_free_after_reuse", test_large_double_free_after_reuse },
    };
    return check_run("heap", cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * memcpy.c - the memcpy of every image: kernel, lwIP, newlib, MPICH and
 * the application all copy through it (libc/libc.mk links it ahead of
 * newlib's).
 *
 * Why not newlib's: its x86-64 memcpy moves 128-byte blocks with
 * non-temporal stores and finishes with `rep movsb`. A 1460-byte TCP
 * segment leaves a 52-byte tail, and under TCG a `rep movsb` byte costs
 * some 30 times a byte of the block loop: measured in the guest, 6.4
 * host TSC ticks per byte against 3.5 here, and 0.35 guest instructions
 * per byte against 0.24 (under -icount, where each `rep` iteration is an
 * instruction). Non-temporal stores also push out of the cache the copy
 * that the checksum and the receiver read next. Every payload byte is
 * copied three times on its way (into a segment, out of the ring, into
 * the user's buffer).
 *
 * General-purpose registers only: the kernel copies in interrupt
 * context too, where the vector registers belong to the interrupted
 * thread.
 */
#include <stdint.h>
#include <string.h>

/* Any alignment: one move on x86-64. Builtins by name: the kernel is
 * compiled -ffreestanding, where a plain memcpy would be a call. */
static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;

    __builtin_memcpy(&w, p, sizeof(w));
    return w;
}

static inline void store64(unsigned char *p, uint64_t w)
{
    __builtin_memcpy(p, &w, sizeof(w));
}

static inline uint32_t load32(const unsigned char *p)
{
    uint32_t w;

    __builtin_memcpy(&w, p, sizeof(w));
    return w;
}

static inline void store32(unsigned char *p, uint32_t w)
{
    __builtin_memcpy(p, &w, sizeof(w));
}

/* The optimize attribute stops gcc from turning a loop back into a call to memcpy. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (n >= 8) {
        /* The last eight bytes first, so any tail is a repeat of them. */
        uint64_t last = load64(s + n - 8);
        for (; n >= 64; d += 64, s += 64, n -= 64) {
            uint64_t a = load64(s), b = load64(s + 8), c = load64(s + 16), e = load64(s + 24);
            uint64_t f = load64(s + 32), g = load64(s + 40), h = load64(s + 48), k = load64(s + 56);
            store64(d, a), store64(d + 8, b), store64(d + 16, c), store64(d + 24, e);
            store64(d + 32, f), store64(d + 40, g), store64(d + 48, h), store64(d + 56, k);
        }
        for (; n >= 8; d += 8, s += 8, n -= 8)
            store64(d, load64(s));
        store64(d + n - 8, last);
        return dst;
    }
    if (n >= 4) {
        uint32_t first = load32(s), last = load32(s + n - 4);
        store32(d, first);
        store32(d + n - 4, last);
        return dst;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

/*
 * fpu.c - XSAVE/FXSAVE set-up and the save/restore pair.
 */
#include "fpu.h"
#include "cpu.h"

#include <stdint.h>
#include <string.h>

#define XCR0_X87        (1ull << 0)
#define XCR0_SSE        (1ull << 1)
#define XCR0_AVX        (1ull << 2)
#define XCR0_AVX512     (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM */
#define CR0_MP          (1ull << 1)
#define CR0_EM          (1ull << 2)
#define CR0_TS          (1ull << 3)
#define FXSAVE_SIZE     512
#define MXCSR_DEFAULT   0x1F80u
#define FCW_DEFAULT     0x037Fu

static int use_xsave;
static uint64_t xcr0;
static size_t area_size = FXSAVE_SIZE;

static void xsetbv(uint32_t index, uint64_t value)
{
    __asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)value),
                     "d"((uint32_t)(value >> 32)));
}

void fpu_init_cpu(void)
{
    struct cpuid_regs r = cpuid(1, 0);

    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    use_xsave = (r.ecx >> 26) & 1;
    if (!use_xsave)
        return;
    write_cr4(read_cr4() | CR4_OSXSAVE);

    struct cpuid_regs d = cpuid(0xD, 0);
    uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
    xcr0 = XCR0_X87 | XCR0_SSE;
    if (supported & XCR0_AVX)
        xcr0 |= XCR0_AVX;
    if ((supported & XCR0_AVX512) == XCR0_AVX512 && (xcr0 & XCR0_AVX))
        xcr0 |= XCR0_AVX512;
    xsetbv(0, xcr0);
    /*
     * Size the area from each enabled component's offset and size rather
     * than trusting leaf 0xD's EBX, which some emulators leave stale.
     */
    area_size = FXSAVE_SIZE + 64;                   /* legacy area + header */
    for (unsigned i = 2; i < 64; i++) {
        if (!(xcr0 & (1ull << i)))
            continue;
        struct cpuid_regs c = cpuid(0xD, i);
        if (c.ebx + c.eax > area_size)
            area_size = c.ebx + c.eax;
    }
}

size_t fpu_area_size(void)
{
    return area_size;
}

void fpu_area_init(void *area)
{
    uint8_t *a = area;

    memset(a, 0, area_size);
    *(uint16_t *)(a + 0) = FCW_DEFAULT;
    *(uint32_t *)(a + 24) = MXCSR_DEFAULT;
    /* XSTATE_BV = 0 in the header: XRSTOR loads the init state. */
}

void fpu_save(void *area)
{
    if (use_xsave)
        __asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((uint32_t)xcr0),
                         "d"((uint32_t)(xcr0 >> 32)) : "memory");
    else
        __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
    if (use_xsave)
        __asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((uint32_t)xcr0),
                         "d"((uint32_t)(xcr0 >> 32)) : "memory");
    else
        __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

const char *fpu_mechanism(void)
{
    if (!use_xsave)
        return "FXSAVE";
    if (xcr0 & XCR0_AVX512)
        return "XSAVE (x87, SSE, AVX, AVX-512)";
    return (xcr0 & XCR0_AVX) ? "XSAVE (x87, SSE, AVX)" : "XSAVE (x87, SSE)";
}

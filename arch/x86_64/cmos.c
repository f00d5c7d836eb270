/*
 * cmos.c - reads CMOS RAM through the index/data port pair.
 */
#include "cmos.h"
#include "cpu.h"

#define CMOS_INDEX      0x70
#define CMOS_DATA       0x71
#define NMI_DISABLE     0x80
#define QEMU_CPU_COUNT  0x5F

uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, NMI_DISABLE | reg);
    return inb(CMOS_DATA);
}

unsigned cmos_cpu_count(void)
{
    uint8_t v = cmos_read(QEMU_CPU_COUNT);

    return v == 0xFF ? 0 : (unsigned)v + 1;
}

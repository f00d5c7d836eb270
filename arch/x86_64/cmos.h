/*
 * cmos.h - the MC146818 CMOS RAM, where QEMU's pc, q35 and microvm
 * machines leave the number of vCPUs (byte 0x5F, count minus one), the
 * same hint SeaBIOS relies on.
 *
 * Contract: cmos_cpu_count returns 0 when the byte looks absent (0xFF).
 * cmos_rtc_seconds waits out an update in progress (at most ~2 ms).
 */
#ifndef ARCH_CMOS_H
#define ARCH_CMOS_H

#include <stdint.h>

uint8_t cmos_read(uint8_t reg);
unsigned cmos_cpu_count(void);
/* The real-time clock as seconds since 1970 (UTC), 0 if it reads as nonsense. */
uint64_t cmos_rtc_seconds(void);

#endif

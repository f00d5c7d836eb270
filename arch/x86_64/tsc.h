/*
 * tsc.h - the time-stamp counter's frequency.
 *
 * Contract: tsc_detect_hz MUST run before interrupts are enabled; it
 * busy-waits about 1.5 ms when it calibrates on an idle vCPU (one window
 * within 200 ppm), longer on a starved one (at most ~400 windows of 5 ms). PM_TIMER_PORT is the FADT's PM timer
 * block (0: none). It returns 0 with *source TSC_SOURCE_NONE when no
 * source gave a trustworthy answer: the caller must not run on a guess.
 * *cal describes the calibration (zero when CPUID answered).
 */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <stdint.h>

enum tsc_source {
    TSC_SOURCE_CPUID_15H,       /* crystal ratio, exact */
    TSC_SOURCE_CPUID_16H,       /* base frequency, nominal */
    TSC_SOURCE_PM_TIMER,        /* calibrated against the ACPI PM timer */
    TSC_SOURCE_PIT,             /* calibrated against the 8254 */
    TSC_SOURCE_NONE,            /* nothing answered well enough */
};

struct tsc_calibration {
    uint32_t windows;           /* windows tried */
    uint32_t good_windows;      /* of which within the error bound */
    uint32_t error_ppm;         /* the chosen window's error bound */
};

uint64_t tsc_detect_hz(uint16_t pm_timer_port, enum tsc_source *source,
                       struct tsc_calibration *cal);
const char *tsc_source_name(enum tsc_source source);

#endif

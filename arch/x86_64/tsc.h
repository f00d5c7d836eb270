/*
 * tsc.h - the time-stamp counter's frequency.
 *
 * Contract: tsc_detect_hz MAY busy-wait up to ~50 ms (PIT calibration) and
 * MUST run before interrupts are enabled. It never returns 0: when neither
 * CPUID nor the PIT gives an answer it reports a fallback and sets *source
 * to TSC_SOURCE_GUESS so that the caller can warn.
 */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <stdint.h>

enum tsc_source {
    TSC_SOURCE_CPUID_15H,       /* crystal ratio, exact */
    TSC_SOURCE_CPUID_16H,       /* base frequency, nominal */
    TSC_SOURCE_PIT,             /* calibrated against the 8254 */
    TSC_SOURCE_GUESS,           /* nothing answered */
};

uint64_t tsc_detect_hz(enum tsc_source *source);
const char *tsc_source_name(enum tsc_source source);

#endif

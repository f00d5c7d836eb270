/*
 * fpu.h - per-thread x87/SSE/AVX state.
 *
 * The kernel is built without SSE, so only a thread switch needs to save
 * and restore vector state, never an interrupt. XSAVE is used where the
 * CPU has it (all state components the CPU offers among x87, SSE, AVX and
 * AVX-512), FXSAVE otherwise.
 *
 * Contract: fpu_init_cpu MUST run on every CPU before its first thread;
 * areas MUST be fpu_area_size() bytes, 64-byte aligned, and start as a
 * copy made by fpu_area_init.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stddef.h>

void fpu_init_cpu(void);
size_t fpu_area_size(void);
void fpu_area_init(void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);
const char *fpu_mechanism(void);

#endif

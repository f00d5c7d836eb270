/*
 * format.h - printf-style formatting without a C library.
 *
 * Supports the conversions kernel messages need: d i u x X o p s c %,
 * flags '-' '0' '+' ' ' '#', width and precision (also as '*'), and the
 * length modifiers hh h l ll z t j. Floating point is not supported (the
 * kernel builds without SSE); %f prints as "%f" literally.
 *
 * Contract: `emit` receives the output in pieces, in order; it MUST NOT
 * re-enter format_out on the same context. kvsnprintf always
 * NUL-terminates when cap > 0 and returns the length the full output
 * would have had, like C99 vsnprintf.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_emit_fn)(void *ctx, const char *s, size_t n);

size_t format_out(format_emit_fn emit, void *ctx, const char *fmt, va_list ap);
int kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

/*
 * string.h - the memory and string functions the kernel itself uses.
 *
 * The kernel builds with -nostdinc; this header stands in for the C
 * library's until newlib arrives, and its functions are weak so that
 * newlib's optimized ones win when an application links the C library.
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif

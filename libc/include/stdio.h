/*
 * stdio.h - newlib's <stdio.h> plus getline and getdelim (POSIX 2008),
 * which newlib 3.3.0 implements as __getline and __getdelim but leaves
 * undeclared; code that reads its input files line by line calls them.
 * HermitCore-C addition (libc/lines.c).
 */
#ifndef HERMIT_STDIO_WRAPPER_H
#define HERMIT_STDIO_WRAPPER_H

#include_next <stdio.h>

#if __POSIX_VISIBLE >= 200809
#ifdef __cplusplus
extern "C" {
#endif
ssize_t getdelim(char **line, size_t *cap, int delim, FILE *stream);
ssize_t getline(char **line, size_t *cap, FILE *stream);
#ifdef __cplusplus
}
#endif
#endif

#endif

/*
 * lines.c - getline and getdelim under their POSIX names (declared by
 * libc/include/stdio.h): newlib's __getdelim does the work.
 */
#include <stdio.h>

ssize_t getdelim(char **line, size_t *cap, int delim, FILE *stream)
{
    return __getdelim(line, cap, delim, stream);
}

ssize_t getline(char **line, size_t *cap, FILE *stream)
{
    return __getdelim(line, cap, '\n', stream);
}

/*
 * hello.c - the first C program on newlib: stdio, malloc, argv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char *copy = malloc(100);

    snprintf(copy, 100, "%s has %d arguments", argv[0], argc - 1);
    printf("%s\n", copy);
    printf("%lld %zu %a %.3f\n", 1234567890123ll, sizeof(long), 1.0, 3.14159);
    free(copy);
    return 0;
}

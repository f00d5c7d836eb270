/*
 * hello.c - the smallest HermitCore-C application: prints its arguments
 * and exits with status 0. Until the C library arrives, applications
 * print with the kernel's kprintf.
 */
#include "console.h"

int main(int argc, char **argv)
{
    kprintf("Hello from HermitCore-C!\n");
    for (int i = 0; i < argc; i++)
        kprintf("argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}

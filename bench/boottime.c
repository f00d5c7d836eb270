/*
 * boottime.c - prints how long the kernel took from its first instruction
 * to main(), in TSC cycles and microseconds, for bench/boot.py.
 */
#include "boot.h"
#include "clock.h"
#include "console.h"

int main(int argc, char **argv)
{
    uint64_t cycles = boot_tsc_main - boot_tsc_entry;

    (void)argc;
    (void)argv;

    kprintf("boot-to-main: %llu cycles %llu us\n", (unsigned long long)cycles,
            (unsigned long long)(clock_tsc_to_ns(cycles) / 1000));
    return 0;
}

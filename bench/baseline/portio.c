/*
 * portio.c - lets the Linux guest's /init report like the unikernel does:
 * `status=N` on the debug console (port 0xE9, read back by linux-run) and
 * N to isa-debug-exit (port 0xF4), which ends QEMU. busybox cannot write
 * I/O ports, hence this helper, built static into the initramfs.
 *
 *   portio exit N     status=N on 0xE9, then N & 0x7f to 0xF4
 *   portio mark TEXT  TEXT and a newline on 0xE9 (timestamps for linux-run)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>

#define DEBUGCON_PORT   0xE9
#define DEBUG_EXIT_PORT 0xF4

static void grant(unsigned port, unsigned width)
{
    if (ioperm(port, width, 1) != 0) {
        perror("portio: ioperm");
        exit(1);
    }
}

static void debugcon_write(const char *s)
{
    grant(DEBUGCON_PORT, 1);
    while (*s)
        outb((unsigned char)*s++, DEBUGCON_PORT);
}

/* The same text and the same 7-bit mask as the kernel's machine_exit(). */
static int exit_vm(const char *arg)
{
    char line[32];
    int status = atoi(arg);

    snprintf(line, sizeof(line), "status=%d\n", status);
    debugcon_write(line);
    grant(DEBUG_EXIT_PORT, 4);
    outl((unsigned)status & 0x7F, DEBUG_EXIT_PORT);
    /* Only reached without isa-debug-exit; /init then powers off. */
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exit") == 0)
        return exit_vm(argv[2]);
    if (argc == 3 && strcmp(argv[1], "mark") == 0) {
        debugcon_write(argv[2]);
        debugcon_write("\n");
        return 0;
    }
    fprintf(stderr, "usage: portio exit N | portio mark TEXT\n");
    return 2;
}

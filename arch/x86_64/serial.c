/*
 * serial.c - polled 16550 UART driver for COM1 (0x3F8).
 *
 * Polled rather than interrupt-driven: console output must work in
 * exception handlers and on cores that must not take interrupts.
 */
#include "serial.h"
#include "cpu.h"

#define COM1            0x3F8
#define REG_DATA        0
#define REG_IER         1
#define REG_FCR         2
#define REG_LCR         3
#define REG_MCR         4
#define REG_LSR         5
#define LSR_THR_EMPTY   0x20
#define LCR_DLAB        0x80
#define LCR_8N1         0x03

/* Bound the wait so that a missing UART cannot hang the kernel. */
#define SPIN_LIMIT      100000

void serial_init(void)
{
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, LCR_DLAB);
    outb(COM1 + REG_DATA, 1);          /* divisor 1: 115200 baud */
    outb(COM1 + REG_IER, 0);
    outb(COM1 + REG_LCR, LCR_8N1);
    outb(COM1 + REG_FCR, 0xC7);        /* enable and clear FIFOs */
    outb(COM1 + REG_MCR, 0x03);        /* DTR, RTS */
}

static void serial_putc(char c)
{
    for (int i = 0; i < SPIN_LIMIT; i++) {
        if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
            break;
        cpu_relax();
    }
    outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            serial_putc('\r');
        serial_putc(buf[i]);
    }
}

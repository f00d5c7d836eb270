/*
 * serial.h - the 16550 UART on COM1, the console of last resort.
 *
 * It lives in arch/ rather than drivers/ because the kernel must be able to
 * print from its first instruction, before any driver exists.
 *
 * Contract: serial_init MUST run before serial_write; serial_write MAY be
 * called from any context, including exception handlers, and never blocks
 * for longer than the UART takes to drain a byte (bounded).
 */
#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_write(const char *buf, size_t len);

#endif

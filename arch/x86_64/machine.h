/*
 * machine.h - leaving the virtual machine with a status.
 *
 * Contract: machine_exit never returns. It reports `status` through every
 * channel QEMU may have wired up: the debug console (port 0xE9, the full
 * status as text "status=N"), isa-debug-exit at port 0xF4 (QEMU exits
 * with (status << 1) | 1, so only the low 7 bits survive), then the ACPI
 * PM1a control port that SeaBIOS configures. QEMU carries the request out
 * asynchronously, so it waits a moment before it halts with a message:
 * no exit path is silent.
 */
#ifndef ARCH_MACHINE_H
#define ARCH_MACHINE_H

#include <stdint.h>

_Noreturn void machine_exit(int status);

/* Replaces the SeaBIOS guess with the FADT's PM1 control ports and S5 types. */
void machine_set_acpi_poweroff(uint32_t pm1a_cnt, uint32_t pm1b_cnt, uint16_t typ_a,
                               uint16_t typ_b);

#endif

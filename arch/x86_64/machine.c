/*
 * machine.c - exit and power-off paths for QEMU and friends.
 */
#include "machine.h"
#include "cpu.h"
#include "serial.h"

#define DEBUGCON_PORT       0xE9
#define DEBUG_EXIT_PORT     0xF4
#define SEABIOS_PM1A_CNT    0x604
#define PM1_SLP_EN          0x2000
#define PM1_SLP_TYP_SHIFT   10
/* QEMU acts on the exit request asynchronously; give it ~0.5 s at 2 GHz. */
#define EXIT_GRACE_TICKS    1000000000ull

/* Until the FADT says otherwise: SeaBIOS's port with S5 type 0. */
static uint32_t pm1a_port = SEABIOS_PM1A_CNT, pm1b_port;
static uint16_t s5_type_a, s5_type_b;

void machine_set_acpi_poweroff(uint32_t pm1a_cnt, uint32_t pm1b_cnt, uint16_t typ_a,
                               uint16_t typ_b)
{
    pm1a_port = pm1a_cnt;
    pm1b_port = pm1b_cnt;
    s5_type_a = typ_a;
    s5_type_b = typ_b;
}

static void debugcon_write(const char *s)
{
    while (*s)
        outb(DEBUGCON_PORT, (uint8_t)*s++);
}

static int format_status(char *buf, int status)
{
    static const char prefix[] = "status=";
    char digits[12];
    unsigned v = status < 0 ? (unsigned)-status : (unsigned)status;
    int n = 0, i = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (const char *p = prefix; *p; p++)
        buf[i++] = *p;
    if (status < 0)
        buf[i++] = '-';
    while (n)
        buf[i++] = digits[--n];
    buf[i++] = '\n';
    buf[i] = '\0';
    return i;
}

_Noreturn void machine_exit(int status)
{
    char line[24];

    irq_disable();
    int len = format_status(line, status);
    debugcon_write(line);
    outl(DEBUG_EXIT_PORT, (uint32_t)status & 0x7F);
    if (pm1a_port)
        outw((uint16_t)pm1a_port, (uint16_t)(PM1_SLP_EN | s5_type_a << PM1_SLP_TYP_SHIFT));
    if (pm1b_port)
        outw((uint16_t)pm1b_port, (uint16_t)(PM1_SLP_EN | s5_type_b << PM1_SLP_TYP_SHIFT));
    for (uint64_t start = rdtsc(); rdtsc() - start < EXIT_GRACE_TICKS;)
        cpu_relax();

    static const char msg[] = "hermit: no exit device responded; halted. ";
    serial_write(msg, sizeof(msg) - 1);
    serial_write(line, (size_t)len);
    for (;;)
        cpu_halt();
}

/*
 * cmos.c - reads CMOS RAM through the index/data port pair.
 */
#include "cmos.h"
#include "cpu.h"

#define CMOS_INDEX      0x70
#define CMOS_DATA       0x71
#define NMI_DISABLE     0x80
#define QEMU_CPU_COUNT  0x5F
#define RTC_SECONDS     0x00
#define RTC_MINUTES     0x02
#define RTC_HOURS       0x04
#define RTC_DAY         0x07
#define RTC_MONTH       0x08
#define RTC_YEAR        0x09
#define RTC_STATUS_A    0x0A
#define RTC_STATUS_B    0x0B
#define RTC_CENTURY     0x32
#define STATUS_A_UIP    0x80
#define STATUS_B_BINARY 0x04
#define STATUS_B_24H    0x02

uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, NMI_DISABLE | reg);
    return inb(CMOS_DATA);
}

unsigned cmos_cpu_count(void)
{
    uint8_t v = cmos_read(QEMU_CPU_COUNT);

    return v == 0xFF ? 0 : (unsigned)v + 1;
}

static unsigned from_bcd(uint8_t v, int binary)
{
    return binary ? v : (unsigned)((v >> 4) * 10 + (v & 0x0F));
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
    static const unsigned before_month[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273,
                                               304, 334 };
    uint64_t days = 365ull * (y - 1970) + before_month[m - 1] + d - 1;

    for (unsigned yr = 1970; yr < y; yr++)
        days += (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0;
    if (m > 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        days++;
    return days;
}

uint64_t cmos_rtc_seconds(void)
{
    for (int i = 0; i < 100000 && (cmos_read(RTC_STATUS_A) & STATUS_A_UIP); i++)
        cpu_relax();
    uint8_t b = cmos_read(RTC_STATUS_B);
    int binary = b & STATUS_B_BINARY;
    unsigned sec = from_bcd(cmos_read(RTC_SECONDS), binary);
    unsigned min = from_bcd(cmos_read(RTC_MINUTES), binary);
    uint8_t raw_hour = cmos_read(RTC_HOURS);
    unsigned hour = from_bcd(raw_hour & 0x7F, binary);
    unsigned day = from_bcd(cmos_read(RTC_DAY), binary);
    unsigned month = from_bcd(cmos_read(RTC_MONTH), binary);
    unsigned year = from_bcd(cmos_read(RTC_YEAR), binary);
    unsigned century = from_bcd(cmos_read(RTC_CENTURY), binary);

    if (!(b & STATUS_B_24H) && (raw_hour & 0x80))
        hour = (hour % 12) + 12;        /* 12-hour mode, PM */
    year += (century >= 19 && century <= 30) ? century * 100 : 2000;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return 0;
    return days_since_epoch(year, month, day) * 86400 + hour * 3600ull + min * 60ull + sec;
}

/*
 * console.c - formats into a small buffer and writes to the serial port.
 *
 * A lock keeps one call's output together; it is a plain spinning flag
 * that an exception handler on the same CPU may break after a bounded
 * wait, because a report stuck behind a half-written line is worse than
 * a mixed one.
 */
#include "console.h"
#include "format.h"
#include "serial.h"

#include <stdarg.h>
#include <string.h>

#define CHUNK 128
#define LOCK_SPIN_LIMIT 10000000

static enum log_level level = LOG_WARN;
static volatile int console_busy;

struct chunk {
    char buf[CHUNK];
    size_t used;
};

void console_set_level(enum log_level l)
{
    level = l;
}

enum log_level console_level(void)
{
    return level;
}

int console_parse_level(const char *text)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };

    for (int i = 0; i < 4; i++)
        if (!strcmp(text, names[i]))
            return i;
    if (text[0] >= '0' && text[0] <= '3' && text[1] == '\0')
        return text[0] - '0';
    return -1;
}

static void lock(void)
{
    for (int i = 0; i < LOCK_SPIN_LIMIT; i++)
        if (!__atomic_exchange_n(&console_busy, 1, __ATOMIC_ACQUIRE))
            return;
}

static void unlock(void)
{
    __atomic_store_n(&console_busy, 0, __ATOMIC_RELEASE);
}

void console_write(const char *buf, size_t len)
{
    lock();
    serial_write(buf, len);
    unlock();
}

static void emit_chunk(void *ctx, const char *s, size_t n)
{
    struct chunk *c = ctx;

    while (n) {
        if (c->used == CHUNK) {
            serial_write(c->buf, c->used);
            c->used = 0;
        }
        size_t k = CHUNK - c->used < n ? CHUNK - c->used : n;
        memcpy(c->buf + c->used, s, k);
        c->used += k;
        s += k;
        n -= k;
    }
}

static int vprint(const char *prefix, const char *fmt, va_list ap)
{
    struct chunk c = { .used = 0 };

    lock();
    if (prefix)
        emit_chunk(&c, prefix, strlen(prefix));
    size_t n = format_out(emit_chunk, &c, fmt, ap);
    serial_write(c.buf, c.used);
    unlock();
    return (int)n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vprint(NULL, fmt, ap);
    va_end(ap);
    return n;
}

void klog(enum log_level l, const char *fmt, ...)
{
    va_list ap;

    if (l > level)
        return;
    va_start(ap, fmt);
    vprint("hermit: ", fmt, ap);
    va_end(ap);
}

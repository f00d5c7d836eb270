/*
 * format.c - the printf engine behind kprintf and ksnprintf.
 */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
    bool left, zero, plus, space, alt;
    int width;
    int precision;              /* -1: none */
    int length;                 /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 't', 'j' */
    char conv;
};

struct out {
    format_emit_fn emit;
    void *ctx;
    size_t total;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (n) {
        o->emit(o->ctx, s, n);
        o->total += n;
    }
}

static void pad(struct out *o, char c, int n)
{
    char block[16];

    for (int i = 0; i < (int)sizeof(block); i++)
        block[i] = c;
    while (n > 0) {
        int k = n < (int)sizeof(block) ? n : (int)sizeof(block);
        put(o, block, (size_t)k);
        n -= k;
    }
}

static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .precision = -1 };
    for (;; p++) {
        if (*p == '-') s->left = true;
        else if (*p == '0') s->zero = true;
        else if (*p == '+') s->plus = true;
        else if (*p == ' ') s->space = true;
        else if (*p == '#') s->alt = true;
        else break;
    }
    if (*p == '*') {
        s->width = va_arg(*ap, int);
        if (s->width < 0) {
            s->left = true;
            s->width = -s->width;
        }
        p++;
    }
    while (*p >= '0' && *p <= '9')
        s->width = s->width * 10 + (*p++ - '0');
    if (*p == '.') {
        p++;
        s->precision = 0;
        if (*p == '*') {
            s->precision = va_arg(*ap, int);
            p++;
        }
        while (*p >= '0' && *p <= '9')
            s->precision = s->precision * 10 + (*p++ - '0');
    }
    if (*p == 'h' && p[1] == 'h') { s->length = 'H'; p += 2; }
    else if (*p == 'l' && p[1] == 'l') { s->length = 'L'; p += 2; }
    else if (*p == 'h' || *p == 'l' || *p == 'z' || *p == 't' || *p == 'j') s->length = *p++;
    s->conv = *p;
    return *p ? p + 1 : p;
}

static uint64_t fetch_unsigned(const struct spec *s, va_list *ap)
{
    switch (s->length) {
    case 'H': return (unsigned char)va_arg(*ap, unsigned);
    case 'h': return (unsigned short)va_arg(*ap, unsigned);
    case 'l': return va_arg(*ap, unsigned long);
    case 'L': return va_arg(*ap, unsigned long long);
    case 'z': return va_arg(*ap, size_t);
    case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
    case 'j': return va_arg(*ap, uintmax_t);
    default: return va_arg(*ap, unsigned);
    }
}

static int64_t fetch_signed(const struct spec *s, va_list *ap)
{
    switch (s->length) {
    case 'H': return (signed char)va_arg(*ap, int);
    case 'h': return (short)va_arg(*ap, int);
    case 'l': return va_arg(*ap, long);
    case 'L': return va_arg(*ap, long long);
    case 'z': return (int64_t)va_arg(*ap, size_t);
    case 't': return va_arg(*ap, ptrdiff_t);
    case 'j': return va_arg(*ap, intmax_t);
    default: return va_arg(*ap, int);
    }
}

static void put_number(struct out *o, const struct spec *s, uint64_t v, bool negative)
{
    char digits[24];
    const char *alphabet = s->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') ? 16
                  : s->conv == 'o' ? 8 : 10;
    int n = 0;

    while (v) {
        digits[n++] = alphabet[v % base];
        v /= base;
    }
    int precision = s->precision < 0 ? 1 : s->precision;
    int zeros = precision > n ? precision - n : 0;
    if (s->conv == 'o' && s->alt && zeros == 0 && (n == 0 || digits[n - 1] != '0'))
        zeros = 1;

    char prefix[2];
    int plen = 0;
    if (negative) prefix[plen++] = '-';
    else if (s->plus && (s->conv == 'd' || s->conv == 'i')) prefix[plen++] = '+';
    else if (s->space && (s->conv == 'd' || s->conv == 'i')) prefix[plen++] = ' ';
    if ((s->alt && n && (s->conv == 'x' || s->conv == 'X')) || s->conv == 'p') {
        prefix[plen++] = '0';
        prefix[plen++] = s->conv == 'X' ? 'X' : 'x';
    }

    int body = plen + zeros + n;
    int fill = s->width > body ? s->width - body : 0;
    if (s->zero && !s->left && s->precision < 0) {
        zeros += fill;
        fill = 0;
    }
    if (!s->left)
        pad(o, ' ', fill);
    put(o, prefix, (size_t)plen);
    pad(o, '0', zeros);
    while (n)
        put(o, &digits[--n], 1);
    if (s->left)
        pad(o, ' ', fill);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
    size_t n = 0;

    if (!str)
        str = "(null)";
    while (str[n] && (s->precision < 0 || n < (size_t)s->precision))
        n++;
    int fill = s->width > (int)n ? s->width - (int)n : 0;
    if (!s->left)
        pad(o, ' ', fill);
    put(o, str, n);
    if (s->left)
        pad(o, ' ', fill);
}

size_t format_out(format_emit_fn emit, void *ctx, const char *fmt, va_list ap_in)
{
    struct out o = { emit, ctx, 0 };
    va_list ap;

    va_copy(ap, ap_in);
    while (*fmt) {
        const char *start = fmt;
        while (*fmt && *fmt != '%')
            fmt++;
        put(&o, start, (size_t)(fmt - start));
        if (!*fmt)
            break;

        struct spec s;
        const char *conv_start = fmt;
        fmt = parse_spec(fmt + 1, &s, &ap);
        switch (s.conv) {
        case 'd':
        case 'i': {
            int64_t v = fetch_signed(&s, &ap);
            put_number(&o, &s, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
            break;
        }
        case 'u': case 'x': case 'X': case 'o':
            put_number(&o, &s, fetch_unsigned(&s, &ap), false);
            break;
        case 'p':
            put_number(&o, &s, (uintptr_t)va_arg(ap, void *), false);
            break;
        case 's':
            put_string(&o, &s, va_arg(ap, const char *));
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            int fill = s.width > 1 ? s.width - 1 : 0;
            if (!s.left) pad(&o, ' ', fill);
            put(&o, &c, 1);
            if (s.left) pad(&o, ' ', fill);
            break;
        }
        case '%':
            put(&o, "%", 1);
            break;
        default:
            /* Unknown or unsupported: show it as written, consume nothing. */
            put(&o, conv_start, (size_t)(fmt - conv_start));
            break;
        }
    }
    va_end(ap);
    return o.total;
}

struct buffer {
    char *buf;
    size_t cap, used;
};

static void emit_buffer(void *ctx, const char *s, size_t n)
{
    struct buffer *b = ctx;

    for (size_t i = 0; i < n; i++) {
        if (b->used + 1 < b->cap)
            b->buf[b->used] = s[i];
        b->used++;
    }
}

int kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct buffer b = { buf, cap, 0 };
    size_t total = format_out(emit_buffer, &b, fmt, ap);

    if (cap)
        buf[b.used < cap ? b.used : cap - 1] = '\0';
    return (int)total;
}

int ksnprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

/*
 * test_format.c - kvsnprintf against the host C library's vsnprintf.
 */
#include "check.h"
#include "format.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

static int mismatches;

static void same_as_libc(const char *fmt, ...)
{
    char ours[256], theirs[256];
    va_list a, b;

    va_start(a, fmt);
    va_copy(b, a);
    int n1 = kvsnprintf(ours, sizeof(ours), fmt, a);
    int n2 = vsnprintf(theirs, sizeof(theirs), fmt, b);
    va_end(a);
    va_end(b);
    if (n1 != n2 || strcmp(ours, theirs)) {
        printf("  format \"%s\": ours \"%s\" (%d), libc \"%s\" (%d)\n", fmt, ours, n1,
               theirs, n2);
        mismatches++;
    }
}

static void test_integers(void)
{
    mismatches = 0;
    same_as_libc("%d %i %u", 42, -42, 42u);
    same_as_libc("%d", INT32_MIN);
    same_as_libc("%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
    same_as_libc("%ld %lu %zu %zd", -5L, 5UL, (size_t)123456789, (ssize_t)-3);
    same_as_libc("%hhd %hd %hhu", 300, 70000, 257);
    same_as_libc("%x %X %o %#x %#X %#o", 0xBEEFu, 0xBEEFu, 8u, 255u, 255u, 8u);
    same_as_libc("%#x %#o", 0u, 0u);
    same_as_libc("%jd %td", (intmax_t)-7, (ptrdiff_t)9);
    CHECK(mismatches == 0);
}

static void test_width_precision_flags(void)
{
    mismatches = 0;
    same_as_libc("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    same_as_libc("[%.3d] [%8.3d] [%-8.3x] [%08.3d]", 7, 7, 0xA, 7);
    same_as_libc("[%.0d] [%5.0d]", 0, 0);
    same_as_libc("[%*d] [%-*d] [%*d]", 6, 1, 6, 1, -6, 1);
    same_as_libc("[%.*d]", 4, 3);
    same_as_libc("[%016llx] [%#018llx]", 0x1234ULL, 0x1234ULL);
    same_as_libc("[%-+6d] [%+05d]", 3, -3);
    CHECK(mismatches == 0);
}

static void test_strings_and_chars(void)
{
    mismatches = 0;
    same_as_libc("[%s] [%10s] [%-10s] [%.2s] [%*.*s]", "abc", "abc", "abc", "abc", 6, 1, "xyz");
    same_as_libc("[%c] [%3c] [%-3c] [%%]", 'a', 'b', 'c');
    same_as_libc("no conversions at all");
    same_as_libc("%p", (void *)0x1000);
    CHECK(mismatches == 0);
}

static void test_truncation(void)
{
    char buf[8];

    CHECK(ksnprintf(buf, sizeof(buf), "%s", "hello world") == 11);
    CHECK(!strcmp(buf, "hello w"));
    CHECK(ksnprintf(buf, 1, "%d", 12345) == 5 && buf[0] == '\0');
    CHECK(ksnprintf(NULL, 0, "%d", 12345) == 5);
    const char *volatile missing = NULL;
    CHECK(ksnprintf(buf, sizeof(buf), "%s", missing) == 6 && !strcmp(buf, "(null)"));
    CHECK(ksnprintf(buf, sizeof(buf), "%f", 1.0) == 2 && !strcmp(buf, "%f"));
}

int main(void)
{
    static const struct check_case cases[] = {
        { "integers", test_integers },
        { "width_precision_flags", test_width_precision_flags },
        { "strings_and_chars", test_strings_and_chars },
        { "truncation", test_truncation },
    };
    return check_run("format", cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * stdio.c - formatting and parsing; the output is compared with the same
 * program built by the host's gcc and glibc, so it prints only what both
 * C libraries must agree on.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    char buf[128];
    long long ll;
    unsigned u;
    double d;
    char word[16];
    int n;

    printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]\n", 42, 42, 42, 42, 42, 42);
    printf("[%lld] [%llu] [%" PRId64 "] [%" PRIu64 "]\n", -9223372036854775807ll - 1,
           18446744073709551615ull, INT64_MIN, UINT64_MAX);
    printf("[%zu] [%zd] [%td] [%jd]\n", sizeof(double), (ssize_t)-5, (ptrdiff_t)7,
           (intmax_t)-9);
    printf("[%x] [%X] [%#x] [%o] [%#o]\n", 0xbeefu, 0xbeefu, 255u, 8u, 8u);
    printf("[%f] [%.3f] [%10.2f] [%-10.1f] [%e] [%.2E]\n", 3.14159265, 2.0 / 3, 1e3, -0.05,
           12345.678, 0.000123);
    printf("[%g] [%g] [%g] [%.10g]\n", 100000.0, 1000000.0, 1e-5, 1.0 / 3);
    printf("[%a] [%A] [%.2a]\n", 1.0, 255.5, 0.1);
    printf("[%s] [%10s] [%-10s] [%.2s] [%c] [%%]\n", "abc", "abc", "abc", "abc", 'z');
    printf("[%Lf] [%.3Lg]\n", (long double)1.5, (long double)2.0 / 3);
    const char *volatile long_text = "truncated text";
    snprintf(buf, 8, "%s", long_text);
    printf("[%s] %d\n", buf, snprintf(NULL, 0, "%d", 123456));

    n = sscanf("  -42 0x1f 3.5e2 word rest", "%lld %x %lf %15s", &ll, &u, &d, word);
    printf("%d: %lld %u %.1f %s\n", n, ll, u, d, word);
    n = sscanf("12:34:56", "%2u:%2u", &u, (unsigned *)&n);
    printf("scan %u\n", u);
    n = sscanf("abc", "%d", &u);
    printf("no match %d\n", n);

    FILE *f = fopen("/tmp/stdio.txt", "w+");
    fprintf(f, "line one\nline two %d\n", 2);
    rewind(f);
    while (fgets(buf, sizeof(buf), f))
        printf("read: %s", buf);
    fclose(f);
    puts("ok stdio");
    return 0;
}

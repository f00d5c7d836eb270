/*
 * strings.c - string, memory and conversion functions, qsort and bsearch;
 * output compared with the host's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    char buf[64], *end;
    int values[] = { 42, -7, 1000, 3, 3, 0, -100, 55 };
    size_t n = sizeof(values) / sizeof(values[0]);

    strcpy(buf, "hello");
    strcat(buf, ", world");
    printf("%s %zu %d %d\n", buf, strlen(buf), strcmp("abc", "abd") < 0, strncmp("abc", "abd", 2));
    printf("%s %s %s\n", strchr(buf, 'o'), strrchr(buf, 'o'), strstr(buf, "wor"));
    printf("%zu %zu %s\n", strspn("aaab", "a"), strcspn("abc;d", ";"), strpbrk("xyz,", ",;"));
    char tok[] = "a,b;;c";
    for (char *t = strtok(tok, ",;"); t; t = strtok(NULL, ",;"))
        printf("tok %s\n", t);
    memset(buf, 'x', 10);
    buf[10] = 0;
    memmove(buf + 2, buf, 5);
    printf("%s %d %d\n", buf, memcmp("ab", "ac", 2) < 0, memchr("abc", 'z', 3) == NULL);
    char *dup = strdup("duplicate");
    printf("%s %d %d\n", dup, toupper('q'), isdigit('7') != 0);
    free(dup);

    printf("%ld %ld %lu\n", strtol("  -123abc", &end, 10), strtol("0x7f", NULL, 16),
           strtoul("777", NULL, 8));
    printf("rest '%s'\n", end);
    errno = 0;
    long big = strtol("99999999999999999999", NULL, 10);
    printf("%d %d\n", big == LONG_MAX, errno == ERANGE);
    printf("%.6f %.3e %g\n", strtod("3.25", NULL), strtod("-1.5e-7", NULL), atof("12.5"));
    printf("%lld %d\n", atoll("-9000000000"), atoi("77"));

    qsort(values, n, sizeof(int), by_value);
    for (size_t i = 0; i < n; i++)
        printf("%d ", values[i]);
    int key = 55, *hit = bsearch(&key, values, n, sizeof(int), by_value);
    printf("\nfound %d at %td\n", *hit, hit - values);
    key = 4;
    printf("missing %d\n", bsearch(&key, values, n, sizeof(int), by_value) == NULL);
    div_t q = div(-7, 2);
    printf("div %d %d abs %d labs %ld\n", q.quot, q.rem, abs(-3), labs(-4l));
    puts("ok strings");
    return 0;
}

/*
 * paths.c - POSIX basename and dirname (<libgen.h>; newlib declares them
 * but its build for us leaves them out). Both may modify the path they are
 * given and return a pointer into it or to a static string, as POSIX
 * allows.
 */
#include <libgen.h>
#include <string.h>

/* Past trailing slashes: the end of the last component (path non-empty). */
static size_t trim_slashes(const char *path, size_t len)
{
    while (len > 1 && path[len - 1] == '/')
        len--;
    return len;
}

char *basename(char *path)
{
    static char dot[] = ".", slash[] = "/";

    if (!path || !*path)
        return dot;
    size_t end = trim_slashes(path, strlen(path));
    if (end == 1 && path[0] == '/')
        return slash;
    path[end] = '\0';
    char *last = strrchr(path, '/');
    return last ? last + 1 : path;
}

char *dirname(char *path)
{
    static char dot[] = ".", slash[] = "/";

    if (!path || !*path)
        return dot;
    size_t end = trim_slashes(path, strlen(path));
    while (end > 0 && path[end - 1] != '/')        /* drop the last component */
        end--;
    if (end == 0)
        return dot;
    end = trim_slashes(path, end);
    if (end == 1 && path[0] == '/')
        return slash;
    path[end] = '\0';
    return path;
}

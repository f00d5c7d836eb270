/*
 * files.c - the in-memory file system through POSIX and stdio, and files
 * handed to the guest at boot (hermit-run --file).
 *
 *   files            scratch-file tests
 *   files PATH SUM   also reads PATH and checks its byte sum
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s (errno %d)\n", what, errno);
        failures++;
    }
}

int main(int argc, char **argv)
{
    char buf[64];
    struct stat st;

    int fd = open("/tmp/a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    check(fd >= 3, "open creates a file");
    check(write(fd, "hello world", 11) == 11, "write");
    check(lseek(fd, 6, SEEK_SET) == 6, "lseek");
    check(read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "world", 5), "read after seek");
    check(fstat(fd, &st) == 0 && st.st_size == 11 && S_ISREG(st.st_mode), "fstat");
    check(lseek(fd, 20, SEEK_SET) == 20 && write(fd, "!", 1) == 1, "write past the end");
    check(stat("/tmp/a.txt", &st) == 0 && st.st_size == 21, "stat sees the hole");
    close(fd);

    check(open("/tmp/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST,
          "O_EXCL on an existing file");
    check(open("/missing/x", O_RDONLY) == -1 && errno == ENOENT, "ENOENT");
    check(read(99, buf, 1) == -1 && errno == EBADF, "EBADF");

    fd = open("/tmp/a.txt", O_WRONLY | O_APPEND);
    write(fd, "tail", 4);
    close(fd);
    FILE *f = fopen("/tmp/a.txt", "r");
    check(f && fseek(f, -4, SEEK_END) == 0 && fread(buf, 1, 4, f) == 4 && !memcmp(buf, "tail", 4),
          "O_APPEND and stdio");
    fclose(f);

    fd = open("/tmp/a.txt", O_RDONLY);
    check(unlink("/tmp/a.txt") == 0, "unlink");
    check(stat("/tmp/a.txt", &st) == -1 && errno == ENOENT, "gone after unlink");
    check(read(fd, buf, 5) == 5 && !memcmp(buf, "hello", 5), "still readable while open");
    close(fd);

    char tmpl[] = "/tmp/scratchXXXXXX";
    fd = mkstemp(tmpl);
    check(fd >= 0 && strncmp(tmpl, "/tmp/scratch", 12) == 0, "mkstemp");
    close(fd);
    check(mkdir("/tmp/dir", 0755) == 0 && rmdir("/tmp/dir") == 0, "mkdir/rmdir");

    fd = open("/dev/null", O_RDWR);
    check(write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0, "/dev/null");
    close(fd);
    check(isatty(1) == 1 && isatty(fd) == 0, "isatty");
    check(fcntl(1, F_GETFL) >= 0, "fcntl F_GETFL");

    if (argc > 2) {
        f = fopen(argv[1], "rb");
        unsigned long sum = 0, size = 0;
        int c;
        check(f != NULL, "boot-time input file opens");
        while (f && (c = fgetc(f)) != EOF) {
            sum += (unsigned char)c;
            size++;
        }
        if (f)
            fclose(f);
        printf("input %s: %lu bytes, sum %lu\n", argv[1], size, sum);
        check(sum == strtoul(argv[2], NULL, 10), "input file contents");
        check(open(argv[1], O_WRONLY) == -1 && errno == EROFS, "input files are read-only");
    }
    if (failures)
        return 1;
    puts("ok files");
    return 0;
}

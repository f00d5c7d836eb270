/*
 * process.c - arguments, environment, exit paths, unsupported calls.
 *
 *   process args A B   prints argv and two environment variables
 *   process exit N     exit(N) after an atexit handler and buffered output
 *   process return N   return N from main
 *   process abort      abort(): status 134
 *   process enosys     fork/execve/wait fail cleanly
 *   process sysconf    CPUs, page size, hostname
 *   process resolve N  getaddrinfo(N): its IPv4 address, or the error
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void goodbye(void)
{
    printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";

    if (!strcmp(what, "args")) {
        for (int i = 0; i < argc; i++)
            printf("argv[%d]=<%s>\n", i, argv[i]);
        printf("HOME=<%s> EMPTY=<%s> MISSING=%s\n", getenv("HOME"), getenv("EMPTY"),
               getenv("MISSING") ? "set" : "unset");
        setenv("NEW", "value", 1);
        printf("NEW=<%s>\n", getenv("NEW"));
        return 0;
    }
    if (!strcmp(what, "exit")) {
        atexit(goodbye);
        printf("buffered, no newline");
        exit(argc > 2 ? atoi(argv[2]) : 0);
    }
    if (!strcmp(what, "return"))
        return argc > 2 ? atoi(argv[2]) : 0;
    if (!strcmp(what, "abort")) {
        printf("about to abort\n");
        abort();
    }
    if (!strcmp(what, "enosys")) {
        errno = 0;
        int f = fork();
        int fe = errno;
        char *args[] = { "x", NULL };
        int e = execve("/bin/sh", args, args);
        int ee = errno;
        pid_t w = wait(NULL);
        printf("fork %d %s, execve %d %s, wait %d, getpid %d\n", f, fe == ENOSYS ? "ENOSYS" : "?",
               e, ee == ENOSYS ? "ENOSYS" : "?", (int)w, (int)getpid());
        puts(f == -1 && fe == ENOSYS && e == -1 && ee == ENOSYS ? "ok enosys" : "FAIL enosys");
        return 0;
    }
    if (!strcmp(what, "sysconf")) {
        char host[64];
        gethostname(host, sizeof(host));
        printf("cpus %ld page %ld %d host %s\n", sysconf(_SC_NPROCESSORS_ONLN),
               sysconf(_SC_PAGESIZE), getpagesize(), host);
        return 0;
    }
    if (!strcmp(what, "resolve") && argc > 2) {
        struct addrinfo hints = { .ai_family = AF_INET }, *found;
        char text[INET_ADDRSTRLEN];
        int err = getaddrinfo(argv[2], NULL, &hints, &found);
        if (err) {
            printf("resolve %s: %s\n", argv[2], gai_strerror(err));
            return 1;
        }
        inet_ntop(AF_INET, &((struct sockaddr_in *)found->ai_addr)->sin_addr, text, sizeof(text));
        printf("resolve %s: %s\n", argv[2], text);
        freeaddrinfo(found);
        return 0;
    }
    fprintf(stderr, "usage: process args|exit N|return N|abort|enosys|sysconf|resolve NAME\n");
    return 2;
}

/*
 * hello.c - an ordinary C program: stdio, its arguments, and one POSIX
 * thread per CPU saying where it runs. Built like any program here:
 *
 *   bin/hermit-cc -O2 examples/hello.c -o hello && bin/hermit-run --smp 4 hello -- hi
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static void *greet(void *arg)
{
    printf("  thread %ld running on CPU %d\n", (long)arg, sched_getcpu());
    return NULL;
}

int main(int argc, char **argv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    pthread_t threads[64];

    printf("Hello from HermitCore-C on %ld CPUs!\n", cpus);
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = \"%s\"\n", i, argv[i]);
    for (long i = 0; i < cpus && i < 64; i++)
        pthread_create(&threads[i], NULL, greet, (void *)i);
    for (long i = 0; i < cpus && i < 64; i++)
        pthread_join(threads[i], NULL);
    return 0;
}

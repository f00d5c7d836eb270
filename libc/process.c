/*
 * process.c - the single process: its identity, its end, and the calls
 * that would need a second process, which fail with ENOSYS.
 */
#include "libc_internal.h"
#include "cloud.h"

#include "console.h"
#include "cpu.h"
#include "shutdown.h"
#include "percpu.h"
#include "thread.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define APP_PID 1

_Noreturn void _exit(int status)
{
    libc_cloud_exit(status & 0xFF);
    libc_net_drain();
    shutdown_exit(status & 0xFF);
}

pid_t getpid(void)
{
    return APP_PID;
}

pid_t getppid(void)
{
    return 0;
}

/*
 * Only signals to ourselves exist. newlib's raise() lands here for a
 * signal whose action is the default: end the VM the way a shell would
 * report a process killed by that signal (128 + signal; abort() is 134).
 */
int kill(pid_t pid, int sig)
{
    if (pid != APP_PID && pid != 0)
        return (int)syscall_result(-ESRCH);
    if (sig == 0)
        return 0;
    kprintf("hermit: terminated by signal %d%s\n", sig,
            sig == SIGABRT ? " (abort)" : "");
    libc_cloud_exit(128 + sig);
    shutdown_exit(128 + sig);
}

pid_t fork(void)
{
    return (pid_t)syscall_result(-ENOSYS);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path, (void)argv, (void)envp;
    return (int)syscall_result(-ENOSYS);
}

int execvp(const char *file, char *const argv[])
{
    (void)file, (void)argv;
    return (int)syscall_result(-ENOSYS);
}

/* A command runs in a process of its own; there is none to give it. */
FILE *popen(const char *command, const char *mode)
{
    (void)command, (void)mode;
    errno = ENOSYS;
    return NULL;
}

/* No stream ever came from popen, so none is a child to wait for. */
int pclose(FILE *stream)
{
    (void)stream;
    return (int)syscall_result(-ECHILD);
}

pid_t wait(int *status)
{
    (void)status;
    return (pid_t)syscall_result(-ECHILD);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    (void)pid, (void)status, (void)options;
    return (pid_t)syscall_result(-ECHILD);
}

int sched_yield(void)
{
    thread_yield();
    return 0;
}

long sysconf(int name)
{
    switch (name) {
    case _SC_NPROCESSORS_ONLN:
    case _SC_NPROCESSORS_CONF:
        return cpu_online_count();
    case _SC_PAGESIZE:
        return 4096;
    case _SC_CLK_TCK:
        return LIBC_CLK_TCK;
    case _SC_OPEN_MAX:
        return 1024;
    default:
        return syscall_result(-EINVAL);
    }
}

int gethostname(char *name, size_t len)
{
    const char *host = hostname_option();
    size_t n = strlen(host);

    if (!name || n + 1 > len)
        return (int)syscall_result(-ENAMETOOLONG);
    memcpy(name, host, n + 1);
    return 0;
}

/* The one user: programs that check for root or name files by uid see 0. */
uid_t getuid(void)
{
    return 0;
}

uid_t geteuid(void)
{
    return 0;
}

gid_t getgid(void)
{
    return 0;
}

gid_t getegid(void)
{
    return 0;
}

/* glibc's getenv for set-user-ID programs; there is no privilege to guard. */
char *secure_getenv(const char *name)
{
    return getenv(name);
}

static void copy_name(char *field, const char *value)
{
    strncpy(field, value, _UTSNAME_LENGTH - 1);
    field[_UTSNAME_LENGTH - 1] = '\0';
}

int uname(struct utsname *name)
{
    if (!name)
        return (int)syscall_result(-EFAULT);
    memset(name, 0, sizeof(*name));
    copy_name(name->sysname, "HermitCore-C");
    copy_name(name->nodename, hostname_option());
    copy_name(name->release, "0");      /* no releases yet */
    copy_name(name->version, "#1");
    copy_name(name->machine, "x86_64");
    return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    (void)how, (void)set;
    if (old)
        *old = 0;
    return 0;
}

/*
 * No hardware entropy source is assumed: mix the TSC through a 64-bit
 * finalizer. Good enough for hash seeds and arc4random's stirring, not
 * for keys.
 */
int getentropy(void *buf, size_t len)
{
    uint8_t *out = buf;

    if (len > 256)
        return (int)syscall_result(-EIO);
    for (size_t i = 0; i < len; i++) {
        uint64_t x = rdtsc() ^ ((uint64_t)i << 56);
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53ull;
        x ^= x >> 33;
        out[i] = (uint8_t)x;
    }
    return 0;
}

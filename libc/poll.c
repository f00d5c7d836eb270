/*
 * poll.c - poll/select over any mix of descriptors, and readv/writev for
 * every descriptor.
 *
 * Sockets are waited for in lwIP (netsock_poll sleeps on a semaphore
 * that lwIP signals: no core spins). Every other descriptor is ready at
 * once (files, /dev/null, the console never block), so when one of them
 * is asked about, the sockets are only looked at, not waited for.
 */
#include "fd.h"
#include "libc_internal.h"
#include "socket_file.h"
#include "netsock.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define POLL_STACK 64

/* Readiness of a descriptor that is not a socket. */
static short file_ready(struct file *f, short events)
{
    if (f->ops->poll)
        return f->ops->poll(f, events);
    return events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    struct netsock_pollfd stack_sp[POLL_STACK];
    struct file *stack_files[POLL_STACK];
    struct netsock_pollfd *sp = stack_sp;
    struct file **files = stack_files;
    int ready = 0, sockets = 0;

    if (n > FD_MAX)
        return (int)syscall_result(-EINVAL);
    if (n > POLL_STACK) {
        sp = malloc(n * sizeof(*sp));
        files = malloc(n * sizeof(*files));
        if (!sp || !files) {
            free(sp), free(files);
            return (int)syscall_result(-ENOMEM);
        }
    }
    /* References held until the end: a concurrent close cannot pull a
     * socket out from under lwIP's wait. */
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        sp[i] = (struct netsock_pollfd){ -1, 0, 0 };
        files[i] = fds[i].fd >= 0 ? fd_lookup(fds[i].fd) : NULL;
        if (fds[i].fd < 0)
            continue;
        if (!files[i]) {
            fds[i].revents = POLLNVAL;
            ready++;
            continue;
        }
        int s = socket_file_sock(files[i]);
        if (s >= 0) {
            sp[i] = (struct netsock_pollfd){ s, fds[i].events, 0 };
            sockets++;
        } else {
            fds[i].revents = file_ready(files[i], fds[i].events);
            ready += fds[i].revents != 0;
        }
    }
    long r = 0;
    if (sockets) {
        r = netsock_poll(sp, (unsigned)n, ready ? 0 : timeout_ms);
        for (nfds_t i = 0; r >= 0 && i < n; i++) {
            if (sp[i].sock < 0)
                continue;
            fds[i].revents = sp[i].revents;
            ready += sp[i].revents != 0;
        }
    } else if (!ready && timeout_ms != 0) {
        /* Nothing that can ever become ready: just the timeout. */
        do
            sleep_ms(timeout_ms > 0 ? timeout_ms : 1000);
        while (timeout_ms < 0);
    }
    for (nfds_t i = 0; i < n; i++)
        if (files[i])
            file_put(files[i]);
    if (sp != stack_sp)
        free(sp), free(files);
    return (int)syscall_result(r < 0 ? r : ready);
}

static int timeval_ms(const struct timeval *tv)
{
    if (!tv)
        return -1;
    long long ms = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
    return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
    struct pollfd *p;
    int n = 0;

    if (nfds < 0 || nfds > FD_SETSIZE)
        return (int)syscall_result(-EINVAL);
    p = calloc(nfds ? (size_t)nfds : 1, sizeof(*p));
    if (!p)
        return (int)syscall_result(-ENOMEM);
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
                   (ex && FD_ISSET(fd, ex) ? POLLPRI : 0);
        if (ev)
            p[n++] = (struct pollfd){ fd, ev, 0 };
    }
    int r = poll(p, (nfds_t)n, timeval_ms(timeout));
    if (r < 0) {
        free(p);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (p[i].revents & POLLNVAL) {
            free(p);
            return (int)syscall_result(-EBADF);
        }
    }
    if (rd)
        FD_ZERO(rd);
    if (wr)
        FD_ZERO(wr);
    if (ex)
        FD_ZERO(ex);
    int count = 0;
    /* As on Linux: an error or hang-up makes a descriptor readable and writable. */
    for (int i = 0; i < n; i++) {
        short rev = p[i].revents;
        if (rd && (p[i].events & POLLIN) && (rev & (POLLIN | POLLERR | POLLHUP)))
            FD_SET(p[i].fd, rd), count++;
        if (wr && (p[i].events & POLLOUT) && (rev & (POLLOUT | POLLERR)))
            FD_SET(p[i].fd, wr), count++;
        if (ex && (p[i].events & POLLPRI) && (rev & POLLPRI))
            FD_SET(p[i].fd, ex), count++;
    }
    free(p);
    return count;
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *timeout,
            const sigset_t *mask)
{
    struct timeval tv;

    (void)mask;                     /* no asynchronous signals to block */
    if (timeout) {
        tv.tv_sec = timeout->tv_sec;
        tv.tv_usec = (timeout->tv_nsec + 999) / 1000;
    }
    return select(nfds, rd, wr, ex, timeout ? &tv : NULL);
}

/* --- readv / writev ------------------------------------------------------------ */

static long check_iov(const struct iovec *iov, int n)
{
    size_t total = 0;

    if (n < 0 || n > IOV_MAX || (n && !iov))
        return -EINVAL;
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len > (size_t)0x7fffffffffffffff - total)
            return -EINVAL;
        total += iov[i].iov_len;
    }
    return 0;
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
    struct file *f = fd_lookup(fd);
    long r = f ? check_iov(iov, n) : -EBADF;

    if (r == 0 && ((f->flags & O_ACCMODE) == O_WRONLY || !f->ops->read))
        r = -EBADF;
    if (r == 0 && f->ops->readv) {
        r = f->ops->readv(f, iov, n);
    } else if (r == 0) {
        /* Piece by piece, stopping at a short read, as one read would. */
        for (int i = 0; i < n; i++) {
            if (!iov[i].iov_len)
                continue;
            long got = f->ops->read(f, iov[i].iov_base, iov[i].iov_len);
            if (got < 0) {
                r = r ? r : got;
                break;
            }
            r += got;
            if ((size_t)got < iov[i].iov_len)
                break;
        }
    }
    if (f)
        file_put(f);
    return syscall_result(r);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    struct file *f = fd_lookup(fd);
    long r = f ? check_iov(iov, n) : -EBADF;

    if (r == 0 && ((f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write))
        r = -EBADF;
    if (r == 0 && f->ops->writev) {
        r = f->ops->writev(f, iov, n);
    } else if (r == 0) {
        for (int i = 0; i < n; i++) {
            if (!iov[i].iov_len)
                continue;
            long put = f->ops->write(f, iov[i].iov_base, iov[i].iov_len);
            if (put < 0) {
                r = r ? r : put;
                break;
            }
            r += put;
            if ((size_t)put < iov[i].iov_len)
                break;
        }
    }
    if (f)
        file_put(f);
    return syscall_result(r);
}

/*
 * sys/uio.h - scatter/gather I/O (newlib has none): readv and writev work
 * on every descriptor, files and sockets alike (libc/poll.c).
 */
#ifndef HERMIT_SYS_UIO_H
#define HERMIT_SYS_UIO_H

#include <stddef.h>
#include <sys/types.h>

/* At most this many pieces per call, as on Linux. */
#define IOV_MAX 1024
#define UIO_MAXIOV IOV_MAX

struct iovec {
    void *iov_base;
    size_t iov_len;
};

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#endif

/*
 * fd.h - the one file-descriptor table behind files, the console, and
 * (later) sockets.
 *
 * A descriptor names a struct file: an operations table, the open flags,
 * the offset and the object's own state. The table holds one reference;
 * every call that uses a file takes another for its duration, so a
 * concurrent close cannot free a file under a reader.
 *
 * Contract: operations return a byte count or 0 on success and a negative
 * errno value on failure; the POSIX wrappers turn that into -1 and errno.
 * An operation left NULL means the object does not support it (the
 * wrapper answers with the POSIX error for that case).
 */
#ifndef LIBC_FD_H
#define LIBC_FD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define FD_MAX 1024

struct file;
struct iovec;

struct file_ops {
    ssize_t (*read)(struct file *f, void *buf, size_t len);
    ssize_t (*write)(struct file *f, const void *buf, size_t len);
    off_t (*lseek)(struct file *f, off_t offset, int whence);       /* NULL: ESPIPE */
    int (*fstat)(struct file *f, struct stat *st);
    int (*isatty)(struct file *f);
    void (*release)(struct file *f);        /* last reference gone */
    /*
     * Readiness now, without waiting: the subset of `events` (POLL* bits
     * of <poll.h>) that would not block, plus POLLERR/POLLHUP. NULL: the
     * object is always ready (files, /dev/null, the console).
     */
    short (*poll)(struct file *f, short events);
    /* Scatter/gather in one operation; NULL: readv/writev loop over read/write. */
    ssize_t (*readv)(struct file *f, const struct iovec *iov, int iovcnt);
    ssize_t (*writev)(struct file *f, const struct iovec *iov, int iovcnt);
};

struct file {
    const struct file_ops *ops;
    unsigned refs;
    int flags;                  /* O_ACCMODE bits, O_APPEND, O_NONBLOCK */
    off_t offset;
    void *priv;
};

/* A new file with one reference, or NULL. */
struct file *file_new(const struct file_ops *ops, int flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f);

/* Descriptors open now (for leak checks: libc/hermit_counters.c). */
unsigned fd_open_count(void);

/* Installs f at the lowest free descriptor >= min (takes over the caller's reference). */
int fd_install(struct file *f, int min);
/* The file at fd with a reference taken, or NULL (EBADF). */
struct file *fd_lookup(int fd);
int fd_close(int fd);
int fd_dup(int fd, int min);
int fd_dup2(int fd, int target);

#endif

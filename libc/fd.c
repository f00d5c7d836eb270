/*
 * fd.c - the descriptor table and the reference counting of files.
 */
#include "fd.h"
#include "libc_internal.h"

#include <errno.h>
#include <stdlib.h>

static struct file *table[FD_MAX];
static struct spinlock table_lock = SPINLOCK_INIT;

struct file *file_new(const struct file_ops *ops, int flags, void *priv)
{
    struct file *f = calloc(1, sizeof(*f));

    if (f) {
        f->ops = ops;
        f->refs = 1;
        f->flags = flags;
        f->priv = priv;
    }
    return f;
}

void file_get(struct file *f)
{
    __atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        if (f->ops->release)
            f->ops->release(f);
        free(f);
    }
}

int fd_install(struct file *f, int min)
{
    int fd = -EMFILE;

    if (min < 0 || min >= FD_MAX)
        return -EINVAL;
    spinlock_lock(&table_lock);
    for (int i = min; i < FD_MAX; i++) {
        if (!table[i]) {
            table[i] = f;
            fd = i;
            break;
        }
    }
    spinlock_unlock(&table_lock);
    return fd;
}

struct file *fd_lookup(int fd)
{
    struct file *f = NULL;

    if (fd < 0 || fd >= FD_MAX)
        return NULL;
    spinlock_lock(&table_lock);
    if ((f = table[fd]))
        file_get(f);
    spinlock_unlock(&table_lock);
    return f;
}

int fd_close(int fd)
{
    struct file *f = NULL;

    if (fd < 0 || fd >= FD_MAX)
        return -EBADF;
    spinlock_lock(&table_lock);
    f = table[fd];
    table[fd] = NULL;
    spinlock_unlock(&table_lock);
    if (!f)
        return -EBADF;
    file_put(f);
    return 0;
}

int fd_dup(int fd, int min)
{
    struct file *f = fd_lookup(fd);

    if (!f)
        return -EBADF;
    int r = fd_install(f, min);
    if (r < 0)
        file_put(f);
    return r;
}

int fd_dup2(int fd, int target)
{
    struct file *f = fd_lookup(fd), *old;

    if (!f)
        return -EBADF;
    if (target < 0 || target >= FD_MAX) {
        file_put(f);
        return -EBADF;
    }
    if (fd == target) {
        file_put(f);
        return target;
    }
    spinlock_lock(&table_lock);
    old = table[target];
    table[target] = f;
    spinlock_unlock(&table_lock);
    if (old)
        file_put(old);
    return target;
}

unsigned fd_open_count(void)
{
    unsigned n = 0;

    spinlock_lock(&table_lock);
    for (int i = 0; i < FD_MAX; i++)
        n += table[i] != NULL;
    spinlock_unlock(&table_lock);
    return n;
}

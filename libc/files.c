/*
 * files.c - open() and friends over the in-memory file system, the
 * console on descriptors 0-2, and /dev/null.
 *
 * One mutex serializes the file system: file I/O here is scratch files
 * and inputs, not a hot path, and a single lock keeps the rules obvious.
 */
#include "cloud.h"
#include "cpio.h"
#include "fd.h"
#include "libc_internal.h"
#include "ramfs.h"

#include "boot.h"
#include "console.h"
#include "sync.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct ramfs fs;
static struct mutex fs_lock;

static int ramfs_errno(int err)
{
    switch (err) {
    case RAMFS_OK: return 0;
    case RAMFS_ENOENT: return ENOENT;
    case RAMFS_EEXIST: return EEXIST;
    case RAMFS_EISDIR: return EISDIR;
    case RAMFS_ENOTDIR: return ENOTDIR;
    case RAMFS_EROFS: return EROFS;
    case RAMFS_ENOMEM: return ENOMEM;
    case RAMFS_ENAMETOOLONG: return ENAMETOOLONG;
    case RAMFS_ENOTEMPTY: return ENOTEMPTY;
    case RAMFS_EBUSY: return EBUSY;
    default: return EINVAL;
    }
}

/* --- the console ---------------------------------------------------------- */

static ssize_t console_read(struct file *f, void *buf, size_t len)
{
    (void)f, (void)buf, (void)len;
    return 0;                           /* stdin is empty: end of file */
}

static ssize_t console_file_write(struct file *f, const void *buf, size_t len)
{
    (void)f;
    console_write(buf, len);
    libc_cloud_output(buf, len);
    return (ssize_t)len;
}

static int console_fstat(struct file *f, struct stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | 0620;
    st->st_blksize = 1024;
    return 0;
}

static int always_tty(struct file *f)
{
    (void)f;
    return 1;
}

static const struct file_ops console_ops = {
    .read = console_read, .write = console_file_write, .fstat = console_fstat,
    .isatty = always_tty,
};

/* --- /dev/null ------------------------------------------------------------ */

static ssize_t null_write(struct file *f, const void *buf, size_t len)
{
    (void)f, (void)buf;
    return (ssize_t)len;
}

static int null_fstat(struct file *f, struct stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | 0666;
    return 0;
}

static const struct file_ops null_ops = {
    .read = console_read, .write = null_write, .fstat = null_fstat,
};

/* --- ramfs files ----------------------------------------------------------- */

static void fill_stat(const struct ramfs_node *n, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = (ino_t)n->ino;
    st->st_mode = n->is_dir ? (S_IFDIR | 0755) : (S_IFREG | (n->readonly ? 0444 : 0644));
    st->st_nlink = 1;
    st->st_size = n->is_dir ? 0 : (off_t)n->size;
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)((n->size + 511) / 512);
}

static ssize_t file_read(struct file *f, void *buf, size_t len)
{
    mutex_lock(&fs_lock);
    long r = ramfs_read(f->priv, (uint64_t)f->offset, buf, len);
    if (r > 0)
        f->offset += r;
    mutex_unlock(&fs_lock);
    return r < 0 ? -ramfs_errno((int)-r) : r;
}

static ssize_t file_write(struct file *f, const void *buf, size_t len)
{
    struct ramfs_node *n = f->priv;

    mutex_lock(&fs_lock);
    if (f->flags & O_APPEND)
        f->offset = (off_t)n->size;
    long r = ramfs_write(&fs, n, (uint64_t)f->offset, buf, len);
    if (r > 0)
        f->offset += r;
    mutex_unlock(&fs_lock);
    return r < 0 ? -ramfs_errno((int)-r) : r;
}

static off_t file_lseek(struct file *f, off_t offset, int whence)
{
    struct ramfs_node *n = f->priv;
    off_t base;

    mutex_lock(&fs_lock);
    base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->offset
         : whence == SEEK_END ? (off_t)n->size : -1;
    off_t target = base + offset;
    if (base < 0 || target < 0) {
        mutex_unlock(&fs_lock);
        return -EINVAL;
    }
    f->offset = target;
    mutex_unlock(&fs_lock);
    return target;
}

static int file_fstat(struct file *f, struct stat *st)
{
    mutex_lock(&fs_lock);
    fill_stat(f->priv, st);
    mutex_unlock(&fs_lock);
    return 0;
}

static void file_release(struct file *f)
{
    mutex_lock(&fs_lock);
    ramfs_unref(&fs, f->priv);
    mutex_unlock(&fs_lock);
}

static const struct file_ops ramfs_file_ops = {
    .read = file_read, .write = file_write, .lseek = file_lseek, .fstat = file_fstat,
    .release = file_release,
};

/* --- the POSIX calls ------------------------------------------------------- */

static int open_node(const char *path, int flags, struct ramfs_node **out)
{
    int err = ramfs_lookup(&fs, path, out);

    if (err == RAMFS_ENOENT && (flags & O_CREAT))
        return ramfs_create(&fs, path, false, out);
    if (!err && (flags & O_CREAT) && (flags & O_EXCL))
        return RAMFS_EEXIST;
    return err;
}

int open(const char *path, int flags, ...)
{
    struct ramfs_node *n;
    int acc = flags & O_ACCMODE;

    if (!path)
        return (int)syscall_result(-EFAULT);
    if (!strcmp(path, "/dev/null")) {
        struct file *f = file_new(&null_ops, flags, NULL);
        return f ? (int)syscall_result(fd_install(f, 0)) : (int)syscall_result(-ENOMEM);
    }
    mutex_lock(&fs_lock);
    int err = open_node(path, flags, &n);
    if (!err && n->is_dir && acc != O_RDONLY)
        err = RAMFS_EISDIR;
    if (!err && n->readonly && (acc != O_RDONLY || (flags & O_TRUNC)))
        err = RAMFS_EROFS;
    if (!err && (flags & O_TRUNC))
        err = ramfs_truncate(&fs, n, 0);
    if (!err)
        ramfs_ref(n);
    mutex_unlock(&fs_lock);
    if (err)
        return (int)syscall_result(-ramfs_errno(err));

    struct file *f = file_new(&ramfs_file_ops, flags, n);
    if (!f) {
        mutex_lock(&fs_lock);
        ramfs_unref(&fs, n);
        mutex_unlock(&fs_lock);
        return (int)syscall_result(-ENOMEM);
    }
    int fd = fd_install(f, 0);
    if (fd < 0)
        file_put(f);
    return (int)syscall_result(fd);
}

int close(int fd)
{
    return (int)syscall_result(fd_close(fd));
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    struct file *f = fd_lookup(fd);
    long r;

    if (!f)
        return syscall_result(-EBADF);
    if ((f->flags & O_ACCMODE) == O_WRONLY || !f->ops->read)
        r = -EBADF;
    else
        r = f->ops->read(f, buf, len);
    file_put(f);
    return syscall_result(r);
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    struct file *f = fd_lookup(fd);
    long r;

    if (!f)
        return syscall_result(-EBADF);
    if ((f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write)
        r = -EBADF;
    else
        r = f->ops->write(f, buf, len);
    file_put(f);
    return syscall_result(r);
}

off_t lseek(int fd, off_t offset, int whence)
{
    struct file *f = fd_lookup(fd);
    off_t r;

    if (!f)
        return (off_t)syscall_result(-EBADF);
    r = f->ops->lseek ? f->ops->lseek(f, offset, whence) : -ESPIPE;
    file_put(f);
    return (off_t)syscall_result(r);
}

int fstat(int fd, struct stat *st)
{
    struct file *f = fd_lookup(fd);
    int r;

    if (!f)
        return (int)syscall_result(-EBADF);
    r = f->ops->fstat ? f->ops->fstat(f, st) : -EINVAL;
    file_put(f);
    return (int)syscall_result(r);
}

int isatty(int fd)
{
    struct file *f = fd_lookup(fd);
    int r;

    if (!f) {
        errno = EBADF;
        return 0;
    }
    r = f->ops->isatty && f->ops->isatty(f);
    file_put(f);
    if (!r)
        errno = ENOTTY;
    return r;
}

int stat(const char *path, struct stat *st)
{
    struct ramfs_node *n;

    if (path && !strcmp(path, "/dev/null"))
        return null_fstat(NULL, st);
    mutex_lock(&fs_lock);
    int err = path ? ramfs_lookup(&fs, path, &n) : RAMFS_EINVAL;
    if (!err)
        fill_stat(n, st);
    mutex_unlock(&fs_lock);
    return (int)syscall_result(-ramfs_errno(err));
}

int lstat(const char *path, struct stat *st)
{
    return stat(path, st);
}

int access(const char *path, int mode)
{
    struct stat st;

    if (stat(path, &st))
        return -1;
    if ((mode & W_OK) && !(st.st_mode & S_IWUSR))
        return (int)syscall_result(-EACCES);
    return 0;
}

int unlink(const char *path)
{
    mutex_lock(&fs_lock);
    int err = path ? ramfs_unlink(&fs, path) : RAMFS_EINVAL;
    mutex_unlock(&fs_lock);
    return (int)syscall_result(-ramfs_errno(err));
}

int mkdir(const char *path, mode_t mode)
{
    (void)mode;
    mutex_lock(&fs_lock);
    int err = path ? ramfs_create(&fs, path, true, NULL) : RAMFS_EINVAL;
    mutex_unlock(&fs_lock);
    return (int)syscall_result(-ramfs_errno(err));
}

int rmdir(const char *path)
{
    mutex_lock(&fs_lock);
    int err = path ? ramfs_rmdir(&fs, path) : RAMFS_EINVAL;
    mutex_unlock(&fs_lock);
    return (int)syscall_result(-ramfs_errno(err));
}

int link(const char *old, const char *new)
{
    (void)old, (void)new;
    return (int)syscall_result(-EMLINK);
}

int dup(int fd)
{
    return (int)syscall_result(fd_dup(fd, 0));
}

int dup2(int fd, int target)
{
    return (int)syscall_result(fd_dup2(fd, target));
}

char *getcwd(char *buf, size_t size)
{
    if (!buf || size < 2) {
        errno = buf ? ERANGE : EINVAL;
        return NULL;
    }
    buf[0] = '/';
    buf[1] = '\0';
    return buf;
}

int chdir(const char *path)
{
    struct stat st;

    if (stat(path, &st))
        return -1;
    return (int)syscall_result(path[0] == '/' && path[1] == '\0' ? 0 : -ENOSYS);
}

/* --- set-up --------------------------------------------------------------- */

static void *fs_alloc(size_t n) { return malloc(n); }
static void *fs_realloc(void *p, size_t n) { return realloc(p, n); }
static void fs_free(void *p) { free(p); }

static int add_boot_file(void *ctx, const char *path, const void *data, size_t size)
{
    (void)ctx;
    int err = ramfs_add_external(&fs, path, data, size);
    if (err)
        klog(LOG_WARN, "boot file %s not available: error %d\n", path, err);
    return 0;
}

void libc_files_init(void)
{
    const struct boot_info *bi = boot_get_info();

    mutex_init(&fs_lock, MUTEX_NORMAL);
    if (ramfs_init(&fs, (struct ramfs_allocator){ fs_alloc, fs_realloc, fs_free }))
        klog(LOG_ERROR, "no memory for the file system\n");
    ramfs_create(&fs, "/tmp", true, NULL);
    ramfs_create(&fs, "/dev", true, NULL);
    for (int fd = 0; fd < 3; fd++) {
        struct file *f = file_new(&console_ops, fd == 0 ? O_RDONLY : O_WRONLY, NULL);
        if (!f || fd_install(f, fd) != fd)
            klog(LOG_ERROR, "cannot set up descriptor %d\n", fd);
    }
    for (unsigned i = 0; i < bi->module_count; i++) {
        const struct boot_module *m = &bi->modules[i];
        if (cpio_each((const void *)(uintptr_t)m->base, m->size, add_boot_file, NULL))
            klog(LOG_WARN, "boot module %u is not a cpio archive; ignored\n", i);
    }
}

int fcntl(int fd, int cmd, ...)
{
    struct file *f = fd_lookup(fd);
    va_list ap;
    long r = 0;

    if (!f)
        return (int)syscall_result(-EBADF);
    va_start(ap, cmd);
    switch (cmd) {
    case F_GETFL:
        r = f->flags;
        break;
    case F_SETFL: {
        int changeable = O_APPEND | O_NONBLOCK;
        f->flags = (f->flags & ~changeable) | (va_arg(ap, int) & changeable);
        break;
    }
    case F_GETFD:
    case F_SETFD:
        r = 0;                          /* no exec, so close-on-exec means nothing */
        break;
    case F_DUPFD:
        r = fd_dup(fd, va_arg(ap, int));
        break;
    default:
        r = -EINVAL;
    }
    va_end(ap);
    file_put(f);
    return (int)syscall_result(r);
}

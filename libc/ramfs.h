/*
 * ramfs.h - the in-memory file system behind open/read/write/stat.
 *
 * A tree of directories and regular files held in the heap, plus
 * read-only files whose bytes live elsewhere (the files handed to the
 * guest at boot, served in place without a copy). Paths are absolute; the
 * only working directory is "/".
 *
 * Contract: not thread-safe; the file-descriptor layer serializes calls.
 * A node stays valid while the caller holds a reference (ramfs_ref /
 * ramfs_unref): unlinking a file removes its name at once and frees its
 * bytes only when the last reference goes, as POSIX requires for files
 * that are still open. Errors are enum ramfs_error values.
 */
#ifndef LIBC_RAMFS_H
#define LIBC_RAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAMFS_PATH_MAX 1024

enum ramfs_error {
    RAMFS_OK = 0,
    RAMFS_ENOENT,           /* no such file, or a parent is missing */
    RAMFS_EEXIST,           /* exclusive create of an existing name */
    RAMFS_EISDIR,           /* file operation on a directory */
    RAMFS_ENOTDIR,          /* a path component is a file */
    RAMFS_EROFS,            /* writing a read-only (boot) file */
    RAMFS_ENOMEM,
    RAMFS_EINVAL,           /* relative or empty path, negative offset */
    RAMFS_ENAMETOOLONG,
    RAMFS_ENOTEMPTY,        /* removing a directory that has entries */
    RAMFS_EBUSY,            /* removing "/" */
};

struct ramfs_allocator {
    void *(*alloc)(size_t size);
    void *(*realloc)(void *p, size_t size);
    void (*free)(void *p);
};

struct ramfs_node {
    char *name;                     /* last path component ("" for the root) */
    struct ramfs_node *parent;
    struct ramfs_node *children;    /* directories: first entry */
    struct ramfs_node *sibling;
    bool is_dir, readonly, linked;
    uint8_t *data;                  /* files: contents (not owned when readonly) */
    size_t size, capacity;
    unsigned refs;
    uint64_t ino;
    uint64_t mtime_ns;
};

struct ramfs {
    struct ramfs_node *root;
    struct ramfs_allocator mem;
    uint64_t next_ino;
};

int ramfs_init(struct ramfs *fs, struct ramfs_allocator mem);
/* Frees every node; no reference may be held. */
void ramfs_destroy(struct ramfs *fs);

/* Resolves "." and ".." and repeated slashes; out holds RAMFS_PATH_MAX bytes. */
int ramfs_normalize(const char *path, char *out);

int ramfs_lookup(struct ramfs *fs, const char *path, struct ramfs_node **out);
/* Creates a file or directory whose parent exists; RAMFS_EEXIST if the name is taken. */
int ramfs_create(struct ramfs *fs, const char *path, bool is_dir, struct ramfs_node **out);
/* Creates a read-only file over external bytes, making parent directories. */
int ramfs_add_external(struct ramfs *fs, const char *path, const void *data, size_t size);
int ramfs_unlink(struct ramfs *fs, const char *path);
int ramfs_rmdir(struct ramfs *fs, const char *path);

void ramfs_ref(struct ramfs_node *node);
void ramfs_unref(struct ramfs *fs, struct ramfs_node *node);

/* Byte I/O at an offset; they return the byte count, or -(enum ramfs_error). */
long ramfs_read(const struct ramfs_node *node, uint64_t offset, void *buf, size_t len);
long ramfs_write(struct ramfs *fs, struct ramfs_node *node, uint64_t offset, const void *buf,
                 size_t len);
int ramfs_truncate(struct ramfs *fs, struct ramfs_node *node, uint64_t size);

#endif

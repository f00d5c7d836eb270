/*
 * ramfs.c - a tree of heap-backed nodes.
 *
 * Directories keep their entries on a singly linked list: the file system
 * holds a handful of scratch and input files, not a database. File data
 * grows by doubling so that appends stay linear.
 */
#include "ramfs.h"

#include <string.h>

#define MIN_CAPACITY 256

static struct ramfs_node *node_new(struct ramfs *fs, const char *name, size_t len, bool dir)
{
    struct ramfs_node *n = fs->mem.alloc(sizeof(*n));

    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->name = fs->mem.alloc(len + 1);
    if (!n->name) {
        fs->mem.free(n);
        return NULL;
    }
    memcpy(n->name, name, len);
    n->name[len] = '\0';
    n->is_dir = dir;
    n->linked = true;
    n->ino = ++fs->next_ino;
    return n;
}

static void node_free(struct ramfs *fs, struct ramfs_node *n)
{
    if (!n->readonly)
        fs->mem.free(n->data);
    fs->mem.free(n->name);
    fs->mem.free(n);
}

int ramfs_init(struct ramfs *fs, struct ramfs_allocator mem)
{
    fs->mem = mem;
    fs->next_ino = 0;
    fs->root = node_new(fs, "", 0, true);
    return fs->root ? RAMFS_OK : RAMFS_ENOMEM;
}

static void free_tree(struct ramfs *fs, struct ramfs_node *n)
{
    while (n->children) {
        struct ramfs_node *c = n->children;
        n->children = c->sibling;
        free_tree(fs, c);
    }
    node_free(fs, n);
}

void ramfs_destroy(struct ramfs *fs)
{
    if (fs->root)
        free_tree(fs, fs->root);
    fs->root = NULL;
}

int ramfs_normalize(const char *path, char *out)
{
    size_t len = 0;

    if (!path || path[0] != '/')
        return RAMFS_EINVAL;
    while (*path) {
        while (*path == '/')
            path++;
        const char *start = path;
        while (*path && *path != '/')
            path++;
        size_t n = (size_t)(path - start);
        if (n == 0 || (n == 1 && start[0] == '.'))
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;                  /* drop the slash too */
            continue;
        }
        if (len + 1 + n >= RAMFS_PATH_MAX)
            return RAMFS_ENAMETOOLONG;
        out[len++] = '/';
        memcpy(out + len, start, n);
        len += n;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return RAMFS_OK;
}

static struct ramfs_node *child(const struct ramfs_node *dir, const char *name, size_t len)
{
    for (struct ramfs_node *c = dir->children; c; c = c->sibling)
        if (strlen(c->name) == len && !memcmp(c->name, name, len))
            return c;
    return NULL;
}

/*
 * Walks a normalized path. *parent gets the directory that holds (or
 * would hold) the last component, *last and *last_len that component.
 */
static int walk(struct ramfs *fs, const char *norm, struct ramfs_node **parent,
                struct ramfs_node **node, const char **last, size_t *last_len)
{
    struct ramfs_node *dir = fs->root, *cur = fs->root;
    const char *p = norm;

    *parent = NULL;
    *last = "";
    *last_len = 0;
    while (*p == '/' && p[1]) {
        p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        if (!cur->is_dir)
            return RAMFS_ENOTDIR;
        dir = cur;
        *last = start;
        *last_len = (size_t)(p - start);
        cur = child(dir, start, *last_len);
        if (!cur) {
            *parent = *p ? NULL : dir;      /* only the last component may be missing */
            *node = NULL;
            return *p ? RAMFS_ENOENT : RAMFS_OK;
        }
    }
    *parent = cur == fs->root ? NULL : dir;
    *node = cur;
    return RAMFS_OK;
}

int ramfs_lookup(struct ramfs *fs, const char *path, struct ramfs_node **out)
{
    char norm[RAMFS_PATH_MAX];
    struct ramfs_node *parent, *node;
    const char *last;
    size_t len;
    int err = ramfs_normalize(path, norm);

    if (err || (err = walk(fs, norm, &parent, &node, &last, &len)))
        return err;
    if (!node)
        return RAMFS_ENOENT;
    *out = node;
    return RAMFS_OK;
}

static int create_in(struct ramfs *fs, const char *norm, bool dir, struct ramfs_node **out)
{
    struct ramfs_node *parent, *node;
    const char *last;
    size_t len;
    int err = walk(fs, norm, &parent, &node, &last, &len);

    if (err)
        return err;
    if (node)
        return RAMFS_EEXIST;
    struct ramfs_node *n = node_new(fs, last, len, dir);
    if (!n)
        return RAMFS_ENOMEM;
    n->parent = parent;
    n->sibling = parent->children;
    parent->children = n;
    if (out)
        *out = n;
    return RAMFS_OK;
}

int ramfs_create(struct ramfs *fs, const char *path, bool is_dir, struct ramfs_node **out)
{
    char norm[RAMFS_PATH_MAX];
    int err = ramfs_normalize(path, norm);

    return err ? err : create_in(fs, norm, is_dir, out);
}

int ramfs_add_external(struct ramfs *fs, const char *path, const void *data, size_t size)
{
    char norm[RAMFS_PATH_MAX];
    struct ramfs_node *n;
    int err = ramfs_normalize(path, norm);

    if (err)
        return err;
    /* Make each missing parent directory, left to right. */
    for (char *slash = strchr(norm + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        err = create_in(fs, norm, true, NULL);
        *slash = '/';
        if (err && err != RAMFS_EEXIST)
            return err;
    }
    if ((err = create_in(fs, norm, false, &n)))
        return err;
    n->readonly = true;
    n->data = (uint8_t *)(uintptr_t)data;
    n->size = n->capacity = size;
    return RAMFS_OK;
}

static void detach(struct ramfs_node *n)
{
    struct ramfs_node **p = &n->parent->children;

    while (*p != n)
        p = &(*p)->sibling;
    *p = n->sibling;
    n->linked = false;
    n->parent = NULL;
}

static int remove_node(struct ramfs *fs, const char *path, bool dir)
{
    struct ramfs_node *n;
    int err = ramfs_lookup(fs, path, &n);

    if (err)
        return err;
    if (n == fs->root)
        return RAMFS_EBUSY;
    if (n->is_dir != dir)
        return dir ? RAMFS_ENOTDIR : RAMFS_EISDIR;
    if (dir && n->children)
        return RAMFS_ENOTEMPTY;
    detach(n);
    if (!n->refs)
        node_free(fs, n);
    return RAMFS_OK;
}

int ramfs_unlink(struct ramfs *fs, const char *path)
{
    return remove_node(fs, path, false);
}

int ramfs_rmdir(struct ramfs *fs, const char *path)
{
    return remove_node(fs, path, true);
}

void ramfs_ref(struct ramfs_node *node)
{
    node->refs++;
}

void ramfs_unref(struct ramfs *fs, struct ramfs_node *node)
{
    if (--node->refs == 0 && !node->linked)
        node_free(fs, node);
}

long ramfs_read(const struct ramfs_node *node, uint64_t offset, void *buf, size_t len)
{
    if (node->is_dir)
        return -RAMFS_EISDIR;
    if (offset >= node->size)
        return 0;
    if (len > node->size - offset)
        len = (size_t)(node->size - offset);
    memcpy(buf, node->data + offset, len);
    return (long)len;
}

static int reserve(struct ramfs *fs, struct ramfs_node *node, uint64_t size)
{
    if (size <= node->capacity)
        return RAMFS_OK;
    if (size > (uint64_t)1 << 40)
        return RAMFS_ENOMEM;
    size_t cap = node->capacity ? node->capacity : MIN_CAPACITY;
    while (cap < size)
        cap *= 2;
    uint8_t *data = fs->mem.realloc(node->data, cap);
    if (!data)
        return RAMFS_ENOMEM;
    node->data = data;
    node->capacity = cap;
    return RAMFS_OK;
}

long ramfs_write(struct ramfs *fs, struct ramfs_node *node, uint64_t offset, const void *buf,
                 size_t len)
{
    if (node->is_dir)
        return -RAMFS_EISDIR;
    if (node->readonly)
        return -RAMFS_EROFS;
    if (offset + len < offset)
        return -RAMFS_EINVAL;
    int err = reserve(fs, node, offset + len);
    if (err)
        return -err;
    if (offset > node->size)            /* a hole reads as zeros */
        memset(node->data + node->size, 0, (size_t)(offset - node->size));
    memcpy(node->data + offset, buf, len);
    if (offset + len > node->size)
        node->size = (size_t)(offset + len);
    return (long)len;
}

int ramfs_truncate(struct ramfs *fs, struct ramfs_node *node, uint64_t size)
{
    if (node->is_dir)
        return RAMFS_EISDIR;
    if (node->readonly)
        return RAMFS_EROFS;
    int err = reserve(fs, node, size);
    if (err)
        return err;
    if (size > node->size)
        memset(node->data + node->size, 0, (size_t)(size - node->size));
    node->size = (size_t)size;
    return RAMFS_OK;
}

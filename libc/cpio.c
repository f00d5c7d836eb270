/*
 * cpio.c - walks a newc archive: a 110-byte ASCII header ("070701" and
 * thirteen 8-digit hex fields), the name, padding to 4 bytes, the data,
 * padding to 4 bytes; "TRAILER!!!" ends it.
 */
#include "cpio.h"

#include <stdint.h>
#include <string.h>

#define HEADER_LEN      110
#define FIELD_MODE      1
#define FIELD_FILESIZE  6
#define FIELD_NAMESIZE  11
#define MODE_TYPE_MASK  0170000u
#define MODE_REGULAR    0100000u
#define PATH_MAX_LEN    1024

static int hex_field(const char *header, int index, uint32_t *out)
{
    const char *p = header + 6 + 8 * index;
    uint32_t v = 0;

    for (int i = 0; i < 8; i++) {
        char c = p[i];
        uint32_t d = (c >= '0' && c <= '9') ? (uint32_t)(c - '0')
                   : (c >= 'a' && c <= 'f') ? (uint32_t)(c - 'a' + 10)
                   : (c >= 'A' && c <= 'F') ? (uint32_t)(c - 'A' + 10) : 16;
        if (d == 16)
            return CPIO_EMALFORMED;
        v = v << 4 | d;
    }
    *out = v;
    return CPIO_OK;
}

static size_t align4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

int cpio_each(const void *archive, size_t size, cpio_file_fn file, void *ctx)
{
    const char *base = archive;
    size_t off = 0;

    while (off + HEADER_LEN <= size) {
        const char *h = base + off;
        uint32_t mode, filesize, namesize;
        if (memcmp(h, "070701", 6) || hex_field(h, FIELD_MODE, &mode) ||
            hex_field(h, FIELD_FILESIZE, &filesize) || hex_field(h, FIELD_NAMESIZE, &namesize))
            return CPIO_EMALFORMED;
        const char *name = h + HEADER_LEN;
        if (namesize == 0 || namesize > PATH_MAX_LEN || off + HEADER_LEN + namesize > size ||
            name[namesize - 1] != '\0')
            return CPIO_EMALFORMED;
        size_t data_off = align4(off + HEADER_LEN + namesize);
        if (data_off > size || filesize > size - data_off)
            return CPIO_EMALFORMED;
        if (!strcmp(name, "TRAILER!!!"))
            return CPIO_OK;

        if ((mode & MODE_TYPE_MASK) == MODE_REGULAR) {
            char path[PATH_MAX_LEN + 2];
            const char *rel = name;
            while (rel[0] == '.' && rel[1] == '/')
                rel += 2;
            path[0] = '/';
            memcpy(path + (rel[0] == '/' ? 0 : 1), rel, strlen(rel) + 1);
            int err = file(ctx, path, base + data_off, filesize);
            if (err)
                return err;
        }
        off = align4(data_off + filesize);
    }
    return CPIO_OK;
}

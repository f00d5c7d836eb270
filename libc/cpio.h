/*
 * cpio.h - reads the "newc" cpio archive that carries input files into
 * the guest (hermit-run --file HOST:GUEST packs them; the boot loader
 * hands the archive over as a module).
 *
 * Contract: cpio_each calls `file` for every regular file with its path
 * (made absolute) and its bytes, which point into the archive and stay
 * valid as long as the archive does. It stops at the trailer, at the end
 * of the buffer, or at the first malformed header (CPIO_EMALFORMED) or
 * callback error (returned as is).
 */
#ifndef LIBC_CPIO_H
#define LIBC_CPIO_H

#include <stddef.h>

enum cpio_error { CPIO_OK = 0, CPIO_EMALFORMED = -1 };

typedef int (*cpio_file_fn)(void *ctx, const char *path, const void *data, size_t size);

int cpio_each(const void *archive, size_t size, cpio_file_fn file, void *ctx);

#endif

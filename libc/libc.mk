# libc/libc.mk - the C library layer's part of the build (included by the
# top-level Makefile).

UNIT_TESTS += ramfs
UNIT_SRC_ramfs := libc/ramfs.c
HOST_CFLAGS += -Ilibc
UNIT_TESTS += cpio
UNIT_SRC_cpio := libc/cpio.c

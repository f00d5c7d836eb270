/*
 * sys/select.h - newlib's select() declarations with FD_SETSIZE raised
 * to the descriptor table's size (libc/fd.h FD_MAX = 1024): newlib's
 * default of 64 would make FD_SET overflow for sockets above 63.
 * select() itself lives in libc/poll.c.
 */
#ifndef HERMIT_SYS_SELECT_H
#define HERMIT_SYS_SELECT_H

#ifndef FD_SETSIZE
#define FD_SETSIZE 1024
#endif

#include_next <sys/select.h>

#endif

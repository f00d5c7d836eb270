/*
 * sys/poll.h - MPICH's ch3:sock (sock.c) includes <sys/poll.h> even where
 * only <poll.h> exists. HermitCore-C's libc has <poll.h> only; this is on
 * MPICH's include path after the system directories (-idirafter), so a
 * libc/include/sys/poll.h, once added, takes precedence.
 */
#include <poll.h>

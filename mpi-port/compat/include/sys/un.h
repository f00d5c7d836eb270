/*
 * sys/un.h - MPICH's simple PMI client (simple_pmi.c) includes <sys/un.h>
 * without using it. HermitCore-C has no AF_UNIX sockets and no sys/un.h;
 * this gives the Linux layout of struct sockaddr_un so the include
 * compiles. It is on MPICH's include path after the system directories
 * (-idirafter), so a libc/include/sys/un.h, once added, takes precedence.
 */
#ifndef HERMIT_MPICH_COMPAT_SYS_UN_H
#define HERMIT_MPICH_COMPAT_SYS_UN_H

#include <sys/socket.h>

struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[108];
};

#endif

/*
 * hermit-compat.h - force-included (-include) into every MPICH source by
 * mpi-port/build.sh, only while HermitCore-C's <netinet/in.h> lacks
 * in6addr_any and in6addr_loopback (POSIX names MPL's mpl_sockaddr.c uses
 * in its AF_INET6 branch, which never runs here: IPv4 only). The names are
 * mapped to 16-byte arrays defined in hermit-compat.c (added to libmpi.a);
 * no type is needed here, so this header includes nothing and changes no
 * feature macro. Remove when libc/include/netinet/in.h declares them.
 */
#ifndef HERMIT_MPICH_COMPAT_H
#define HERMIT_MPICH_COMPAT_H

extern const unsigned char hermit_mpich_in6addr_any[16];
extern const unsigned char hermit_mpich_in6addr_loopback[16];
#define in6addr_any (*(const struct in6_addr *) (const void *) hermit_mpich_in6addr_any)
#define in6addr_loopback (*(const struct in6_addr *) (const void *) hermit_mpich_in6addr_loopback)

#endif

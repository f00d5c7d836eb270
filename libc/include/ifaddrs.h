/*
 * ifaddrs.h - the machine's network interfaces (libc/netdb.c): one
 * AF_INET entry per configured virtio-net interface, plus "lo".
 */
#ifndef HERMIT_IFADDRS_H
#define HERMIT_IFADDRS_H

#include <sys/socket.h>

struct ifaddrs {
    struct ifaddrs *ifa_next;
    char *ifa_name;
    unsigned int ifa_flags;     /* IFF_* from <net/if.h> */
    struct sockaddr *ifa_addr;
    struct sockaddr *ifa_netmask;
    struct sockaddr *ifa_broadaddr;
    void *ifa_data;
};
#define ifa_dstaddr ifa_broadaddr

int getifaddrs(struct ifaddrs **out);
void freeifaddrs(struct ifaddrs *ifa);

#endif

/*
 * net/if.h - interface flags and names (Linux's values).
 */
#ifndef HERMIT_NET_IF_H
#define HERMIT_NET_IF_H

#define IFNAMSIZ        16
#define IF_NAMESIZE     IFNAMSIZ

#define IFF_UP          0x1
#define IFF_BROADCAST   0x2
#define IFF_LOOPBACK    0x8
#define IFF_RUNNING     0x40
#define IFF_MULTICAST   0x1000

#endif

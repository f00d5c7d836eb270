/*
 * lwipopts.h - the port's lwIP configuration (net/include/lwipopts.h)
 * turned into a host build for tests/fuzz/fuzz_lwip.c: same sizes,
 * protocols, checksum policy and DHCP hooks, but no operating system
 * (NO_SYS: the harness is the only thread and calls lwIP directly, as the
 * driver thread does under the core lock), no socket API, and every pool
 * element a malloc of its own so that ASan sees a read past one.
 */
#ifndef FUZZ_LWIPOPTS_H
#define FUZZ_LWIPOPTS_H

#include "../../../net/include/lwipopts.h"

#undef NO_SYS
#define NO_SYS                          1
#undef SYS_LIGHTWEIGHT_PROT
#define SYS_LIGHTWEIGHT_PROT            0
#undef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING         0
#undef LWIP_TCPIP_CORE_LOCKING_INPUT
#define LWIP_TCPIP_CORE_LOCKING_INPUT   0
#undef LWIP_SOCKET
#define LWIP_SOCKET                     0
#undef LWIP_NETCONN
#define LWIP_NETCONN                    0
#undef LWIP_SOCKET_SELECT
#define LWIP_SOCKET_SELECT              0
#undef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL                0
/* Loopback needs netif_poll from a thread; frames from outside never loop. */
#undef LWIP_HAVE_LOOPIF
#define LWIP_HAVE_LOOPIF                0
#undef LWIP_NETIF_LOOPBACK
#define LWIP_NETIF_LOOPBACK             0
#undef MEMP_MEM_MALLOC
#define MEMP_MEM_MALLOC                 1
/* Pool counters: the harness checks that every pbuf comes back. */
#undef MEMP_STATS
#define MEMP_STATS                      1
#undef MEM_STATS
#define MEM_STATS                       1
/* A fixed initial sequence number, so that an input can complete a
 * handshake (the port's comes from lwIP's counter). */
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) 0x1000u

#endif

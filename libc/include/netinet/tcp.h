/*
 * netinet/tcp.h - TCP socket options (Linux's values; libc/socket.c maps
 * them onto lwIP). TCP_MAXSEG can only be read.
 */
#ifndef HERMIT_NETINET_TCP_H
#define HERMIT_NETINET_TCP_H

#define TCP_NODELAY     1
#define TCP_MAXSEG      2
#define TCP_KEEPIDLE    4
#define TCP_KEEPINTVL   5
#define TCP_KEEPCNT     6

#endif

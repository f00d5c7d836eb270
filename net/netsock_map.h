/*
 * netsock_map.h - translation of netsock.h's (Linux) constants into
 * lwIP's, shared by netsock.c and netsock_opt.c. Only for files compiled
 * with lwIP's headers.
 */
#ifndef NET_NETSOCK_MAP_H
#define NET_NETSOCK_MAP_H

/* lwIP MSG_* flags for NETSOCK_MSG_* flags, or -1 if one is unsupported. */
int netsock_map_msg_flags(int flags);

/* Translates a SO_ERROR value of socket s (netsock.c). */
int netsock_connect_error(int s, int err);

#endif

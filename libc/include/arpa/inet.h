/*
 * arpa/inet.h - IPv4 address text conversions (libc/netdb.c).
 */
#ifndef HERMIT_ARPA_INET_H
#define HERMIT_ARPA_INET_H

#include <netinet/in.h>

in_addr_t inet_addr(const char *text);
int inet_aton(const char *text, struct in_addr *out);
char *inet_ntoa(struct in_addr in);
/* AF_INET only; AF_INET6 fails with EAFNOSUPPORT. */
int inet_pton(int af, const char *text, void *out);
const char *inet_ntop(int af, const void *in, char *buf, socklen_t len);

#endif

/*
 * client.h - what the two files of the client test program share
 * (client.c: names, ICMP, bulk, latency; client_conn.c: the rest).
 */
#ifndef TESTS_NET_CLIENT_H
#define TESTS_NET_CLIENT_H

#include <netinet/in.h>
#include <stddef.h>

extern struct in_addr server;
extern int failures;

void check(int ok, const char *what);
double now_us(void);
struct sockaddr_in addr_of(struct in_addr ip, int port);
/* A connected, blocking TCP socket with TCP_NODELAY, or -1 (errno set). */
int tcp_connect(struct in_addr ip, int port);
int read_full(int fd, void *buf, size_t n);

/* Runs the named check from client_conn.c; 0 if there is none by that name. */
int client_conn_check(const char *name);
void check_host(int port);

#endif

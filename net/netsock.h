/*
 * netsock.h - lwIP's sockets for the C library, without lwIP's headers.
 *
 * libc/socket.c implements the POSIX calls and must not see lwIP's
 * <lwip/sockets.h> (it defines its own struct sockaddr, fd_set, ...), and
 * lwIP's code must not see ours. This header is the narrow bridge between
 * them: plain integers and the small structs below.
 *
 * Contract:
 * - A socket here is an lwIP socket number (0..255), not a descriptor;
 *   libc wraps it in a struct file.
 * - Functions return >= 0 on success and a negative errno value on failure.
 * - Constants (levels, option names, MSG_* flags, POLL* bits, SHUT_*) are
 *   the NETSOCK_* values below, which are Linux's; libc/include uses the
 *   same numbers and checks that at compile time.
 * - Addresses are IPv4 only: ip in network byte order, port in host order.
 * - netsock_socket brings the network up on first use (net_init, net.h) if
 *   the C library's start-up has not; without an interface it fails with
 *   -ENETDOWN, and nothing else can be called without a socket.
 * - Every function is declared weak: an image linked without the network
 *   layer still links; then netsock_socket is NULL and libc answers ENOSYS.
 */
#ifndef NET_NETSOCK_H
#define NET_NETSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NETSOCK_AF_UNSPEC       0
#define NETSOCK_AF_INET         2

#define NETSOCK_SOL_SOCKET      1
#define NETSOCK_IPPROTO_IP      0
#define NETSOCK_IPPROTO_TCP     6

/* SOL_SOCKET options. */
#define NETSOCK_SO_REUSEADDR    2
#define NETSOCK_SO_TYPE         3
#define NETSOCK_SO_ERROR        4
#define NETSOCK_SO_BROADCAST    6
#define NETSOCK_SO_SNDBUF       7
#define NETSOCK_SO_RCVBUF       8
#define NETSOCK_SO_KEEPALIVE    9
#define NETSOCK_SO_LINGER       13
#define NETSOCK_SO_REUSEPORT    15
#define NETSOCK_SO_RCVTIMEO     20
#define NETSOCK_SO_SNDTIMEO     21
#define NETSOCK_SO_ACCEPTCONN   30
/* IPPROTO_TCP options. */
#define NETSOCK_TCP_NODELAY     1
#define NETSOCK_TCP_MAXSEG      2
#define NETSOCK_TCP_KEEPIDLE    4
#define NETSOCK_TCP_KEEPINTVL   5
#define NETSOCK_TCP_KEEPCNT     6
/* IPPROTO_IP options. */
#define NETSOCK_IP_TOS          1
#define NETSOCK_IP_TTL          2

#define NETSOCK_MSG_OOB         0x1
#define NETSOCK_MSG_PEEK        0x2
#define NETSOCK_MSG_TRUNC       0x20
#define NETSOCK_MSG_DONTWAIT    0x40
#define NETSOCK_MSG_WAITALL     0x100
#define NETSOCK_MSG_NOSIGNAL    0x4000
#define NETSOCK_MSG_MORE        0x8000

#define NETSOCK_POLLIN          0x001
#define NETSOCK_POLLPRI         0x002
#define NETSOCK_POLLOUT         0x004
#define NETSOCK_POLLERR         0x008
#define NETSOCK_POLLHUP         0x010
#define NETSOCK_POLLNVAL        0x020
#define NETSOCK_POLLRDNORM      0x040
#define NETSOCK_POLLWRNORM      0x100

struct netsock_addr {
    uint32_t ip;                /* network byte order */
    uint16_t port;              /* host byte order */
};

/* Same layout as struct iovec. */
struct netsock_iov {
    void *base;
    size_t len;
};

struct netsock_pollfd {
    int sock;                   /* lwIP socket, or -1 to skip the entry */
    short events, revents;      /* NETSOCK_POLL* */
};

int netsock_socket(int domain, int type, int protocol) __attribute__((weak));
int netsock_close(int s) __attribute__((weak));
int netsock_bind(int s, const struct netsock_addr *a) __attribute__((weak));
int netsock_listen(int s, int backlog) __attribute__((weak));
/* The new socket, with the peer's address in *peer (if not NULL). */
int netsock_accept(int s, struct netsock_addr *peer) __attribute__((weak));
int netsock_connect(int s, const struct netsock_addr *a) __attribute__((weak));
int netsock_shutdown(int s, int how) __attribute__((weak));
/* Gathers n pieces (n <= NETSOCK_IOV_MAX); to may be NULL. */
ssize_t netsock_sendv(int s, const struct netsock_iov *iov, int n, int flags,
                      const struct netsock_addr *to) __attribute__((weak));
/* Scatters into n pieces; from may be NULL; *out_flags gets MSG_TRUNC. */
ssize_t netsock_recvv(int s, const struct netsock_iov *iov, int n, int flags,
                      struct netsock_addr *from, int *out_flags) __attribute__((weak));
int netsock_setopt(int s, int level, int name, const void *val, unsigned len)
    __attribute__((weak));
int netsock_getopt(int s, int level, int name, void *val, unsigned *len) __attribute__((weak));
/* peer == 0: the local address; peer == 1: the remote one. */
int netsock_name(int s, int peer, struct netsock_addr *a) __attribute__((weak));
int netsock_set_nonblock(int s, int on) __attribute__((weak));
/* Bytes waiting to be read (FIONREAD). */
int netsock_nread(int s) __attribute__((weak));
/*
 * Waits until one of the sockets is ready or timeout_ms passes (-1: no
 * limit, 0: just look); returns how many entries have revents != 0.
 * Sleeps on a semaphore: it never spins.
 */
int netsock_poll(struct netsock_pollfd *fds, unsigned n, int timeout_ms) __attribute__((weak));

/* One network interface, for getifaddrs. */
struct netsock_ifinfo {
    char name[8];               /* "vnet0" */
    uint32_t addr, netmask;     /* network byte order; 0 before DHCP answers */
    uint8_t mac[6];
    unsigned mtu;
    int up;
};

/* Fills *out for interface index; -ENODEV past the last one. */
int netsock_ifinfo(unsigned index, struct netsock_ifinfo *out) __attribute__((weak));

/* Asks the DNS servers DHCP named for NAME's IPv4 address (network byte
 * order into *addr); -EHOSTUNREACH without a server, -ENOENT if the name
 * does not resolve. Blocks for at most lwIP's DNS retries (a few seconds). */
int netsock_resolve(const char *name, uint32_t *addr) __attribute__((weak));

#define NETSOCK_IOV_MAX 1024

#endif

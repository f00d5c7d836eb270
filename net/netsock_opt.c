/*
 * netsock_opt.c - socket options, flags and poll for netsock.h: the
 * Linux-valued constants libc uses, mapped onto lwIP's.
 *
 * Options lwIP lacks but MPI programs set get an answer that keeps them
 * going: SO_SNDBUF is accepted and reports the fixed send buffer
 * (TCP_SND_BUF), SO_REUSEPORT is accepted as a no-op, TCP_MAXSEG reports
 * the MSS of a 1500-byte MTU (TCP_WIRE_MSS).
 */
#include "lwip/opt.h"
#include "lwip/sockets.h"

#include "netsock.h"
#include "netsock_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The POSIX scatter/gather array is handed to lwIP as is. */
_Static_assert(sizeof(struct netsock_iov) == sizeof(struct iovec), "iovec layout");
_Static_assert(offsetof(struct netsock_iov, len) == offsetof(struct iovec, iov_len),
               "iovec layout");

int netsock_map_msg_flags(int flags)
{
    int out = 0;

    if (flags & NETSOCK_MSG_PEEK)
        out |= MSG_PEEK;
    if (flags & NETSOCK_MSG_DONTWAIT)
        out |= MSG_DONTWAIT;
    if (flags & NETSOCK_MSG_MORE)
        out |= MSG_MORE;
    if (flags & NETSOCK_MSG_WAITALL)
        out |= MSG_WAITALL;
    /* There are no signals to suppress: MSG_NOSIGNAL is always the case. */
    flags &= ~(NETSOCK_MSG_PEEK | NETSOCK_MSG_DONTWAIT | NETSOCK_MSG_MORE |
               NETSOCK_MSG_WAITALL | NETSOCK_MSG_NOSIGNAL);
    return flags ? -1 : out;
}

/* lwIP's (level, name) for ours; 0 if lwIP lacks the option. */
static int map_option(int level, int name, int *lwip_level, int *lwip_name)
{
    static const struct { int level, name, lwip_level, lwip_name; } table[] = {
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_TYPE, SOL_SOCKET, SO_TYPE },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_ERROR, SOL_SOCKET, SO_ERROR },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_RCVBUF, SOL_SOCKET, SO_RCVBUF },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_LINGER, SOL_SOCKET, SO_LINGER },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO },
        { NETSOCK_SOL_SOCKET, NETSOCK_SO_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN },
        { NETSOCK_IPPROTO_TCP, NETSOCK_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY },
        { NETSOCK_IPPROTO_TCP, NETSOCK_TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE },
        { NETSOCK_IPPROTO_TCP, NETSOCK_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL },
        { NETSOCK_IPPROTO_TCP, NETSOCK_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT },
        { NETSOCK_IPPROTO_IP, NETSOCK_IP_TOS, IPPROTO_IP, IP_TOS },
        { NETSOCK_IPPROTO_IP, NETSOCK_IP_TTL, IPPROTO_IP, IP_TTL },
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].level == level && table[i].name == name) {
            *lwip_level = table[i].lwip_level;
            *lwip_name = table[i].lwip_name;
            return 1;
        }
    }
    return 0;
}

int netsock_setopt(int s, int level, int name, const void *val, unsigned len)
{
    int ll, ln;

    if (level == NETSOCK_SOL_SOCKET &&
        (name == NETSOCK_SO_SNDBUF || name == NETSOCK_SO_REUSEPORT))
        return len >= sizeof(int) ? 0 : -EINVAL;     /* accepted, no effect */
    if (!map_option(level, name, &ll, &ln))
        return -ENOPROTOOPT;
    errno = 0;
    int r = lwip_setsockopt(s, ll, ln, val, len);
    return r < 0 ? -(errno ? errno : EINVAL) : 0;
}

int netsock_getopt(int s, int level, int name, void *val, unsigned *len)
{
    int ll, ln, fixed = -1;

    if (level == NETSOCK_SOL_SOCKET && name == NETSOCK_SO_SNDBUF)
        fixed = TCP_SND_BUF;
    else if (level == NETSOCK_SOL_SOCKET && name == NETSOCK_SO_REUSEPORT)
        fixed = 0;
    else if (level == NETSOCK_IPPROTO_TCP && name == NETSOCK_TCP_MAXSEG)
        fixed = TCP_WIRE_MSS;
    if (fixed >= 0) {
        if (*len < sizeof(int))
            return -EINVAL;
        memcpy(val, &fixed, sizeof(int));
        *len = sizeof(int);
        return 0;
    }
    if (!map_option(level, name, &ll, &ln))
        return -ENOPROTOOPT;
    socklen_t l = *len;
    errno = 0;
    int r = lwip_getsockopt(s, ll, ln, val, &l);
    if (r < 0)
        return -(errno ? errno : EINVAL);
    if (level == NETSOCK_SOL_SOCKET && name == NETSOCK_SO_ERROR && l >= sizeof(int)) {
        int err;
        memcpy(&err, val, sizeof(err));
        err = netsock_connect_error(s, err);
        memcpy(val, &err, sizeof(err));
    }
    *len = l;
    return 0;
}

static short events_to_lwip(short ev)
{
    short out = 0;

    if (ev & (NETSOCK_POLLIN | NETSOCK_POLLRDNORM))
        out |= POLLIN;
    if (ev & (NETSOCK_POLLOUT | NETSOCK_POLLWRNORM))
        out |= POLLOUT;
    return out;
}

/*
 * Linux reports a failed connection as readable and writable as well as
 * in error, and MPICH-style callers look for POLLOUT after a non-blocking
 * connect: an error wakes both directions here too.
 */
static short revents_from_lwip(short rev, short asked)
{
    short out = 0;

    if (rev & (POLLIN | POLLERR))
        out |= asked & (NETSOCK_POLLIN | NETSOCK_POLLRDNORM);
    if (rev & (POLLOUT | POLLERR))
        out |= asked & (NETSOCK_POLLOUT | NETSOCK_POLLWRNORM);
    if (rev & POLLERR)
        out |= NETSOCK_POLLERR;
    if (rev & POLLHUP)
        out |= NETSOCK_POLLHUP;
    if (rev & POLLNVAL)
        out |= NETSOCK_POLLNVAL;
    return out;
}

#define POLL_BATCH 64

int netsock_poll(struct netsock_pollfd *fds, unsigned n, int timeout_ms)
{
    struct pollfd local[POLL_BATCH];
    struct pollfd *p = n <= POLL_BATCH ? local : malloc(n * sizeof(*p));
    int ready = 0;

    if (!p)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++) {
        p[i].fd = fds[i].sock;
        p[i].events = events_to_lwip(fds[i].events);
        p[i].revents = 0;
    }
    errno = 0;
    int r = lwip_poll(p, n, timeout_ms < 0 ? -1 : timeout_ms);
    if (r < 0 && errno != EBADF) {
        ready = -(errno ? errno : EINVAL);
    } else {
        /* A socket closed under us shows up as POLLNVAL in its entry. */
        for (unsigned i = 0; i < n; i++) {
            fds[i].revents = fds[i].sock < 0 ? 0 : revents_from_lwip(p[i].revents, fds[i].events);
            ready += fds[i].revents != 0;
        }
    }
    if (p != local)
        free(p);
    return ready;
}

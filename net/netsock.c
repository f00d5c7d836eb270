/*
 * netsock.c - the socket calls of netsock.h on lwIP's socket API: address
 * conversion between netsock_addr and lwIP's struct sockaddr_in, MSG_*
 * flag translation, and errno returned as a negative value.
 *
 * lwIP sets errno (newlib's, per thread) and returns -1; every wrapper
 * turns that into -errno, the convention of libc's file operations.
 */
#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/dns.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"

#include "net.h"
#include "netsock.h"
#include "netsock_map.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/*
 * lwIP reports a RST answering a SYN as ECONNRESET; POSIX callers expect
 * ECONNREFUSED. Sockets with a non-blocking connect in flight are marked
 * so that SO_ERROR can translate too.
 */
static bool connecting[MEMP_NUM_NETCONN];

static int result(int r)
{
    return r < 0 ? -(errno ? errno : EIO) : r;
}

static ssize_t result_size(ssize_t r)
{
    return r < 0 ? -(errno ? errno : EIO) : r;
}

static void to_lwip(const struct netsock_addr *a, struct sockaddr_in *sin)
{
    memset(sin, 0, sizeof(*sin));
    sin->sin_len = sizeof(*sin);
    sin->sin_family = AF_INET;
    sin->sin_port = lwip_htons(a->port);
    sin->sin_addr.s_addr = a->ip;
}

static void from_lwip(const struct sockaddr_in *sin, struct netsock_addr *a)
{
    a->ip = sin->sin_addr.s_addr;
    a->port = lwip_ntohs(sin->sin_port);
}

int netsock_socket(int domain, int type, int protocol)
{
    net_init();
    if (!net_is_up())
        return -ENETDOWN;
    if (domain != NETSOCK_AF_INET)
        return -EAFNOSUPPORT;
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_RAW)
        return -EPROTOTYPE;
    errno = 0;
    return result(lwip_socket(AF_INET, type, protocol));
}

int netsock_close(int s)
{
    if (s >= 0 && s < MEMP_NUM_NETCONN)
        connecting[s] = false;
    errno = 0;
    return result(lwip_close(s));
}

int netsock_bind(int s, const struct netsock_addr *a)
{
    struct sockaddr_in sin;

    to_lwip(a, &sin);
    errno = 0;
    return result(lwip_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
}

int netsock_listen(int s, int backlog)
{
    errno = 0;
    return result(lwip_listen(s, backlog));
}

int netsock_accept(int s, struct netsock_addr *peer)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    errno = 0;
    int r = lwip_accept(s, (struct sockaddr *)&sin, &len);
    if (r >= 0 && peer)
        from_lwip(&sin, peer);
    return result(r);
}

int netsock_connect(int s, const struct netsock_addr *a)
{
    struct sockaddr_in sin;

    to_lwip(a, &sin);
    errno = 0;
    int r = result(lwip_connect(s, (struct sockaddr *)&sin, sizeof(sin)));
    if (s >= 0 && s < MEMP_NUM_NETCONN)
        connecting[s] = r == -EINPROGRESS;
    return r == -ECONNRESET ? -ECONNREFUSED : r;
}

int netsock_shutdown(int s, int how)
{
    errno = 0;
    return result(lwip_shutdown(s, how));
}

ssize_t netsock_sendv(int s, const struct netsock_iov *iov, int n, int flags,
                      const struct netsock_addr *to)
{
    struct sockaddr_in sin;
    struct msghdr msg;
    int lflags = netsock_map_msg_flags(flags);

    if (lflags < 0)
        return -EOPNOTSUPP;
    if (n < 0 || n > NETSOCK_IOV_MAX)
        return -EINVAL;
    memset(&msg, 0, sizeof(msg));
    if (to) {
        to_lwip(to, &sin);
        msg.msg_name = &sin;
        msg.msg_namelen = sizeof(sin);
    }
    /* struct netsock_iov has struct iovec's layout (checked in netsock_map.c). */
    msg.msg_iov = (struct iovec *)(uintptr_t)iov;
    msg.msg_iovlen = n;
    errno = 0;
    /* lwIP refuses an empty send on a stream; POSIX returns 0. */
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].len;
    if (total == 0 && !to)
        return 0;
    return result_size(lwip_sendmsg(s, &msg, lflags));
}

ssize_t netsock_recvv(int s, const struct netsock_iov *iov, int n, int flags,
                      struct netsock_addr *from, int *out_flags)
{
    struct sockaddr_in sin;
    struct msghdr msg;
    int lflags = netsock_map_msg_flags(flags);

    if (lflags < 0)
        return -EOPNOTSUPP;
    if (n < 0 || n > NETSOCK_IOV_MAX)
        return -EINVAL;
    memset(&msg, 0, sizeof(msg));
    memset(&sin, 0, sizeof(sin));
    msg.msg_name = &sin;
    msg.msg_namelen = sizeof(sin);
    msg.msg_iov = (struct iovec *)(uintptr_t)iov;
    msg.msg_iovlen = n;
    errno = 0;
    ssize_t r = lwip_recvmsg(s, &msg, lflags);
    if (r >= 0) {
        if (from)
            from_lwip(&sin, from);
        if (out_flags)
            *out_flags = (msg.msg_flags & MSG_TRUNC) ? NETSOCK_MSG_TRUNC : 0;
    }
    return result_size(r);
}

int netsock_name(int s, int peer, struct netsock_addr *a)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    memset(&sin, 0, sizeof(sin));
    errno = 0;
    int r = peer ? lwip_getpeername(s, (struct sockaddr *)&sin, &len)
                 : lwip_getsockname(s, (struct sockaddr *)&sin, &len);
    if (r == 0)
        from_lwip(&sin, a);
    return result(r);
}

int netsock_set_nonblock(int s, int on)
{
    int v = on;

    errno = 0;
    return result(lwip_ioctl(s, (long)FIONBIO, &v));
}

int netsock_nread(int s)
{
    int v = 0;

    errno = 0;
    int r = lwip_ioctl(s, (long)FIONREAD, &v);
    return r < 0 ? result(r) : v;
}

int netsock_ifinfo(unsigned index, struct netsock_ifinfo *out)
{
    struct net_if_info info;

    net_init();
    if (!net_if_get(index, &info))
        return -ENODEV;
    memset(out, 0, sizeof(*out));
    memcpy(out->name, info.name, sizeof(out->name));
    out->addr = info.addr;
    out->netmask = info.netmask;
    memcpy(out->mac, info.mac, sizeof(out->mac));
    out->mtu = info.mtu;
    out->up = info.up;
    return 0;
}

int netsock_resolve(const char *name, uint32_t *addr)
{
    ip_addr_t found;

    net_init();
    if (!net_is_up())
        return -EHOSTUNREACH;
    LOCK_TCPIP_CORE();
    bool no_server = ip_addr_isany_val(*dns_getserver(0));
    UNLOCK_TCPIP_CORE();
    if (no_server)
        return -EHOSTUNREACH;
    if (netconn_gethostbyname(name, &found) != ERR_OK)
        return -ENOENT;
    *addr = ip4_addr_get_u32(ip_2_ip4(&found));
    return 0;
}

/* SO_ERROR's value after netsock_getopt: the refusal translation above. */
int netsock_connect_error(int s, int err)
{
    if (s < 0 || s >= MEMP_NUM_NETCONN || !connecting[s])
        return err;
    if (err != 0 && err != EINPROGRESS && err != EALREADY)
        connecting[s] = false;
    return err == ECONNRESET ? ECONNREFUSED : err;
}

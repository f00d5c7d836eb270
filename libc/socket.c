/*
 * socket.c - BSD sockets as descriptors: each socket is a struct file in
 * the one descriptor table (fd.h) whose operations call lwIP through
 * net/netsock.h. read/write/readv/writev/close/fcntl/poll work on sockets
 * like on any descriptor.
 *
 * O_NONBLOCK lives in f->flags, where fcntl(F_SETFL) puts it; every
 * socket call first copies it into lwIP (one ioctl when it changed), so
 * fcntl needs no hook into this file.
 */
#include "fd.h"
#include "libc_internal.h"
#include "socket_file.h"
#include "netsock.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

/* Our constants are netsock.h's: values pass through unchanged. */
_Static_assert(SOL_SOCKET == NETSOCK_SOL_SOCKET && SO_ERROR == NETSOCK_SO_ERROR &&
               SO_RCVBUF == NETSOCK_SO_RCVBUF && SO_SNDBUF == NETSOCK_SO_SNDBUF &&
               SO_REUSEADDR == NETSOCK_SO_REUSEADDR && SO_KEEPALIVE == NETSOCK_SO_KEEPALIVE &&
               TCP_NODELAY == NETSOCK_TCP_NODELAY && IPPROTO_TCP == NETSOCK_IPPROTO_TCP &&
               SO_RCVTIMEO == NETSOCK_SO_RCVTIMEO && SO_LINGER == NETSOCK_SO_LINGER,
               "socket option values");
_Static_assert(MSG_PEEK == NETSOCK_MSG_PEEK && MSG_DONTWAIT == NETSOCK_MSG_DONTWAIT &&
               MSG_WAITALL == NETSOCK_MSG_WAITALL && MSG_NOSIGNAL == NETSOCK_MSG_NOSIGNAL &&
               MSG_MORE == NETSOCK_MSG_MORE && MSG_TRUNC == NETSOCK_MSG_TRUNC, "MSG_* values");
_Static_assert(POLLIN == NETSOCK_POLLIN && POLLOUT == NETSOCK_POLLOUT &&
               POLLERR == NETSOCK_POLLERR && POLLHUP == NETSOCK_POLLHUP &&
               POLLNVAL == NETSOCK_POLLNVAL && POLLRDNORM == NETSOCK_POLLRDNORM &&
               POLLWRNORM == NETSOCK_POLLWRNORM, "POLL* values");
_Static_assert(sizeof(struct iovec) == sizeof(struct netsock_iov), "iovec layout");

struct sock {
    int s;                      /* lwIP socket */
    int nonblock;               /* what lwIP was last told */
};

static const struct file_ops socket_ops;

/* The default start-up hook for images without the network layer. */
/* Without the network layer there is nothing to drain at exit. */
__attribute__((weak)) void libc_net_drain(void)
{
}

__attribute__((weak)) void libc_net_init(void)
{
}

int socket_file_sock(struct file *f)
{
    return f->ops == &socket_ops ? ((struct sock *)f->priv)->s : -1;
}

/* Tells lwIP about an O_NONBLOCK change made by fcntl. */
static struct sock *sync_file(struct file *f)
{
    struct sock *sk = f->priv;
    int want = (f->flags & O_NONBLOCK) != 0;

    if (want != sk->nonblock && netsock_set_nonblock(sk->s, want) == 0)
        sk->nonblock = want;
    return sk;
}

/* The socket at fd with a file reference held (file_put when done). */
static struct sock *sock_get(int fd, struct file **out, long *err)
{
    struct file *f = fd_lookup(fd);

    if (!f) {
        *err = -EBADF;
        return NULL;
    }
    if (f->ops != &socket_ops) {
        file_put(f);
        *err = -ENOTSOCK;
        return NULL;
    }
    *out = f;
    return sync_file(f);
}

static long addr_in(const struct sockaddr *a, socklen_t len, struct netsock_addr *out)
{
    if (!a)
        return -EFAULT;
    if (len < sizeof(sa_family_t))
        return -EINVAL;
    if (a->sa_family != AF_INET)
        return -EAFNOSUPPORT;
    if (len < sizeof(struct sockaddr_in))
        return -EINVAL;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)a;
    out->ip = sin->sin_addr.s_addr;
    out->port = ntohs(sin->sin_port);
    return 0;
}

/* POSIX: copy as much as fits, report the full size. */
static void addr_out(const struct netsock_addr *a, struct sockaddr *out, socklen_t *len)
{
    struct sockaddr_in sin;

    if (!out || !len)
        return;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(a->port);
    sin.sin_addr.s_addr = a->ip;
    memcpy(out, &sin, *len < sizeof(sin) ? *len : sizeof(sin));
    *len = sizeof(sin);
}

static long install(int s, int flags)
{
    struct sock *sk = calloc(1, sizeof(*sk));
    struct file *f = sk ? file_new(&socket_ops, O_RDWR, sk) : NULL;

    if (!f) {
        free(sk);
        netsock_close(s);
        return -ENOMEM;
    }
    sk->s = s;
    if (flags & SOCK_NONBLOCK)
        f->flags |= O_NONBLOCK;
    int fd = fd_install(f, 0);
    if (fd < 0)
        file_put(f);            /* release closes the lwIP socket */
    return fd;
}

int socket(int domain, int type, int protocol)
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);

    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (!netsock_socket)
        return (int)syscall_result(-ENOSYS);        /* image without the network layer */
    if (domain != AF_INET)
        return (int)syscall_result(-EAFNOSUPPORT);
    int s = netsock_socket(domain, type, protocol);
    if (s < 0)
        return (int)syscall_result(s);
    return (int)syscall_result(install(s, flags));
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
    (void)domain, (void)type, (void)protocol, (void)sv;
    return (int)syscall_result(-EOPNOTSUPP);
}

/* bind and connect: translate the address, then hand it to the stack. */
static int with_address(int fd, const struct sockaddr *addr, socklen_t len,
                        int (*op)(int s, const struct netsock_addr *a))
{
    struct netsock_addr a;
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    r = addr_in(addr, len, &a);
    if (r == 0)
        r = op(sk->s, &a);
    file_put(f);
    return (int)syscall_result(r);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    return with_address(fd, addr, len, netsock_bind);
}

int listen(int fd, int backlog)
{
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    r = netsock_listen(sk->s, backlog);
    file_put(f);
    return (int)syscall_result(r);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    struct netsock_addr a;
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    r = netsock_accept(sk->s, &a);
    file_put(f);
    if (r < 0)
        return (int)syscall_result(r);
    addr_out(&a, addr, len);
    return (int)syscall_result(install((int)r, flags));
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    return with_address(fd, addr, len, netsock_connect);
}

int shutdown(int fd, int how)
{
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    r = netsock_shutdown(sk->s, how);
    file_put(f);
    return (int)syscall_result(r);
}

/* --- data ------------------------------------------------------------------ */

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    struct netsock_addr to;
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return syscall_result(r);
    r = 0;
    if (msg->msg_name)
        r = addr_in(msg->msg_name, msg->msg_namelen, &to);
    if (r == 0)
        r = netsock_sendv(sk->s, (const struct netsock_iov *)msg->msg_iov, (int)msg->msg_iovlen,
                          flags, msg->msg_name ? &to : NULL);
    file_put(f);
    return syscall_result(r);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    struct netsock_addr from;
    struct file *f;
    long r;
    int out_flags = 0;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return syscall_result(r);
    r = netsock_recvv(sk->s, (const struct netsock_iov *)msg->msg_iov, (int)msg->msg_iovlen,
                      flags, &from, &out_flags);
    file_put(f);
    if (r >= 0) {
        if (msg->msg_name)
            addr_out(&from, msg->msg_name, &msg->msg_namelen);
        msg->msg_controllen = 0;
        msg->msg_flags = out_flags;
    }
    return syscall_result(r);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
    struct iovec iov = { (void *)buf, len };
    struct msghdr msg = { (void *)to, tolen, &iov, 1, NULL, 0, 0 };

    return sendmsg(fd, &msg, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    struct iovec iov = { buf, len };
    struct msghdr msg = { from, fromlen ? *fromlen : 0, &iov, 1, NULL, 0, 0 };
    ssize_t r = recvmsg(fd, &msg, flags);

    if (r >= 0 && from && fromlen)
        *fromlen = msg.msg_namelen;
    return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    return recvfrom(fd, buf, len, flags, NULL, NULL);
}

/* --- options and names ------------------------------------------------------- */

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    r = val ? netsock_setopt(sk->s, level, name, val, len) : -EFAULT;
    file_put(f);
    return (int)syscall_result(r);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    unsigned l = len ? *len : 0;
    r = val && len ? netsock_getopt(sk->s, level, name, val, &l) : -EFAULT;
    if (r == 0)
        *len = l;
    file_put(f);
    return (int)syscall_result(r);
}

static int sock_name(int fd, int peer, struct sockaddr *addr, socklen_t *len)
{
    struct netsock_addr a;
    struct file *f;
    long r;
    struct sock *sk = sock_get(fd, &f, &r);

    if (!sk)
        return (int)syscall_result(r);
    r = addr && len ? netsock_name(sk->s, peer, &a) : -EFAULT;
    file_put(f);
    if (r == 0)
        addr_out(&a, addr, len);
    return (int)syscall_result(r);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sock_name(fd, 0, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sock_name(fd, 1, addr, len);
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    struct file *f;
    long r;

    va_start(ap, request);
    int *arg = va_arg(ap, int *);
    va_end(ap);
    struct sock *sk = sock_get(fd, &f, &r);
    if (!sk)
        return (int)syscall_result(r == -ENOTSOCK ? -ENOTTY : r);
    if (request == FIONREAD) {
        r = netsock_nread(sk->s);
        if (r >= 0) {
            *arg = (int)r;
            r = 0;
        }
    } else if (request == FIONBIO) {
        f->flags = *arg ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
        r = 0;
    } else {
        r = -ENOTTY;
    }
    file_put(f);
    return (int)syscall_result(r);
}

/* --- the socket's file operations ---------------------------------------------- */

static ssize_t sock_readv(struct file *f, const struct iovec *iov, int n)
{
    return netsock_recvv(sync_file(f)->s, (const struct netsock_iov *)iov, n, 0, NULL, NULL);
}

static ssize_t sock_writev(struct file *f, const struct iovec *iov, int n)
{
    return netsock_sendv(sync_file(f)->s, (const struct netsock_iov *)iov, n, 0, NULL);
}

static ssize_t sock_read(struct file *f, void *buf, size_t len)
{
    struct iovec iov = { buf, len };
    return sock_readv(f, &iov, 1);
}

static ssize_t sock_write(struct file *f, const void *buf, size_t len)
{
    struct iovec iov = { (void *)buf, len };
    return sock_writev(f, &iov, 1);
}

static int sock_fstat(struct file *f, struct stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFSOCK | 0777;
    return 0;
}

static short sock_poll(struct file *f, short events)
{
    struct netsock_pollfd p = { ((struct sock *)f->priv)->s, events, 0 };

    return netsock_poll(&p, 1, 0) < 0 ? POLLERR : p.revents;
}

static void sock_release(struct file *f)
{
    struct sock *sk = f->priv;

    netsock_close(sk->s);
    free(sk);
}

static const struct file_ops socket_ops = {
    .read = sock_read, .write = sock_write, .fstat = sock_fstat, .release = sock_release,
    .poll = sock_poll, .readv = sock_readv, .writev = sock_writev,
};

/*
 * badnet.c - the guest program of the bad-input network suite
 * (tests/suites/net_bad.sh). One source, two roles:
 *
 *   badnet serve [IDLE_S]     poll-loop server, never gives up on errors:
 *       TCP 7000  echo (any number of connections, up to the stack's limit)
 *       UDP 7001  echo; "quit" prints a summary and ends the program
 *       TCP 7004  source: writes an endless stream (SO_KEEPALIVE 2/1/3)
 *       TCP 7005  sink: reads to end of stream (SO_KEEPALIVE 2/1/3)
 *     Failed accepts are counted per errno, not fatal; a source or sink
 *     whose peer vanishes reports the error and how long it took:
 *       "vanish: sink read error ECONNABORTED after 5.3 s without data"
 *   badnet vanish SERVER      the peer that vanishes: reads from 7004 and
 *     writes to 7005 at once, prints "vanish-client: streaming" after
 *     4 MiB each way, then keeps going until its VM is killed.
 *
 * The suite kills the vanish VM mid-transfer and then checks that the
 * server reports both errors within a bounded time and still serves.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS     1100
#define PORT_ECHO   7000
#define PORT_UDP    7001
#define PORT_SOURCE 7004
#define PORT_SINK   7005
#define CHUNK       65536
#define KEEP_IDLE_S 2
#define KEEP_INTVL_S 1
#define KEEP_CNT    3

enum kind { K_LISTEN, K_UDP, K_ECHO, K_SOURCE, K_SINK };

struct conn {
    enum kind kind;
    int port;                   /* listeners: which service they accept for */
    uint64_t bytes;
    double last_progress;       /* seconds, CLOCK_MONOTONIC */
};

static struct pollfd pfd[MAX_FDS];
static struct conn conns[MAX_FDS];
static int nfds;
static unsigned long accepted, accept_errors[160], max_open;
static char buf[CHUNK];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    printf("FAIL badnet: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *errname(int e)
{
    switch (e) {
    case ECONNRESET: return "ECONNRESET";
    case ECONNABORTED: return "ECONNABORTED";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPIPE: return "EPIPE";
    case ENOTCONN: return "ENOTCONN";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    default: return "other";
    }
}

static void set_nonblock(int fd)
{
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
        die("O_NONBLOCK");
}

static void add(int fd, enum kind kind, int port, short events)
{
    if (nfds == MAX_FDS) {
        close(fd);
        accept_errors[EMFILE]++;
        return;
    }
    pfd[nfds] = (struct pollfd){ fd, events, 0 };
    conns[nfds] = (struct conn){ kind, port, 0, now_s() };
    nfds++;
    if ((unsigned long)nfds > max_open)
        max_open = (unsigned long)nfds;
}

static void drop(int i)
{
    close(pfd[i].fd);
    pfd[i] = pfd[nfds - 1];
    conns[i] = conns[nfds - 1];
    nfds--;
}

static int listener(int type, int port)
{
    int one = 1, fd = socket(AF_INET, type, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

    if (fd < 0)
        die("socket");
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
        die("SO_REUSEADDR");
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
        die("bind");
    if (type == SOCK_STREAM && listen(fd, 64))
        die("listen");
    set_nonblock(fd);
    return fd;
}

/* A dead peer is noticed after about IDLE + CNT * INTVL seconds. */
static void keepalive(int fd)
{
    int one = 1, idle = KEEP_IDLE_S, intvl = KEEP_INTVL_S, cnt = KEEP_CNT;

    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)))
        printf("FAIL badnet: keepalive options: %s\n", strerror(errno));
}

static void accept_on(int i)
{
    int fd = accept(pfd[i].fd, NULL, NULL), one = 1;

    if (fd < 0) {
        if (errno == EAGAIN)
            return;
        int e = errno < 160 ? errno : 0;
        if (accept_errors[e]++ == 0)
            printf("badnet: accept failed: %s (%s), %d descriptors open; counting\n",
                   errname(e), strerror(e), nfds);
        return;
    }
    accepted++;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_nonblock(fd);
    if (conns[i].port == PORT_ECHO) {
        add(fd, K_ECHO, 0, POLLIN);
        return;
    }
    keepalive(fd);
    if (conns[i].port == PORT_SOURCE)
        add(fd, K_SOURCE, 0, POLLOUT);
    else
        add(fd, K_SINK, 0, POLLIN);
}

static void vanish_report(int i, const char *op, int e)
{
    printf("vanish: %s %s error %s after %.1f s without progress (%.1f MiB moved)\n",
           conns[i].kind == K_SINK ? "sink" : "source", op, errname(e),
           now_s() - conns[i].last_progress, conns[i].bytes / 1048576.0);
    fflush(stdout);
}

/* Echo: what arrives goes back; a full send buffer drops the rest (the
 * clients of this suite wait for each answer, so it never fills). */
static void serve_echo(int i)
{
    ssize_t n = read(pfd[i].fd, buf, sizeof(buf));

    if (n < 0 && errno == EAGAIN)
        return;
    if (n <= 0) {
        drop(i);
        return;
    }
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(pfd[i].fd, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EAGAIN) {
            struct pollfd one = { pfd[i].fd, POLLOUT, 0 };
            if (poll(&one, 1, 2000) <= 0)
                break;
            continue;
        }
        if (w <= 0)
            break;
        off += w;
    }
}

static void serve_sink(int i)
{
    ssize_t n = read(pfd[i].fd, buf, sizeof(buf));

    if (n < 0 && errno == EAGAIN)
        return;
    if (n < 0)
        vanish_report(i, "read", errno);
    if (n == 0)
        printf("sink: end of stream after %.1f MiB\n", conns[i].bytes / 1048576.0);
    if (n <= 0) {
        drop(i);
        return;
    }
    conns[i].bytes += (uint64_t)n;
    conns[i].last_progress = now_s();
}

static void serve_source(int i)
{
    ssize_t n = write(pfd[i].fd, buf, sizeof(buf));

    if (n < 0 && errno == EAGAIN)
        return;
    if (n <= 0) {
        vanish_report(i, "write", n < 0 ? errno : 0);
        drop(i);
        return;
    }
    conns[i].bytes += (uint64_t)n;
    conns[i].last_progress = now_s();
}

static void summary(void)
{
    printf("badnet: %lu accepted, at most %lu descriptors in the poll set", accepted, max_open);
    for (int e = 0; e < 160; e++)
        if (accept_errors[e])
            printf(", %lu accepts failed with %s", accept_errors[e], errname(e));
    printf("\n");
}

/* Returns 0 when the program should end. */
static int serve_udp(int i)
{
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    ssize_t n = recvfrom(pfd[i].fd, buf, 2048, 0, (struct sockaddr *)&from, &len);

    if (n > 0)
        sendto(pfd[i].fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
    return !(n == 4 && !memcmp(buf, "quit", 4));
}

/* Belt and braces: should poll not report an aborted source (POLLERR),
 * an idle second looks at SO_ERROR; the report then says "(SO_ERROR)". */
static void check_stalled(void)
{
    for (int i = nfds - 1; i >= 0; i--) {
        if (conns[i].kind != K_SOURCE)
            continue;
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err) {
            vanish_report(i, "write (SO_ERROR)", err);
            drop(i);
        }
    }
}

static int serve(int idle_s)
{
    add(listener(SOCK_STREAM, PORT_ECHO), K_LISTEN, PORT_ECHO, POLLIN);
    add(listener(SOCK_DGRAM, PORT_UDP), K_UDP, PORT_UDP, POLLIN);
    add(listener(SOCK_STREAM, PORT_SOURCE), K_LISTEN, PORT_SOURCE, POLLIN);
    add(listener(SOCK_STREAM, PORT_SINK), K_LISTEN, PORT_SINK, POLLIN);
    printf("badnet: listening on %d, %d (udp), %d (source), %d (sink)\n", PORT_ECHO,
           PORT_UDP, PORT_SOURCE, PORT_SINK);
    fflush(stdout);
    double last_event = now_s();
    for (;;) {
        int r = poll(pfd, (nfds_t)nfds, 1000);
        if (r < 0)
            die("poll");
        if (r == 0) {
            check_stalled();
            if (now_s() - last_event > idle_s) {
                printf("FAIL badnet: idle for %d s\n", idle_s);
                summary();
                return 1;
            }
            continue;
        }
        last_event = now_s();
        for (int i = nfds - 1; i >= 0; i--) {
            if (!pfd[i].revents)
                continue;
            switch (conns[i].kind) {
            case K_LISTEN: accept_on(i); break;
            case K_ECHO: serve_echo(i); break;
            case K_SINK: serve_sink(i); break;
            case K_SOURCE: serve_source(i); break;
            case K_UDP:
                if (!serve_udp(i)) {
                    summary();
                    usleep(200 * 1000);
                    printf("ok server quit\n");
                    return 0;
                }
            }
        }
    }
}

static int connect_to(struct in_addr ip, int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = ip };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
        die("connect");
    set_nonblock(fd);
    return fd;
}

/* Streams both ways until killed. */
static int vanish(const char *name)
{
    struct hostent *h = gethostbyname(name);
    uint64_t in = 0, out = 0;
    int said = 0;

    if (!h) {
        printf("FAIL badnet: cannot resolve %s\n", name);
        return 1;
    }
    struct in_addr ip;
    memcpy(&ip, h->h_addr_list[0], 4);
    struct pollfd p[2] = { { connect_to(ip, PORT_SOURCE), POLLIN, 0 },
                           { connect_to(ip, PORT_SINK), POLLOUT, 0 } };
    for (;;) {
        if (poll(p, 2, 10000) <= 0)
            die("vanish-client poll");
        ssize_t n;
        if ((p[0].revents & POLLIN) && (n = read(p[0].fd, buf, sizeof(buf))) > 0)
            in += (uint64_t)n;
        if ((p[1].revents & POLLOUT) && (n = write(p[1].fd, buf, sizeof(buf))) > 0)
            out += (uint64_t)n;
        if (!said && in >= (4u << 20) && out >= (4u << 20)) {
            printf("vanish-client: streaming (%llu KiB in, %llu KiB out)\n",
                   (unsigned long long)(in >> 10), (unsigned long long)(out >> 10));
            fflush(stdout);
            said = 1;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "serve"))
        return serve(argc >= 3 ? atoi(argv[2]) : 120);
    if (argc >= 3 && !strcmp(argv[1], "vanish"))
        return vanish(argv[2]);
    printf("usage: badnet serve [IDLE_S] | badnet vanish SERVER\n");
    return 2;
}

/*
 * server.c - the serving VM of the network suite (tests/suites/net.sh):
 * one thread, one poll loop over every socket, like MPICH's progress
 * engine. It answers ICMP echo by itself (lwIP) and serves:
 *   TCP 7000  echo, any number of connections
 *   UDP 7001  echo; the datagram "quit" ends the program
 *   TCP 7002  sink: reads to end of stream, answers "<bytes> <fnv1a>\n"
 *   TCP 7003  reset: closes a connection as soon as data arrives, without
 *             reading it (lwIP then answers with an RST)
 * Listeners are non-blocking and the poll set also holds /dev/null, which
 * must never make poll block or misreport the sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS     256
#define PORT_ECHO   7000
#define PORT_UDP    7001
#define PORT_SINK   7002
#define PORT_RESET  7003

enum kind { K_NULL, K_LISTEN_ECHO, K_LISTEN_SINK, K_LISTEN_RESET, K_UDP, K_ECHO, K_SINK, K_RESET };

struct conn {
    enum kind kind;
    uint64_t bytes;
    uint32_t hash;
};

static struct pollfd pfd[MAX_FDS];
static struct conn conns[MAX_FDS];
static int nfds;

static void die(const char *what)
{
    printf("FAIL server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void add(int fd, enum kind kind)
{
    if (nfds == MAX_FDS)
        die("too many descriptors");
    pfd[nfds] = (struct pollfd){ fd, POLLIN, 0 };
    conns[nfds] = (struct conn){ kind, 0, 2166136261u };
    nfds++;
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
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
        die("O_NONBLOCK");
    return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EAGAIN) {
            struct pollfd one = { fd, POLLOUT, 0 };
            poll(&one, 1, 1000);
            continue;
        }
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void accept_on(int i)
{
    struct sockaddr_in peer;
    socklen_t len = sizeof(peer);
    int fd = accept(pfd[i].fd, (struct sockaddr *)&peer, &len);

    if (fd < 0) {
        if (errno != EAGAIN)
            printf("server: accept: %s\n", strerror(errno));
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    add(fd, conns[i].kind == K_LISTEN_ECHO ? K_ECHO
          : conns[i].kind == K_LISTEN_SINK ? K_SINK : K_RESET);
}

/* Returns 0 when the program should end. */
static int serve_udp(int i)
{
    char buf[2048];
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    ssize_t n = recvfrom(pfd[i].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

    if (n > 0)
        sendto(pfd[i].fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
    return !(n == 4 && !memcmp(buf, "quit", 4));
}

static void serve_stream(int i)
{
    static char buf[65536];
    ssize_t n = read(pfd[i].fd, buf, sizeof(buf));

    if (n < 0 && errno == EAGAIN)
        return;
    if (n <= 0) {
        if (conns[i].kind == K_SINK) {
            char line[64];
            int l = snprintf(line, sizeof(line), "%llu %08x\n",
                             (unsigned long long)conns[i].bytes, conns[i].hash);
            write_all(pfd[i].fd, line, (size_t)l);
        }
        drop(i);
        return;
    }
    if (conns[i].kind == K_ECHO) {
        write_all(pfd[i].fd, buf, (size_t)n);
        return;
    }
    for (ssize_t k = 0; k < n; k++)
        conns[i].hash = (conns[i].hash ^ (uint8_t)buf[k]) * 16777619u;
    conns[i].bytes += (uint64_t)n;
}

int main(void)
{
    int devnull = open("/dev/null", O_RDONLY);

    add(listener(SOCK_STREAM, PORT_ECHO), K_LISTEN_ECHO);
    add(listener(SOCK_DGRAM, PORT_UDP), K_UDP);
    add(listener(SOCK_STREAM, PORT_SINK), K_LISTEN_SINK);
    add(listener(SOCK_STREAM, PORT_RESET), K_LISTEN_RESET);
    /* /dev/null asked for nothing: present in the set, never ready. */
    add(devnull, K_NULL);
    pfd[nfds - 1].events = 0;
    printf("server: listening on %d, %d (udp), %d, %d\n", PORT_ECHO, PORT_UDP, PORT_SINK,
           PORT_RESET);
    fflush(stdout);
    for (;;) {
        int r = poll(pfd, (nfds_t)nfds, 60000);
        if (r < 0)
            die("poll");
        if (r == 0) {
            printf("FAIL server: idle for 60 s\n");
            return 1;
        }
        if (pfd[nfds - 1].revents && conns[nfds - 1].kind == K_NULL)
            printf("FAIL server: /dev/null with no events reported %#x\n", pfd[nfds - 1].revents);
        for (int i = nfds - 1; i >= 0; i--) {
            short rev = pfd[i].revents;
            if (!rev || conns[i].kind == K_NULL)
                continue;
            switch (conns[i].kind) {
            case K_LISTEN_ECHO: case K_LISTEN_SINK: case K_LISTEN_RESET:
                accept_on(i);
                break;
            case K_RESET:
                drop(i);            /* unread data: close sends an RST */
                break;
            case K_UDP:
                if (!serve_udp(i)) {
                    /* Give the acknowledgement time to leave before power-off. */
                    usleep(200 * 1000);
                    printf("ok server quit\n");
                    return 0;
                }
                break;
            default:
                serve_stream(i);
            }
        }
    }
}

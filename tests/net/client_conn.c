/*
 * client_conn.c - the client's connection checks: many concurrent
 * connections set up the way MPICH's ch3:sock does it (non-blocking
 * connect, poll on a set that mixes sockets with other descriptors,
 * SO_ERROR, readv/writev with 16 pieces), UDP datagrams, the refused and
 * reset paths, and a connection to a host program through QEMU's slirp.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "client.h"

#define CONNS   32
#define PIECES  16

/* Non-blocking connects to the echo port, completed through poll. */
static int connect_all(int *fd, int n)
{
    struct pollfd p[CONNS + 2];
    int pending = n;

    for (int i = 0; i < n; i++) {
        struct sockaddr_in sin = addr_of(server, 7000);
        fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int r = connect(fd[i], (struct sockaddr *)&sin, sizeof(sin));
        check(r == 0 || errno == EINPROGRESS, "non-blocking connect: EINPROGRESS");
    }
    /* Two other descriptors in the set: a ramfs file (always ready) asked
     * for nothing, and /dev/null asked for nothing. */
    p[n] = (struct pollfd){ open("/tmp/poll-file", O_CREAT | O_RDWR, 0644), 0, 0 };
    p[n + 1] = (struct pollfd){ open("/dev/null", O_RDONLY), 0, 0 };
    for (int i = 0; i < n; i++)
        p[i] = (struct pollfd){ fd[i], POLLOUT, 0 };
    while (pending > 0) {
        int r = poll(p, (nfds_t)n + 2, 10000);
        if (r == 0 && poll(p, (nfds_t)n + 2, 0) > 0) {
            /* Ready now but the 10 s wait saw nothing: a lost wake-up. */
            check(0, "poll slept through a completed connection");
            break;
        }
        if (r <= 0) {
            printf("poll for connections: %d of %d still pending after 10 s\n", pending, n);
            check(0, "poll for connections");
            break;
        }
        for (int i = 0; i < n; i++) {
            if (!(p[i].revents & POLLOUT))
                continue;
            int err = -1;
            socklen_t len = sizeof(err);
            struct sockaddr_in peer;
            socklen_t plen = sizeof(peer);
            check(getsockopt(fd[i], SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
                  "SO_ERROR 0 after connect");
            check(getpeername(fd[i], (struct sockaddr *)&peer, &plen) == 0 &&
                  peer.sin_addr.s_addr == server.s_addr && ntohs(peer.sin_port) == 7000,
                  "getpeername");
            p[i].events = 0;
            pending--;
        }
    }
    close(p[n].fd);
    close(p[n + 1].fd);
    return pending == 0;
}

/* Every connection sends a distinct message in 16 pieces and reads it back. */
static void check_echo(int n, int rounds)
{
    int fd[CONNS];
    char out[CONNS][PIECES * 64], in[PIECES * 64];

    if (!connect_all(fd, n))
        return;
    for (int round = 0; round < rounds; round++) {
        struct pollfd p[CONNS];
        size_t got[CONNS] = { 0 };
        int left = n;
        for (int i = 0; i < n; i++) {
            struct iovec iov[PIECES];
            for (int k = 0; k < (int)sizeof(out[i]); k++)
                out[i][k] = (char)(i * 7 + k + round * 13);
            for (int k = 0; k < PIECES; k++)
                iov[k] = (struct iovec){ out[i] + k * 64, 64 };
            check(writev(fd[i], iov, PIECES) == (ssize_t)sizeof(out[i]), "writev 16 pieces");
            p[i] = (struct pollfd){ fd[i], POLLIN, 0 };
        }
        while (left > 0 && poll(p, (nfds_t)n, 10000) > 0) {
            for (int i = 0; i < n; i++) {
                if (!(p[i].revents & POLLIN))
                    continue;
                struct iovec iov[PIECES];
                size_t want = sizeof(in) - got[i];
                for (int k = 0; k < PIECES; k++)
                    iov[k] = (struct iovec){ in + got[i] + k * (want / PIECES),
                                             k == PIECES - 1 ? want - k * (want / PIECES)
                                                             : want / PIECES };
                ssize_t r = readv(fd[i], iov, PIECES);
                if (r < 0 && errno == EAGAIN)
                    continue;
                check(r > 0, "readv from an echo connection");
                if (r <= 0) {
                    p[i].events = 0, left--;
                    continue;
                }
                /* readv fills the pieces in order: compare that stretch. */
                check(!memcmp(in + got[i], out[i] + got[i], (size_t)r), "echoed bytes match");
                got[i] += (size_t)r;
                if (got[i] == sizeof(in))
                    p[i].events = 0, left--;
            }
        }
        check(left == 0, "every connection echoed");
    }
    for (int i = 0; i < n; i++)
        close(fd[i]);
}

static void check_udp(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0), echoed = 0;
    struct sockaddr_in to = addr_of(server, 7001);

    check(fd >= 0, "UDP socket");
    for (int i = 0; fd >= 0 && i < 100; i++) {
        char msg[512], back[600];
        int len = 64 + i * 4;
        memset(msg, 'a' + i % 26, (size_t)len);
        sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to));
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 2000) != 1)
            continue;
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        ssize_t n = recvfrom(fd, back, sizeof(back), 0, (struct sockaddr *)&from, &flen);
        echoed += n == len && !memcmp(msg, back, (size_t)len) &&
                  from.sin_addr.s_addr == server.s_addr && ntohs(from.sin_port) == 7001;
    }
    printf("udp: %d of 100 datagrams echoed\n", echoed);
    check(echoed == 100, "every datagram echoed");
    close(fd);
}

static void check_refused(void)
{
    struct sockaddr_in sin = addr_of(server, 7999);
    int fd = tcp_connect(server, 7999);

    check(fd < 0 && errno == ECONNREFUSED, "blocking connect to a closed port: ECONNREFUSED");
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
    check(r < 0 && errno == EINPROGRESS, "non-blocking connect: EINPROGRESS");
    struct pollfd p = { fd, POLLOUT, 0 };
    check(poll(&p, 1, 5000) == 1 && (p.revents & (POLLOUT | POLLERR)), "poll sees the refusal");
    int err = 0;
    socklen_t len = sizeof(err);
    int gr = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    check(gr == 0 && err == ECONNREFUSED,
          "SO_ERROR is ECONNREFUSED");
    close(fd);
}

/* The server closes without reading what we sent: its stack answers RST. */
static void check_reset(void)
{
    int fd = tcp_connect(server, 7003);
    char c;

    check(fd >= 0, "connect to the reset port");
    check(write(fd, "x", 1) == 1, "write before the reset");
    struct pollfd p = { fd, POLLIN, 0 };
    check(poll(&p, 1, 5000) == 1, "poll sees the reset");
    ssize_t r = read(fd, &c, 1);
    check(r < 0 && errno == ECONNRESET, "read after RST: ECONNRESET");
    r = write(fd, "x", 1);
    check(r < 0, "write after RST fails");
    close(fd);
}

/* The server answers "quit" before it leaves; the answer also tells us the
 * datagram left this VM before it powers off. */
static void send_quit(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0), acked = 0;
    struct sockaddr_in to = addr_of(server, 7001);
    char back[8];

    for (int tries = 0; fd >= 0 && tries < 5 && !acked; tries++) {
        sendto(fd, "quit", 4, 0, (struct sockaddr *)&to, sizeof(to));
        struct pollfd p = { fd, POLLIN, 0 };
        acked = poll(&p, 1, 1000) == 1 && recv(fd, back, sizeof(back), 0) == 4;
    }
    check(acked, "the server acknowledged quit");
    close(fd);
}

/* slirp: 10.0.2.2 is the host's loopback; the host program answers "pong <line>". */
void check_host(int port)
{
    struct in_addr host = { .s_addr = inet_addr("10.0.2.2") };
    char line[64] = { 0 };
    int fd = tcp_connect(host, port);

    check(fd >= 0, "connect to the host through slirp");
    if (fd < 0)
        return;
    check(write(fd, "ping hermit\n", 12) == 12, "write to the host");
    ssize_t n = read(fd, line, sizeof(line) - 1);
    check(n > 0 && !strcmp(line, "pong hermit\n"), "the host answered");
    close(fd);
    if (n > 0 && !strcmp(line, "pong hermit\n"))
        printf("ok host\n");
}

int client_conn_check(const char *name)
{
    int before = failures;

    if (!strcmp(name, "echo32"))
        check_echo(CONNS, 4);
    else if (!strcmp(name, "mpich"))
        check_echo(4, 50);
    else if (!strcmp(name, "udp"))
        check_udp();
    else if (!strcmp(name, "refused"))
        check_refused();
    else if (!strcmp(name, "reset"))
        check_reset();
    else if (!strcmp(name, "quit"))
        send_quit();
    else
        return 0;
    if (failures == before)
        printf("ok %s\n", name);
    return 1;
}

/*
 * client.c - the active VM of the network suite: runs the checks named on
 * its command line against server.c on the other VM, prints "ok NAME"
 * for each check that passes and exits with the number of failures.
 *
 *   client SERVER CHECK...      SERVER: a name from hosts= or an address
 * Checks: await names ping echo32 mpich bulk latency udp refused reset quit;
 * "host PORT" (slirp: talks to a host program at 10.0.2.2:PORT).
 * The connection-heavy checks (echo32, mpich, udp, refused, reset, quit,
 * host) are in client_conn.c; client.h is what the two files share.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

struct in_addr server;
int failures;

void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
        failures++;
    }
}

double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct sockaddr_in addr_of(struct in_addr ip, int port)
{
    return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = ip };
}

int tcp_connect(struct in_addr ip, int port)
{
    struct sockaddr_in sin = addr_of(ip, port);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int read_full(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* --- names, interfaces --------------------------------------------------------- */

static void check_names(const char *name)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
    char text[INET_ADDRSTRLEN];
    struct ifaddrs *ifa;
    int before = failures;

    check(getaddrinfo(name, "7000", &hints, &res) == 0 && res, "getaddrinfo");
    if (res) {
        struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
        check(sin->sin_addr.s_addr == server.s_addr && ntohs(sin->sin_port) == 7000,
              "getaddrinfo address");
        freeaddrinfo(res);
    }
    struct hostent *h = gethostbyname(name);
    check(h && !memcmp(h->h_addr_list[0], &server, 4), "gethostbyname");
    check(getaddrinfo("no-such-host", NULL, &hints, &res) == EAI_NONAME, "EAI_NONAME");
    check(inet_ntop(AF_INET, &server, text, sizeof(text)) && inet_addr(text) == server.s_addr,
          "inet_ntop/inet_addr");
    check(getifaddrs(&ifa) == 0, "getifaddrs");
    int found = 0;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
        if (strcmp(i->ifa_name, "lo")) {
            printf("interface %s %s\n", i->ifa_name,
                   inet_ntoa(((struct sockaddr_in *)i->ifa_addr)->sin_addr));
            found++;
        }
    freeifaddrs(ifa);
    check(found >= 1, "an interface besides lo");
    if (failures == before)
        printf("ok names\n");
}

/* --- ICMP echo through a raw socket ---------------------------------------------- */

static uint16_t icmp_sum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void check_ping(void)
{
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), answered = 0;
    struct sockaddr_in to = addr_of(server, 0);

    check(fd >= 0, "raw ICMP socket");
    for (uint16_t seq = 1; fd >= 0 && seq <= 3; seq++) {
        uint8_t pkt[64] = { 8, 0, 0, 0, 0x12, 0x34, (uint8_t)(seq >> 8), (uint8_t)seq };
        memset(pkt + 8, 0xA5, sizeof(pkt) - 8);
        uint16_t sum = icmp_sum(pkt, sizeof(pkt));
        pkt[2] = (uint8_t)(sum >> 8), pkt[3] = (uint8_t)sum;
        double t0 = now_us();
        sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
        struct pollfd p = { fd, POLLIN, 0 };
        while (poll(&p, 1, 2000) == 1) {
            uint8_t in[256];
            ssize_t n = recv(fd, in, sizeof(in), 0);
            size_t ihl = n > 0 ? (size_t)(in[0] & 15) * 4 : 0;
            /* Raw sockets see the IP header; an echo reply is type 0. */
            if (n >= (ssize_t)(ihl + 8) && in[ihl] == 0 && in[ihl + 6] == (uint8_t)(seq >> 8) &&
                in[ihl + 7] == (uint8_t)seq) {
                printf("icmp echo reply seq %u: %.0f us\n", seq, now_us() - t0);
                answered++;
                break;
            }
        }
    }
    check(answered == 3, "three ICMP echo replies");
    close(fd);
    if (answered == 3)
        printf("ok ping\n");
}

/* --- bulk transfer, latency ---------------------------------------------------------- */

static void check_bulk(void)
{
    const size_t total = 64u << 20, chunk = 1 << 16;
    char *buf = malloc(chunk), line[64] = { 0 };
    uint32_t hash = 2166136261u;
    int fd = tcp_connect(server, 7002);

    check(fd >= 0 && buf, "connect to the sink");
    if (fd < 0 || !buf)
        return;
    double t0 = now_us();
    for (size_t sent = 0; sent < total; sent += chunk) {
        for (size_t i = 0; i < chunk; i++) {
            buf[i] = (char)((sent + i) * 2654435761u >> 13);
            hash = (hash ^ (uint8_t)buf[i]) * 16777619u;
        }
        /* Four pieces per call: writev on a socket. */
        struct iovec iov[4];
        for (int k = 0; k < 4; k++)
            iov[k] = (struct iovec){ buf + k * (chunk / 4), chunk / 4 };
        ssize_t w = writev(fd, iov, 4);
        if (w != (ssize_t)chunk) {
            check(0, "writev to the sink");
            close(fd);
            return;
        }
    }
    check(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
    ssize_t n = read(fd, line, sizeof(line) - 1);
    double secs = (now_us() - t0) / 1e6;
    char want[64];
    snprintf(want, sizeof(want), "%llu %08x\n", (unsigned long long)total, hash);
    check(n > 0 && !strcmp(line, want), "sink saw every byte (count and FNV-1a)");
    printf("bulk: %zu MiB in %.2f s: %.1f MiB/s (TCG)\n", total >> 20, secs,
           (double)(total >> 20) / secs);
    close(fd);
    free(buf);
    if (n > 0 && !strcmp(line, want))
        printf("ok bulk\n");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void check_latency(void)
{
    enum { ROUNDS = 1000 };
    static double rtt[ROUNDS];
    char msg[64] = "latency probe";
    int fd = tcp_connect(server, 7000), done = 0;

    check(fd >= 0, "connect for latency");
    for (; fd >= 0 && done < ROUNDS; done++) {
        double t0 = now_us();
        if (write(fd, msg, sizeof(msg)) != sizeof(msg) || read_full(fd, msg, sizeof(msg)))
            break;
        rtt[done] = now_us() - t0;
    }
    check(done == ROUNDS, "1000 round trips");
    if (done == ROUNDS) {
        qsort(rtt, ROUNDS, sizeof(double), cmp_double);
        printf("latency: 64-byte TCP round trip min %.0f us median %.0f us max %.0f us (TCG)\n",
               rtt[0], rtt[ROUNDS / 2], rtt[ROUNDS - 1]);
        printf("ok latency\n");
    }
    if (fd >= 0)
        close(fd);
}

/*
 * The two VMs boot in parallel and a loaded host may start the server
 * last: until its echo port accepts, a burst of connects would race its
 * listen() and some would be refused.
 */
static void wait_for_server(void)
{
    struct sockaddr_in sin = addr_of(server, 7000);

    for (int tries = 0; tries < 600; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
        close(fd);
        if (r == 0)
            return;
        usleep(50000);
    }
    check(0, "the server's echo port accepts within 30 s");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: client SERVER CHECK...\n");
        return 2;
    }
    struct hostent *h = gethostbyname(argv[1]);
    if (!h) {
        printf("FAIL cannot resolve %s\n", argv[1]);
        return 1;
    }
    memcpy(&server, h->h_addr_list[0], 4);
    for (int i = 2; i < argc; i++) {
        const char *c = argv[i];
        if (!strcmp(c, "await"))
            wait_for_server();
        else if (!strcmp(c, "names"))
            check_names(argv[1]);
        else if (!strcmp(c, "ping"))
            check_ping();
        else if (!strcmp(c, "bulk"))
            check_bulk();
        else if (!strcmp(c, "latency"))
            check_latency();
        else if (!strcmp(c, "host") && i + 1 < argc)
            check_host(atoi(argv[++i]));
        else if (!client_conn_check(c))
            printf("FAIL unknown check %s\n", c), failures++;
    }
    printf("%d failures\n", failures);
    return failures;
}

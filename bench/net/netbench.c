/*
 * netbench.c - the TCP benchmark of bench/net/run.py: ping-pong latency
 * and a one-way stream between two VMs. One source for both systems:
 * bin/hermit-cc builds the unikernel image, `gcc -static` the Linux
 * guest's program (bench/baseline/build-linux-guest.sh --add).
 *
 *   netbench [-L ADDR/PREFIX] server [PORT]
 *   netbench [-L ADDR/PREFIX] client SERVER_IP [PORT] [-r ROUNDS] [-s MIB] [-z SIZES]
 *
 * -L (Linux guest only): loads the virtio-net modules from /bin (.ko) and
 * gives eth0 the address, with ioctls; the initramfs has no modules tree
 * and the kernel's command line takes too few words for a shell script.
 * The unikernel takes its address from the kernel option ip= instead.
 *
 * The client runs, one connection each (TCP_NODELAY on both ends):
 *   ping-pong: ROUNDS messages of each size (default 8,1024,65536) sent
 *     and echoed back in full; prints the round trip per message:
 *       "pingpong SIZE rounds N rtt_us min MIN median MED max MAX"
 *   stream: STREAM_MIB MiB in 64 KiB writes; the server answers one byte
 *     after the last one; prints "stream MIB mib seconds S mb_s X" (MB/s
 *     = 10^6 bytes per second, from the first write to the answer).
 * then tells the server to quit. Both exit 0 on success, 1 on errors.
 * Times come from CLOCK_MONOTONIC in the guest: under TCG they are
 * emulated time, comparable between systems only in one configuration.
 */
#include <arpa/inet.h>
#include <errno.h>
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

#define DEFAULT_PORT    7100
#define STREAM_CHUNK    65536
#define MAX_MSG         (1 << 20)
#define CONNECT_TRIES   300             /* 100 ms apart: the server may still boot */

enum op { OP_PINGPONG = 1, OP_STREAM = 2, OP_QUIT = 3 };

struct request {
    uint32_t op, size;
    uint64_t count;                     /* rounds, or stream bytes */
};

static char *buf;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
    printf("netbench: FAIL %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static int read_full(int fd, void *p, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

static void nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
        die("TCP_NODELAY");
}

/* --- Linux guest network set-up ---------------------------------------------- */

#if defined(__linux__) && !defined(__hermit__)     /* hermit-cc runs the host gcc */
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

/* In dependency order; an already loaded module (EEXIST) is fine. */
static const char *const modules[] = {
    "virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci",
    "failover", "net_failover", "virtio_net",
};

static void load_modules(void)
{
    for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/bin/%s.ko", modules[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            die(path);
        if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
            die(path);
        close(fd);
    }
}

static void set_addr(int s, struct ifreq *ifr, unsigned long req, in_addr_t a, const char *what)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = a };
    memcpy(&ifr->ifr_addr, &sin, sizeof(sin));
    if (ioctl(s, req, ifr))
        die(what);
}

static void linux_setup(const char *cidr)
{
    char ip[32];
    const char *slash = strchr(cidr, '/');
    int prefix = slash ? atoi(slash + 1) : 24;
    size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
    struct in_addr a;

    snprintf(ip, sizeof(ip), "%.*s", (int)n, cidr);
    if (inet_pton(AF_INET, ip, &a) != 1 || prefix < 1 || prefix > 32) {
        printf("netbench: FAIL -L wants ADDR/PREFIX, not %s\n", cidr);
        exit(2);
    }
    load_modules();
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = { 0 };
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "eth0");
    for (int tries = 0; ioctl(s, SIOCGIFFLAGS, &ifr); tries++) {     /* the driver probes */
        if (tries == 100)
            die("eth0 never appeared");
        usleep(50 * 1000);
    }
    set_addr(s, &ifr, SIOCSIFADDR, a.s_addr, "SIOCSIFADDR");
    set_addr(s, &ifr, SIOCSIFNETMASK, htonl(~0u << (32 - prefix)), "SIOCSIFNETMASK");
    if (ioctl(s, SIOCGIFFLAGS, &ifr))
        die("SIOCGIFFLAGS");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr))
        die("SIOCSIFFLAGS");
    close(s);
}
#else
static void linux_setup(const char *cidr)
{
    (void)cidr;                         /* the unikernel: ip= on its command line */
}
#endif

/* --- server ------------------------------------------------------------------ */

static int serve_pingpong(int fd, const struct request *rq)
{
    for (uint64_t i = 0; i < rq->count; i++)
        if (read_full(fd, buf, rq->size) || write_full(fd, buf, rq->size))
            return -1;
    return 0;
}

static int serve_stream(int fd, const struct request *rq)
{
    for (uint64_t left = rq->count; left > 0;) {
        ssize_t r = read(fd, buf, left < MAX_MSG ? left : MAX_MSG);
        if (r <= 0)
            return -1;
        left -= (uint64_t)r;
    }
    return write_full(fd, "k", 1);
}

/* Returns 1 when the client asked to quit. */
static int serve_one(int fd)
{
    struct request rq;

    nodelay(fd);
    if (read_full(fd, &rq, sizeof(rq)) || rq.size > MAX_MSG)
        return printf("netbench: bad request\n"), 0;
    int r = rq.op == OP_PINGPONG ? serve_pingpong(fd, &rq)
          : rq.op == OP_STREAM ? serve_stream(fd, &rq) : 0;
    if (r)
        printf("netbench: connection failed: %s\n", strerror(errno));
    return rq.op == OP_QUIT;
}

static int server(int port)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
        die("socket");
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 8))
        die("bind/listen");
    printf("netbench: server listening on %d\n", port);
    fflush(stdout);
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            die("accept");
        int quit = serve_one(c);
        close(c);
        if (quit) {
            usleep(200 * 1000);         /* lets the FIN leave before power-off */
            return 0;
        }
    }
}

/* --- client ------------------------------------------------------------------ */

static int connect_to(const char *ip, int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

    if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1) {
        printf("netbench: FAIL not an IPv4 address: %s\n", ip);
        exit(2);
    }
    for (int tries = 0; tries < CONNECT_TRIES; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            die("socket");
        if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
            nodelay(fd);
            return fd;
        }
        close(fd);
        usleep(100 * 1000);
    }
    die("connect");
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void pingpong(const char *ip, int port, uint32_t size, int rounds)
{
    int fd = connect_to(ip, port), warm = rounds / 10 + 1;
    struct request rq = { OP_PINGPONG, size, (uint64_t)(rounds + warm) };
    double *rtt = malloc(sizeof(double) * (size_t)rounds);

    if (!rtt || write_full(fd, &rq, sizeof(rq)))
        die("ping-pong request");
    for (int i = 0; i < rounds + warm; i++) {
        double t0 = now_us();
        if (write_full(fd, buf, size) || read_full(fd, buf, size))
            die("ping-pong");
        if (i >= warm)
            rtt[i - warm] = now_us() - t0;
    }
    qsort(rtt, (size_t)rounds, sizeof(double), cmp_double);
    printf("pingpong %u rounds %d rtt_us min %.1f median %.1f max %.1f\n", size, rounds, rtt[0],
           rtt[rounds / 2], rtt[rounds - 1]);
    fflush(stdout);
    free(rtt);
    close(fd);
}

static void stream(const char *ip, int port, int mib)
{
    int fd = connect_to(ip, port);
    uint64_t total = (uint64_t)mib << 20;
    struct request rq = { OP_STREAM, 0, total };
    char ack;

    if (write_full(fd, &rq, sizeof(rq)))
        die("stream request");
    double t0 = now_us();
    for (uint64_t sent = 0; sent < total; sent += STREAM_CHUNK)
        if (write_full(fd, buf, STREAM_CHUNK))
            die("stream write");
    if (read_full(fd, &ack, 1))
        die("stream answer");
    double secs = (now_us() - t0) / 1e6;
    printf("stream %d mib seconds %.3f mb_s %.2f\n", mib, secs, (double)total / secs / 1e6);
    fflush(stdout);
    close(fd);
}

static void quit(const char *ip, int port)
{
    int fd = connect_to(ip, port);
    struct request rq = { OP_QUIT, 0, 0 };
    char c;

    if (write_full(fd, &rq, sizeof(rq)))
        die("quit request");
    /* The server closes after the request: wait for that (3 s at most),
     * or this VM could power off before the request has left. */
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 3000) == 1)
        (void)read(fd, &c, 1);
    else
        printf("netbench: the server did not close after quit\n");
    close(fd);
}

static int client(int argc, char **argv)
{
    const char *ip = argv[0], *sizes = "8,1024,65536";
    int port = DEFAULT_PORT, rounds = 1000, mib = 64;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            mib = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-z") && i + 1 < argc)
            sizes = argv[++i];
        else
            port = atoi(argv[i]);
    }
    if (rounds < 1 || mib < 1) {
        printf("netbench: rounds and stream size must be positive\n");
        return 2;
    }
    for (const char *p = sizes; *p;) {
        long size = strtol(p, (char **)&p, 10);
        if (size < 1 || size > MAX_MSG) {
            printf("netbench: message sizes must be 1..%d\n", MAX_MSG);
            return 2;
        }
        pingpong(ip, port, (uint32_t)size, size >= 65536 ? rounds / 4 + 1 : rounds);
        p += *p == ',';
    }
    stream(ip, port, mib);
    quit(ip, port);
    printf("netbench: done\n");
    return 0;
}

int main(int argc, char **argv)
{
    buf = calloc(1, MAX_MSG);
    if (!buf)
        die("malloc");
    if (argc >= 3 && !strcmp(argv[1], "-L")) {
        linux_setup(argv[2]);
        argc -= 2, argv += 2;
    }
    if (argc >= 2 && !strcmp(argv[1], "server"))
        return server(argc >= 3 ? atoi(argv[2]) : DEFAULT_PORT);
    if (argc >= 3 && !strcmp(argv[1], "client"))
        return client(argc - 2, argv + 2);
    printf("usage: netbench [-L ADDR/PREFIX] server [PORT] | netbench [-L ADDR/PREFIX] client "
           "SERVER_IP [PORT] [-r ROUNDS] [-s STREAM_MIB] [-z SIZES]\n");
    return 2;
}

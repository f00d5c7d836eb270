/*
 * cloud.c - before main, a cloud instance reads its job from the metadata
 * service and joins the job's head; while it runs, what the program
 * writes also goes to the head; at the end, its exit status does
 * (protocol and exit statuses in cloud.h).
 */
#include "cloud.h"
#include "metadata_parse.h"
#include "libc_internal.h"

#include "boot.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "netsock.h"
#include "shutdown.h"
#include "thread.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_WAIT_MS        30000   /* the head may start a little after us */
#define HEAD_CONNECT_MS     3000
#define HEAD_REPLY_MS       10000
#define HEAD_SEND_MS        10000   /* a head that stops reading loses our output */
#define EXIT_ACK_MS         5000
#define VALUE_MAX           2048
#define SECRET_MAX          128
#define JOB_SIZE_MAX        4096

static struct {
    int console_fd;             /* -1: no job (guarded by lock while >= 0) */
    int rank, size;
    pthread_mutex_t lock;       /* one frame at a time on console_fd */
} job = { .console_fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static _Noreturn __attribute__((format(printf, 2, 3)))
void cloud_fail(int code, const char *fmt, ...)
{
    char text[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    kprintf("hermit-cloud: %s (exit status %d)\n", text, code);
    /* The instance's serial console is all a user (or a test) gets back:
     * the clock rate and the NIC and TCP counters tell a lost packet from a
     * silent service or a stalled VM. */
    shutdown_set_stats(1);
    _exit(code);
}

/* A metadata value; NULL if absent. A broken or oversized one ends us. */
static char *value_of(struct metadata *md, const char *key)
{
    char *v = malloc(VALUE_MAX), why[160] = "";
    int err = v ? metadata_get(md, key, v, VALUE_MAX, why, sizeof(why)) : MD_EMALFORMED;

    if (err == MD_OK)
        return v;
    free(v);
    if (err == MD_ENOTFOUND)
        return NULL;
    if (err == MD_ETOOLONG)
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "metadata key %s is longer than %d bytes", key,
                   VALUE_MAX - 1);
    cloud_fail(CLOUD_EXIT_BAD_METADATA, "metadata key %s: %s", key,
               why[0] ? why : metadata_parse_strerror(err));
}

static int parse_number(const char *text, long max, long *out)
{
    long v = 0;

    if (!*text)
        return 0;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || v > max)
            return 0;
        v = v * 10 + (*text - '0');
    }
    *out = v;
    return v <= max;
}

/* Words of `text` with the kernel command line's quoting. */
static struct cmdline *split_words(const char *key, const char *text)
{
    size_t n = strlen(text);
    char *line = malloc(n + 4);
    struct cmdline *cl = malloc(sizeof(*cl));

    if (!line || !cl)
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "out of memory reading %s", key);
    memcpy(line, "-- ", 3);
    memcpy(line + 3, text, n + 1);
    int err = cmdline_parse(cl, line);
    free(line);
    if (err)
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "metadata key %s: %s at byte %zu", key,
                   cmdline_strerror(err), cl->error_pos > 3 ? cl->error_pos - 3 : 0);
    return cl;
}

static void apply_args(struct metadata *md, int *argc, char ***argv)
{
    char *text = value_of(md, "hermit-args");

    if (!text)
        return;
    struct cmdline *cl = split_words("hermit-args", text);
    char **v = malloc((size_t)(cl->argc + 2) * sizeof(char *));
    if (!v)
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "out of memory for hermit-args");
    v[0] = (*argv)[0];
    for (int i = 0; i < cl->argc; i++)
        v[i + 1] = cl->argv[i];         /* cl is never freed: argv points into it */
    v[cl->argc + 1] = NULL;
    *argc = cl->argc + 1;
    *argv = v;
    free(text);
}

static void apply_env(struct metadata *md)
{
    char *text = value_of(md, "hermit-env");

    if (!text)
        return;
    struct cmdline *cl = split_words("hermit-env", text);
    for (int i = 0; i < cl->argc; i++) {
        char *eq = strchr(cl->argv[i], '=');
        if (!eq || eq == cl->argv[i])
            cloud_fail(CLOUD_EXIT_BAD_METADATA, "metadata key hermit-env: '%s' is not NAME=VALUE",
                       cl->argv[i]);
        *eq = '\0';
        setenv(cl->argv[i], eq + 1, 1);
    }
    free(cl);
    free(text);
}

static int parse_head(const char *text, struct sockaddr_in *sa)
{
    char addr[INET_ADDRSTRLEN];
    const char *colon = strrchr(text, ':');
    long port;

    if (!colon || (size_t)(colon - text) >= sizeof(addr) || !parse_number(colon + 1, 65535, &port) ||
        port == 0)
        return 0;
    memcpy(addr, text, (size_t)(colon - text));
    addr[colon - text] = '\0';
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, addr, &sa->sin_addr) == 1;
}

static void set_timeout(int fd, int option, int ms)
{
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

    setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

static int send_all(int fd, const void *buf, size_t len)
{
    for (const char *p = buf; len;) {
        ssize_t n = send(fd, p, len, 0);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One line from the head, read a byte at a time: nothing after it may be
 * consumed, since MPICH reads the PMI link next. */
static int read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;

    while (n + 1 < cap) {
        char c;
        if (recv(fd, &c, 1, 0) != 1)
            return -1;
        if (c == '\n') {
            line[n] = '\0';
            return 0;
        }
        line[n++] = c;
    }
    return -1;
}

/* The value of word `key=` in a PMI-style line, or NULL. */
static const char *field(const char *line, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);

    for (const char *p = line; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n > k && !strncmp(p, key, k) && p[k] == '=') {
            snprintf(out, cap, "%.*s", (int)(n - k - 1), p + k + 1);
            return out;
        }
        p += n;
    }
    return NULL;
}

/* Connects to the head and joins as `kind`; returns a blocking descriptor. */
static int join_head(const char *head_text, const struct sockaddr_in *head, const char *kind,
                     const char *secret)
{
    uint64_t deadline = clock_ns() / 1000000 + HEAD_WAIT_MS;
    char why[160] = "", line[512], value[300];
    int fd = -1;

    for (int attempt = 0; fd < 0; attempt++) {
        fd = cloud_connect(head, HEAD_CONNECT_MS, why, sizeof(why));
        if (fd >= 0)
            break;
        if (clock_ns() / 1000000 >= deadline)
            cloud_fail(CLOUD_EXIT_NO_HEAD, "the job's head %s cannot be reached: %s (tried for %d s)",
                       head_text, why, HEAD_WAIT_MS / 1000);
        if (attempt == 0)
            klog(LOG_WARN, "cloud: head %s: %s; retrying for up to %d s\n", head_text,
                 why, HEAD_WAIT_MS / 1000);
        thread_sleep_ns(1000ull * 1000 * 1000);
    }
    fcntl(fd, F_SETFL, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_timeout(fd, SO_SNDTIMEO, HEAD_SEND_MS);
    set_timeout(fd, SO_RCVTIMEO, HEAD_REPLY_MS);
    int n = snprintf(line, sizeof(line), "cmd=hermit-join kind=%s rank=%d secret=%s\n", kind,
                     job.rank, secret);
    if (send_all(fd, line, (size_t)n) || read_line(fd, line, sizeof(line)))
        cloud_fail(CLOUD_EXIT_NO_HEAD, "the job's head %s did not answer the %s join", head_text,
                   kind);
    if (!strncmp(line, "cmd=hermit-join-error", 21)) {
        if (!field(line, "msg", value, sizeof(value)))
            strcpy(value, "no reason given");
        for (char *c = value; *c; c++)
            *c = *c == '_' ? ' ' : *c;
        cloud_fail(CLOUD_EXIT_REFUSED, "the job's head %s refused rank %d: %s", head_text,
                   job.rank, value);
    }
    long size;
    if (strncmp(line, "cmd=hermit-join-ok", 18) || !field(line, "size", value, sizeof(value)) ||
        !parse_number(value, JOB_SIZE_MAX, &size))
        cloud_fail(CLOUD_EXIT_NO_HEAD, "the job's head %s answered '%.80s' to the join",
                   head_text, line);
    if (size != job.size)
        cloud_fail(CLOUD_EXIT_REFUSED, "the head's job has %ld ranks, the metadata says %d",
                   size, job.size);
    set_timeout(fd, SO_RCVTIMEO, 0);
    return fd;
}

static void join_job(struct metadata *md)
{
    char *head = value_of(md, "hermit-head"), *rank = value_of(md, "hermit-rank");
    char *size = value_of(md, "hermit-size"), *secret = value_of(md, "hermit-secret");
    struct sockaddr_in sa;
    long r, n;

    if (!head && !rank && !size && !secret)
        return;
    if (!head || !rank || !size || !secret)
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "metadata has only some of hermit-head, hermit-rank, "
                   "hermit-size, hermit-secret (missing %s)",
                   !head ? "hermit-head" : !rank ? "hermit-rank" : !size ? "hermit-size"
                                                                        : "hermit-secret");
    if (!parse_head(head, &sa))
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "hermit-head=%s is not IPV4ADDRESS:PORT", head);
    if (!parse_number(size, JOB_SIZE_MAX, &n) || n < 1)
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "hermit-size=%s is not a number of 1..%d", size,
                   JOB_SIZE_MAX);
    if (!parse_number(rank, n - 1, &r))
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "hermit-rank=%s is not a rank of 0..%ld", rank, n - 1);
    if (!*secret || strlen(secret) >= SECRET_MAX || strpbrk(secret, " \t\r\n="))
        cloud_fail(CLOUD_EXIT_BAD_METADATA, "hermit-secret must be 1..%d characters without "
                   "blanks or '='", SECRET_MAX - 1);
    job.rank = (int)r;
    job.size = (int)n;

    int console = join_head(head, &sa, "console", secret);
    int pmi = join_head(head, &sa, "pmi", secret);
    struct sockaddr_in self;
    socklen_t len = sizeof(self);
    char text[INET_ADDRSTRLEN], number[16];
    getsockname(pmi, (struct sockaddr *)&self, &len);
    inet_ntop(AF_INET, &self.sin_addr, text, sizeof(text));
    /* MPICH's business card names the address the peers dial. */
    setenv("MPICH_INTERFACE_HOSTNAME", text, 1);
    snprintf(number, sizeof(number), "%d", pmi);
    setenv("PMI_FD", number, 1);
    setenv("PMI_RANK", rank, 1);
    setenv("PMI_SIZE", size, 1);
    klog(LOG_INFO, "cloud: rank %d of %d at %s joined head %s\n", job.rank, job.size,
         text, head);
    job.console_fd = console;
    free(head), free(rank), free(size), free(secret);
}

void libc_cloud_init(int *argc, char ***argv)
{
    const char *flavour = cmdline_get(boot_get_cmdline(), "cloud");
    struct netsock_ifinfo nic;
    char why[200] = "";
    int code;

    if (!flavour)
        return;
    /* netsock_ifinfo is weak: NULL in an image without the network layer. */
    if (!netsock_ifinfo || netsock_ifinfo(0, &nic) != 0)
        cloud_fail(CLOUD_EXIT_NO_NETWORK, "cloud=%s needs a network: ip=dhcp and a virtio-net NIC",
                   flavour);
    if (!nic.addr)
        cloud_fail(CLOUD_EXIT_NO_NETWORK, "no DHCP answer on %s: the instance has no address",
                   nic.name);
    struct metadata *md = metadata_open(flavour, why, sizeof(why), &code);
    if (!md)
        cloud_fail(code, "no instance metadata: %s", why);
    klog(LOG_INFO, "cloud: %s metadata service, MTU %u\n",
         metadata_flavour_name(metadata_flavour(md)), nic.mtu);
    apply_args(md, argc, argv);
    apply_env(md);
    join_job(md);
}

void libc_cloud_output(const void *buf, size_t len)
{
    char header[48];

    if (job.console_fd < 0 || !len)
        return;
    pthread_mutex_lock(&job.lock);
    if (job.console_fd >= 0) {
        int n = snprintf(header, sizeof(header), "cmd=hermit-output len=%zu\n", len);
        if (send_all(job.console_fd, header, (size_t)n) || send_all(job.console_fd, buf, len)) {
            kprintf("hermit-cloud: the head stopped taking output; it stays on this console\n");
            close(job.console_fd);
            job.console_fd = -1;
        }
    }
    pthread_mutex_unlock(&job.lock);
}

void libc_cloud_exit(int status)
{
    char line[64];

    if (job.console_fd < 0)
        return;
    pthread_mutex_lock(&job.lock);
    int fd = job.console_fd;
    job.console_fd = -1;
    pthread_mutex_unlock(&job.lock);
    if (fd < 0)
        return;
    int n = snprintf(line, sizeof(line), "cmd=hermit-exit status=%d\n", status);
    set_timeout(fd, SO_RCVTIMEO, EXIT_ACK_MS);
    if (send_all(fd, line, (size_t)n) || read_line(fd, line, sizeof(line)) ||
        strcmp(line, "cmd=hermit-exit-ack"))
        kprintf("hermit-cloud: the head did not acknowledge exit status %d\n", status);
    close(fd);
}

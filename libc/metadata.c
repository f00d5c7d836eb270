/*
 * metadata.c - the instance metadata service at 169.254.169.254, as GCE,
 * EC2 (IMDSv2) and OpenStack serve it (see cloud.h for the keys).
 *
 * Plain HTTP/1.0 over the C library's own sockets: one request per
 * connection, the answer read until the service closes it. Every request
 * is bounded (METADATA_REQUEST_MS); finding the service is retried until
 * METADATA_WAIT_MS, because a cloud's network may need a moment after
 * DHCP, but never longer.
 */
#include "cloud.h"
#include "metadata_parse.h"

#include "console.h"
#include "clock.h"
#include "thread.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define METADATA_ADDR       "169.254.169.254"
#define METADATA_REQUEST_MS 2000
#define METADATA_WAIT_MS    30000
#define RESPONSE_MAX        (64 * 1024)
#define TOKEN_MAX           256

struct metadata {
    enum cloud_flavour flavour;
    char token[TOKEN_MAX];      /* EC2's IMDSv2 session token */
    char *doc;                  /* EC2 user data, or OpenStack's meta_data.json */
    size_t doc_len;
    char *user_data;            /* OpenStack's user_data (may be absent) */
    size_t user_data_len;
    char buf[RESPONSE_MAX];
};

static uint64_t now_ms(void)
{
    return clock_ns() / 1000000;
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
    uint64_t now = now_ms();
    struct pollfd p = { .fd = fd, .events = events };

    if (now >= deadline)
        return 0;
    return poll(&p, 1, (int)(deadline - now)) == 1;
}

int cloud_connect(const struct sockaddr_in *sa, int timeout_ms, char *why, size_t cap)
{
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return snprintf(why, cap, "socket: %s", strerror(errno)), -1;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS)
        snprintf(why, cap, "connect: %s", strerror(errno));
    else if (!wait_fd(fd, POLLOUT, deadline))
        snprintf(why, cap, "no connection within %d ms", timeout_ms);
    else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr)
        snprintf(why, cap, "connect: %s", strerror(soerr ? soerr : errno));
    else
        return fd;
    close(fd);
    return -1;
}

/*
 * One request; the response lands in md->buf and is parsed into *r.
 * Returns 0, or -1 with why set (no answer, a broken answer).
 */
static int http(struct metadata *md, const char *method, const char *path,
                const char *headers, struct http_response *r, char *why, size_t cap)
{
    uint64_t deadline = now_ms() + METADATA_REQUEST_MS;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(80) };
    char request[768];
    size_t got = 0;
    int fd, n;

    inet_pton(AF_INET, METADATA_ADDR, &sa.sin_addr);
    n = snprintf(request, sizeof(request), "%s %s HTTP/1.0\r\nHost: " METADATA_ADDR "\r\n%s"
                 "Connection: close\r\n\r\n", method, path, headers);
    if (n < 0 || (size_t)n >= sizeof(request))
        return snprintf(why, cap, "request for %s too long", path), -1;
    fd = cloud_connect(&sa, METADATA_REQUEST_MS, why, cap);
    if (fd < 0)
        return -1;
    for (size_t sent = 0; sent < (size_t)n;) {
        ssize_t w = wait_fd(fd, POLLOUT, deadline) ? send(fd, request + sent, (size_t)n - sent, 0) : -1;
        if (w <= 0) {
            snprintf(why, cap, "sending the request failed");
            goto fail;
        }
        sent += (size_t)w;
    }
    for (;;) {
        if (!wait_fd(fd, POLLIN, deadline)) {
            snprintf(why, cap, "no complete answer to %s %s within %d ms", method, path,
                     METADATA_REQUEST_MS);
            goto fail;
        }
        ssize_t m = recv(fd, md->buf + got, sizeof(md->buf) - 1 - got, 0);
        if (m < 0 && errno == EAGAIN)
            continue;
        if (m < 0) {
            snprintf(why, cap, "receive: %s", strerror(errno));
            goto fail;
        }
        if (m == 0)
            break;
        got += (size_t)m;
        if (got == sizeof(md->buf) - 1) {
            snprintf(why, cap, "answer to %s longer than %d bytes", path, RESPONSE_MAX);
            goto fail;
        }
    }
    close(fd);
    md->buf[got] = '\0';
    int err = http_response_parse(md->buf, got, r);
    if (err)
        return snprintf(why, cap, "answer to %s %s: %s HTTP", method, path,
                        metadata_parse_strerror(err)), -1;
    return 0;
fail:
    close(fd);
    return -1;
}

/* A copy of the body that outlives md->buf's next use. */
static char *keep_body(const struct http_response *r, size_t *len)
{
    char *copy = malloc(r->body_len + 1);

    if (copy) {
        memcpy(copy, r->body, r->body_len);
        copy[r->body_len] = '\0';
        *len = r->body_len;
    }
    return copy;
}

/* 1: this flavour's service answered and was read; 0: it is not this
 * cloud; -1: no usable answer (why says what). */
static int try_gce(struct metadata *md, char *why, size_t cap)
{
    struct http_response r;
    char flavour[32];

    if (http(md, "GET", "/computeMetadata/v1/instance/attributes/",
             "Metadata-Flavor: Google\r\n", &r, why, cap))
        return -1;
    if (http_header_get(&r, "Metadata-Flavor", flavour, sizeof(flavour)) || strcmp(flavour, "Google"))
        return 0;
    if (r.status != 200)
        return snprintf(why, cap, "GCE metadata answered %d", r.status), -1;
    return 1;
}

static int try_ec2(struct metadata *md, char *why, size_t cap)
{
    struct http_response r;
    char headers[TOKEN_MAX + 64];

    if (http(md, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 300\r\n",
             &r, why, cap))
        return -1;
    if (r.status == 404 || r.status == 405)
        return 0;
    if (r.status != 200)
        return snprintf(why, cap, "EC2 token request answered %d", r.status), -1;
    if (r.body_len == 0 || r.body_len >= sizeof(md->token) || memchr(r.body, '\n', r.body_len) ||
        memchr(r.body, '\r', r.body_len))
        return snprintf(why, cap, "EC2 token request answered a malformed token"), -1;
    memcpy(md->token, r.body, r.body_len);
    md->token[r.body_len] = '\0';
    snprintf(headers, sizeof(headers), "X-aws-ec2-metadata-token: %s\r\n", md->token);
    if (http(md, "GET", "/latest/user-data", headers, &r, why, cap))
        return -1;
    if (r.status == 404)
        return 1;                       /* no user data: no settings */
    if (r.status != 200)
        return snprintf(why, cap, "EC2 user-data answered %d", r.status), -1;
    md->doc = keep_body(&r, &md->doc_len);
    return md->doc ? 1 : (snprintf(why, cap, "out of memory"), -1);
}

static int try_openstack(struct metadata *md, char *why, size_t cap)
{
    struct http_response r;

    if (http(md, "GET", "/openstack/latest/meta_data.json", "", &r, why, cap))
        return -1;
    if (r.status == 404)
        return 0;
    if (r.status != 200)
        return snprintf(why, cap, "OpenStack meta_data.json answered %d", r.status), -1;
    md->doc = keep_body(&r, &md->doc_len);
    if (!md->doc)
        return snprintf(why, cap, "out of memory"), -1;
    char probe[8];
    int err = json_meta_get(md->doc, md->doc_len, "", probe, sizeof(probe));
    if (err == MD_EMALFORMED)
        return snprintf(why, cap, "OpenStack meta_data.json is not valid JSON"), -1;
    if (http(md, "GET", "/openstack/latest/user_data", "", &r, why, cap))
        return -1;
    if (r.status == 200)
        md->user_data = keep_body(&r, &md->user_data_len);
    else if (r.status != 404)
        return snprintf(why, cap, "OpenStack user_data answered %d", r.status), -1;
    return 1;
}

static int (*const probes[])(struct metadata *, char *, size_t) = {
    [CLOUD_GCE] = try_gce, [CLOUD_EC2] = try_ec2, [CLOUD_OPENSTACK] = try_openstack,
};

const char *metadata_flavour_name(enum cloud_flavour flavour)
{
    switch (flavour) {
    case CLOUD_GCE: return "gce";
    case CLOUD_EC2: return "ec2";
    case CLOUD_OPENSTACK: return "openstack";
    }
    return "?";
}

enum cloud_flavour metadata_flavour(const struct metadata *md)
{
    return md->flavour;
}

struct metadata *metadata_open(const char *flavour, char *why, size_t cap, int *exit_code)
{
    uint64_t deadline = now_ms() + METADATA_WAIT_MS;
    int first = CLOUD_GCE, last = CLOUD_OPENSTACK, not_this = 0;

    *exit_code = CLOUD_EXIT_BAD_METADATA;
    if (strcmp(flavour, "auto")) {
        for (first = CLOUD_GCE; first <= CLOUD_OPENSTACK; first++)
            if (!strcmp(flavour, metadata_flavour_name((enum cloud_flavour)first)))
                break;
        if (first > CLOUD_OPENSTACK)
            return snprintf(why, cap, "cloud=%s: expected auto, gce, ec2 or openstack", flavour),
                   NULL;
        last = first;
    }
    struct metadata *md = calloc(1, sizeof(*md));
    if (!md)
        return snprintf(why, cap, "out of memory"), NULL;
    *exit_code = CLOUD_EXIT_NO_METADATA;
    for (int round = 0; now_ms() < deadline; round++) {
        not_this = 0;
        for (int f = first; f <= last; f++) {
            md->flavour = (enum cloud_flavour)f;
            int found = probes[f](md, why, cap);
            if (found == 1)
                return md;
            not_this += found == 0;
            free(md->doc), md->doc = NULL;
            free(md->user_data), md->user_data = NULL;
        }
        if (not_this == last - first + 1) {
            snprintf(why, cap, "the service at " METADATA_ADDR " answers like none of %s",
                     first == last ? flavour : "gce, ec2, openstack");
            break;
        }
        if (round == 0)
            klog(LOG_WARN, "cloud: metadata service: %s; retrying for up to %d s\n",
                 why, METADATA_WAIT_MS / 1000);
        thread_sleep_ns(500ull * 1000 * 1000);
    }
    free(md);
    return NULL;
}

int metadata_get(struct metadata *md, const char *key, char *out, size_t cap,
                 char *why, size_t why_cap)
{
    struct http_response r;
    char path[160];
    int err;

    switch (md->flavour) {
    case CLOUD_GCE:
        snprintf(path, sizeof(path), "/computeMetadata/v1/instance/attributes/%s", key);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (http(md, "GET", path, "Metadata-Flavor: Google\r\n", &r, why, why_cap))
                continue;
            if (r.status == 404)
                return MD_ENOTFOUND;
            if (r.status != 200) {
                snprintf(why, why_cap, "GET %s answered %d", path, r.status);
                continue;
            }
            if (r.body_len + 1 > cap)
                return MD_ETOOLONG;
            memcpy(out, r.body, r.body_len);
            out[r.body_len] = '\0';
            return MD_OK;
        }
        return MD_EMALFORMED;
    case CLOUD_EC2:
        return md->doc ? kv_lines_get(md->doc, md->doc_len, key, out, cap) : MD_ENOTFOUND;
    case CLOUD_OPENSTACK:
        err = json_meta_get(md->doc, md->doc_len, key, out, cap);
        if (err == MD_ENOTFOUND && md->user_data)
            err = kv_lines_get(md->user_data, md->user_data_len, key, out, cap);
        if (err == MD_EMALFORMED)
            snprintf(why, why_cap, "meta_data.json: \"%s\" is not a string", key);
        return err;
    }
    return MD_ENOTFOUND;
}

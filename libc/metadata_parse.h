/*
 * metadata_parse.h - the pure parsing behind the cloud metadata client:
 * HTTP/1.x responses, user data of `key=value` lines, and the "meta"
 * object of OpenStack's meta_data.json.
 *
 * Nothing here touches the network or allocates, so the same source is
 * unit-tested on the host (tests/unit/test_metadata_parse.c).
 *
 * Contract: every function takes a buffer and its length (no NUL needed)
 * and writes at most `cap` bytes, always NUL-terminated, into `out`. A
 * value that does not fit is an error, never silently cut: a truncated
 * secret or address would fail later with a worse message.
 */
#ifndef LIBC_METADATA_PARSE_H
#define LIBC_METADATA_PARSE_H

#include <stddef.h>

enum metadata_parse_error {
    MD_OK = 0,
    MD_EINCOMPLETE,     /* the response ended before its headers or its Content-Length */
    MD_EMALFORMED,      /* not HTTP/1.x, or not the JSON/line syntax expected */
    MD_ENOTFOUND,       /* no such header or key */
    MD_ETOOLONG,        /* the value does not fit in the caller's buffer */
};

struct http_response {
    int status;                 /* 200, 404, ... */
    const char *headers;        /* the header lines, after the status line */
    size_t headers_len;
    const char *body;
    size_t body_len;            /* Content-Length if given, else the rest */
};

/* Splits a complete response (the connection closed after it). */
int http_response_parse(const char *buf, size_t len, struct http_response *out);

/* A header's value, leading and trailing blanks removed; names compare
 * without regard to case, as HTTP says. */
int http_header_get(const struct http_response *r, const char *name, char *out, size_t cap);

/* User data as `key=value` lines (EC2, OpenStack): blanks around the key
 * and the value are removed; lines starting with '#' and lines without
 * '=' are skipped. The last line naming the key wins. */
int kv_lines_get(const char *text, size_t len, const char *key, char *out, size_t cap);

/* The string value of `key` inside the top-level "meta" object of an
 * OpenStack meta_data.json document, JSON escapes decoded (\uXXXX only
 * for ASCII). Other members, nested or not, are skipped. */
int json_meta_get(const char *json, size_t len, const char *key, char *out, size_t cap);

const char *metadata_parse_strerror(int error);

#endif

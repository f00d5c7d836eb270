/*
 * fuzz_metadata.c - the cloud metadata parsers (libc/metadata_parse.c):
 * HTTP responses and their headers, key=value user data, OpenStack's
 * meta_data.json.
 *
 * Input: byte 0 picks the parser (bits 0-1) and byte 1 the output
 * buffer's size (cap, 1..256, a heap buffer of exactly that size). For
 * headers, user data and JSON the first line of the rest is the name or
 * key to look up and what follows the document; for HTTP the rest is the
 * response. Documents sit in heap copies of exactly their length (the
 * parsers take a length, no NUL).
 *
 * Properties: a value found is NUL-terminated inside cap; a parsed
 * response's headers and body lie inside the buffer.
 */
#include "fuzz.h"
#include "metadata_parse.h"

static void check_value(int err, const char *out, size_t cap)
{
    FUZZ_CHECK(metadata_parse_strerror(err) != NULL);
    if (err == MD_OK)
        FUZZ_CHECK(memchr(out, 0, cap) != NULL);
}

static void http(const char *doc, size_t len, const char *name, char *out, size_t cap)
{
    struct http_response r;
    int err = http_response_parse(doc, len, &r);

    FUZZ_CHECK(err == MD_OK || err == MD_EINCOMPLETE || err == MD_EMALFORMED);
    if (err)
        return;
    FUZZ_CHECK(r.status >= 0 && r.status <= 999);
    FUZZ_CHECK(r.headers >= doc && r.headers + r.headers_len <= doc + len);
    FUZZ_CHECK(r.body >= doc && r.body_len <= len && r.body + r.body_len <= doc + len);
    unsigned sum = 0;
    for (size_t i = 0; i < r.body_len; i++)
        sum += (unsigned char)r.body[i];
    (void)sum;
    if (name)
        check_value(http_header_get(&r, name, out, cap), out, cap);
    check_value(http_header_get(&r, "Content-Type", out, cap), out, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned mode = data[0] & 3;
    size_t cap = (size_t)data[1] + 1;
    const uint8_t *rest = data + 2;
    size_t rest_len = size - 2;
    const uint8_t *nl = mode ? memchr(rest, '\n', rest_len) : NULL;
    size_t key_len = nl ? (size_t)(nl - rest) : 0;
    char *key = (char *)fuzz_copy(rest, key_len, 1);     /* NUL-terminated */
    const uint8_t *doc_at = nl ? nl + 1 : rest;
    size_t doc_len = rest_len - (size_t)(doc_at - rest);
    char *doc = (char *)fuzz_copy(doc_at, doc_len, 0);
    char *out = malloc(cap);
    int err;

    switch (mode) {
    case 0:
    case 1:
        http(doc, doc_len, mode ? key : NULL, out, cap);
        break;
    case 2:
        err = kv_lines_get(doc, doc_len, key, out, cap);
        FUZZ_CHECK(err == MD_OK || err == MD_ENOTFOUND || err == MD_ETOOLONG);
        check_value(err, out, cap);
        break;
    case 3:
        err = json_meta_get(doc, doc_len, key, out, cap);
        check_value(err, out, cap);
        break;
    }
    free(out);
    free(doc);
    free(key);
    return 0;
}

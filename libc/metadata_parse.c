/*
 * metadata_parse.c - HTTP responses, key=value user data and OpenStack's
 * meta_data.json, parsed without allocating (see metadata_parse.h).
 */
#include "metadata_parse.h"

#include <string.h>

#define JSON_DEPTH_MAX 32

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int copy_out(const char *p, size_t n, char *out, size_t cap)
{
    if (n + 1 > cap)
        return MD_ETOOLONG;
    memcpy(out, p, n);
    out[n] = '\0';
    return MD_OK;
}

static int trimmed_copy(const char *p, const char *end, char *out, size_t cap)
{
    while (p < end && is_blank(*p))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    return copy_out(p, (size_t)(end - p), out, cap);
}

/* The first occurrence of "\r\n\r\n" (or a bare "\n\n"): the end of the headers. */
static const char *headers_end(const char *p, const char *end, size_t *sep)
{
    for (; p < end; p++) {
        if (end - p >= 4 && !memcmp(p, "\r\n\r\n", 4))
            return *sep = 4, p;
        if (end - p >= 2 && !memcmp(p, "\n\n", 2))
            return *sep = 2, p;
    }
    return NULL;
}

int http_response_parse(const char *buf, size_t len, struct http_response *out)
{
    const char *end = buf + len, *p = buf;
    size_t sep;
    int status = 0;

    memset(out, 0, sizeof(*out));
    if (len < 12)
        return MD_EINCOMPLETE;
    if (memcmp(p, "HTTP/1.", 7) || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
        return MD_EMALFORMED;
    p += 9;
    for (int i = 0; i < 3; i++, p++) {
        if (*p < '0' || *p > '9')
            return MD_EMALFORMED;
        status = status * 10 + (*p - '0');
    }
    const char *line_end = memchr(p, '\n', (size_t)(end - p));
    const char *head_end = headers_end(p, end, &sep);
    if (!line_end || !head_end)
        return MD_EINCOMPLETE;
    out->status = status;
    out->headers = line_end + 1;
    out->headers_len = head_end >= out->headers ? (size_t)(head_end - out->headers) : 0;
    out->body = head_end + sep;
    out->body_len = (size_t)(end - out->body);

    char text[24];
    int err = http_header_get(out, "Content-Length", text, sizeof(text));
    if (err == MD_ETOOLONG)
        return MD_EMALFORMED;
    if (err == MD_OK) {
        size_t n = 0;
        if (!text[0])
            return MD_EMALFORMED;
        for (const char *c = text; *c; c++) {
            if (*c < '0' || *c > '9' || n > (size_t)1 << 40)
                return MD_EMALFORMED;
            n = n * 10 + (size_t)(*c - '0');
        }
        if (n > out->body_len)
            return MD_EINCOMPLETE;
        out->body_len = n;
    }
    return MD_OK;
}

int http_header_get(const struct http_response *r, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    const char *p = r->headers, *end = r->headers + r->headers_len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon && (size_t)(colon - p) == name_len) {
            size_t i = 0;
            while (i < name_len && lower(p[i]) == lower(name[i]))
                i++;
            if (i == name_len)
                return trimmed_copy(colon + 1, eol, out, cap);
        }
        p = eol + 1;
    }
    return MD_ENOTFOUND;
}

int kv_lines_get(const char *text, size_t len, const char *key, char *out, size_t cap)
{
    const char *p = text, *end = text + len;
    const char *found = NULL, *found_end = NULL;
    size_t key_len = strlen(key);

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *k = p;
        while (k < eol && is_blank(*k))
            k++;
        const char *eq = memchr(k, '=', (size_t)(eol - k));
        if (k < eol && *k != '#' && eq) {
            const char *k_end = eq;
            while (k_end > k && is_blank(k_end[-1]))
                k_end--;
            if ((size_t)(k_end - k) == key_len && !memcmp(k, key, key_len))
                found = eq + 1, found_end = eol;
        }
        p = eol + 1;
    }
    if (!found)
        return MD_ENOTFOUND;
    return trimmed_copy(found, found_end, out, cap);
}

/* --- a JSON reader that skips what it does not need --------------------- */

struct json {
    const char *p, *end;
};

static void json_blank(struct json *j)
{
    while (j->p < j->end && is_blank(*j->p))
        j->p++;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads a string at j->p (which is '"'); decodes into out if out != NULL. */
static int json_string(struct json *j, char *out, size_t cap)
{
    size_t n = 0;

    if (j->p >= j->end || *j->p != '"')
        return MD_EMALFORMED;
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if ((unsigned char)c < 0x20)
            return MD_EMALFORMED;
        if (c == '\\') {
            if (j->p >= j->end)
                return MD_EMALFORMED;
            char e = *j->p++;
            switch (e) {
            case '"': case '\\': case '/': c = e; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = j->p < j->end ? hex_digit(*j->p++) : -1;
                    if (d < 0)
                        return MD_EMALFORMED;
                    v = v * 16 + d;
                }
                if (out && v > 0x7f)
                    return MD_EMALFORMED;   /* only ASCII matters for our keys */
                c = (char)v;
                break;
            }
            default:
                return MD_EMALFORMED;
            }
        }
        if (out) {
            if (n + 1 >= cap)
                return MD_ETOOLONG;
            out[n++] = c;
        }
    }
    if (j->p >= j->end)
        return MD_EMALFORMED;
    j->p++;
    if (out)
        out[n] = '\0';
    return MD_OK;
}

/* Reads a string at j->p; decodes it into out when it fits (MD_ETOOLONG
 * when not, with j->p past the string either way). */
static int json_string_copy(struct json *j, char *out, size_t cap)
{
    struct json whole = *j;
    int err = json_string(j, NULL, 0);

    if (err)
        return err;
    whole.end = j->p;
    return json_string(&whole, out, cap);
}

static int json_skip(struct json *j, int depth);

/* Walks an object's members; calls back for each key (decoded into key). */
static int json_members(struct json *j, int depth,
                        int (*member)(struct json *j, const char *key, void *ctx), void *ctx)
{
    char key[128];

    if (depth > JSON_DEPTH_MAX)
        return MD_EMALFORMED;
    json_blank(j);
    if (j->p >= j->end || *j->p != '{')
        return MD_EMALFORMED;
    j->p++;
    json_blank(j);
    if (j->p < j->end && *j->p == '}')
        return j->p++, MD_OK;
    for (;;) {
        json_blank(j);
        int err = json_string_copy(j, key, sizeof(key));
        if (err == MD_ETOOLONG)
            key[0] = '\0';          /* a long key is nobody we look for */
        else if (err)
            return err;
        json_blank(j);
        if (j->p >= j->end || *j->p != ':')
            return MD_EMALFORMED;
        j->p++;
        json_blank(j);
        err = member ? member(j, key, ctx) : json_skip(j, depth + 1);
        if (err)
            return err;
        json_blank(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == '}')
            return j->p++, MD_OK;
        return MD_EMALFORMED;
    }
}

static int json_skip(struct json *j, int depth)
{
    json_blank(j);
    if (j->p >= j->end || depth > JSON_DEPTH_MAX)
        return MD_EMALFORMED;
    if (*j->p == '"')
        return json_string(j, NULL, 0);
    if (*j->p == '{')
        return json_members(j, depth, NULL, NULL);
    if (*j->p == '[') {
        j->p++;
        json_blank(j);
        if (j->p < j->end && *j->p == ']')
            return j->p++, MD_OK;
        for (;;) {
            int err = json_skip(j, depth + 1);
            if (err)
                return err;
            json_blank(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == ']')
                return j->p++, MD_OK;
            return MD_EMALFORMED;
        }
    }
    /* numbers, true, false, null */
    const char *start = j->p;
    while (j->p < j->end && (*j->p == '-' || *j->p == '+' || *j->p == '.' ||
                             (*j->p >= '0' && *j->p <= '9') ||
                             (lower(*j->p) >= 'a' && lower(*j->p) <= 'z')))
        j->p++;
    return j->p > start ? MD_OK : MD_EMALFORMED;
}

struct meta_search {
    const char *key;
    char *out;
    size_t cap;
    int result;                 /* MD_ENOTFOUND until the key is seen */
    int in_meta;
};

static int meta_member(struct json *j, const char *key, void *ctx)
{
    struct meta_search *s = ctx;

    if (!s->in_meta && !strcmp(key, "meta")) {
        json_blank(j);
        if (j->p < j->end && *j->p == '{') {
            s->in_meta = 1;
            int err = json_members(j, 1, meta_member, s);
            s->in_meta = 0;
            return err;
        }
    } else if (s->in_meta && !strcmp(key, s->key)) {
        json_blank(j);
        if (j->p < j->end && *j->p == '"') {
            int err = json_string_copy(j, s->out, s->cap);
            s->result = err;
            return err == MD_ETOOLONG ? MD_OK : err;
        }
        s->result = MD_EMALFORMED;          /* meta values are strings */
    }
    return json_skip(j, 2);
}

int json_meta_get(const char *json, size_t len, const char *key, char *out, size_t cap)
{
    struct json j = { json, json + len };
    struct meta_search s = { key, out, cap, MD_ENOTFOUND, 0 };

    int err = json_members(&j, 0, meta_member, &s);
    if (err)
        return err;
    json_blank(&j);
    if (j.p != j.end)
        return MD_EMALFORMED;
    return s.result;
}

const char *metadata_parse_strerror(int error)
{
    switch (error) {
    case MD_OK: return "no error";
    case MD_EINCOMPLETE: return "incomplete response";
    case MD_EMALFORMED: return "malformed";
    case MD_ENOTFOUND: return "not found";
    case MD_ETOOLONG: return "value too long";
    default: return "unknown error";
    }
}

/*
 * test_metadata_parse.c - HTTP responses, user data and meta_data.json as
 * the three clouds' metadata services send them, and their malformed kin.
 */
#include "check.h"
#include "metadata_parse.h"

#include <string.h>

#define S(text) text, sizeof(text) - 1

static void gce_response(void)
{
    struct http_response r;
    char v[64];
    const char text[] = "HTTP/1.1 200 OK\r\nMetadata-Flavor: Google\r\n"
                        "Content-Type: application/text\r\nContent-Length: 8\r\n\r\n10.0.0.2extra";

    CHECK(http_response_parse(S(text), &r) == MD_OK);
    CHECK(r.status == 200);
    CHECK(r.body_len == 8 && !memcmp(r.body, "10.0.0.2", 8));
    CHECK(http_header_get(&r, "metadata-flavor", v, sizeof(v)) == MD_OK && !strcmp(v, "Google"));
    CHECK(http_header_get(&r, "X-Missing", v, sizeof(v)) == MD_ENOTFOUND);
    CHECK(http_header_get(&r, "Metadata-Flavor", v, 4) == MD_ETOOLONG);
}

static void response_edges(void)
{
    struct http_response r;

    CHECK(http_response_parse(S("HTTP/1.0 404 Not Found\n\nnope"), &r) == MD_OK);
    CHECK(r.status == 404 && r.body_len == 4);
    CHECK(http_response_parse(S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"), &r) ==
          MD_EINCOMPLETE);
    CHECK(http_response_parse(S("HTTP/1.1 200 OK\r\nContent-Length: 1"), &r) == MD_EINCOMPLETE);
    CHECK(http_response_parse(S("\x16\x03\x01 garbage bytes here"), &r) == MD_EMALFORMED);
    CHECK(http_response_parse(S("HTTP/1.1 2x0 OK\r\n\r\n"), &r) == MD_EMALFORMED);
    CHECK(http_response_parse(S("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), &r) ==
          MD_EMALFORMED);
    CHECK(http_response_parse(S("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999\r\n\r\n"),
                              &r) == MD_EMALFORMED);
    CHECK(http_response_parse(S("HTTP/1"), &r) == MD_EINCOMPLETE);
}

static void user_data_lines(void)
{
    const char text[] = "# job settings\nhermit-rank=3\n  hermit-head = 10.128.0.1:7470 \r\n"
                        "noequals\nhermit-args=-n 5 'two words'\nhermit-rank=4";
    char v[64];

    CHECK(kv_lines_get(S(text), "hermit-rank", v, sizeof(v)) == MD_OK && !strcmp(v, "4"));
    CHECK(kv_lines_get(S(text), "hermit-head", v, sizeof(v)) == MD_OK &&
          !strcmp(v, "10.128.0.1:7470"));
    CHECK(kv_lines_get(S(text), "hermit-args", v, sizeof(v)) == MD_OK &&
          !strcmp(v, "-n 5 'two words'"));
    CHECK(kv_lines_get(S(text), "hermit", v, sizeof(v)) == MD_ENOTFOUND);
    CHECK(kv_lines_get(S(text), "job settings", v, sizeof(v)) == MD_ENOTFOUND);
    CHECK(kv_lines_get(S(text), "hermit-head", v, 8) == MD_ETOOLONG);
    CHECK(kv_lines_get(S(""), "x", v, sizeof(v)) == MD_ENOTFOUND);
}

static void openstack_meta(void)
{
    const char json[] =
        "{\"uuid\": \"d8e02d56-2648-49a3-bf97-6be8f1204f38\", \"launch_index\": 0,"
        " \"public_keys\": {\"k\": \"ssh-rsa AAA\"}, \"keys\": [{\"name\": \"k\", \"type\": \"ssh\"}],"
        " \"hermit-rank\": \"outside meta\","
        " \"meta\": {\"hermit-rank\": \"2\", \"hermit-args\": \"say \\\"hi\\\"\\n\\u0041\","
        " \"nested\": {\"hermit-size\": \"9\"}, \"hermit-size\": \"4\"},"
        " \"availability_zone\": \"nova\", \"flag\": true, \"none\": null, \"x\": -1.5e3}";
    char v[64];

    CHECK(json_meta_get(S(json), "hermit-rank", v, sizeof(v)) == MD_OK && !strcmp(v, "2"));
    CHECK(json_meta_get(S(json), "hermit-size", v, sizeof(v)) == MD_OK && !strcmp(v, "4"));
    CHECK(json_meta_get(S(json), "hermit-args", v, sizeof(v)) == MD_OK &&
          !strcmp(v, "say \"hi\"\nA"));
    CHECK(json_meta_get(S(json), "hermit-head", v, sizeof(v)) == MD_ENOTFOUND);
    CHECK(json_meta_get(S(json), "hermit-args", v, 5) == MD_ETOOLONG);
    CHECK(json_meta_get(S("{\"meta\": {}}"), "a", v, sizeof(v)) == MD_ENOTFOUND);
    CHECK(json_meta_get(S("{}"), "a", v, sizeof(v)) == MD_ENOTFOUND);
}

static void openstack_malformed(void)
{
    char v[64];

    CHECK(json_meta_get(S("{\"meta\": {\"a\": 1}}"), "a", v, sizeof(v)) == MD_EMALFORMED);
    CHECK(json_meta_get(S("{\"meta\": {\"a\": \"1\""), "a", v, sizeof(v)) == MD_EMALFORMED);
    CHECK(json_meta_get(S("{\"meta\" {\"a\": \"1\"}}"), "a", v, sizeof(v)) == MD_EMALFORMED);
    CHECK(json_meta_get(S("{\"meta\": {\"a\": \"1\"}} trailing"), "a", v, sizeof(v)) ==
          MD_EMALFORMED);
    CHECK(json_meta_get(S("<html>502 Bad Gateway</html>"), "a", v, sizeof(v)) == MD_EMALFORMED);
    CHECK(json_meta_get(S("{\"meta\": {\"a\": \"\\q\"}}"), "a", v, sizeof(v)) == MD_EMALFORMED);
    CHECK(json_meta_get(S("{\"meta\": {\"a\": \"\\u00e9\"}}"), "a", v, sizeof(v)) ==
          MD_EMALFORMED);

    /* Nesting deeper than the reader follows is refused, not recursed into. */
    char deep[200];
    size_t n = 0;
    n += (size_t)sprintf(deep, "{\"x\": ");
    for (int i = 0; i < 60; i++)
        deep[n++] = '[';
    CHECK(json_meta_get(deep, n, "a", v, sizeof(v)) == MD_EMALFORMED);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "gce_response", gce_response },
        { "response_edges", response_edges },
        { "user_data_lines", user_data_lines },
        { "openstack_meta", openstack_meta },
        { "openstack_malformed", openstack_malformed },
    };
    return check_run("metadata_parse", cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * test_dhcp_options.c - asking for the MTU in lwIP's outgoing DHCP
 * messages, and reading the answer.
 */
#include "check.h"
#include "dhcp_options.h"

#include <string.h>

/* A DISCOVER's options as lwIP 2.1.3 writes them before the hook runs:
 * message type, maximum message size, request list, hostname. */
static const uint8_t discover[] = { 53, 1, 1, 57, 2, 0x05, 0xdc, 55, 3, 1, 3, 28,
                                    12, 4, 'r', 'a', 'n', 'k' };

static void adds_mtu(void)
{
    uint8_t o[68];
    memcpy(o, discover, sizeof(discover));
    size_t len = dhcp_request_list_add(o, sizeof(discover), sizeof(o), 26);
    static const uint8_t want[] = { 53, 1, 1, 57, 2, 0x05, 0xdc, 55, 4, 1, 3, 28, 26,
                                    12, 4, 'r', 'a', 'n', 'k' };
    CHECK(len == sizeof(want));
    CHECK(!memcmp(o, want, sizeof(want)));
    /* Asking twice changes nothing. */
    CHECK(dhcp_request_list_add(o, len, sizeof(o), 26) == len);
    CHECK(!memcmp(o, want, sizeof(want)));
}

static void list_last(void)
{
    uint8_t o[16] = { 53, 1, 3, 55, 2, 1, 3 };
    CHECK(dhcp_request_list_add(o, 7, sizeof(o), 26) == 8);
    CHECK(o[4] == 3 && o[7] == 26);
}

static void refuses(void)
{
    uint8_t o[68];

    /* No request list: nothing to extend. */
    static const uint8_t nolist[] = { 53, 1, 7, 54, 4, 10, 0, 0, 1 };
    memcpy(o, nolist, sizeof(nolist));
    CHECK(dhcp_request_list_add(o, sizeof(nolist), sizeof(o), 26) == sizeof(nolist));
    CHECK(!memcmp(o, nolist, sizeof(nolist)));
    /* No room for the byte and the end option. */
    memcpy(o, discover, sizeof(discover));
    CHECK(dhcp_request_list_add(o, sizeof(discover), sizeof(discover) + 1, 26) ==
          sizeof(discover));
    CHECK(dhcp_request_list_add(o, sizeof(discover), sizeof(discover) + 2, 26) ==
          sizeof(discover) + 1);
    /* An option running past the end is malformed: left alone. */
    static const uint8_t bad[] = { 53, 9, 1, 55, 1, 1 };
    memcpy(o, bad, sizeof(bad));
    CHECK(dhcp_request_list_add(o, sizeof(bad), sizeof(o), 26) == sizeof(bad));
    CHECK(!memcmp(o, bad, sizeof(bad)));
    /* Pads are skipped; the end option stops the walk. */
    static const uint8_t padded[] = { 0, 0, 55, 1, 1 };
    memcpy(o, padded, sizeof(padded));
    CHECK(dhcp_request_list_add(o, sizeof(padded), sizeof(o), 26) == 6 && o[5] == 26);
    static const uint8_t ended[] = { 255, 55, 1, 1 };
    memcpy(o, ended, sizeof(ended));
    CHECK(dhcp_request_list_add(o, sizeof(ended), sizeof(o), 26) == sizeof(ended));
}

static void offered_mtu(void)
{
    CHECK(dhcp_offered_mtu((const uint8_t[]){ 0x05, 0xb4 }, 2) == 1460);
    CHECK(dhcp_offered_mtu((const uint8_t[]){ 0x23, 0x28 }, 2) == 9000);
    CHECK(dhcp_offered_mtu((const uint8_t[]){ 0x02, 0x3f }, 2) == 0);     /* 575 */
    CHECK(dhcp_offered_mtu((const uint8_t[]){ 0x02, 0x40 }, 2) == 576);
    CHECK(dhcp_offered_mtu((const uint8_t[]){ 0x05, 0xb4, 0 }, 3) == 0);
    CHECK(dhcp_offered_mtu((const uint8_t[]){ 0x05 }, 1) == 0);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "adds_mtu", adds_mtu },
        { "list_last", list_last },
        { "refuses", refuses },
        { "offered_mtu", offered_mtu },
    };
    return check_run("dhcp_options", cases, sizeof(cases) / sizeof(cases[0]));
}

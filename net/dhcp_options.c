/*
 * dhcp_options.c - the parameter request list and the offered MTU
 * (see dhcp_options.h).
 */
#include "dhcp_options.h"

#include <string.h>

size_t dhcp_request_list_add(uint8_t *options, size_t len, size_t cap, uint8_t code)
{
    size_t i = 0;

    while (i < len) {
        uint8_t op = options[i];
        if (op == DHCP_OPTION_CODE_PAD) {
            i++;
            continue;
        }
        if (op == DHCP_OPTION_CODE_END || i + 1 >= len || i + 2 + options[i + 1] > len)
            return len;
        size_t n = options[i + 1];
        if (op == DHCP_OPTION_CODE_REQUEST_LIST) {
            if (memchr(&options[i + 2], code, n) || n == 255 || len + 2 > cap)
                return len;     /* asked already, or no room left for the end option */
            size_t at = i + 2 + n;
            memmove(&options[at + 1], &options[at], len - at);
            options[at] = code;
            options[i + 1] = (uint8_t)(n + 1);
            return len + 1;
        }
        i += 2 + n;
    }
    return len;
}

unsigned dhcp_offered_mtu(const uint8_t *value, size_t len)
{
    if (len != 2)
        return 0;
    unsigned mtu = (unsigned)value[0] << 8 | value[1];
    return mtu >= 576 ? mtu : 0;
}

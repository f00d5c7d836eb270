/*
 * fuzz_dhcp_options.c - extending the DHCP parameter request list and
 * reading the offered MTU (net/dhcp_options.c).
 *
 * Input: byte 0 the code to add, byte 1 the room left after the options
 * (cap - len), the rest the options lwIP wrote, in a heap buffer of
 * exactly cap bytes. Properties: the result is len or len + 1 and leaves
 * a byte for the end option; on len + 1 the code was inserted at the end
 * of a request list whose length byte grew by one, and nothing else
 * changed; an MTU is 0 or >= 576.
 */
#include "fuzz.h"
#include "dhcp_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t code = data[0];
    size_t len = size - 2, cap = len + data[1];
    uint8_t *opts = malloc(cap ? cap : 1);

    if (len)
        memcpy(opts, data + 2, len);
    size_t got = dhcp_request_list_add(opts, len, cap, code);
    FUZZ_CHECK(got == len || got == len + 1);
    if (got == len) {
        FUZZ_CHECK(len == 0 || !memcmp(opts, data + 2, len));
    } else {
        /* Exactly the code was inserted into a request list, whose length grew by one. */
        const uint8_t *was = data + 2;
        size_t list = 0;
        FUZZ_CHECK(got + 1 <= cap);
        while (list < len && opts[list] == was[list])
            list++;
        FUZZ_CHECK(list > 0 && list < len && opts[list - 1] == DHCP_OPTION_CODE_REQUEST_LIST);
        FUZZ_CHECK(opts[list] == was[list] + 1);
        size_t at = list + 1 + was[list];
        FUZZ_CHECK(at <= len && opts[at] == code);
        FUZZ_CHECK(!memcmp(opts + list + 1, was + list + 1, at - list - 1));
        FUZZ_CHECK(!memcmp(opts + at + 1, was + at, len - at));
    }
    unsigned mtu = dhcp_offered_mtu(data + 2, len);
    FUZZ_CHECK(mtu == 0 || (mtu >= 576 && mtu <= 65535 && len == 2));
    free(opts);
    return 0;
}

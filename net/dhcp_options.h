/*
 * dhcp_options.h - edits to the options of an outgoing DHCP message that
 * lwIP 2.1.3 cannot be configured to make.
 *
 * lwIP asks for a fixed list of parameters (mask, router, broadcast) and
 * has no setting for more; clouds announce their MTU in option 26 only to
 * clients that ask (RFC 2132 section 9.8), and GCE's VPC MTU is 1460, so a
 * client that never asks sends 1500-byte frames into a 1460-byte network.
 *
 * Pure logic, unit-tested on the host (tests/unit/test_dhcp_options.c).
 */
#ifndef NET_DHCP_OPTIONS_H
#define NET_DHCP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_OPTION_CODE_PAD            0
#define DHCP_OPTION_CODE_MTU            26
#define DHCP_OPTION_CODE_REQUEST_LIST   55
#define DHCP_OPTION_CODE_END            255

/*
 * Adds `code` to the parameter request list (option 55) among the
 * options[0..len) already written, moving the options after it one byte
 * up. Returns the new length, or `len` unchanged if there is no list, the
 * code is already in it, the options are malformed, or one more byte
 * would leave no room below `cap` for the end option lwIP appends.
 */
size_t dhcp_request_list_add(uint8_t *options, size_t len, size_t cap, uint8_t code);

/* An offered interface MTU (option 26, two bytes, network order): the
 * value if usable (576..65535, RFC 1191's floor for IPv4), else 0. */
unsigned dhcp_offered_mtu(const uint8_t *value, size_t len);

#endif

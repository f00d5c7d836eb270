/*
 * lwip_hooks.h - where lwIP calls the port back (LWIP_HOOK_FILENAME):
 * DHCP asks for the interface MTU and applies the answer (net/dhcp_hooks.c).
 */
#ifndef NET_LWIP_HOOKS_H
#define NET_LWIP_HOOKS_H

struct netif;
struct dhcp;
struct dhcp_msg;
struct pbuf;

void net_dhcp_append_options(struct netif *netif, struct dhcp_msg *msg, unsigned short *len);
void net_dhcp_parse_option(struct netif *netif, unsigned char msg_type, unsigned char option,
                           unsigned char len, struct pbuf *p, unsigned short offset);

#define LWIP_HOOK_DHCP_APPEND_OPTIONS(netif, dhcp, state, msg, msg_type, options_len_ptr) \
    net_dhcp_append_options(netif, msg, options_len_ptr)
#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, pbuf, offset) \
    net_dhcp_parse_option(netif, msg_type, option, len, pbuf, offset)

#endif

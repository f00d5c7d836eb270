/*
 * lwip_hooks.h - where lwIP calls the port back (LWIP_HOOK_FILENAME):
 * DHCP asks for the interface MTU and applies the answer (net/dhcp_hooks.c);
 * TCP takes its initial sequence numbers from net/tcp_isn.c (RFC 6528).
 */
#ifndef NET_LWIP_HOOKS_H
#define NET_LWIP_HOOKS_H

struct netif;
struct dhcp;
struct dhcp_msg;
struct pbuf;
struct ip4_addr;

void net_dhcp_append_options(struct netif *netif, struct dhcp_msg *msg, unsigned short *len);
void net_dhcp_parse_option(struct netif *netif, unsigned char msg_type, unsigned char option,
                           unsigned char len, struct pbuf *p, unsigned short offset);

#define LWIP_HOOK_DHCP_APPEND_OPTIONS(netif, dhcp, state, msg, msg_type, options_len_ptr) \
    net_dhcp_append_options(netif, msg, options_len_ptr)
#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, pbuf, offset) \
    net_dhcp_parse_option(netif, msg_type, option, len, pbuf, offset)

/* LWIP_IPV6 is 0, so ip_addr_t is struct ip4_addr. */
unsigned int net_tcp_isn(const struct ip4_addr *local_ip, unsigned short local_port,
                         const struct ip4_addr *remote_ip, unsigned short remote_port);
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    net_tcp_isn(local_ip, local_port, remote_ip, remote_port)

#endif

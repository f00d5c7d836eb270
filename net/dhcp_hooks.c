/*
 * dhcp_hooks.c - lwIP's DHCP client asks for the interface MTU (option 26)
 * and lowers the interface's MTU to what the network offers.
 *
 * Both hooks run inside dhcp.c under lwIP's core lock: one while a
 * message's options are written, one for each option dhcp.c itself does
 * not decode.
 */
#include "dhcp_options.h"
#include "lwip_hooks.h"

#include "console.h"

#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/dhcp.h"

void net_dhcp_append_options(struct netif *netif, struct dhcp_msg *msg, unsigned short *len)
{
    (void)netif;
    *len = (unsigned short)dhcp_request_list_add(msg->options, *len, DHCP_OPTIONS_LEN,
                                                 DHCP_OPTION_CODE_MTU);
}

void net_dhcp_parse_option(struct netif *netif, unsigned char msg_type, unsigned char option,
                           unsigned char len, struct pbuf *p, unsigned short offset)
{
    uint8_t value[2];

    /* An OFFER only proposes; the ACK is what the server committed to. */
    if (option != DHCP_OPTION_CODE_MTU || msg_type != DHCP_ACK || !netif)
        return;
    if (len != sizeof(value) || pbuf_copy_partial(p, value, sizeof(value), offset) != sizeof(value))
        return;
    unsigned mtu = dhcp_offered_mtu(value, sizeof(value));
    if (!mtu) {
        klog(LOG_WARN, "net: %c%c%u: DHCP offered MTU %u, below 576; ignored\n",
             netif->name[0], netif->name[1], netif->num, (unsigned)value[0] << 8 | value[1]);
        return;
    }
    /* The device's own limit (VIRTIO_NET_F_MTU, or mtu=) still holds. */
    if (mtu < netif->mtu) {
        klog(LOG_INFO, "net: %c%c%u: MTU %u from DHCP (was %u)\n", netif->name[0],
             netif->name[1], netif->num, mtu, netif->mtu);
        netif->mtu = (u16_t)mtu;
    }
}

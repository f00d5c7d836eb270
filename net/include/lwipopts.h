/*
 * lwipopts.h - lwIP's configuration for HermitCore-C: an IPv4 stack for
 * MPI traffic between VMs (MPICH ch3:sock), so sized for many peers and
 * long streams rather than for a microcontroller.
 *
 * Threading: the stack runs with the core lock (LWIP_TCPIP_CORE_LOCKING):
 * an application thread calling a socket function does the protocol work
 * itself under the lock (no hop through the tcpip thread), and the
 * driver thread (net/netif_vnet.c, CPU 0) feeds received frames in under
 * the same lock. The tcpip thread (CPU 0) only runs timers and callbacks.
 *
 * Names: LWIP_COMPAT_SOCKETS=0, so lwIP only defines lwip_* functions and
 * never socket()/connect()/...; libc/socket.c owns the POSIX names.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* --- operating system ------------------------------------------------------ */
#define NO_SYS                          0
#define SYS_LIGHTWEIGHT_PROT            1
#define LWIP_TCPIP_CORE_LOCKING         1
#define LWIP_TCPIP_CORE_LOCKING_INPUT   1
#define LWIP_NETCONN_SEM_PER_THREAD     0
#define LWIP_NETCONN_FULLDUPLEX         0
#define TCPIP_THREAD_NAME               "lwip-tcpip"
#define TCPIP_THREAD_STACKSIZE          (64 * 1024)
#define TCPIP_THREAD_PRIO               0
#define TCPIP_MBOX_SIZE                 256
#define DEFAULT_THREAD_STACKSIZE        (64 * 1024)
#define DEFAULT_TCP_RECVMBOX_SIZE       2048    /* pbufs: a full window (1 MiB) of 512 B segments */
#define DEFAULT_UDP_RECVMBOX_SIZE       256
#define DEFAULT_RAW_RECVMBOX_SIZE       64
#define DEFAULT_ACCEPTMBOX_SIZE         256
#define LWIP_TIMERS                     1

/* --- memory: lwIP's heap is newlib's malloc (thread-safe, grows with RAM) -- */
#define MEM_LIBC_MALLOC                 1
#define MEMP_MEM_MALLOC                 0
#define MEM_ALIGNMENT                   8
#define MEMP_NUM_NETCONN                256     /* = the number of lwIP sockets */
#define MEMP_NUM_TCP_PCB                256
#define MEMP_NUM_TCP_PCB_LISTEN         32
#define MEMP_NUM_UDP_PCB                64
#define MEMP_NUM_RAW_PCB                8
#define MEMP_NUM_TCP_SEG                8192
#define MEMP_NUM_NETBUF                 256
#define MEMP_NUM_PBUF                   512     /* PBUF_REF/ROM headers */
#define MEMP_NUM_REASSDATA              8
#define IP_REASS_MAX_PBUFS              64
#define MEMP_NUM_FRAG_PBUF              64
#define MEMP_NUM_ARP_QUEUE              256     /* frames waiting for ARP, all peers */
#define MEMP_NUM_TCPIP_MSG_API          64
#define MEMP_NUM_TCPIP_MSG_INPKT        256
#define MEMP_NUM_SYS_TIMEOUT            (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define MEMP_NUM_SELECT_CB              64      /* threads in poll/select at once */
/* Received frames are copied into pool pbufs by the driver thread. */
#define PBUF_POOL_SIZE                  4096
#define PBUF_POOL_BUFSIZE               1536

/* --- link and IP ------------------------------------------------------------ */
#define LWIP_ETHERNET                   1
#define LWIP_ARP                        1
#define ARP_TABLE_SIZE                  64      /* one entry per peer VM */
#define ARP_QUEUEING                    1
/* Frames kept per unresolved peer. lwIP's default, 3, dropped all but
 * the last 3 of a burst of connects to a peer not yet in the ARP table
 * (MPICH's first messages, a poll loop opening 32 sockets): each lost SYN
 * then cost the 3 s initial RTO. */
#define ARP_QUEUE_LEN                   32
#define ETHARP_SUPPORT_STATIC_ENTRIES   0
#define LWIP_IPV4                       1
#define LWIP_IPV6                       0
#define IP_FORWARD                      0
#define IP_REASSEMBLY                   1
#define IP_FRAG                         1
#define LWIP_ICMP                       1
#define LWIP_RAW                        1       /* SOCK_RAW with IPPROTO_ICMP: ping */
#define LWIP_DHCP                       1
/* DHCP asks for the network's MTU and applies it (net/dhcp_hooks.c). */
#define LWIP_HOOK_FILENAME              "lwip_hooks.h"
#define LWIP_AUTOIP                     0
#define LWIP_IGMP                       0
/* Names: hosts= first (libc/netdb.c), then DNS through the servers DHCP
 * names (a cloud's resolver); no server, no query. */
#define LWIP_DNS                        1
#define DNS_MAX_SERVERS                 2
#define LWIP_DHCP_MAX_DNS_SERVERS       2
#define LWIP_NETIF_HOSTNAME             1
#define LWIP_NETIF_STATUS_CALLBACK      1
#define LWIP_NETIF_LINK_CALLBACK        0
#define LWIP_NETIF_API                  0
#define LWIP_SINGLE_NETIF               0
/* 127.0.0.1 and a VM's own address work: frames loop back inside lwIP. */
#define LWIP_HAVE_LOOPIF                1
#define LWIP_NETIF_LOOPBACK             1

/* --- checksums --------------------------------------------------------------
 * Received frames: the driver completes partial checksums itself
 * (VIRTIO_NET_F_GUEST_CSUM), and lwIP checks every checksum (a frame the
 * device marks valid is still verified: one rule for every frame).
 * Sent frames: lwIP generates every checksum, except TCP's on an
 * interface whose device computes it (VIRTIO_NET_F_CSUM, a tap backend):
 * there the port turns TCP generation off per interface and marks the
 * frames for the device (net/netif_vnet.c). So no sum on copy: whether a
 * segment needs its sum is known only when it leaves.
 */
#define LWIP_CHECKSUM_CTRL_PER_NETIF    1
#define CHECKSUM_GEN_IP                 1
#define CHECKSUM_GEN_UDP                1
#define CHECKSUM_GEN_TCP                1
#define CHECKSUM_GEN_ICMP               1
#define CHECKSUM_CHECK_IP               1
#define CHECKSUM_CHECK_UDP              1
#define CHECKSUM_CHECK_TCP              1
#define CHECKSUM_CHECK_ICMP             1
#define LWIP_CHECKSUM_ON_COPY           0
/* The sum itself: 64-bit words (kernel/inet_sum.c, contract in
 * kernel/inet_sum.h), 0.3 instead of 2.5 guest instructions per byte.
 * Declared here, where every build of lwIP (the guest's and the host
 * tests') sees it: undeclared, it would be called as returning int. */
#define LWIP_CHKSUM                     inet_sum
#include <stdint.h>
uint16_t inet_sum(const void *data, int len);

/* --- TCP: large windows for MPI streams, many connections -------------------
 * The MSS is the interface's MTU - 40 (1460 for 1500), or up to 64 KiB
 * on an interface whose device segments TCP itself (netif->tso_mtu,
 * net/lwip/patches/tso-segments.patch): TCP_MSS is only the ceiling.
 * The queue length, the oversize and the window-update threshold keep
 * their 1460-byte sizes (lwIP would derive them from TCP_MSS), and the
 * sanity check that assumes 16-bit send buffers (TCP_SNDLOWAT at least
 * 4 * TCP_MSS below 65535) is off with the others; net/net_init.c
 * asserts the rest.
 *
 * The window and the send buffer are 1 MiB (window scaling, shift 6:
 * up to 4 MiB). With 256 KiB a receiver closed its window during every
 * stream, and the window update then waited behind the host's Nagle
 * timer on links that pass frames through a host TCP connection (QEMU's
 * stream netdev over inet sets no TCP_NODELAY; the multi-host vde cable
 * runs over ssh): 7 MB/s against 23 MB/s with 1 MiB on the same link
 * (docs/bench-net.md). The memory is the pbuf pool's, shared by all
 * connections; the window is an offer, not a reservation.
 */
#define LWIP_TCP                        1
#define TCP_MSS                         (65535 - 14 - 40)
#define TCP_WIRE_MSS                    1460    /* MSS on a 1500-byte MTU */
#define LWIP_DISABLE_TCP_SANITY_CHECKS  1
#define LWIP_WND_SCALE                  1
#define TCP_RCV_SCALE                   6
#define TCP_WND                         (1024 * 1024)
#define TCP_SND_BUF                     (1024 * 1024)
#define TCP_SND_QUEUELEN                ((4 * TCP_SND_BUF + TCP_WIRE_MSS - 1) / TCP_WIRE_MSS)
#define TCP_WND_UPDATE_THRESHOLD        (4 * TCP_WIRE_MSS)
#define TCP_SNDLOWAT                    (32 * 1024)     /* writable again: lwIP checks it against a u16 */
#define TCP_SNDQUEUELOWAT               (TCP_SND_QUEUELEN / 2)
#define TCP_QUEUE_OOSEQ                 1
#define TCP_LISTEN_BACKLOG              1
#define TCP_DEFAULT_LISTEN_BACKLOG      128
#define TCP_OVERSIZE                    TCP_WIRE_MSS
#define LWIP_TCP_KEEPALIVE              1
#define LWIP_TCP_TIMESTAMPS             0
#define TCP_MAXRTX                      12
#define TCP_SYNMAXRTX                   6
/*
 * lwIP counts retransmission timeouts in ticks of 2 * TCP_TMR_INTERVAL and
 * its smallest RTO is 3 ticks: with the default 250 ms that is 1.5 s per
 * lost segment, and a congested virtual switch (vde drops when a VM's RX
 * ring is full) stalled 32 MiB streams for seconds. 25 ms ticks give a
 * 150 ms minimum RTO (Linux: 200 ms) and 25 ms delayed ACKs. The price is
 * a 40 Hz timer on the network CPU while TCP connections exist.
 */
#define TCP_TMR_INTERVAL                25
#define LWIP_UDP                        1

/* --- sockets ---------------------------------------------------------------- */
#define LWIP_SOCKET                     1
#define LWIP_NETCONN                    1
#define LWIP_COMPAT_SOCKETS             0
#define LWIP_POSIX_SOCKETS_IO_NAMES     0
#define LWIP_SOCKET_OFFSET              0
#define LWIP_SOCKET_SELECT              1
#define LWIP_SOCKET_POLL                1
#define LWIP_SO_SNDTIMEO                1
#define LWIP_SO_RCVTIMEO                1
#define LWIP_SO_SNDRCVTIMEO_NONSTANDARD 0       /* struct timeval, as POSIX */
#define LWIP_SO_RCVBUF                  1
#define LWIP_SO_LINGER                  1
#define SO_REUSE                        1
#define LWIP_FIONREAD_LINUXMODE         1
#define RECV_BUFSIZE_DEFAULT            (4 * 1024 * 1024)

/* --- statistics and debugging -----------------------------------------------
 * TCP's counters only, for the exit report of the `stats` option
 * (net/net_stats.c): plain increments under the core lock, no display
 * code. MIB2_STATS adds the SNMP counters (segments in and out, fast
 * retransmits, resets sent, opens) in IP, UDP and the netifs as well;
 * the other protocols' and the pools' counters stay off. 32-bit counters:
 * a 16-bit one wraps within one large MPI message.
 */
#define LWIP_STATS                      1
#define LWIP_STATS_DISPLAY              0
#define LWIP_STATS_LARGE                1
#define TCP_STATS                       1
#define MIB2_STATS                      1
#define LINK_STATS                      0
#define ETHARP_STATS                    0
#define IP_STATS                        0
#define IPFRAG_STATS                    0
#define ICMP_STATS                      0
#define UDP_STATS                       0
#define MEM_STATS                       0
#define MEMP_STATS                      0
#define SYS_STATS                       0

#endif

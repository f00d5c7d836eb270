/*
 * net_stats.c - prints the network counters at exit: per NIC the driver's
 * struct vnet_stats and the netif glue's drops, then lwIP's TCP counters
 * (TCP_STATS and MIB2_STATS, net/include/lwipopts.h).
 *
 * Two events lwIP 2.1.3 does not count are counted here by wrapping its
 * functions at link time (net.mk links with --wrap, which redirects the
 * calls between lwIP's object files):
 * - tcp_rexmit_rto_commit: tcp_slowtmr's retransmission timeouts. lwIP's
 *   MIB2 tcpretranssegs only counts tcp_rexmit, i.e. fast retransmits.
 * - tcp_err: the netconn layer installs its error callback here; ours
 *   counts the errors delivered to connections (ERR_ABRT: retransmission
 *   or keepalive limit reached, or the pcb reclaimed, which sockets report
 *   as ECONNABORTED; ERR_RST: the peer reset) and then calls the original.
 */
#include "lwip/opt.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"

#include "net.h"
#include "net_stats.h"
#include "netif_vnet.h"

#include "console.h"
#include "shutdown.h"
#include "virtio/virtio_net.h"

/* Updated under lwIP's core lock; read without it at exit. */
static uint32_t rto_timeouts, conn_aborted, conn_reset;
static tcp_err_fn netconn_err;      /* the one callback we chain to */

void __real_tcp_rexmit_rto_commit(struct tcp_pcb *pcb);
void __wrap_tcp_rexmit_rto_commit(struct tcp_pcb *pcb);
void __real_tcp_err(struct tcp_pcb *pcb, tcp_err_fn err);
void __wrap_tcp_err(struct tcp_pcb *pcb, tcp_err_fn err);

void __wrap_tcp_rexmit_rto_commit(struct tcp_pcb *pcb)
{
    rto_timeouts++;
    __real_tcp_rexmit_rto_commit(pcb);
}

static void count_err(void *arg, err_t err)
{
    if (err == ERR_ABRT)
        conn_aborted++;
    else if (err == ERR_RST)
        conn_reset++;
    netconn_err(arg, err);
}

/* Only the netconn layer sets error callbacks, always the same one; any
 * other is passed through uncounted rather than chained wrongly. */
void __wrap_tcp_err(struct tcp_pcb *pcb, tcp_err_fn err)
{
    if (err && !netconn_err)
        netconn_err = err;
    __real_tcp_err(pcb, err && err == netconn_err ? count_err : err);
}

static struct netif *const *reported_ifs;
static unsigned reported_count;

static void report_nic(unsigned index)
{
    const struct netdev *dev = vnet_get(index);
    const struct vnet_stats *s = &dev->stats;
    struct net_vnet_stats glue;

    net_vnet_get_stats(reported_ifs[index], &glue);
    kprintf("hermit-stats: net %s rx %llu rx-bytes %llu rx-dropped %llu rx-nomem %llu "
            "rx-merged %llu rx-csum-valid %llu tx %llu tx-bytes %llu tx-busy %llu "
            "tx-overflow %llu kicks %llu rekicks %llu irqs %llu waits %llu wait-sleeps %llu "
            "rx-badlen %llu rx-bad-csum %llu tx-gso %llu rx-gso %llu\n",
            dev->name, (unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes,
            (unsigned long long)s->rx_dropped, (unsigned long long)glue.rx_nomem,
            (unsigned long long)s->rx_merged, (unsigned long long)s->rx_csum_valid,
            (unsigned long long)s->tx_frames, (unsigned long long)s->tx_bytes,
            (unsigned long long)s->tx_busy, (unsigned long long)glue.tx_overflow,
            (unsigned long long)s->kicks, (unsigned long long)s->rekicks, (unsigned long long)s->irqs,
            (unsigned long long)s->waits, (unsigned long long)s->wait_sleeps,
            (unsigned long long)s->rx_badlen, (unsigned long long)glue.rx_bad_csum,
            (unsigned long long)s->tx_gso, (unsigned long long)s->rx_gso);
}

/*
 * Segments: out (new data, SYN, FIN), in, xmit (everything sent, ACKs and
 * retransmissions included). rexmit-fast is MIB2's tcpretranssegs (fast
 * retransmits, and SYN-ACKs resent for a duplicate SYN); rto counts
 * timeouts, each of which resends every unacknowledged segment.
 */
static void report_tcp(void)
{
    const struct stats_proto *t = &lwip_stats.tcp;
    const struct stats_mib2 *m = &lwip_stats.mib2;

    kprintf("hermit-stats: tcp out %lu in %lu xmit %lu rexmit-fast %lu rto %lu "
            "drop %lu chkerr %lu lenerr %lu memerr %lu proterr %lu err %lu out-rsts %lu "
            "active-opens %lu passive-opens %lu attempt-fails %lu aborted %lu reset %lu\n",
            (unsigned long)m->tcpoutsegs, (unsigned long)m->tcpinsegs, (unsigned long)t->xmit,
            (unsigned long)m->tcpretranssegs, (unsigned long)rto_timeouts,
            (unsigned long)t->drop, (unsigned long)t->chkerr, (unsigned long)t->lenerr,
            (unsigned long)t->memerr, (unsigned long)t->proterr, (unsigned long)t->err,
            (unsigned long)m->tcpoutrsts, (unsigned long)m->tcpactiveopens,
            (unsigned long)m->tcppassiveopens, (unsigned long)m->tcpattemptfails,
            (unsigned long)conn_aborted, (unsigned long)conn_reset);
}

static void report(void)
{
    for (unsigned i = 0; i < reported_count; i++)
        report_nic(i);
    report_tcp();
}

void net_stats_register(struct netif *const *interfaces, unsigned count)
{
    reported_ifs = interfaces;
    reported_count = count;
    if (!shutdown_add_report(report))
        klog(LOG_WARN, "net: no room for the network counters in the exit report\n");
}

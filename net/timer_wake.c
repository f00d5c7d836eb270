/*
 * timer_wake.c - wakes lwIP's tcpip thread when the TCP timer is armed.
 *
 * With LWIP_TCPIP_CORE_LOCKING an application thread opens connections
 * itself, and the first one (TCP_REG) arms the TCP timer through
 * sys_timeout(). That only adds an entry to the tcpip thread's timeout
 * list: the thread sleeps on until its previous deadline, up to a second
 * away (the ARP timer). Meanwhile tcp_ticks stays 0, and a 0 in rttest
 * means "no RTT measurement running", so no round trip is ever timed: a
 * connection that loses a segment in its first second keeps lwIP's
 * initial 3 s RTO. osu_bw showed it as 2 KiB messages at 0.2 MB/s.
 * An empty message makes the thread recompute its sleep at once.
 *
 * lwIP calls tcp_timer_needed() only when a connection becomes active or
 * enters TIME_WAIT, so the extra message is per connection, not per packet.
 */
#include "lwip/opt.h"
#include "lwip/tcpip.h"

void __real_tcp_timer_needed(void);
void __wrap_tcp_timer_needed(void);

static void recompute_sleep(void *unused)
{
    (void)unused;   /* being woken was the point */
}

void __wrap_tcp_timer_needed(void)
{
    __real_tcp_timer_needed();
    /* A full mailbox means the thread is about to run anyway. */
    (void)tcpip_try_callback(recompute_sleep, NULL);
}

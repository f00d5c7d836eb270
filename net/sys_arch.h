/*
 * sys_arch.h - what the port adds to lwIP's operating-system layer
 * (net/sys_arch.c).
 *
 * net_core_on_unlock registers fn to run in every thread that releases
 * lwIP's core lock, just before it does, with the lock still held: the
 * end of a burst of lwIP work (a send() call, a timer, a received frame),
 * where a driver can tell its device about every frame of the burst at
 * once. One hook; a second registration replaces the first. fn MUST NOT
 * take the core lock or block on anything a core-lock holder may hold.
 */
#ifndef NET_SYS_ARCH_H
#define NET_SYS_ARCH_H

void net_core_on_unlock(void (*fn)(void));

#endif

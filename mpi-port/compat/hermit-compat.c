/*
 * hermit-compat.c - definitions behind hermit-compat.h: the IPv6 any and
 * loopback addresses (::, ::1) as 16-byte arrays, compiled with hermit-cc
 * and added to libmpi.a by mpi-port/build.sh.
 */
const unsigned char hermit_mpich_in6addr_any[16] = { 0 };
const unsigned char hermit_mpich_in6addr_loopback[16] = { [15] = 1 };

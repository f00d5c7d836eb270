/*
 * sys/sysinfo.h - glibc's view of the machine: CPUs and memory
 * (libc/resource.c). get_nprocs and get_nprocs_conf are the online CPUs;
 * sysinfo fills uptime, totalram and freeram (physical memory, mem_unit
 * 1), procs (the threads alive) and zeroes the rest: no swap, no load
 * average, no high memory.
 */
#ifndef _SYS_SYSINFO_H
#define _SYS_SYSINFO_H

#ifdef __cplusplus
extern "C" {
#endif

struct sysinfo {
    long uptime;                /* seconds since boot */
    unsigned long loads[3];
    unsigned long totalram;
    unsigned long freeram;
    unsigned long sharedram;
    unsigned long bufferram;
    unsigned long totalswap;
    unsigned long freeswap;
    unsigned short procs;
    unsigned short pad;
    unsigned long totalhigh;
    unsigned long freehigh;
    unsigned int mem_unit;      /* bytes per unit of the *ram fields */
};

int sysinfo(struct sysinfo *info);
int get_nprocs(void);
int get_nprocs_conf(void);

#ifdef __cplusplus
}
#endif

#endif

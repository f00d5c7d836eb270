/*
 * sys/cpuset.h - cpu_set_t and the CPU_* macros, as GNU/Linux spells them.
 *
 * HermitCore-C's addition to newlib's headers: newlib declares
 * sched_getaffinity() and friends only when this header has defined
 * _SYS_CPUSET_H_. The CPU_* names must be macros: programs take the
 * address of their set argument and pass CPU numbers as expressions.
 */
#ifndef _SYS_CPUSET_H_
#define _SYS_CPUSET_H_

#include <stddef.h>

#define CPU_SETSIZE 1024
#define __CPU_BITS (8 * sizeof(unsigned long))

typedef struct {
    unsigned long __bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;

#define CPU_ZERO(set) __builtin_memset((set), 0, sizeof(cpu_set_t))
#define CPU_SET(cpu, set) \
    ((void)((size_t)(cpu) < CPU_SETSIZE && \
            ((set)->__bits[(size_t)(cpu) / __CPU_BITS] |= 1UL << ((size_t)(cpu) % __CPU_BITS))))
#define CPU_CLR(cpu, set) \
    ((void)((size_t)(cpu) < CPU_SETSIZE && \
            ((set)->__bits[(size_t)(cpu) / __CPU_BITS] &= ~(1UL << ((size_t)(cpu) % __CPU_BITS)))))
#define CPU_ISSET(cpu, set) \
    ((size_t)(cpu) < CPU_SETSIZE && \
     (((set)->__bits[(size_t)(cpu) / __CPU_BITS] >> ((size_t)(cpu) % __CPU_BITS)) & 1))
#define CPU_COUNT(set) __cpu_count(sizeof(cpu_set_t), (set))

static inline int __cpu_count(size_t size, const cpu_set_t *set)
{
    int n = 0;

    for (size_t i = 0; i < size / sizeof(unsigned long); i++)
        n += __builtin_popcountl(set->__bits[i]);
    return n;
}

#endif

/*
 * arch/sys_arch.h - the operating-system types lwIP runs on: semaphores,
 * mutexes, mailboxes and threads of the HermitCore-C kernel (sync.h,
 * thread.h). The functions are lwIP's sys_arch contract (lwip/sys.h),
 * implemented in net/sys_arch.c.
 *
 * Contract: every lwIP thread this port creates runs on CPU 0 (the boot
 * CPU), so network housekeeping never disturbs a compute core. Mailboxes
 * are bounded; a full mailbox blocks sys_mbox_post and fails trypost.
 */
#ifndef NET_ARCH_SYS_ARCH_H
#define NET_ARCH_SYS_ARCH_H

/* The boot CPU: where net threads live (see the contract above). */
#define NET_CPU 0

/*
 * Pointers to kernel objects that net/sys_arch.c allocates; NULL means
 * invalid. Keeping the kernel's struct layouts out of this header keeps
 * them out of the cached lwIP objects, which cannot see kernel changes.
 */
struct net_sem;
struct net_mutex;
typedef struct net_sem *sys_sem_t;
typedef struct net_mutex *sys_mutex_t;

struct net_mbox;
/* A pointer to the mailbox; NULL means invalid (freed or never made). */
typedef struct net_mbox *sys_mbox_t;

struct thread;
typedef struct thread *sys_thread_t;

/* SYS_ARCH_PROTECT's saved state: RFLAGS before it turned interrupts off
 * (IF is bit 9; the upper half of RFLAGS is reserved, zero). */
typedef unsigned sys_prot_t;

#endif

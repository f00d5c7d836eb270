build-dbg/kernel/waitqueue.o: kernel/waitqueue.c kernel/waitqueue.h \
 kernel/list.h kernel/spinlock.h kernel/thread.h kernel/sched.h
kernel/waitqueue.h:
kernel/list.h:
kernel/spinlock.h:
kernel/thread.h:
kernel/sched.h:

build-dbg/kernel/sync.o: kernel/sync.c kernel/sync.h kernel/waitqueue.h \
 kernel/list.h kernel/spinlock.h kernel/thread.h kernel/clock.h \
 arch/x86_64/cpu.h kernel/kerr.h
kernel/sync.h:
kernel/waitqueue.h:
kernel/list.h:
kernel/spinlock.h:
kernel/thread.h:
kernel/clock.h:
arch/x86_64/cpu.h:
kernel/kerr.h:

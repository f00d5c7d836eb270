build-dbg/kernel/thread.o: kernel/thread.c kernel/thread.h kernel/list.h \
 kernel/spinlock.h kernel/clock.h arch/x86_64/fpu.h kernel/heap.h \
 kernel/kerr.h kernel/percpu.h arch/x86_64/cpu.h kernel/sched.h \
 kernel/tls.h kernel/vmem.h kernel/include/string.h
kernel/thread.h:
kernel/list.h:
kernel/spinlock.h:
kernel/clock.h:
arch/x86_64/fpu.h:
kernel/heap.h:
kernel/kerr.h:
kernel/percpu.h:
arch/x86_64/cpu.h:
kernel/sched.h:
kernel/tls.h:
kernel/vmem.h:
kernel/include/string.h:

build-dbg/kernel/percpu.o: kernel/percpu.c kernel/percpu.h \
 arch/x86_64/cpu.h kernel/list.h kernel/spinlock.h
kernel/percpu.h:
arch/x86_64/cpu.h:
kernel/list.h:
kernel/spinlock.h:

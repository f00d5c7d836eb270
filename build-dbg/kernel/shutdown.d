build-dbg/kernel/shutdown.o: kernel/shutdown.c kernel/shutdown.h \
 kernel/clock.h kernel/console.h arch/x86_64/cpu.h arch/x86_64/machine.h \
 kernel/percpu.h kernel/list.h kernel/spinlock.h arch/x86_64/trap.h
kernel/shutdown.h:
kernel/clock.h:
kernel/console.h:
arch/x86_64/cpu.h:
arch/x86_64/machine.h:
kernel/percpu.h:
kernel/list.h:
kernel/spinlock.h:
arch/x86_64/trap.h:

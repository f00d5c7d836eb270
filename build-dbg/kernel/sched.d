build-dbg/kernel/sched.o: kernel/sched.c kernel/sched.h kernel/spinlock.h \
 kernel/thread.h kernel/list.h arch/x86_64/apic.h kernel/clock.h \
 kernel/console.h arch/x86_64/cpu.h arch/x86_64/fpu.h kernel/percpu.h \
 arch/x86_64/trap.h
kernel/sched.h:
kernel/spinlock.h:
kernel/thread.h:
kernel/list.h:
arch/x86_64/apic.h:
kernel/clock.h:
kernel/console.h:
arch/x86_64/cpu.h:
arch/x86_64/fpu.h:
kernel/percpu.h:
arch/x86_64/trap.h:

build-dbg/kernel/tlb.o: kernel/tlb.c kernel/tlb.h arch/x86_64/apic.h \
 kernel/clock.h arch/x86_64/cpu.h kernel/panic.h arch/x86_64/paging.h \
 kernel/percpu.h kernel/list.h kernel/spinlock.h kernel/sync.h \
 kernel/waitqueue.h kernel/thread.h arch/x86_64/trap.h
kernel/tlb.h:
arch/x86_64/apic.h:
kernel/clock.h:
arch/x86_64/cpu.h:
kernel/panic.h:
arch/x86_64/paging.h:
kernel/percpu.h:
kernel/list.h:
kernel/spinlock.h:
kernel/sync.h:
kernel/waitqueue.h:
kernel/thread.h:
arch/x86_64/trap.h:

build-dbg/kernel/smp.o: kernel/smp.c kernel/smp.h arch/x86_64/apic.h \
 kernel/clock.h arch/x86_64/cmos.h kernel/console.h kernel/discovery.h \
 arch/x86_64/bootinfo.h arch/x86_64/platform.h arch/x86_64/fpu.h \
 arch/x86_64/gdt.h arch/x86_64/idt.h arch/x86_64/paging.h kernel/percpu.h \
 arch/x86_64/cpu.h kernel/list.h kernel/spinlock.h kernel/sched.h \
 kernel/thread.h arch/x86_64/trampoline.h kernel/vmem.h \
 kernel/include/string.h
kernel/smp.h:
arch/x86_64/apic.h:
kernel/clock.h:
arch/x86_64/cmos.h:
kernel/console.h:
kernel/discovery.h:
arch/x86_64/bootinfo.h:
arch/x86_64/platform.h:
arch/x86_64/fpu.h:
arch/x86_64/gdt.h:
arch/x86_64/idt.h:
arch/x86_64/paging.h:
kernel/percpu.h:
arch/x86_64/cpu.h:
kernel/list.h:
kernel/spinlock.h:
kernel/sched.h:
kernel/thread.h:
arch/x86_64/trampoline.h:
kernel/vmem.h:
kernel/include/string.h:
